"""Clerical review in a real browser: an assessor works the queue, confirms a candidate with a
reason, and finds the allegation on the person's page; every page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.access import grant_caseload
from tests.factories import allegation_create, person_create
from tests.linkage.review_data import awaiting_review
from tests.web.conftest import LoginAs
from tests.web.harness import assert_accessible
from vigil.accounts.roles import Role
from vigil.accounts.services import record_restrict
from vigil.linkage.models import LinkStatus

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp: vigil-link-review-queue.png, vigil-link-review-item.png


def justify(page: Page) -> None:
    page.get_by_label("Why do you need to see this?").select_option(
        label="Working an assigned case or review"
    )
    page.get_by_label("Explain in your own words").fill("Reviewing the proposed link.")
    page.get_by_role("button", name="Continue").click()


def test_assessor_confirms_a_candidate_and_the_person_page_shows_the_link(
    page: Page, login_as: LoginAs
) -> None:
    daniel = person_create(
        surname="Okafor", forenames="Daniel", command="South BCU", shoulder_numbers=["55SO"]
    )
    grace = person_create(
        surname="Okafor",
        forenames="Grace",
        staff_id="512345",
        rank_or_grade="Sergeant",
        command="Central BCU",
        shoulder_numbers=["1234CW", "77NE"],
        aliases=["Gracie Okafor"],
    )
    hidden = person_create(surname="Okafor", forenames="Restricted")
    record_restrict(restricted_by=None, reason="Senior officer", person=hidden)
    awaiting_review(
        candidates=[daniel, grace, hidden],
        probabilities=[0.55, 0.45, 0.2],
        ref="HOT-2024-0042",
        category="sexual_harassment",
        subject_name="Sgt OKAFOR",
        subject_shoulder_number="1234CW",
        subject_command="Central BCU",
        received_on=dt.date(2024, 4, 2),
    )
    awaiting_review(
        candidates=[grace], probabilities=[0.6], ref="PC-2023-0007", category="inappropriate_behaviour"
    )
    awaiting_review(candidates=[daniel], status=LinkStatus.AUTO, ref="AUTO-0001")
    allegation_create(ref="UNLINKED-1")

    user = login_as(Role.ASSESSOR)
    grant_caseload(user)

    # The queue, from the main navigation: most severe first.
    page.goto("/allegations/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Link review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link review")
    queue = page.get_by_role("table", name=re.compile("Allegations awaiting review"))
    expect(queue.locator("tbody tr")).to_have_count(2)
    expect(queue.locator("tbody tr").first).to_contain_text("HOT-2024-0042")
    expect(queue).not_to_contain_text("AUTO-0001")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-link-review-queue.png"), full_page=True)

    # Open the item: a justified consultation.
    queue.get_by_role("link", name="HOT-2024-0042").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Why do you need to see")
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is allegation HOT-2024-0042 about?")
    grace_section = page.locator("section", has=page.get_by_role("heading", name="Candidate 2: Grace Okafor"))
    comparison = grace_section.get_by_role("table", name="The subject as recorded beside Grace Okafor")
    shoulder = comparison.locator("tr", has=page.get_by_role("rowheader", name="Shoulder number"))
    expect(shoulder).to_contain_text("Agrees")
    expect(shoulder).to_have_class(re.compile("compare-row--agrees"))
    daniel_section = page.locator(
        "section", has=page.get_by_role("heading", name="Candidate 1: Daniel Okafor")
    )
    expect(daniel_section.locator("tr", has=page.get_by_role("rowheader", name="Command"))).to_contain_text(
        "Disagrees"
    )
    # The restricted candidate is never named.
    expect(page.get_by_role("heading", name="Candidate 3: a candidate you may not see")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Restricted Okafor")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-link-review-item.png"), full_page=True)

    # A reason that is too short is refused, with the error summary leading to the field.
    grace_section.get_by_label("Reason for your decision").fill("yes")
    grace_section.get_by_role("button", name="Confirm: this is Grace Okafor").click()
    expect(page.get_by_role("heading", name="There is a problem with your decision")).to_be_visible()
    assert_accessible(page)

    # Confirm Grace with a reason.
    grace_section = page.locator("section", has=page.get_by_role("heading", name="Candidate 2: Grace Okafor"))
    grace_section.get_by_label("Reason for your decision").fill(
        "Shoulder number 1234CW and Central BCU agree."
    )
    grace_section.get_by_role("button", name="Confirm: this is Grace Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link review")
    expect(page.get_by_text("Allegation HOT-2024-0042 linked to Grace Okafor (512345).")).to_be_visible()
    expect(
        page.get_by_role("table", name=re.compile("Allegations awaiting review")).locator("tbody tr")
    ).to_have_count(1)
    assert_accessible(page)

    # Her person page lists it under linked allegations, apart from the one still awaiting review.
    page.goto(f"/people/{grace.pk}/")
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")
    linked = page.get_by_role("table", name=re.compile("Allegations linked to Grace Okafor"))
    expect(linked.locator("tbody tr")).to_have_count(1)
    expect(linked).to_contain_text("HOT-2024-0042")
    expect(linked).to_contain_text("Confirmed")
    possible = page.get_by_role("table", name=re.compile("awaiting review with Grace Okafor"))
    expect(possible).to_contain_text("PC-2023-0007")
    assert_accessible(page)
