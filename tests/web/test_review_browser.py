"""The review in a real browser: a supervisor assigns a person from the queue, the reviewer writes
the structured review, another supervisor approves it; and a new allegation linked to a decided
person raises a reconsider task that the supervisor sees at once. Every page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.access import grant_caseload
from tests.conftest import TEST_PASSWORD
from tests.factories import allegation_create, person_create, vetting_create
from tests.linkage.review_data import awaiting_review
from tests.web.harness import assert_accessible
from vigil.accounts.roles import Role
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.people.models import Person
from vigil.reviews.models import PersonReview, ReviewStatus, Route, Task, TaskKind
from vigil.reviews.services import cohort_sync
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # vigil-review-*.png


def sign_in(page: Page, user: User) -> None:
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def justify(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Why do you need to see")
    page.get_by_label("Why do you need to see this?").select_option(
        label="Working an assigned case or review"
    )
    page.get_by_label("Explain in your own words").fill("Reviewing the person's allegations together.")
    page.get_by_role("button", name="Continue").click()


def linked(person: Person, **fields: object) -> None:
    allegation = allegation_create(subject_staff_id=person.staff_id, subject_force=person.force, **fields)
    AllegationLink.objects.create(
        allegation=allegation,
        person=person,
        status=LinkStatus.AUTO,
        match_probability=0.99,
        linked_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        allegation_row_hash=allegation.row_hash,
    )


def serial_subject() -> Person:
    person = person_create(surname="Harrow", forenames="Martin", command="North BCU", role="Response officer")
    vetting_create(person=person, level="RV", granted_on=dt.date(2017, 3, 1))
    today = timezone.localdate()
    for years_ago, category, complainant in (
        (6, "sexual_harassment", "C1"),
        (4, "abuse_of_position_sexual", "C2"),
        (2, "sexual_assault", "C3"),
    ):
        linked(
            person,
            category=category,
            complainant_ref=complainant,
            received_on=today.replace(year=today.year - years_ago),
            outcome="no_further_action",
            summary="He met her while on duty." if category == "abuse_of_position_sexual" else "",
        )
    return person


def test_reviewer_then_supervisor_decide_one_person(page: Page, make_user: Callable[..., User]) -> None:
    person = serial_subject()
    quiet = person_create(surname="Quiet", forenames="Anne")
    linked(
        quiet,
        category="other",
        complainant_ref="Q1",
        received_on=timezone.localdate() - dt.timedelta(days=400),
    )
    scores_compute()
    cohort_sync()
    allocator = make_user(Role.SUPERVISOR, username="allocator")
    approver = make_user(Role.SUPERVISOR, username="approver")
    reviewer = make_user(Role.REVIEWER, username="reviewer1")
    for supervisor in (allocator, approver):
        grant_caseload(supervisor)

    # The supervisor finds the person at the top of the queue and gives the review to a reviewer.
    sign_in(page, allocator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    queue = page.get_by_role("table", name=re.compile("People by risk score"))
    expect(queue.locator("tbody tr").first).to_contain_text("Martin Harrow")
    expect(queue.locator("tbody tr").first).to_contain_text("3 allegations from 3 different complainants")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-review-queue.png"), full_page=True)
    queue.get_by_role("link", name="Martin Harrow").click()
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Martin Harrow")
    expect(page.get_by_role("table", name=re.compile("Risk score"))).to_contain_text(
        "3 allegations from 3 different complainants"
    )
    assert_accessible(page)
    page.get_by_label("Reviewer").select_option(label="reviewer1")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Review assigned to reviewer1.")).to_be_visible()
    expect(page.locator("#status").locator("xpath=..")).to_contain_text("In review")

    # The reviewer writes the structured review.
    sign_in(page, reviewer)
    page.goto("/review/")
    page.get_by_role("link", name="Martin Harrow").click()
    justify(page)
    page.get_by_role("link", name="Write the case review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review everything about Martin Harrow")
    # Vigil's pointers are ticked already: serious sexual assault, several incidents.
    expect(page.get_by_label("Serious sexual assault")).to_be_checked()
    expect(page.get_by_label("Several incidents not closely factually connected")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("heading", name="There is a problem with the review")).to_be_visible()
    for question in (
        "Were the earlier allegations considered together?",
        "Was a criminal investigation considered?",
        "Were the victims safeguarded?",
        "Were the victims kept informed?",
        "Was vetting told?",
    ):
        page.get_by_role("group", name=question).get_by_label("No", exact=True).check()
    page.get_by_label("Missed lines of enquiry").fill("The three complainants were never linked.")
    page.get_by_role("group", name="Recommended route").get_by_label("Misconduct investigation").check()
    page.get_by_label("Rationale for the route").fill(
        "Three complainants, escalating from harassment to assault, met on duty: investigate together."
    )
    page.screenshot(path=str(SCREENSHOTS / "vigil-review-form.png"), full_page=True)
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Your review has been sent to a supervisor for approval.")).to_be_visible()
    expect(page.get_by_role("link", name="Approve or return the review")).to_have_count(0)
    assert_accessible(page)

    # Another supervisor approves it.
    sign_in(page, approver)
    page.goto(f"/review/people/{person.pk}/")
    justify(page)
    page.get_by_role("link", name="Approve or return the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Approve or return the review of Martin Harrow"
    )
    assert_accessible(page)
    page.get_by_label("Comment").fill("Agreed: refer to the misconduct team today.")
    page.get_by_role("button", name=re.compile("Approve: misconduct investigation")).click()
    expect(page.get_by_text("Review approved: the route is decided.")).to_be_visible()
    timeline = page.get_by_role("list", name="Timeline, newest first")
    expect(timeline).to_contain_text("Awaiting approval → Decided")
    expect(timeline).to_contain_text("Case review submitted by reviewer1")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-review-case.png"), full_page=True)

    review = PersonReview.objects.get(person=person)
    assert review.status == ReviewStatus.DECIDED
    assert review.route == Route.MISCONDUCT_INVESTIGATION
    assert review.decided_by == approver


def test_a_new_allegation_raises_a_reconsider_task(page: Page, make_user: Callable[..., User]) -> None:
    person = serial_subject()
    scores_compute()  # the baseline
    cohort_sync()
    # Reviewed and decided already (the decision itself is the first test's subject).
    PersonReview.objects.filter(person=person).update(
        status=ReviewStatus.DECIDED, route=Route.MANAGEMENT_INTERVENTION
    )
    supervisor = make_user(Role.SUPERVISOR, username="duty_supervisor")
    grant_caseload(supervisor)
    awaiting_review(
        candidates=[person],
        probabilities=[0.7],
        ref="HOT-2026-0700",
        category="rape",
        complainant_ref="C9",
        subject_name="PC Harrow",
        received_on=timezone.localdate() - dt.timedelta(days=2),
    )

    sign_in(page, supervisor)
    page.goto("/links/review/")
    page.get_by_role("link", name="HOT-2026-0700").click()
    justify(page)
    candidate = page.get_by_role("region", name="Candidate 1: Martin Harrow")
    candidate.get_by_label("Reason for your decision").fill("Surname, command and station all agree.")
    candidate.get_by_role("button", name="Confirm: this is Martin Harrow").click()
    expect(page.get_by_text(re.compile("Allegation HOT-2026-0700 linked to Martin Harrow"))).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    reconsider = page.locator("li", has_text="Reconsider: new allegation linked")
    expect(reconsider).to_contain_text("Martin Harrow")
    expect(reconsider).to_contain_text("HOT-2026-0700 (rape")
    vetting = page.locator("li", has_text="Vetting review: allegation since vetting")
    expect(vetting).to_contain_text("since vetting RV was granted on 2017-03-01")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-review-tasks.png"), full_page=True)

    task = Task.objects.get(person=person, kind=TaskKind.RECONSIDER)
    assert task.score_after is not None and task.score_before is not None
    assert task.score_after > task.score_before
    reconsider.get_by_label("What was done").fill(
        "Reopened: the new rape allegation must be read with the rest."
    )
    reconsider.get_by_label("Reopen the person's review").check()
    reconsider.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Task for Testshire Police")).to_be_visible()
    assert PersonReview.objects.get(person=person).status == ReviewStatus.AWAITING_REVIEW
