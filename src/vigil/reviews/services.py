"""Every change to a review is one function here: it checks who may make it, changes the rows,
and writes the audit trail and the person's timeline in the same transaction.

The state machine per person:

    not in cohort → awaiting review → in review → awaiting approval → decided (route) → closed
                                         ↑               │ returned
                                         └───────────────┘

with restricted / suspended as overlays (active RiskMeasure rows), and a decided or closed person
back to awaiting review when something new arrives (a reconsider task, done with "reopen").

The rules of the second pair of eyes: only a supervisor approves or returns; nobody approves or
returns a review they wrote, and the reviewer assigned to a person is never its decision-maker
(Police (Conduct) Regulations 2020: the investigator and the appropriate authority differ)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from vigil.accounts.access import person_refusal, record_label_person
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.core.bulk import chunked
from vigil.linkage.models import AllegationLink
from vigil.linkage.signals import subjects_changed
from vigil.people.models import Person, VettingClearance
from vigil.reviews import selectors
from vigil.reviews.models import (
    ApprovalDecision,
    CaseReview,
    CaseReviewState,
    CohortDefinition,
    IOPCCriterion,
    MeasureKind,
    MeasureReview,
    PersonReview,
    ReviewApproval,
    ReviewStatus,
    RiskMeasure,
    Route,
    SuspensionGround,
    Task,
    TaskKind,
    TimelineEntry,
    TimelineKind,
)

if TYPE_CHECKING:
    from vigil.risk.services import ScoreResult

_BULK_BATCH = 2_000
MIN_TEXT = 10  # a reason, a comment or a note: a sentence, not a tick
MIN_SUSPENSION_TEXT = 30  # why redeployment is not enough must be argued

S = ReviewStatus
# Allowed transitions: from -> to. Everything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOT_IN_COHORT: frozenset({S.AWAITING_REVIEW}),
    S.AWAITING_REVIEW: frozenset({S.IN_REVIEW, S.NOT_IN_COHORT}),
    S.IN_REVIEW: frozenset({S.IN_REVIEW, S.AWAITING_APPROVAL}),
    S.AWAITING_APPROVAL: frozenset({S.IN_REVIEW, S.DECIDED}),
    S.DECIDED: frozenset({S.CLOSED, S.AWAITING_REVIEW}),
    S.CLOSED: frozenset({S.AWAITING_REVIEW}),
}


class ReviewError(ValueError):
    """A change that may not be made as asked: the message says why, in words for the user."""


def _text(value: str, what: str, minimum: int = MIN_TEXT) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) < minimum:
        raise ReviewError(f"{what} needs at least {minimum} characters: say why.")
    return cleaned


def _require_role(user: AbstractBaseUser, role: Role, what: str) -> None:
    if role not in user_roles(user):
        raise ReviewError(f"Only a {role.label.lower()} may {what}.")


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ReviewError(f"There is no person {person_id} on the register.")
    return person


def _locked_review(person: Person) -> PersonReview:
    """The person's review row, locked for this transaction (made, not in cohort, if missing)."""
    review = PersonReview.objects.select_for_update().filter(person=person).first()
    if review is None:
        review = PersonReview.objects.create(
            person=person, status=S.NOT_IN_COHORT, status_since=timezone.now()
        )
    return review


def _record(
    *,
    person: Person,
    action: Action,
    kind: TimelineKind,
    text: str,
    actor: AbstractBaseUser | None,
    actor_label: str = "",
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> None:
    """The audit entry and the timeline entry for one change, together."""
    entry = audit_record(
        action=action,
        actor=actor,
        actor_label=actor_label,
        record_type="person",
        record_id=person.pk,
        record_label=record_label_person(person),
        detail={"text": text, **(detail or {})},
        request=request,
    )
    TimelineEntry.objects.create(
        person=person,
        at=entry.occurred_at,
        kind=kind,
        text=text,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        actor_label=entry.actor_label,
        audit_entry_id=entry.pk,
    )


def _move(
    review: PersonReview,
    to: str,
    *,
    actor: AbstractBaseUser | None,
    actor_label: str = "",
    why: str,
    request: HttpRequest | None = None,
) -> None:
    if to not in TRANSITIONS[review.status]:
        raise ReviewError(
            f"A review that is {S(review.status).label.lower()} cannot become {S(to).label.lower()}."
        )
    from vigil.oversight.services import counted_figures_changed

    before = review.status
    review.status = to
    review.status_since = timezone.now()
    review.save()
    counted_figures_changed()  # the review routes by group
    _record(
        person=review.person,
        action=Action.REVIEW_STATUS_CHANGED,
        kind=TimelineKind.STATUS,
        text=f"{S(before).label} → {S(to).label}: {why}",
        actor=actor,
        actor_label=actor_label,
        detail={"from": before, "to": to},
        request=request,
    )


# ---- the cohort ----------------------------------------------------------------------------------


@transaction.atomic
def cohort_define(
    *,
    by: User,
    reason: str,
    name: str,
    domains: list[str],
    window_years: int,
    outcome_classes: list[str],
    include_no_outcome: bool,
    employment_types: list[str],
    serving_only: bool,
    request: HttpRequest | None = None,
) -> CohortDefinition:
    """A new version of the cohort definition (supervisors only), audited with the old and new
    values; then everyone's place in the cohort is brought up to date."""
    _require_role(by, Role.SUPERVISOR, "change the review cohort")
    note = _text(reason, "A change to the cohort")
    if not domains or (not outcome_classes and not include_no_outcome) or not employment_types:
        raise ReviewError("A cohort needs at least one domain, one outcome and one employment type.")
    if not 1 <= window_years <= 50:
        raise ReviewError("The window must be between 1 and 50 years.")
    current = selectors.cohort_definition_current()
    values = {
        "name": name.strip() or current.name,
        "domains": sorted(domains),
        "window_years": window_years,
        "outcome_classes": sorted(outcome_classes),
        "include_no_outcome": include_no_outcome,
        "employment_types": sorted(employment_types),
        "serving_only": serving_only,
    }
    before = {field: getattr(current, field) for field in values}
    definition = CohortDefinition.objects.create(
        version=current.version + 1, created_at=timezone.now(), created_by=by, change_reason=note, **values
    )
    audit_record(
        action=Action.COHORT_CHANGED,
        actor=by,
        record_type="cohort_definition",
        record_id=definition.pk,
        record_label=str(definition),
        detail={"version": definition.version, "before": before, "after": values, "reason": note},
        request=request,
    )
    cohort_sync(actor=by, request=request)
    return definition


@transaction.atomic
def cohort_sync(
    *,
    person_ids: Collection[int] | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "cohort",
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """Bring people's place in the cohort up to date (everyone, or these people): whoever is now
    in it and not yet under review becomes awaiting review; whoever left it before any work
    started goes back to not in cohort. Work already started is never undone.

    Each move is audited and on the person's timeline. A sync that moves more people than an
    import itemises (the first sync of a national register) writes one audit entry for the batch,
    which every moved person's timeline entry names, instead of one per person."""
    from vigil.imports.services import ITEMISED_CHANGES_LIMIT

    if person_ids is None:
        cases = selectors.cohort_cases_of_people()
        existing = list(PersonReview.objects.order_by("person_id"))
    else:
        # In chunks: SQLite caps the number of parameters a query may have.
        cases, existing = {}, []
        for chunk in chunked(sorted(set(person_ids))):
            cases.update(selectors.cohort_cases_of_people(person_ids=chunk))
            existing.extend(PersonReview.objects.filter(person_id__in=chunk).order_by("person_id"))
    moves: list[tuple[PersonReview, str, str]] = []
    recounted: list[PersonReview] = []
    for review in existing:
        case = cases.get(review.person_id)
        count, oldest_on = (case.count, case.oldest_on) if case else (0, None)
        if review.status == S.NOT_IN_COHORT and count:
            moves.append((review, S.AWAITING_REVIEW, _cohort_why(count)))
        elif review.status == S.AWAITING_REVIEW and not count:
            moves.append((review, S.NOT_IN_COHORT, "no case in the cohort now"))
        place = (bool(count), count, oldest_on)
        if (review.in_cohort, review.cohort_cases, review.cohort_oldest_on) != place:
            review.in_cohort, review.cohort_cases, review.cohort_oldest_on = place
            recounted.append(review)
    seen = {review.person_id for review in existing}
    now = timezone.now()
    new = [
        PersonReview(
            person_id=person_id,
            status=S.NOT_IN_COHORT,
            status_since=now,
            in_cohort=True,
            cohort_cases=case.count,
            cohort_oldest_on=case.oldest_on,
        )
        for person_id, case in sorted(cases.items())
        if person_id not in seen
    ]
    PersonReview.objects.bulk_update(
        recounted, ["in_cohort", "cohort_cases", "cohort_oldest_on"], batch_size=_BULK_BATCH
    )
    entering: list[tuple[PersonReview, str, str]] = [
        (review, S.AWAITING_REVIEW, _cohort_why(review.cohort_cases)) for review in new
    ]
    if len(moves) + len(new) > ITEMISED_CHANGES_LIMIT:
        _moved_in_bulk(moves, entering, actor=actor, actor_label=actor_label, request=request)
    else:
        PersonReview.objects.bulk_create(new, batch_size=_BULK_BATCH)
        for review, to, why in [*moves, *entering]:
            _move(review, to, actor=actor, actor_label=actor_label, why=why, request=request)
    moved = [to for _, to, _ in [*moves, *entering]]
    return {"entered": moved.count(S.AWAITING_REVIEW), "left": moved.count(S.NOT_IN_COHORT)}


def _moved_in_bulk(
    moves: list[tuple[PersonReview, str, str]],
    entering: list[tuple[PersonReview, str, str]],
    *,
    actor: AbstractBaseUser | None,
    actor_label: str,
    request: HttpRequest | None,
) -> None:
    """Many cohort moves at once: one audit entry for the batch (its counts and the people's id
    range), the rows written together (`moves` of saved rows, `entering` of new, unsaved ones),
    and a timeline entry for each person naming that entry."""
    everyone = [*moves, *entering]
    entered = sum(1 for _, to, _ in everyone if to == S.AWAITING_REVIEW)
    person_ids = [review.person_id for review, _, _ in everyone]
    entry = audit_record(
        action=Action.REVIEW_STATUS_CHANGED,
        actor=actor,
        actor_label=actor_label,
        record_type="cohort",
        record_label=f"{len(moves)} people moved in or out of the review cohort",
        detail={
            "entered": entered,
            "left": len(everyone) - entered,
            "first_person_id": min(person_ids),
            "last_person_id": max(person_ids),
            "itemised": False,
        },
        request=request,
    )
    timeline = []
    for review, to, why in everyone:
        timeline.append(
            TimelineEntry(
                person_id=review.person_id,
                at=entry.occurred_at,
                kind=TimelineKind.STATUS,
                text=f"{S(review.status).label} → {S(to).label}: {why}",
                actor_id=entry.actor_id,
                actor_label=entry.actor_label,
                audit_entry_id=entry.pk,
            )
        )
        review.status, review.status_since = to, entry.occurred_at
    PersonReview.objects.bulk_update(
        [review for review, _, _ in moves], ["status", "status_since"], batch_size=_BULK_BATCH
    )
    PersonReview.objects.bulk_create([review for review, _, _ in entering], batch_size=_BULK_BATCH)
    TimelineEntry.objects.bulk_create(timeline, batch_size=_BULK_BATCH)


def _cohort_why(cases: int) -> str:
    return f"{cases} case{'s' if cases != 1 else ''} in the review cohort"


# ---- the review ----------------------------------------------------------------------------------


@transaction.atomic
def review_open(*, person_id: int, by: User, reason: str, request: HttpRequest | None = None) -> PersonReview:
    """Put a person up for review (supervisors): someone outside the cohort, or a decided or
    closed review reopened because of new information."""
    _require_role(by, Role.SUPERVISOR, "open a review")
    why = _text(reason, "Opening a review")
    review = _locked_review(_person(person_id))
    _move(review, S.AWAITING_REVIEW, actor=by, why=why, request=request)
    review.reviewer = None
    review.assigned_at = None
    review.route = ""
    review.save()
    return review


@transaction.atomic
def review_assign(
    *, person_id: int, reviewer: User, by: User, request: HttpRequest | None = None
) -> PersonReview:
    """Give a person's review to a reviewer (supervisors). The reviewer is granted the person's
    record by name, and must be able to see it: one with a conflict of interest is refused."""
    from vigil.accounts.services import access_grant

    _require_role(by, Role.SUPERVISOR, "assign a review")
    if Role.REVIEWER not in user_roles(reviewer):
        raise ReviewError(f"{reviewer.get_username()} is not a review officer.")
    if reviewer.pk == by.pk:
        raise ReviewError("A supervisor cannot assign a review to themselves: they decide it.")
    person = _person(person_id)
    review = _locked_review(person)
    if review.status not in (S.AWAITING_REVIEW, S.IN_REVIEW):
        raise ReviewError(f"A review that is {S(review.status).label.lower()} cannot be assigned.")
    access_grant(
        granted_by=by,
        reason=f"Assigned the review of {record_label_person(person)}",
        user=reviewer,
        person=person,
        request=request,
    )
    refusal = person_refusal(user=reviewer, person_id=person.pk)
    if refusal is not None:
        raise ReviewError(
            f"{reviewer.get_username()} may not see this person ({refusal.reason.replace('_', ' ')}): "
            "choose another reviewer."
        )
    previous = review.reviewer.get_username() if review.reviewer else ""
    review.reviewer = reviewer
    review.assigned_at = timezone.now()
    review.save()
    text = f"Assigned to {reviewer.get_username()}" + (f" (was {previous})" if previous else "")
    _record(
        person=person,
        action=Action.REVIEW_ASSIGNED,
        kind=TimelineKind.ASSIGNED,
        text=text,
        actor=by,
        detail={"reviewer": reviewer.get_username(), "previous": previous},
        request=request,
    )
    if review.status == S.AWAITING_REVIEW:
        _move(
            review, S.IN_REVIEW, actor=by, why=f"review given to {reviewer.get_username()}", request=request
        )
    return review


@transaction.atomic
def case_review_submit(
    *,
    person_id: int,
    author: User,
    considered_together: str,
    criminal_investigation_considered: str,
    victims_safeguarded: str,
    victims_informed: str,
    vetting_told: str,
    missed_lines_of_enquiry: str,
    iopc_criteria: list[str],
    several_incidents: bool,
    recommended_route: str,
    rationale: str,
    request: HttpRequest | None = None,
) -> CaseReview:
    """The assigned reviewer's structured review, sent for approval."""
    person = _person(person_id)
    review = _locked_review(person)
    if review.status != S.IN_REVIEW:
        raise ReviewError(f"A review that is {S(review.status).label.lower()} cannot be submitted.")
    if review.reviewer_id != author.pk:
        raise ReviewError("Only the reviewer assigned to this person may submit their review.")
    if recommended_route not in Route.values:
        raise ReviewError("Choose a recommended route.")
    unknown = sorted(set(iopc_criteria) - set(IOPCCriterion.values))
    if unknown:
        raise ReviewError(f"Unknown IOPC referral criteria: {', '.join(unknown)}.")
    case_review = CaseReview(
        review=review,
        author=author,
        state=CaseReviewState.SUBMITTED,
        started_at=timezone.now(),
        submitted_at=timezone.now(),
        considered_together=considered_together,
        criminal_investigation_considered=criminal_investigation_considered,
        victims_safeguarded=victims_safeguarded,
        victims_informed=victims_informed,
        vetting_told=vetting_told,
        missed_lines_of_enquiry=missed_lines_of_enquiry.strip(),
        iopc_criteria=sorted(set(iopc_criteria)),
        several_incidents=several_incidents,
        recommended_route=recommended_route,
        rationale=_text(rationale, "The rationale for the recommended route", 20),
    )
    try:
        case_review.full_clean(exclude=["review", "author"])
    except ValidationError as error:
        raise ReviewError(" ".join(error.messages)) from None
    case_review.save()
    route = Route(recommended_route).label
    _record(
        person=person,
        action=Action.REVIEW_SUBMITTED,
        kind=TimelineKind.REVIEW,
        text=f"Case review submitted by {author.get_username()}: recommends {route.lower()}"
        + (
            f"; meets IOPC referral criteria ({len(case_review.iopc_criteria)})"
            if case_review.iopc_criteria
            else ""
        )
        + ("; several incidents not closely connected" if several_incidents else ""),
        actor=author,
        detail={
            "case_review": case_review.pk,
            "route": recommended_route,
            "iopc_criteria": case_review.iopc_criteria,
            "several_incidents": several_incidents,
        },
        request=request,
    )
    _move(review, S.AWAITING_APPROVAL, actor=author, why="review submitted for approval", request=request)
    return case_review


def _deciding(person_id: int, by: User, what: str) -> tuple[Person, PersonReview, CaseReview]:
    _require_role(by, Role.SUPERVISOR, what)
    person = _person(person_id)
    review = _locked_review(person)
    if review.status != S.AWAITING_APPROVAL:
        raise ReviewError(f"A review that is {S(review.status).label.lower()} is not awaiting approval.")
    case_review = (
        CaseReview.objects.select_for_update()
        .filter(review=review, state=CaseReviewState.SUBMITTED)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if case_review is None:
        raise ReviewError("There is no submitted review to decide on.")
    if case_review.author_id == by.pk:
        raise ReviewError("Nobody may approve or return their own review: a second pair of eyes decides.")
    if review.reviewer_id == by.pk:
        raise ReviewError("The reviewer of a case cannot be its decision-maker.")
    if person_refusal(user=by, person_id=person.pk) is not None:
        # A decision-maker must be able to see the whole case, and never one about themselves.
        raise ReviewError("You may not see this person's record, so you cannot decide their review.")
    return person, review, case_review


def _decision_recorded(
    case_review: CaseReview, *, decision: ApprovalDecision, by: User, comment: str, what: str
) -> str:
    """The supervisor's approval or return of the review, kept with their comment."""
    note = _text(comment, what)
    ReviewApproval.objects.create(
        case_review=case_review, decision=decision, decided_by=by, decided_at=timezone.now(), comment=note
    )
    case_review.state = (
        CaseReviewState.APPROVED if decision == ApprovalDecision.APPROVED else CaseReviewState.RETURNED
    )
    case_review.save(update_fields=["state"])
    return note


@transaction.atomic
def review_approve(
    *, person_id: int, by: User, comment: str, request: HttpRequest | None = None
) -> PersonReview:
    """A supervisor approves the submitted review: the person is decided, on its route."""
    person, review, case_review = _deciding(person_id, by, "approve a review")
    note = _decision_recorded(
        case_review, decision=ApprovalDecision.APPROVED, by=by, comment=comment, what="An approval"
    )
    route = Route(case_review.recommended_route)
    review.route = route.value
    review.decided_by = by
    review.decided_at = timezone.now()
    review.save()
    _record(
        person=person,
        action=Action.REVIEW_APPROVED,
        kind=TimelineKind.APPROVAL,
        text=f"Review approved by {by.get_username()}: {route.label.lower()}. {note}",
        actor=by,
        detail={"case_review": case_review.pk, "route": route.value, "comment": note},
        request=request,
    )
    _move(review, S.DECIDED, actor=by, why=f"route: {route.label.lower()}", request=request)
    return review


@transaction.atomic
def review_return(
    *, person_id: int, by: User, comment: str, request: HttpRequest | None = None
) -> PersonReview:
    """A supervisor returns the submitted review to its reviewer, saying what to do."""
    person, review, case_review = _deciding(person_id, by, "return a review")
    note = _decision_recorded(
        case_review, decision=ApprovalDecision.RETURNED, by=by, comment=comment, what="A return"
    )
    _record(
        person=person,
        action=Action.REVIEW_RETURNED,
        kind=TimelineKind.APPROVAL,
        text=f"Review returned by {by.get_username()}: {note}",
        actor=by,
        detail={"case_review": case_review.pk, "comment": note},
        request=request,
    )
    _move(review, S.IN_REVIEW, actor=by, why="returned to the reviewer", request=request)
    return review


@transaction.atomic
def review_close(*, person_id: int, by: User, note: str, request: HttpRequest | None = None) -> PersonReview:
    """A decided review is closed once its route has been acted on (supervisors)."""
    _require_role(by, Role.SUPERVISOR, "close a review")
    why = _text(note, "Closing a review")
    review = _locked_review(_person(person_id))
    _move(review, S.CLOSED, actor=by, why=why, request=request)
    return review


# ---- risk measures -------------------------------------------------------------------------------


@transaction.atomic
def measure_impose(
    *,
    person_id: int,
    kind: str,
    reason: str,
    by: User,
    started_on: dt.date | None = None,
    review_by: dt.date | None = None,
    redeployment_not_enough: str = "",
    suspension_ground: str = "",
    request: HttpRequest | None = None,
) -> RiskMeasure:
    """A restriction or a suspension (supervisors), with a review-by date (default: 28 days on,
    VIGIL_MEASURE_REVIEW_DAYS). A suspension needs the reg 11 ground and why temporary
    redeployment is not enough."""
    _require_role(by, Role.SUPERVISOR, "impose a restriction or suspension")
    if kind not in MeasureKind.values:
        raise ReviewError("Choose a restriction or suspension.")
    person = _person(person_id)
    why = _text(reason, "A restriction or suspension")
    started_on = started_on or timezone.localdate()
    review_by = review_by or started_on + dt.timedelta(days=settings.MEASURE_REVIEW_DAYS)
    if review_by <= started_on:
        raise ReviewError("The review-by date must be after the start.")
    if kind == MeasureKind.SUSPENSION:
        redeployment_not_enough = _text(
            redeployment_not_enough,
            "A suspension may follow only once redeployment has been considered: why it is not enough",
            MIN_SUSPENSION_TEXT,
        )
        if suspension_ground not in SuspensionGround.values:
            raise ReviewError(
                "A suspension needs its ground: the investigation would be prejudiced, or the public "
                "interest requires it."
            )
    else:
        redeployment_not_enough, suspension_ground = "", ""
    measure = RiskMeasure.objects.create(
        person=person,
        kind=kind,
        reason=why,
        started_on=started_on,
        review_by=review_by,
        imposed_by=by,
        imposed_at=timezone.now(),
        redeployment_not_enough=redeployment_not_enough,
        suspension_ground=suspension_ground,
    )
    _record(
        person=person,
        action=Action.MEASURE_IMPOSED,
        kind=TimelineKind.MEASURE,
        text=f"{measure.get_kind_display()} from {started_on:%Y-%m-%d}, "
        f"review by {review_by:%Y-%m-%d}: {why}",
        actor=by,
        detail={
            "measure": measure.pk,
            "kind": kind,
            "review_by": review_by.isoformat(),
            "suspension_ground": suspension_ground,
            "redeployment_not_enough": redeployment_not_enough,
        },
        request=request,
    )
    return measure


def _active_measure(measure_id: int) -> RiskMeasure:
    measure = RiskMeasure.objects.select_for_update().select_related("person").filter(pk=measure_id).first()
    if measure is None:
        raise ReviewError(f"There is no measure {measure_id}.")
    if measure.lifted_on is not None:
        raise ReviewError("This measure has already been lifted.")
    return measure


@transaction.atomic
def measure_review(
    *,
    measure_id: int,
    by: User,
    note: str,
    next_review_by: dt.date | None = None,
    request: HttpRequest | None = None,
) -> RiskMeasure:
    """A measure reviewed and kept (supervisors), with its next review-by date."""
    _require_role(by, Role.SUPERVISOR, "review a restriction or suspension")
    measure = _active_measure(measure_id)
    why = _text(note, "Keeping a measure")
    today = timezone.localdate()
    next_review_by = next_review_by or today + dt.timedelta(days=settings.MEASURE_REVIEW_DAYS)
    if next_review_by <= today:
        raise ReviewError("The next review-by date must be in the future.")
    MeasureReview.objects.create(
        measure=measure,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        note=why,
        previous_review_by=measure.review_by,
        next_review_by=next_review_by,
    )
    previous = measure.review_by
    measure.review_by = next_review_by
    measure.save(update_fields=["review_by"])
    _record(
        person=measure.person,
        action=Action.MEASURE_REVIEWED,
        kind=TimelineKind.MEASURE,
        text=f"{measure.get_kind_display()} reviewed and kept, "
        f"next review by {next_review_by:%Y-%m-%d}: {why}",
        actor=by,
        detail={
            "measure": measure.pk,
            "previous_review_by": previous.isoformat(),
            "next_review_by": next_review_by.isoformat(),
        },
        request=request,
    )
    return measure


@transaction.atomic
def measure_lift(
    *,
    measure_id: int,
    by: User,
    reason: str,
    lifted_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> RiskMeasure:
    """Lift a restriction or suspension (supervisors): recorded, never deleted."""
    _require_role(by, Role.SUPERVISOR, "lift a restriction or suspension")
    measure = _active_measure(measure_id)
    why = _text(reason, "Lifting a measure")
    measure.lifted_on = lifted_on or timezone.localdate()
    if measure.lifted_on < measure.started_on:
        raise ReviewError("A measure cannot be lifted before it started.")
    measure.lifted_by = by
    measure.lift_reason = why
    measure.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
    _record(
        person=measure.person,
        action=Action.MEASURE_LIFTED,
        kind=TimelineKind.MEASURE,
        text=f"{measure.get_kind_display()} lifted on {measure.lifted_on:%Y-%m-%d}: {why}",
        actor=by,
        detail={"measure": measure.pk, "lifted_on": measure.lifted_on.isoformat()},
        request=request,
    )
    return measure


# ---- new information: reconsider and vetting-review tasks ----------------------------------------


def people_changed(
    *, person_ids: Collection[int], raised_by: str, actor: AbstractBaseUser | None = None
) -> ScoreResult | None:
    """Something about these people changed (a link, an import): re-score them and update their
    place in the cohort, in the caller's transaction. None before the first `vigil score` (no
    baseline to keep up to date) or when there is nobody to update."""
    from vigil.oversight.services import counted_figures_changed
    from vigil.risk.services import scores_compute

    if not person_ids:
        return None
    counted_figures_changed()
    result = scores_compute(person_ids=person_ids, trigger=raised_by)
    if result.run is None:
        return None
    cohort_sync(person_ids=person_ids, actor=actor, actor_label=raised_by)
    return result


def links_changed(
    *,
    before: Mapping[int, int],
    after: Mapping[int, int],
    raised_by: str,
    actor: AbstractBaseUser | None = None,
) -> list[Task]:
    """Called by every writer of links (vigil link, a reviewer's decision) inside its transaction,
    with allegation id -> person id for the allegations it (re)wrote, before and after.

    The people whose linked allegations changed are re-scored at once; for each person who gained
    an allegation, a *reconsider* task is raised for the supervisors, saying what is new and the
    score before and after, whether or not they are in the cohort or decided; and a *vetting
    review* task when the allegation came after their last vetting grant or once it had expired.
    Before the first `vigil score` there is no baseline to reconsider against: nothing is raised."""
    moved = {a for a in before.keys() | after.keys() if before.get(a) != after.get(a)}
    if moved:
        subjects_changed.send(sender=AllegationLink, allegation_ids=moved)
    gained: dict[int, list[int]] = defaultdict(list)
    touched: set[int] = set()
    for allegation_id, person_id in after.items():
        if before.get(allegation_id) != person_id:
            gained[person_id].append(allegation_id)
            touched.add(person_id)
    for allegation_id, person_id in before.items():
        if after.get(allegation_id) != person_id:
            touched.add(person_id)
    result = people_changed(person_ids=touched, raised_by=raised_by, actor=actor)
    if result is None:
        return []
    tasks = []
    people = Person.objects.in_bulk(list(gained))
    for person_id, allegation_ids in sorted(gained.items()):
        change = result.changes.get(person_id)
        allegations = list(
            Allegation.objects.filter(pk__in=allegation_ids)
            .select_related("category", "source_system")
            .order_by("received_on", "id")
        )
        tasks.extend(
            _tasks_raise(
                person=people[person_id],
                allegations=allegations,
                before=(change.before, change.band_before) if change else (None, ""),
                after=(change.after.points, change.after.band) if change and change.after else (None, ""),
                raised_by=raised_by,
                actor=actor,
            )
        )
    return tasks


def _tasks_raise(
    *,
    person: Person,
    allegations: list[Allegation],
    before: tuple[int | None, str],
    after: tuple[int | None, str],
    raised_by: str,
    actor: AbstractBaseUser | None,
) -> list[Task]:
    listed = "; ".join(
        f"{a.allegation_ref} ({a.category.label.lower()}, {a.source_system.label.lower()}, received "
        f"{a.received_on:%Y-%m-%d})"
        for a in allegations
    )
    status = selectors.review_status(person.pk)
    score_text = f"score {_score_words(before)} → {_score_words(after)}"
    what = (
        f"{len(allegations)} new allegation{'s' if len(allegations) != 1 else ''} linked: {listed}. "
        f"Review status: {S(status).label.lower()}; {score_text}."
    )
    raised = [_task_create(person, TaskKind.RECONSIDER, what, allegations, before, after, raised_by, actor)]
    vetting = (
        VettingClearance.objects.filter(person=person, outcome__in=("", "granted"))
        # Two grants on the same day: the one in force longest (no expiry first), then the last recorded.
        .order_by("-granted_on", F("expires_on").desc(nulls_first=True), "-id")
        .first()
    )
    if vetting is not None:
        since = [a for a in allegations if a.received_on > vetting.granted_on]
        lapsed = vetting.expires_on is not None and vetting.expires_on < timezone.localdate()
        if since or lapsed:
            why = (
                f"{len(since)} new allegation{'s' if len(since) != 1 else ''} since vetting "
                f"{vetting.level} was granted on {vetting.granted_on:%Y-%m-%d}"
                if since
                else f"a new allegation while vetting {vetting.level} has expired "
                f"({vetting.expires_on:%Y-%m-%d})"
            )
            raised.append(
                _task_create(
                    person,
                    TaskKind.VETTING_REVIEW,
                    f"{why}: {listed}. Vetting is continuous: review it now.",
                    since or allegations,
                    before,
                    after,
                    raised_by,
                    actor,
                )
            )
    return raised


def _score_words(score: tuple[int | None, str]) -> str:
    points, band = score
    return "none" if points is None else f"{points} ({band})"


def _task_create(
    person: Person,
    kind: TaskKind,
    what: str,
    allegations: list[Allegation],
    before: tuple[int | None, str],
    after: tuple[int | None, str],
    raised_by: str,
    actor: AbstractBaseUser | None,
) -> Task:
    task = Task.objects.create(
        person=person,
        kind=kind,
        raised_at=timezone.now(),
        raised_by_label=raised_by[:150],
        what_is_new=what,
        score_before=before[0],
        band_before=before[1],
        score_after=after[0],
        band_after=after[1],
    )
    task.allegations.set(allegations)
    _record(
        person=person,
        action=Action.TASK_RAISED,
        kind=TimelineKind.TASK,
        text=f"{task.get_kind_display()}: {what}",
        actor=actor,
        actor_label=raised_by,
        detail={"task": task.pk, "kind": kind.value, "allegations": [a.pk for a in allegations]},
    )
    return task


@transaction.atomic
def task_done(
    *,
    task_id: int,
    by: User,
    outcome: str,
    reopen_review: bool = False,
    request: HttpRequest | None = None,
) -> Task:
    """A supervisor closes a task, saying what was done; with reopen_review, the person goes back
    to awaiting review (a decision not to act is recorded just as a decision to act)."""
    _require_role(by, Role.SUPERVISOR, "close a task")
    task = Task.objects.select_for_update().select_related("person").filter(pk=task_id).first()
    if task is None:
        raise ReviewError(f"There is no task {task_id}.")
    if task.done_at is not None:
        raise ReviewError("This task is already done.")
    note = _text(outcome, "Closing a task")
    reopened = False  # a review already awaiting or under way is left as it is
    if reopen_review:
        review = _locked_review(task.person)
        if review.status in (S.NOT_IN_COHORT, S.DECIDED, S.CLOSED):
            _move(review, S.AWAITING_REVIEW, actor=by, why=f"reconsidered: {note}", request=request)
            review.reviewer, review.assigned_at, review.route = None, None, ""
            review.save()
            reopened = True
    task.done_at = timezone.now()
    task.done_by = by
    task.outcome = note
    task.save(update_fields=["done_at", "done_by", "outcome"])
    _record(
        person=task.person,
        action=Action.TASK_DONE,
        kind=TimelineKind.TASK,
        text=f"{task.get_kind_display()} done by {by.get_username()}"
        + (" (review reopened)" if reopened else "")
        + f": {note}",
        actor=by,
        detail={"task": task.pk, "reopen_review": reopen_review, "reopened": reopened},
        request=request,
    )
    return task
