"""Need-to-know on the hotline pages (issue 17, findings 1-3): the likely-repeat panel, the triage
subject choices, the call handler's pick and the queue's scores show nobody and nothing the user may
not open, and a report about a user - by staff number, link, the handler's pick or the model's
candidates - never reaches that user, nor one who declared a conflict on the subject."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.access import grant_caseload, open_record
from tests.factories import person_create
from tests.intake.data import call, scored_person
from tests.risk.data import link_to
from vigil.accounts.access import reports_visible_q
from vigil.accounts.roles import Role
from vigil.accounts.services import account_person_link, conflict_declare, record_restrict
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.intake.models import HotlineReport, TriageDecision
from vigil.intake.services import IntakeError, triage_decide
from vigil.linkage.models import LinkCandidate
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]

WORDS = "He followed me home from Harrow custody in a blue BMW and sent messages on Hinge every night."


@pytest.fixture
def assessor(make_user: MakeUser) -> User:
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)
    return user


@pytest.fixture
def own_record(assessor: User) -> Person:
    person = person_create(surname="Okafor", forenames="Dele", staff_id="410001")
    account_person_link(user=assessor, person=person, linked_by=None)
    assessor._vigil_access = None  # type: ignore[attr-defined]
    return person


def visible_reports(user: User) -> set[int]:
    user._vigil_access = None  # type: ignore[attr-defined]
    return set(HotlineReport.objects.filter(reports_visible_q(user)).values_list("pk", flat=True))


def page_of(client: Client, user: User, report: HotlineReport) -> str:
    client.force_login(user)
    response = open_record(client, reverse("intake:report_detail", args=[report.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


# ---- finding 1: the likely-repeat panel -----------------------------------------------------------


def test_the_repeat_panel_leaves_out_reports_the_viewer_may_not_open(
    client: Client, make_user: MakeUser, assessor: User, own_record: Person
) -> None:
    handler = make_user(Role.CALL_HANDLER)
    about_me = call(handler, narrative=WORDS + " (one)", subject_staff_id=own_record.staff_id)
    restricted_person = scored_person(surname="Smith", forenames="Patrick", staff_id="106412")
    about_restricted = call(handler, narrative=WORDS + " (two)")
    link_to(about_restricted.allegation, restricted_person)
    record_restrict(person=restricted_person, restricted_by=None, reason="sensitive")
    seen_by_all = call(handler, narrative=WORDS + " (three)")
    opened = call(handler, narrative=WORDS)

    text = page_of(client, assessor, opened)
    assert seen_by_all.allegation.allegation_ref in text
    for hidden in (about_me, about_restricted):
        assert hidden.allegation.allegation_ref not in text
        assert hidden.allegation.summary not in text


def test_each_repeat_shown_is_audited_as_a_consultation_of_that_report(
    client: Client, make_user: MakeUser, assessor: User
) -> None:
    handler = make_user(Role.CALL_HANDLER)
    other = call(handler, narrative=WORDS + " (again)")
    opened = call(handler, narrative=WORDS)
    page_of(client, assessor, opened)
    shown = AuditEntry.objects.filter(
        action=Action.ALLEGATION_CONSULTED, record_id=str(other.allegation_id)
    ).get()
    assert json.loads(shown.detail)["shown_as"] == f"likely repeat of {opened.allegation.allegation_ref}"
    assert shown.justification_reason  # the justification given for the report opened


# ---- finding 2: triage subject choices --------------------------------------------------------------


def test_triage_offers_only_people_the_assessor_may_see(
    client: Client, make_user: MakeUser, assessor: User
) -> None:
    handler = make_user(Role.CALL_HANDLER)
    hidden = scored_person(surname="Smith", forenames="Patrick", staff_id="106412")
    record_restrict(person=hidden, restricted_by=None, reason="sensitive")
    shown = person_create(surname="Smyth", forenames="Pat", staff_id="106413")
    report = call(handler, handler_candidate_id=hidden.pk, subject_name="Patrick Smith")
    LinkCandidate.objects.create(
        allegation=report.allegation, person=hidden, rank=1, match_probability=0.7, match_weight=3
    )
    LinkCandidate.objects.create(
        allegation=report.allegation, person=shown, rank=2, match_probability=0.2, match_weight=1
    )
    text = page_of(client, assessor, report)
    assert "106412" not in text and "Patrick Smith (" not in text
    assert "106413" in text

    queue = client.get(reverse("intake:triage_queue")).content.decode()
    assert report.allegation.allegation_ref in queue
    score = hidden.risk_score.score
    assert f">{score}<" not in queue.replace(" ", "")

    # Posting the hidden person's id anyway is refused, and nobody is linked or re-scored.
    response = client.post(
        reverse("intake:report_decide", args=[report.pk]),
        {
            "route": "misconduct_investigation",
            "category": report.allegation.category_id,
            "reasons": "The caller named him and his station.",
            "subject": str(hidden.pk),
        },
    )
    assert response.status_code == 400
    assert not TriageDecision.objects.exists()
    with pytest.raises(IntakeError):
        triage_decide(
            report_id=report.pk,
            by=assessor,
            route="misconduct_investigation",
            reasons="The caller named him and his station.",
            subject_person_id=hidden.pk,
        )
    assert not hasattr(report.allegation, "link") or report.allegation.link.person_id != hidden.pk


def test_the_call_handler_can_pick_only_a_candidate_they_were_shown(
    client: Client, make_user: MakeUser
) -> None:
    handler = make_user(Role.CALL_HANDLER)
    somebody = person_create(surname="Quist", forenames="Harold", staff_id="520001")
    client.force_login(handler)
    response = client.post(
        reverse("intake:report_new"),
        {
            "action": "file",
            "caller_type": "victim",
            "narrative": "He hit me.",
            "category": "assault",
            "subject_candidate": str(somebody.pk),
        },
    )
    assert response.status_code == 200 and not HotlineReport.objects.exists()
    assert "Choose one of the people shown" in response.content.decode()


# ---- finding 3: a report about the user never reaches them ---------------------------------------


@pytest.mark.parametrize("about_by", ["staff_number", "link", "pick", "candidate"])
def test_a_report_about_the_user_never_reaches_them(
    client: Client, make_user: MakeUser, assessor: User, own_record: Person, about_by: str
) -> None:
    handler = make_user(Role.CALL_HANDLER)
    fields: dict[str, object] = {"category": "rape", "narrative": "He raped me after the leaving do."}
    if about_by == "staff_number":
        fields["subject_staff_id"] = own_record.staff_id
    if about_by == "pick":
        fields["handler_candidate_id"] = own_record.pk
    report = call(handler, **fields)
    if about_by == "link":
        link_to(report.allegation, own_record)
    if about_by == "candidate":
        LinkCandidate.objects.create(
            allegation=report.allegation, person=own_record, rank=1, match_probability=0.3, match_weight=1
        )
    assert report.pk not in visible_reports(assessor)
    client.force_login(assessor)
    assert report.allegation.allegation_ref not in client.get(reverse("intake:triage_queue")).content.decode()
    assert client.get(reverse("intake:report_detail", args=[report.pk])).status_code == 404
    with pytest.raises(IntakeError):
        triage_decide(
            report_id=report.pk,
            by=assessor,
            route="no_further_action",
            reasons="Nothing to go on at all here.",
        )
    assert not TriageDecision.objects.exists()


def test_a_conflict_declared_by_staff_id_applies_to_reports(make_user: MakeUser, assessor: User) -> None:
    handler = make_user(Role.CALL_HANDLER)
    colleague = person_create(surname="Ward", forenames="Tom", staff_id="530001")
    picked = call(handler, handler_candidate_id=colleague.pk)
    numbered = call(handler, subject_staff_id="530001")
    other = call(handler)
    conflict_declare(user=assessor, reason="We are married.", staff_id="530001")
    assert visible_reports(assessor) == {other.pk}
    assert picked.pk and numbered.pk


def test_a_link_awaiting_review_names_its_person_only_to_those_who_may_see_them(
    client: Client, make_user: MakeUser, assessor: User
) -> None:
    from vigil.linkage.models import LinkStatus

    handler = make_user(Role.CALL_HANDLER)
    picked = person_create(surname="Plainview", forenames="Ann", staff_id="540001")
    hidden = person_create(surname="Hiddenfield", forenames="Bo", staff_id="540002")
    record_restrict(person=hidden, restricted_by=None, reason="senior officer")
    report = call(handler, handler_candidate_id=picked.pk)
    link_to(report.allegation, hidden, status=LinkStatus.NEEDS_REVIEW)
    text = page_of(client, assessor, report)
    assert "Hiddenfield" not in text and "someone you may not see" in text
