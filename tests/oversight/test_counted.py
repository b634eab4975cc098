"""The counted figures: the dashboard's figures by group are counted once and kept. The first
view counts; a link, an import, a triage or review decision marks the count behind once it
commits, and a view at least VIGIL_OVERSIGHT_RECOUNT_MINUTES after the count recounts;
`vigil score` and every board-pack export count afresh."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access import grant_caseload
from tests.factories import person_create
from tests.intake.data import call
from tests.oversight.conftest import WHITE_OUTCOMES, allegations
from tests.risk.data import linked_allegation
from vigil.accounts.roles import Role
from vigil.audit.justification import Justification
from vigil.intake.services import triage_decide
from vigil.linkage.models import LinkStatus
from vigil.linkage.services import link_confirm
from vigil.oversight.models import CountedFigures
from vigil.oversight.services import counted_figures_changed, counted_figures_recount, oversight_report_export
from vigil.reviews.services import review_open

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def dashboard(client: Client) -> str:
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "counted at" in page
    return page


def white_received() -> int:
    counted = CountedFigures.objects.get()
    return sum(row["allegations"] for row in counted.allegation_groups if row["person__ethnicity"] == "White")


def test_the_first_view_counts_and_a_link_marks_the_count_behind(
    client: Client, make_user: Callable[..., User], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    person = person_create(ethnicity="White", sex="M")
    allegations(person, WHITE_OUTCOMES, "domestic_violence")
    reviewer = make_user(Role.ASSESSOR)
    grant_caseload(reviewer)  # a human link needs sight of both records (a caseload reaches assessors)
    client.force_login(make_user(Role.ANALYST))
    assert not CountedFigures.objects.exists()

    page = dashboard(client)
    assert white_received() == 10 and "not in them yet" not in page

    # A reviewer confirms one more allegation is his: the count is behind from the commit.
    pending = linked_allegation(person=person, status=LinkStatus.NEEDS_REVIEW, outcome="dismissed")
    with django_capture_on_commit_callbacks(execute=True):
        link_confirm(
            allegation_id=pending.pk, person_id=person.pk, user=reviewer, reason="Same collar number."
        )
        assert not CountedFigures.objects.get().behind  # not before the commit
    counted = CountedFigures.objects.get()
    assert counted.behind

    page = dashboard(client)  # within the recount interval: the kept count, saying it is behind
    assert white_received() == 10 and "not in them yet" in page

    CountedFigures.objects.update(counted_at=counted.counted_at - dt.timedelta(minutes=5))
    page = dashboard(client)
    assert white_received() == 11 and "not in them yet" not in page
    assert not CountedFigures.objects.get().behind


def test_vigil_score_and_the_board_pack_count_afresh(make_user: Callable[..., User]) -> None:
    person = person_create(ethnicity="White", sex="M")
    allegations(person, WHITE_OUTCOMES[:4], "domestic_violence")
    call_command("score", "--no-progress", stdout=io.StringIO())
    assert white_received() == 4

    allegations(person, WHITE_OUTCOMES[4:], "domestic_violence")  # written without a link event
    oversight_report_export(
        fmt="csv",
        justification=Justification(reason="oversight", text="The board's weekly pack."),
        recipient="Professional Standards board",
        actor=make_user(Role.SUPERVISOR),
    )
    assert white_received() == 10


def test_a_triage_decision_marks_the_count_behind(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    counted_figures_recount()
    handler, assessor = make_user(Role.CALL_HANDLER), make_user(Role.ASSESSOR)
    grant_caseload(assessor)
    with django_capture_on_commit_callbacks(execute=True):
        report = call(handler)
    assert not CountedFigures.objects.get().behind  # a call not yet triaged counts nowhere
    with django_capture_on_commit_callbacks(execute=True):
        triage_decide(
            report_id=report.pk, by=assessor, route="misconduct_investigation", reasons="He is named twice."
        )
    assert CountedFigures.objects.get().behind


# Apart from the triage test: the test's one transaction never commits, so a mark registered
# there would still stand and a second change in it would (rightly) not mark again.
def test_a_review_move_marks_the_count_behind(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    counted_figures_recount()
    supervisor = make_user(Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        review_open(person_id=person_create().pk, by=supervisor, reason="Named by a new caller.")
    assert CountedFigures.objects.get().behind


def test_a_change_committed_while_counting_stays_marked(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    """The count's time is when counting began: a mark made after that is kept by the count."""
    counted = counted_figures_recount()
    CountedFigures.objects.update(changed_since=counted.counted_at + dt.timedelta(seconds=1))
    assert CountedFigures.objects.get().behind
    with django_capture_on_commit_callbacks(execute=True):
        counted_figures_changed()  # already marked since after the count: the mark stays as it is
    assert CountedFigures.objects.get().changed_since == counted.counted_at + dt.timedelta(seconds=1)


def test_a_transaction_that_changes_many_things_marks_once(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(3):
            review_open(person_id=person_create().pk, by=supervisor, reason="Named by a new caller.")
    assert len([c for c in callbacks if c.__name__ == "_mark_counted_figures_behind"]) == 1
