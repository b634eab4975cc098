"""The counted figures: the dashboard's reads of every allegation and every serving person are
counted once and kept. The first view counts; a link or an import marks the count behind, and a
view at least VIGIL_OVERSIGHT_RECOUNT_MINUTES after the count recounts (so do triage and review
decisions); `vigil score` and every
board-pack export count afresh."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
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
from vigil.oversight.services import counted_figures_recount, oversight_report_export
from vigil.reviews.services import review_open

pytestmark = pytest.mark.django_db


def dashboard(client: Client) -> str:
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "counted at" in page
    return page


def white_received() -> int:
    counted = CountedFigures.objects.get()
    return sum(row["allegations"] for row in counted.allegation_groups if row["person__ethnicity"] == "White")


def test_the_first_view_counts_and_a_link_marks_the_count_behind(
    client: Client, make_user: Callable[..., User]
) -> None:
    person = person_create(ethnicity="White", sex="M")
    allegations(person, WHITE_OUTCOMES, "domestic_violence")
    reviewer = make_user(Role.REVIEWER)
    grant_caseload(reviewer)
    client.force_login(make_user(Role.ANALYST))
    assert not CountedFigures.objects.exists()

    page = dashboard(client)
    assert white_received() == 10 and "not in them yet" not in page

    # A reviewer confirms one more allegation is his: the count is behind from now.
    pending = linked_allegation(person=person, status=LinkStatus.NEEDS_REVIEW, outcome="dismissed")
    link_confirm(allegation_id=pending.pk, person_id=person.pk, user=reviewer, reason="Same collar number.")
    counted = CountedFigures.objects.get()
    assert counted.changed_since is not None

    page = dashboard(client)  # within the recount interval: the kept count, saying it is behind
    assert white_received() == 10 and "not in them yet" in page

    CountedFigures.objects.update(counted_at=counted.counted_at - dt.timedelta(minutes=5))
    page = dashboard(client)
    assert white_received() == 11 and "not in them yet" not in page
    assert CountedFigures.objects.get().changed_since is None


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


def test_triage_and_review_decisions_mark_the_count_behind(make_user: Callable[..., User]) -> None:
    counted_figures_recount()
    handler, assessor = make_user(Role.CALL_HANDLER), make_user(Role.ASSESSOR)
    grant_caseload(assessor)
    report = call(handler)
    assert CountedFigures.objects.get().changed_since is None  # a call not yet triaged counts nowhere
    triage_decide(
        report_id=report.pk, by=assessor, route="misconduct_investigation", reasons="He is named twice."
    )
    assert CountedFigures.objects.get().changed_since is not None

    counted_figures_recount()
    review_open(person_id=person_create().pk, by=make_user(Role.SUPERVISOR), reason="Named by a new caller.")
    assert CountedFigures.objects.get().changed_since is not None
