"""Need-to-know in a real browser: a reviewer cannot open their own record or a case about a
colleague they declared a conflict on, and the auditor sees both attempts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import allegation_naming, person_create
from tests.web.conftest import LoginAs
from tests.web.harness import assert_accessible
from vigil.accounts.roles import Role
from vigil.accounts.services import access_grant, account_person_link, team_ensure

pytestmark = pytest.mark.browser


def test_a_reviewer_cannot_open_their_own_record_or_a_conflicted_case_and_the_auditor_sees_it(
    page: Page, login_as: LoginAs
) -> None:
    own = person_create(surname="Reviewer", forenames="Rita", staff_id="610001")
    colleague = person_create(surname="Colleague", forenames="Carl", staff_id="610002")
    about_colleague = allegation_naming(
        person=colleague, ref="PC-2025-0001", summary="Synthetic: colleague case."
    )
    about_self = allegation_naming(person=own, ref="PC-2025-0002")
    reviewer = login_as(Role.REVIEWER)
    # Everything is assigned to the reviewer's team: only the conflicts stand in the way.
    team = team_ensure(name="Review Team", members=[reviewer])
    for person in (own, colleague):
        access_grant(granted_by=None, reason="review cohort", team=team, person=person)
    account_person_link(user=reviewer, person=own, linked_by=None)

    # The colleague's case is on the list until the reviewer declares the conflict.
    page.goto("/allegations/")
    expect(page.get_by_role("link", name="PC-2025-0001")).to_be_visible()
    expect(page.get_by_role("link", name="PC-2025-0002")).to_have_count(0)  # about the reviewer
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conflicts of interest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your conflicts of interest")
    assert_accessible(page)
    page.get_by_label("Colleague's staff ID").fill("610002")
    page.get_by_label("The nature of the conflict").fill("We were partners on the same shift")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_text("You will no longer see records about staff ID 610002")).to_be_visible()
    expect(page.get_by_role("cell", name="Staff ID 610002")).to_be_visible()
    page.goto("/allegations/")
    expect(page.get_by_role("link", name="PC-2025-0001")).to_have_count(0)

    # Opening either record directly is refused exactly like a missing page.
    for url in (
        f"/people/{own.pk}/",
        f"/allegations/{about_self.pk}/",
        f"/allegations/{about_colleague.pk}/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("Colleague")
        expect(page.locator("main")).not_to_contain_text("Reviewer")
    assert_accessible(page)

    # The auditor sees the three blocked attempts.
    page.get_by_role("button", name="Sign out").click()
    login_as(Role.AUDITOR)
    expect(page).to_have_url(re.compile(r"/audit/"))
    page.get_by_label("Refusals only").check()
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Conflict of interest")).to_have_count(3)
    for text in (reviewer.username, "610001", "PC-2025-0002", "PC-2025-0001"):
        expect(page.locator("table")).to_contain_text(text)
    assert_accessible(page)


def test_a_supervisor_allocates_prints_and_the_pages_are_accessible(page: Page, login_as: LoginAs) -> None:
    subject = person_create(surname="Subject", forenames="Sam", staff_id="620001")
    allegation = allegation_naming(person=subject, ref="PC-2025-0100", summary="Synthetic: printed case.")
    supervisor = login_as(Role.SUPERVISOR)
    access_grant(granted_by=None, reason="allocation", user=supervisor, person=subject)
    team_ensure(name="Review Team 2")

    page.goto(f"/people/{subject.pk}/")
    page.get_by_label("Why do you need to see this?").select_option(
        label="Supervising or allocating the work"
    )
    page.get_by_label("Explain in your own words").fill("Allocating the review cohort.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Who may see this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who may see person record Testshire Police 620001"
    )
    assert_accessible(page)
    page.get_by_label("Assign to").select_option(label="Team: Review Team 2")
    page.get_by_label("Why", exact=True).fill("Review cohort")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Assigned to Review Team 2.")).to_be_visible()
    expect(page.get_by_role("cell", name="Team: Review Team 2")).to_be_visible()

    page.goto(f"/allegations/{allegation.pk}/disclose/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Print or send allegation PC-2025-0100")
    assert_accessible(page)
    page.get_by_label("Why do you need to see this?").select_option(
        label="Lawful disclosure request (court, IOPC, another force)"
    )
    page.get_by_label("Explain in your own words").fill("Referral to the IOPC, 2026/114.")
    page.get_by_label("Who receives it?").fill("IOPC")
    page.get_by_role("button", name="Show the printable record").click()
    expect(page.get_by_role("note")).to_contain_text(f"Disclosed to IOPC by {supervisor.username}")
    expect(page.get_by_text("Synthetic: printed case.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/allegations/{allegation.pk}/conflict/")
    assert_accessible(page)
