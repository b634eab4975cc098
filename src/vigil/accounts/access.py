"""Need-to-know: which person records and allegations a user may see. The one module that decides.

A case role sees a record only when it is assigned to them (an AccessGrant by name), to one of their
teams (if their role's scope reaches teams), or to a caseload team (assessment); a restricted record
needs a grant by name; and nobody sees a record about themselves, a case they complained in, or one
they declared a conflict on, whatever was granted. Views get records only through
`access_person_by_id` / `access_allegation_by_id`, which answer a refusal exactly as a missing
record (404) and write the refusal to the audit trail; lists filter with `*_visible_q`.

The scopes per role are in accounts.permissions (RECORD_SCOPES)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404, HttpRequest

from vigil.accounts.models import (
    AccessGrant,
    AccountPerson,
    ConflictDeclaration,
    GrantTarget,
    RecordRestriction,
)
from vigil.accounts.permissions import Scope, record_scope
from vigil.accounts.selectors import user_roles
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.intake.models import HotlineReport
from vigil.linkage.models import LinkCandidate
from vigil.people.models import FormerStaffNumber, Person
from vigil.people.selectors import allegations_naming_q, allegations_with_their_numbers_q

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class AccessContext:
    """What the rules need to know about one user, read once per request."""

    user_id: int | None
    scope: Scope | None
    team_ids: frozenset[int]
    has_caseload: bool
    own_person_ids: frozenset[int]
    own_complainant_refs: frozenset[str]  # "FORCE/STAFF_ID", as allegations record a colleague complainant
    own_commands: frozenset[str]  # only filled when VIGIL_CONFLICT_SAME_COMMAND is on
    declared_staff_ids: frozenset[str]
    declared_allegation_ids: frozenset[int]
    restricted_people: bool = False  # whether any person record is restricted
    restricted_allegations: bool = False  # whether any allegation is restricted


def access_context(user: AnyUser) -> AccessContext:
    """The user's access context; cached on the user object for the rest of the request."""
    cached: AccessContext | None = getattr(user, "_vigil_access", None)
    if cached is not None:
        return cached
    scope = record_scope(user_roles(user)) if user.is_authenticated else None
    if scope is None:
        nothing: frozenset[Any] = frozenset()
        context = AccessContext(None, None, nothing, False, nothing, nothing, nothing, nothing, nothing)
    else:
        user_id: int = user.pk  # type: ignore[assignment]
        team_ids = frozenset(user.vigil_teams.values_list("id", flat=True))  # type: ignore[union-attr]
        has_caseload = (
            scope is Scope.CASELOAD
            and AccessGrant.objects.filter(
                team_id__in=team_ids, target=GrantTarget.CASELOAD, revoked_at__isnull=True
            ).exists()
        )
        own = list(
            Person.objects.filter(
                pk__in=AccountPerson.objects.filter(user_id=user_id).values("person_id")
            ).only("id", "force", "staff_id", "command")
        )
        own_numbers = [(person.force, person.staff_id) for person in own] + list(
            FormerStaffNumber.objects.filter(person__in=own).values_list("force", "staff_id")
        )
        declared = list(
            ConflictDeclaration.objects.filter(user_id=user_id).values_list("staff_id", "allegation_id")
        )
        same_command = getattr(settings, "CONFLICT_SAME_COMMAND", False)
        restricted = RecordRestriction.objects.aggregate(
            people=Count("person"), allegations=Count("allegation")
        )
        context = AccessContext(
            user_id=user_id,
            scope=scope,
            team_ids=team_ids,
            has_caseload=has_caseload,
            own_person_ids=frozenset(person.pk for person in own),
            own_complainant_refs=frozenset(f"{force}/{staff_id}" for force, staff_id in own_numbers),
            own_commands=frozenset(p.command for p in own if p.command) if same_command else frozenset(),
            declared_staff_ids=frozenset(staff_id for staff_id, _ in declared if staff_id),
            declared_allegation_ids=frozenset(pk for _, pk in declared if pk is not None),
            restricted_people=restricted["people"] > 0,
            restricted_allegations=restricted["allegations"] > 0,
        )
    user._vigil_access = context  # type: ignore[union-attr]
    return context


def _grants(context: AccessContext, *, by_name: bool) -> QuerySet[AccessGrant]:
    holder = Q(user_id=context.user_id)
    if not by_name and context.scope in (Scope.TEAM, Scope.CASELOAD) and context.team_ids:
        holder |= Q(team_id__in=context.team_ids)
    return AccessGrant.objects.filter(holder, revoked_at__isnull=True)


# ---- conflicts of interest ---------------------------------------------------------------------


def _people_conflicted(context: AccessContext) -> dict[str, QuerySet[Person]]:
    """The people a user must not see, by reason (only the reasons that apply to this user)."""
    found: dict[str, QuerySet[Person]] = {}
    if context.own_person_ids:
        found["own_record"] = Person.objects.filter(pk__in=context.own_person_ids)
    if context.declared_staff_ids:
        found["declared"] = Person.objects.filter(
            Q(staff_id__in=context.declared_staff_ids)
            | Q(
                pk__in=FormerStaffNumber.objects.filter(staff_id__in=context.declared_staff_ids).values(
                    "person_id"
                )
            )
        )
    if context.own_commands:
        found["same_command"] = Person.objects.filter(command__in=context.own_commands).exclude(
            pk__in=context.own_person_ids
        )
    return found


def _person_conflicts_q(context: AccessContext) -> dict[str, Q]:
    return {reason: Q(pk__in=people.values("pk")) for reason, people in _people_conflicted(context).items()}


def allegations_about_q(people: QuerySet[Person]) -> Q:
    """Allegations that are, or may be, about one of these people: those naming them
    (people.selectors.allegations_naming_q: a link or a staff number), a hotline report whose call
    handler picked one of them, and those the model proposes one of them for. The definition used
    for conflicts of interest, where counting too many as "about" a person is the safe side: a
    report that might be about a user never reaches that user, whoever decides later."""
    return (
        allegations_naming_q(people)
        | Q(pk__in=HotlineReport.objects.filter(handler_candidate__in=people).values("allegation_id"))
        | Q(pk__in=LinkCandidate.objects.filter(person__in=people).values("allegation_id"))
    )


def _allegation_conflicts_q(context: AccessContext) -> dict[str, Q]:
    found = {reason: allegations_about_q(people) for reason, people in _people_conflicted(context).items()}
    if context.own_complainant_refs:
        found["complainant"] = Q(complainant_ref__in=context.own_complainant_refs)
    if context.declared_allegation_ids or context.declared_staff_ids:
        declared = Q(pk__in=context.declared_allegation_ids) | Q(
            subject_staff_id__in=context.declared_staff_ids
        )
        found["declared"] = found["declared"] | declared if "declared" in found else declared
    return found


def _any(conditions: dict[str, Q]) -> Q | None:
    combined: Q | None = None
    for condition in conditions.values():
        combined = condition if combined is None else combined | condition
    return combined


# ---- what a user may see -------------------------------------------------------------------------

NOTHING = Q(pk__in=[])


def people_visible_q(user: AnyUser) -> Q:
    """A filter for Person querysets: the people this user may see."""
    context = access_context(user)
    if context.scope is None:
        return NOTHING
    by_name = Q(pk__in=_grants(context, by_name=True).filter(target=GrantTarget.PERSON).values("person_id"))
    granted = (
        Q()
        if context.has_caseload
        else by_name
        | Q(pk__in=_grants(context, by_name=False).filter(target=GrantTarget.PERSON).values("person_id"))
    )
    visible = granted
    if context.restricted_people:
        restricted = Q(pk__in=RecordRestriction.objects.filter(person__isnull=False).values("person_id"))
        visible &= ~(restricted & ~by_name)
    conflicted = _any(_person_conflicts_q(context))
    return visible & ~conflicted if conflicted is not None else visible


def allegations_visible_q(user: AnyUser) -> Q:
    """A filter for Allegation querysets: the allegations this user may see."""
    context = access_context(user)
    if context.scope is None:
        return NOTHING
    named = _grants(context, by_name=True)
    named_allegations = Q(pk__in=named.filter(target=GrantTarget.ALLEGATION).values("allegation_id"))
    named_people = Person.objects.filter(pk__in=named.filter(target=GrantTarget.PERSON).values("person_id"))
    if context.has_caseload:
        granted = Q()
    else:
        grants = _grants(context, by_name=False)
        assigned = Q(pk__in=grants.filter(target=GrantTarget.ALLEGATION).values("allegation_id"))
        people = Person.objects.filter(pk__in=grants.filter(target=GrantTarget.PERSON).values("person_id"))
        # A superset of what is granted that an index can find (the id, or the staff number): with
        # it, a user assigned a few thousand of a million rows gets their page from those, not by
        # walking the whole table in date order testing each row.
        findable = assigned | allegations_with_their_numbers_q(people)
        granted = findable & (assigned | allegations_naming_q(people))
    # Restriction terms only when something of that kind is restricted: they are costly to build
    # and to test on every row, and most forces restrict a handful of records.
    visible = granted
    if context.restricted_allegations:
        restricted_allegation = Q(
            pk__in=RecordRestriction.objects.filter(allegation__isnull=False).values("allegation_id")
        )
        visible &= ~(restricted_allegation & ~named_allegations)
    if context.restricted_people:
        restricted_people = Person.objects.filter(
            pk__in=RecordRestriction.objects.filter(person__isnull=False).values("person_id")
        )
        visible &= ~(
            allegations_naming_q(restricted_people)
            & ~(named_allegations | allegations_naming_q(named_people))
        )
    conflicted = _any(_allegation_conflicts_q(context))
    return visible & ~conflicted if conflicted is not None else visible


# ---- opening one record --------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    action: Action  # ACCESS_REFUSED or CONFLICT_BLOCKED
    reason: str  # no_such_record, not_assigned_or_restricted, own_record, complainant, declared, same_command


def _condition(q: Q) -> ExpressionWrapper[Q] | Value:
    # An empty Q (the caseload, nothing restricted) holds for every row.
    return ExpressionWrapper(q, output_field=BooleanField()) if q else Value(True)


def _refusal(
    queryset: QuerySet[Person] | QuerySet[Allegation], pk: int, conflicts: dict[str, Q], visible: Q
) -> Refusal | None:
    """Why the record may not be opened, from ONE query that tests every rule at once. A missing
    record and a refused one cost the same work, so the time of the answer cannot tell them apart."""
    tests = {f"conflict_{reason}": _condition(condition) for reason, condition in conflicts.items()}
    row = queryset.filter(pk=pk).annotate(visible_=_condition(visible), **tests)
    found = row.values("visible_", *tests).first()
    if found is None:
        return Refusal(Action.ACCESS_REFUSED, "no_such_record")
    for reason in conflicts:
        if found[f"conflict_{reason}"]:
            return Refusal(Action.CONFLICT_BLOCKED, reason)
    if not found["visible_"]:
        return Refusal(Action.ACCESS_REFUSED, "not_assigned_or_restricted")
    return None


def _refuse(
    *,
    user: AnyUser,
    request: HttpRequest | None,
    refusal: Refusal,
    record_type: str,
    record_id: int,
    label: str,
) -> Http404:
    audit_record(
        action=refusal.action,
        actor=user,
        record_type=record_type,
        record_id=record_id,
        record_label=label,
        detail={"reason": refusal.reason},
        request=request,
    )
    # The same answer as for a record that does not exist: a refusal must not confirm existence.
    return Http404(f"No {record_type} matches the given query.")


def person_refusal(*, user: AnyUser, person_id: int) -> Refusal | None:
    """Why this user may not open this person record, or None if they may."""
    context = access_context(user)
    if context.scope is None:
        return Refusal(Action.ACCESS_REFUSED, "not_assigned_or_restricted")
    return _refusal(Person.objects.all(), person_id, _person_conflicts_q(context), people_visible_q(user))


def allegation_refusal(*, user: AnyUser, allegation_id: int) -> Refusal | None:
    """Why this user may not open this allegation, or None if they may."""
    context = access_context(user)
    if context.scope is None:
        return Refusal(Action.ACCESS_REFUSED, "not_assigned_or_restricted")
    return _refusal(
        Allegation.objects.all(), allegation_id, _allegation_conflicts_q(context), allegations_visible_q(user)
    )


def access_person_by_id(*, user: AnyUser, person_id: int, request: HttpRequest | None = None) -> Person:
    """The person, if this user may see them; otherwise Http404, with the refusal audited."""
    person = (
        Person.objects.filter(people_visible_q(user), pk=person_id)
        .only("id", "force", "staff_id", "surname", "forenames")
        .first()
    )
    if person is not None:
        return person
    refusal = person_refusal(user=user, person_id=person_id) or Refusal(Action.ACCESS_REFUSED, "changed")
    label = Person.objects.filter(pk=person_id).values_list("force", "staff_id").first()
    raise _refuse(
        user=user,
        request=request,
        refusal=refusal,
        record_type="person",
        record_id=person_id,
        label=" ".join(label) if label else "",
    )


def access_allegation_by_id(
    *, user: AnyUser, allegation_id: int, request: HttpRequest | None = None
) -> Allegation:
    """The allegation, if this user may see it; otherwise Http404, with the refusal audited."""
    allegation = (
        Allegation.objects.filter(allegations_visible_q(user), pk=allegation_id)
        .only("id", "source_system", "allegation_ref")
        .first()
    )
    if allegation is not None:
        return allegation
    refusal = allegation_refusal(user=user, allegation_id=allegation_id) or Refusal(
        Action.ACCESS_REFUSED, "changed"
    )
    label = Allegation.objects.filter(pk=allegation_id).values_list("source_system", "allegation_ref").first()
    raise _refuse(
        user=user,
        request=request,
        refusal=refusal,
        record_type="allegation",
        record_id=allegation_id,
        label=" ".join(label) if label else "",
    )


def people_visible_among(user: AnyUser, person_ids: Iterable[int | None]) -> set[int]:
    """Which of these people this user may see: for lists of choices (a report's possible subjects),
    so a person the user may not open is never offered, named or scored to them."""
    wanted = {pk for pk in person_ids if pk is not None}
    if not wanted:
        return set()
    return set(Person.objects.filter(people_visible_q(user), pk__in=wanted).values_list("pk", flat=True))


def reports_visible_q(user: AnyUser) -> Q:
    """A filter for HotlineReport querysets: the reports whose allegation this user may see (a
    hotline report IS an allegation, from the source `hotline`: the same rules, conflicts included)."""
    visible = allegations_visible_q(user)
    if not visible:  # the caseload with no conflicts: every report, without a semi-join over them all
        return Q()
    return Q(allegation__in=Allegation.objects.filter(visible))


def access_report_by_id(*, user: AnyUser, report_id: int, request: HttpRequest | None = None) -> Allegation:
    """The allegation behind a hotline report, if this user may see it; otherwise Http404 (a
    missing report and a refused one alike), with the refusal audited."""
    allegation_id = HotlineReport.objects.filter(pk=report_id).values_list("allegation_id", flat=True).first()
    # A report that does not exist is refused through the same path as one that may not be seen.
    return access_allegation_by_id(user=user, allegation_id=allegation_id or 0, request=request)


def record_label_person(person: Person) -> str:
    return f"{person.force} {person.staff_id}"


def record_label_allegation(allegation: Allegation) -> str:
    return f"{allegation.source_system_id} {allegation.allegation_ref}"
