"""Hotline intake in a real browser: a call handler files an anonymous report with sealed contact
details, using only the keyboard, and picks the subject from the candidates the linking model
offers while they type; an assessor triages it and refers it, and the subject's reconsider task
is on the supervisor's task list. The contact is sealed in the database and opening it is
audited. Every page passes axe-core."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.access import grant_caseload
from tests.intake.data import stored_contact
from tests.web.harness import assert_accessible
from tests.web.test_review_browser import justify, sign_in
from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.demo.services import demo_world_load
from vigil.intake.models import HotlineReport, TriageStatus
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.linkage.runs import link_allegations
from vigil.people.models import Person
from vigil.reviews.models import Task, TaskKind
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # vigil-intake-*.png
CONTACT = "07700 900456, after 6pm only"


def test_an_anonymous_call_is_filed_triaged_and_raises_the_subjects_reconsider_task(
    page: Page, make_user: Callable[..., User], tmp_path: Path
) -> None:
    demo_world_load(directory=tmp_path, staff=3_000)
    link_allegations(full=True)  # the linking model the candidates are ranked by
    scores_compute()  # the baseline a new link is reconsidered against
    subject = (
        Person.objects.filter(left_on__isnull=True, employment_type="officer")
        .exclude(rank_or_grade="")
        .order_by("id")
        .first()
    )
    assert subject is not None
    handler = make_user(Role.CALL_HANDLER, username="handler1")
    assessor = make_user(Role.ASSESSOR, username="assessor1")
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1")
    grant_caseload(assessor)
    grant_caseload(supervisor, team_name="Supervisors")

    # The call handler takes the call with the keyboard alone.
    sign_in(page, handler)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New hotline report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New hotline report")
    assert_accessible(page)
    page.get_by_role("group", name="Who is calling").get_by_label("Anonymous").focus()
    page.keyboard.press("Space")
    page.get_by_label("The caller wants to stay anonymous").focus()
    page.keyboard.press("Space")
    page.get_by_label("How to contact them (optional)").focus()
    page.keyboard.type(CONTACT)
    page.get_by_label("What happened").focus()
    page.keyboard.type("He groped me in the car park after my shift and said nobody would believe me.")
    # The category follows the account (the handler may change it).
    expect(page.locator("#category-suggestion")).to_contain_text("Sexual assault")
    expect(page.get_by_label("Category")).to_have_value("sexual_assault")
    page.get_by_label("Subject's name or nickname").focus()
    page.keyboard.type(f"{subject.forenames} {subject.surname}")
    page.get_by_label("Staff (warrant) number").focus()
    page.keyboard.type(subject.staff_id)
    # Candidates arrive while typing: name, rank and command only.
    candidates = page.get_by_role("group", name="Is it one of these people?")
    pick = candidates.get_by_label(re.compile(re.escape(f"{subject.forenames} {subject.surname}")))
    expect(pick.first).to_be_visible(timeout=20_000)
    expect(candidates).to_contain_text(subject.rank_or_grade)
    expect(candidates).not_to_contain_text(subject.staff_id)  # nothing beyond name, rank, command
    pick.first.focus()
    page.keyboard.press("Space")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-intake-form.png"), full_page=True)
    page.get_by_role("button", name="File the report").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report filed: HL-")
    assert_accessible(page)

    report = HotlineReport.objects.select_related("allegation").get()
    assert report.handler_candidate_id == subject.pk and report.anonymity_requested
    assert report.allegation.category_id == "sexual_assault"
    stored = stored_contact(report.allegation_id)
    # Phrases with spaces: a Fernet token (URL-safe base64) can hold short fragments such as "6pm"
    # by chance, never a space.
    assert "07700 900456" not in stored and "after 6pm" not in stored

    # The assessor triages it: confirms the handler's pick and refers it.
    sign_in(page, assessor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hotline triage").click()
    queue = page.get_by_role("table", name=re.compile("Reports"))
    queue.get_by_role("link", name=report.allegation.allegation_ref).click()
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.allegation.allegation_ref)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Open them")).click()
    justify(page)
    expect(page.get_by_text(CONTACT)).to_be_visible()
    assert AuditEntry.objects.filter(
        action=Action.SEALED_FIELD_OPENED, record_id=str(report.allegation_id)
    ).exists()
    page.go_back()
    page.go_back()
    page.reload()
    decision = page.get_by_role("group", name="Who is the subject")
    expect(decision.get_by_label(re.compile("the call handler's pick"))).to_be_checked()
    page.get_by_role("group", name="Decision").get_by_label("Refer for misconduct investigation").check()
    page.get_by_role("group", name="Reasons").get_by_label(
        "The subject is identified on the register"
    ).check()
    page.get_by_label("Reasons for the decision, in your words").fill(
        "An identified serving officer, a sexual assault after a shift: refer to the misconduct team."
    )
    page.screenshot(path=str(SCREENSHOTS / "vigil-intake-triage.png"), full_page=True)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded: Refer for misconduct investigation.")).to_be_visible()
    assert_accessible(page)

    report.refresh_from_db()
    assert report.status == TriageStatus.DECIDED
    link = AllegationLink.objects.get(allegation_id=report.allegation_id)
    assert (link.status, link.person_id) == (LinkStatus.CONFIRMED, subject.pk)
    [task] = Task.objects.filter(person=subject, kind=TaskKind.RECONSIDER, done_at__isnull=True)

    # The supervisor sees the subject's reconsider task.
    sign_in(page, supervisor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page.locator("main")).to_contain_text(report.allegation.allegation_ref)
    assert_accessible(page)
    assert task.is_open
