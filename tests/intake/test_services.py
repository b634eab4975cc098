"""Hotline intake's rules: a call is filed as a hotline allegation with its contact sealed; triage
confirms the subject (raising their reconsider task), and no further action on a sexual-offence
report waits for a second pair of eyes; repeat calls are paired by text similarity and grouped
only by an assessor's judgement; the triage queue is urgent first, then by the subject's risk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from tests.access import grant_caseload
from tests.factories import person_create
from tests.intake.data import call, scored_person, stored_contact
from tests.risk.data import linked_allegation
from vigil.accounts.access import allegations_visible_q, people_visible_among
from vigil.accounts.models import AccountPerson
from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.intake import selectors
from vigil.intake.categories import suggest_category
from vigil.intake.models import HotlineReport, IntakeClient, TriageDecision, TriageStatus
from vigil.intake.repeats import repeat_candidates
from vigil.intake.services import (
    IntakeError,
    intake_client_create,
    rate_limit_take,
    repeat_decide,
    triage_approve,
    triage_decide,
)
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.linkage.services import link_confirm, link_reject
from vigil.reviews.models import Task, TaskKind
from vigil.risk.models import RiskScore
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.django_db

REASONS = "The caller names a serving officer and describes an assault."


@pytest.fixture
def handler(make_user: Callable[..., User]) -> User:
    return make_user(Role.CALL_HANDLER)


@pytest.fixture
def assessor(make_user: Callable[..., User]) -> User:
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)
    return user


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    user = make_user(Role.SUPERVISOR)
    grant_caseload(user, team_name="Supervisors")
    return user


def test_a_call_is_a_hotline_allegation_with_its_contact_sealed(handler: User) -> None:
    report = call(
        handler,
        caller_type="anonymous",
        caller_name="Jane Caller",
        contact="07700 900123",
        subject_name="Dave Smith",
        subject_station="Harrow",
        subject_vehicle="marked BMW",
    )
    allegation = report.allegation
    assert allegation.source_system_id == "hotline" and allegation.allegation_ref.startswith("HL-")
    assert report.anonymity_requested  # an anonymous caller is anonymous whether ticked or not
    assert (
        "Station: Harrow" in allegation.subject_details
        and "Vehicle: marked BMW" in allegation.subject_details
    )
    stored = stored_contact(allegation.pk)
    assert stored and "07700 900123" not in stored and "Jane Caller" not in stored  # spaces: never base64
    entry = AuditEntry.objects.get(action=Action.HOTLINE_REPORT_FILED, record_id=str(allegation.pk))
    assert "07700" not in entry.detail and "Jane" not in entry.detail
    assert json.loads(entry.detail)["contact_given"] is True


def test_the_category_is_suggested_from_the_account_with_the_words_that_made_it() -> None:
    suggestion = suggest_category("He raped me after we met on a dating app.")
    assert suggestion is not None and suggestion.code == "rape" and suggestion.matched == ("raped",)
    controlling = suggest_category("He checks my phone, controls my money and threatened to take the kids.")
    assert controlling is not None and controlling.code == "coercive_control"
    assert suggest_category("Nothing of note.") is None


def test_without_a_category_the_suggestion_is_recorded(handler: User) -> None:
    report = call(
        handler, category="", narrative="He sent me explicit photos and sexual messages on Snapchat."
    )
    assert report.allegation.category_id == "online_sexual_misconduct"
    assert report.suggested_category == "online_sexual_misconduct"


def test_an_urgent_call_needs_to_say_who_is_in_danger(handler: User) -> None:
    with pytest.raises(IntakeError, match="who is in danger"):
        call(handler, immediate_risk=True)
    report = call(handler, immediate_risk=True, immediate_risk_detail="The caller, at home; he is outside.")
    assert report.is_urgent
    assert selectors.urgent_waiting_count(visible=allegations_visible_q(handler)) == 0  # no case role


def test_triage_confirming_the_subject_links_them_and_raises_their_reconsider_task(
    handler: User, assessor: User
) -> None:
    person = scored_person()
    report = call(
        handler, subject_name=f"{person.forenames} {person.surname}", handler_candidate_id=person.pk
    )
    decision = triage_decide(
        report_id=report.pk,
        by=assessor,
        route="misconduct_investigation",
        reasons=REASONS,
        reason_codes=["subject_identified", "breach_of_standards"],
        subject_person_id=person.pk,
    )
    assert decision.approval == TriageDecision.Approval.NOT_NEEDED
    report.refresh_from_db()
    assert report.status == TriageStatus.DECIDED
    link = AllegationLink.objects.get(allegation=report.allegation)
    assert (link.status, link.person_id, link.decided_by) == (LinkStatus.CONFIRMED, person.pk, assessor)
    [task] = Task.objects.filter(person=person, kind=TaskKind.RECONSIDER)
    assert report.allegation.allegation_ref in task.what_is_new
    with pytest.raises(IntakeError, match="not awaiting triage"):
        triage_decide(report_id=report.pk, by=assessor, route="no_further_action", reasons=REASONS)


def test_no_further_action_on_a_sexual_offence_needs_another_supervisor(
    handler: User, assessor: User, supervisor: User, make_user: Callable[..., User]
) -> None:
    report = call(handler, category="sexual_assault", narrative="He groped me in the custody suite corridor.")
    decision = triage_decide(report_id=report.pk, by=assessor, route="no_further_action", reasons=REASONS)
    assert decision.approval == TriageDecision.Approval.PENDING
    report.refresh_from_db()
    assert report.status == TriageStatus.AWAITING_APPROVAL
    with pytest.raises(IntakeError, match="Only supervisors"):
        triage_approve(decision_id=decision.pk, by=assessor, comment="Agreed with the reasons.", approve=True)
    returned = triage_approve(
        decision_id=decision.pk, by=supervisor, comment="The subject can be found: look again.", approve=False
    )
    assert returned.approval == TriageDecision.Approval.RETURNED
    report.refresh_from_db()
    assert report.status == TriageStatus.AWAITING_TRIAGE
    # The supervisor decides it themselves this time: someone else must approve.
    second = triage_decide(report_id=report.pk, by=supervisor, route="no_further_action", reasons=REASONS)
    with pytest.raises(IntakeError, match="your own decision"):
        triage_approve(decision_id=second.pk, by=supervisor, comment="Approving my own.", approve=True)
    other = make_user(Role.SUPERVISOR)
    grant_caseload(other, team_name="Other supervisors")
    triage_approve(decision_id=second.pk, by=other, comment="Agreed: nothing more can be done.", approve=True)
    report.refresh_from_db()
    assert report.status == TriageStatus.DECIDED
    assert [d.approval for d in report.decisions.order_by("id")] == ["returned", "approved"]


def test_no_further_action_on_other_categories_is_decided_at_once(handler: User, assessor: User) -> None:
    report = call(
        handler, category="inappropriate_behaviour", narrative="He was rude to me at the front desk."
    )
    decision = triage_decide(report_id=report.pk, by=assessor, route="no_further_action", reasons=REASONS)
    assert decision.approval == TriageDecision.Approval.NOT_NEEDED


def _with_risk(assessor: User) -> list[HotlineReport]:
    reports = list(selectors.triage_queue(visible=allegations_visible_q(assessor)))
    subjects = people_visible_among(assessor, (selectors.report_subject_id(row) for row in reports))
    return selectors.with_subject_risk(reports, people=subjects)


def test_the_queue_is_urgent_first_then_by_the_subjects_risk(handler: User, assessor: User) -> None:
    quiet, serial = scored_person(allegations=1), scored_person(allegations=4)
    unknown = call(handler)
    low = call(handler, handler_candidate_id=quiet.pk)
    high = call(handler, handler_candidate_id=serial.pk)
    urgent = call(handler, immediate_risk=True, immediate_risk_detail="The caller's child, at home now.")
    rows = _with_risk(assessor)
    assert [row.pk for row in rows] == [urgent.pk, high.pk, low.pk, unknown.pk]
    assert rows[1].subject_score > rows[2].subject_score  # type: ignore[attr-defined]
    assert rows[3].subject_score is None and rows[3].subject_band is None  # type: ignore[attr-defined]
    assert selectors.urgent_waiting_count(visible=allegations_visible_q(assessor)) == 1


def _queue(assessor: User) -> list[HotlineReport]:
    rows = _with_risk(assessor)
    for row in rows:  # the stored sort key is the score the assessor is shown
        shown = row.subject_score  # type: ignore[attr-defined]
        assert row.queue_rank == (-1 if shown is None else shown), row
    return rows


def test_the_queue_order_follows_new_scores_and_links(handler: User, assessor: User) -> None:
    quiet, serial = scored_person(allegations=1), scored_person(allegations=4)
    about_quiet = call(handler, handler_candidate_id=quiet.pk)
    about_serial = call(handler, handler_candidate_id=serial.pk)
    assert [row.pk for row in _queue(assessor)] == [about_serial.pk, about_quiet.pk]

    # New allegations about the quiet one, re-scored: their report rises to the top.
    for day in range(1, 7):
        linked_allegation(person=quiet, category="sexual_assault", received_on=dt.date(2025, 3, day))
    scores_compute(person_ids=[quiet.pk])
    assert [row.pk for row in _queue(assessor)] == [about_quiet.pk, about_serial.pk]

    # The assessor links the second report to somebody else: it is ranked by their score now.
    stranger = person_create(surname="Unscored")
    link_confirm(
        allegation_id=about_serial.allegation_id, person_id=stranger.pk, user=assessor, reason=REASONS
    )
    rows = _queue(assessor)
    assert [row.pk for row in rows] == [about_quiet.pk, about_serial.pk]
    assert rows[1].queue_rank == RiskScore.objects.get(person=stranger).score  # scored on the link

    # Unlinked again: the subject is the call handler's pick once more.
    link_reject(
        allegation_id=about_serial.allegation_id, person_id=stranger.pk, user=assessor, reason=REASONS
    )
    assert [row.queue_rank for row in _queue(assessor)][1] == serial.risk_score.score

    # A full run re-scores everyone and every report's key with it.
    HotlineReport.objects.update(queue_rank=0)
    scores_compute()
    _queue(assessor)


def test_nobody_triages_a_report_about_themselves(handler: User, assessor: User) -> None:
    own = person_create(surname="Assessor", forenames="Own")
    AccountPerson.objects.create(user=assessor, person=own, linked_at=timezone.now())
    assessor._vigil_access = None  # type: ignore[attr-defined]
    about_them = call(handler, subject_name="Own Assessor", subject_staff_id=own.staff_id)
    other = call(handler)
    visible = [row.pk for row in selectors.triage_queue(visible=allegations_visible_q(assessor))]
    assert visible == [other.pk]
    with pytest.raises(IntakeError, match="not yours to see"):
        triage_decide(report_id=about_them.pk, by=assessor, route="no_further_action", reasons=REASONS)


def test_repeat_calls_are_paired_by_their_accounts_and_grouped_only_when_judged(
    handler: User, assessor: User
) -> None:
    first = call(
        handler,
        narrative="At the Harrow station Christmas party the sergeant groped my colleague by custody.",
        category="sexual_assault",
    )
    second = call(
        handler,
        caller_type="colleague",
        narrative="A sergeant groped a young officer near the custody suite at the Harrow Christmas party.",
        category="sexual_assault",
    )
    unrelated = call(handler, narrative="My neighbour's son, a PCSO, shouted at me about parking.")
    [candidate] = repeat_candidates(first, visible=Q())
    assert candidate.report.pk == second.pk and candidate.similarity >= 0.3
    assert any("similar (TF-IDF)" in reason for reason in candidate.reasons)
    assert all(c.report.pk != unrelated.pk for c in repeat_candidates(first, visible=Q()))
    # Nothing is grouped by the machine.
    assert HotlineReport.objects.filter(incident__isnull=False).count() == 0
    repeat_decide(
        report_id=second.pk,
        other_id=first.pk,
        same_incident=True,
        similarity=candidate.similarity,
        by=assessor,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.incident_id is not None and first.incident_id == second.incident_id
    assert repeat_candidates(first, visible=Q()) == []  # judged: not proposed again
    with pytest.raises(IntakeError, match="already been judged"):
        repeat_decide(
            report_id=first.pk, other_id=second.pk, same_incident=False, similarity=0.5, by=assessor
        )


def test_keeping_repeats_apart_is_remembered(handler: User, assessor: User) -> None:
    text = "The PC from Sutton keeps messaging me on Instagram with sexual comments."
    first, second = call(handler, narrative=text), call(handler, narrative=text + " Again.")
    repeat_decide(report_id=first.pk, other_id=second.pk, same_incident=False, similarity=0.9, by=assessor)
    first.refresh_from_db()
    assert first.incident_id is None and repeat_candidates(first, visible=Q()) == []


def test_referral_figures_count_the_decisions_in_force(
    handler: User, assessor: User, supervisor: User
) -> None:
    referred = call(handler)
    triage_decide(report_id=referred.pk, by=assessor, route="criminal_investigation", reasons=REASONS,
                  reason_codes=["offence_indicated"])  # fmt: skip
    pending = call(handler, category="rape", narrative="He raped me after the party last year.")
    triage_decide(report_id=pending.pk, by=assessor, route="no_further_action", reasons=REASONS)
    kept = call(handler)
    triage_decide(report_id=kept.pk, by=assessor, route="keep_as_intelligence", reasons=REASONS,
                  reason_codes=["insufficient_detail"])  # fmt: skip
    call(handler)  # waiting
    figures = selectors.referral_figures()
    assert (figures.reports_received, figures.decided, figures.referred) == (4, 2, 1)
    assert figures.referral_rate == 0.5
    assert figures.by_route == {"criminal_investigation": 1, "keep_as_intelligence": 1}
    assert figures.by_reason == {"offence_indicated": 1, "insufficient_detail": 1}


def test_the_rate_limit_counts_per_client_per_minute() -> None:
    client, _ = intake_client_create(name="provider", rate_per_minute=2)
    moment = timezone.now().replace(second=10, microsecond=0)
    assert rate_limit_take(client, now=moment) is None
    assert rate_limit_take(client, now=moment) is None
    assert rate_limit_take(client, now=moment) == 50  # seconds to the next minute
    assert rate_limit_take(client, now=moment + dt.timedelta(minutes=1)) is None
    with pytest.raises(IntakeError, match="already a client"):
        intake_client_create(name="provider")
    assert IntakeClient.objects.get().token_hash != ""


def test_referral_figures_count_only_a_reports_latest_decision_in_force(
    handler: User, assessor: User, supervisor: User
) -> None:
    report = call(handler, category="rape", narrative="He raped me after the party last year.")
    first = triage_decide(report_id=report.pk, by=assessor, route="no_further_action", reasons=REASONS)
    triage_approve(decision_id=first.pk, by=supervisor, comment="Speak to the caller first.", approve=False)
    triage_decide(report_id=report.pk, by=assessor, route="criminal_investigation", reasons=REASONS)
    figures = selectors.referral_figures()
    assert (figures.decided, figures.referred) == (1, 1)
    assert figures.by_route == {"criminal_investigation": 1}
    assert selectors.latest_triage_decisions() == {report.pk: ("criminal_investigation", [])}
