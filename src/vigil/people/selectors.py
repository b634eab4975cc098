"""Reads for the people pages: person search and the one view of a person.

Sex and ethnicity are never selected for display: they are kept only for disproportionality
figures, and a reviewer must not be shown them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from vigil.allegations.models import Allegation
from vigil.core.partial_dates import PartialDate, Precision
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.linkage.selectors import PossibleAllegation, possible_allegations
from vigil.people.models import (
    FormerStaffNumber,
    NameKind,
    Person,
    PersonName,
    RoleRecord,
    ShoulderNumber,
    VettingClearance,
)

SEARCH_LIMIT = 50
_TOKEN_SPLIT = re.compile(r"[\s,]+")
# The identity fields a page may show. Protected characteristics (sex, ethnicity) are left out.
_DISPLAY_FIELDS = (
    "id",
    "force",
    "staff_id",
    "surname",
    "forenames",
    "date_of_birth",
    "date_of_birth_precision",
    "rank_or_grade",
    "role",
    "command",
    "joined_on",
    "joined_on_precision",
    "left_on",
    "left_on_precision",
    "employment_type",
)


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    matched_on: str  # why the person is in the results, e.g. "Former name: Jane Doe"


@dataclass(frozen=True)
class PersonSearchResult:
    matches: list[PersonMatch]
    truncated: bool  # more people matched than are shown


def _tokens(query: str) -> list[str]:
    return [token for token in _TOKEN_SPLIT.split(query.strip()) if token]


def person_search(*, query: str, visible: Q, limit: int = SEARCH_LIMIT) -> PersonSearchResult:
    """People the user may see (`visible`, from accounts.access) whose staff ID (current or
    former) or a shoulder number (ever worn) equals the query, or any of whose names (legal,
    former, alias) contains every word of it; ordered by surname, at most `limit`."""
    query = query.strip()
    tokens = _tokens(query)
    if not tokens:
        return PersonSearchResult(matches=[], truncated=False)
    in_a_name = Q()
    on_the_person = Q()
    for token in tokens:
        in_a_name &= Q(full_name__icontains=token)
        on_the_person &= Q(surname__icontains=token) | Q(forenames__icontains=token)
    by_name = PersonName.objects.filter(in_a_name).values("person_id")
    by_number = ShoulderNumber.objects.filter(number__iexact=query).values("person_id")
    by_former_id = FormerStaffNumber.objects.filter(staff_id__iexact=query).values("person_id")
    found = list(
        Person.objects.filter(
            Q(staff_id__iexact=query)
            | Q(pk__in=by_former_id)
            | Q(pk__in=by_number)
            | Q(pk__in=by_name)
            | on_the_person
        )
        .filter(visible)
        .only(*_DISPLAY_FIELDS)
        .prefetch_related("names", "shoulder_numbers", "former_staff_numbers")
        .order_by("surname", "forenames", "force", "staff_id")[: limit + 1]
    )
    matches = [PersonMatch(person, _matched_on(person, query, tokens)) for person in found[:limit]]
    return PersonSearchResult(matches=matches, truncated=len(found) > limit)


def _matched_on(person: Person, query: str, tokens: list[str]) -> str:
    folded = query.casefold()
    if person.staff_id.casefold() == folded:
        return "Staff ID"
    for former in person.former_staff_numbers.all():
        if former.staff_id.casefold() == folded:
            return f"Former staff ID ({former.force}, until {former.replaced_on.isoformat()})"
    for number in person.shoulder_numbers.all():
        if number.number.casefold() == folded:
            return f"Shoulder number {number.number}" + ("" if number.is_current else " (former)")

    def holds(text: str) -> bool:
        return all(token.casefold() in text.casefold() for token in tokens)

    if holds(f"{person.forenames} {person.surname}"):
        return "Name"
    for name in person.names.all():
        if name.kind != NameKind.LEGAL and holds(name.full_name):
            return f"{name.get_kind_display()}: {name.full_name}"
    return "Name"


@dataclass(frozen=True)
class VettingRow:
    clearance: VettingClearance
    expired: bool


@dataclass(frozen=True)
class AllegationRow:
    allegation: Allegation
    link: AllegationLink | None  # its link to a person, if linking has looked at it

    @property
    def linked_elsewhere(self) -> bool:
        """Linked (auto or confirmed) to somebody else: the staff number alone named this person."""
        return self.link is not None and self.link.status in LINKED_STATUSES


@dataclass(frozen=True)
class PersonProfile:
    """Everything the person page shows, read in a constant number of queries."""

    person: Person
    names: list[PersonName]
    shoulder_numbers: list[ShoulderNumber]
    roles: list[RoleRecord]
    vetting: list[VettingRow]
    former_staff_numbers: list[FormerStaffNumber]
    allegations: list[Allegation]  # every allegation about them (allegations_naming_q), newest first
    linked: list[AllegationRow]  # ... of which linked to them, automatically or by a reviewer
    staff_number_only: list[AllegationRow]  # ... of which only their staff number names them
    possible: list[PossibleAllegation]  # awaiting review, with them as a candidate


def person_get(*, person_id: int) -> Person:
    """The person (display fields only) with their history prefetched; Http404 if absent."""
    queryset = Person.objects.only(*_DISPLAY_FIELDS).prefetch_related(
        "names",
        "shoulder_numbers",
        Prefetch("role_history", queryset=RoleRecord.objects.order_by("-recorded_from", "-id")),
        Prefetch("vetting", queryset=VettingClearance.objects.order_by("-granted_on", "-id")),
        "former_staff_numbers",
    )
    return get_object_or_404(queryset, pk=person_id)


def _linked_to_q(people: QuerySet[Person]) -> Q:
    """Allegations linked to one of these people (automatically or confirmed by a reviewer)."""
    links = AllegationLink.objects.filter(person__in=people, status__in=LINKED_STATUSES)
    return Q(pk__in=links.values("allegation_id"))


def allegations_with_their_numbers_q(people: QuerySet[Person]) -> Q:
    """A superset of allegations_naming_q that an index can find: their staff numbers in any force
    (the subject-staff-number index), or a link to them (the primary key). Put it beside
    allegations_naming_q (AND) so the database finds the rows, then checks them."""
    former = FormerStaffNumber.objects.filter(person__in=people)
    return (
        Q(subject_staff_id__in=people.values("staff_id"))
        | Q(subject_staff_id__in=former.values("staff_id"))
        | _linked_to_q(people)
    )


def allegations_naming_q(people: QuerySet[Person]) -> Q:
    """A filter for Allegation querysets: the allegation is linked to one of these people
    (automatically or confirmed by a reviewer: vigil.linkage), or the subject as recorded carries a
    staff number (current or former) of one of them, in their force or with no force recorded. The
    one definition of "an allegation about a person", for the person page and for need-to-know
    (accounts.access). The staff-number clauses stay beside the links on purpose: for need-to-know
    and conflicts of interest, counting too many allegations as about a person is the safe side.
    Alone it is tested row by row: see allegations_with_their_numbers_q."""
    former = FormerStaffNumber.objects.filter(person__in=people)
    return (
        _linked_to_q(people)
        | Q(subject_force="", subject_staff_id__in=people.values("staff_id"))
        | Q(subject_force="", subject_staff_id__in=former.values("staff_id"))
        | Exists(people.filter(staff_id=OuterRef("subject_staff_id"), force=OuterRef("subject_force")))
        | Exists(former.filter(staff_id=OuterRef("subject_staff_id"), force=OuterRef("subject_force")))
    )


def person_profile(*, person_id: int, today: dt.date, allegations_visible: Q) -> PersonProfile:
    """The one view of a person: identity, names, numbers, roles, vetting, the allegations about
    them (linked to them, or naming a staff number of theirs, current or former) and those awaiting
    review with them as a candidate, which the user may see (`allegations_visible`, from
    accounts.access). Http404 if there is no such person."""
    person = person_get(person_id=person_id)
    names = sorted(
        person.names.all(),
        # Current names first (legal before aliases), then the most recently ended.
        key=lambda name: (
            name.recorded_until is not None,
            -(name.recorded_until or dt.date.min).toordinal(),
            name.kind != NameKind.LEGAL,
            name.recorded_from,
            name.id,
        ),
    )
    vetting = [
        VettingRow(clearance, _expired(clearance.expires_on, clearance.expires_on_precision, today))
        for clearance in person.vetting.all()
    ]
    # Numbers a person used to hold still lead to them (see people.services).
    them = Person.objects.filter(pk=person.pk)
    allegations = list(
        Allegation.objects.filter(allegations_with_their_numbers_q(them), allegations_naming_q(them))
        .filter(allegations_visible)
        .select_related("category", "source_system", "outcome", "link")
        .order_by("-received_on", "-id")
    )
    rows = [AllegationRow(allegation, _link_of(allegation)) for allegation in allegations]
    linked = [
        row
        for row in rows
        if row.link is not None and row.link.status in LINKED_STATUSES and row.link.person_id == person.pk
    ]
    linked_ids = {row.allegation.pk for row in linked}
    return PersonProfile(
        person=person,
        names=names,
        shoulder_numbers=list(person.shoulder_numbers.all()),
        roles=list(person.role_history.all()),
        vetting=vetting,
        former_staff_numbers=list(person.former_staff_numbers.all()),
        allegations=allegations,
        linked=linked,
        staff_number_only=[row for row in rows if row.allegation.pk not in linked_ids],
        possible=possible_allegations(person=person, visible=allegations_visible),
    )


def _link_of(allegation: Allegation) -> AllegationLink | None:
    try:
        return allegation.link  # selected with the allegation: no query
    except AllegationLink.DoesNotExist:
        return None


def _expired(expires_on: dt.date | None, precision: str, today: dt.date) -> bool:
    """Expired once the last day the expiry date could be has passed."""
    if expires_on is None:
        return False
    known: Precision = "Y" if precision == "Y" else "M" if precision == "M" else "D"
    return PartialDate(expires_on, known).latest < today
