"""Reads for the allegation pages.

The list is paged by keyset ("seek") on (received_on DESC, id DESC): a page is the next rows
before (or after) the cursor row, found through an index whatever the depth. There is no
COUNT(*) and no OFFSET, so a page costs the same on row 1 and row 1,000,000."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vigil.allegations.models import Allegation, Category, Outcome, Source
from vigil.people.models import FormerStaffNumber, Person

PAGE_SIZE = 50


class CursorError(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """A position in the list: the (received_on, id) of a row, and which side of it to read."""

    direction: Literal["before", "after"]
    received_on: dt.date
    id: int

    @property
    def token(self) -> str:
        """The text used in a URL: `2024-05-01_12345`."""
        return f"{self.received_on.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, direction: Literal["before", "after"], token: str) -> Cursor:
        day, _, number = token.partition("_")
        try:
            return cls(direction, dt.date.fromisoformat(day), int(number))
        except ValueError:
            raise CursorError(f"not a page position: {token!r}") from None


@dataclass(frozen=True)
class AllegationFilters:
    category: Category | None = None
    source: Source | None = None
    outcome: Outcome | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None

    @property
    def active(self) -> bool:
        return any(
            value is not None
            for value in (self.category, self.source, self.outcome, self.received_from, self.received_to)
        )


@dataclass(frozen=True)
class AllegationPage:
    rows: list[Allegation]
    older: Cursor | None  # the cursor of the next page back in time, if there is one
    newer: Cursor | None  # the cursor of the page before this one, if there is one


def _filtered(filters: AllegationFilters, visible: Q) -> QuerySet[Allegation]:
    queryset = Allegation.objects.filter(visible)
    if filters.category is not None:
        queryset = queryset.filter(category=filters.category)
    if filters.source is not None:
        queryset = queryset.filter(source_system=filters.source)
    if filters.outcome is not None:
        queryset = queryset.filter(outcome=filters.outcome)
    if filters.received_from is not None:
        queryset = queryset.filter(received_on__gte=filters.received_from)
    if filters.received_to is not None:
        queryset = queryset.filter(received_on__lte=filters.received_to)
    return queryset


def _older_than(queryset: QuerySet[Allegation], received_on: dt.date, pk: int) -> QuerySet[Allegation]:
    # (received_on, id) < (d, i), written so the index range starts at d: received_on <= d first.
    return queryset.filter(received_on__lte=received_on).filter(Q(received_on__lt=received_on) | Q(id__lt=pk))


def _newer_than(queryset: QuerySet[Allegation], received_on: dt.date, pk: int) -> QuerySet[Allegation]:
    return queryset.filter(received_on__gte=received_on).filter(Q(received_on__gt=received_on) | Q(id__gt=pk))


def allegation_list_page(
    *, filters: AllegationFilters, visible: Q, cursor: Cursor | None, page_size: int = PAGE_SIZE
) -> AllegationPage:
    """One page of the allegations the user may see (`visible`, from accounts.access), newest
    first (received_on DESC, id DESC), from the cursor."""
    base = _filtered(filters, visible)
    shown = base.select_related("category", "source_system", "outcome")
    if cursor is None or cursor.direction == "before":
        if cursor is None:
            fetched = list(shown.order_by("-received_on", "-id")[: page_size + 1])
        else:
            fetched = list(
                _older_than(shown, cursor.received_on, cursor.id).order_by("-received_on", "-id")[
                    : page_size + 1
                ]
            )
        rows = fetched[:page_size]
        has_older = len(fetched) > page_size
        # Coming from a cursor, ask (one indexed probe) whether anything is newer than this page.
        has_newer = (
            cursor is not None and bool(rows) and _newer_than(base, rows[0].received_on, rows[0].id).exists()
        )
    else:
        fetched = list(
            _newer_than(shown, cursor.received_on, cursor.id).order_by("received_on", "id")[: page_size + 1]
        )
        has_newer = len(fetched) > page_size
        rows = list(reversed(fetched[:page_size]))
        has_older = bool(rows) and _older_than(base, rows[-1].received_on, rows[-1].id).exists()
    return AllegationPage(
        rows=rows,
        older=Cursor("before", rows[-1].received_on, rows[-1].id) if rows and has_older else None,
        newer=Cursor("after", rows[0].received_on, rows[0].id) if rows and has_newer else None,
    )


def allegation_get(*, allegation_id: int) -> Allegation:
    """One allegation with its reference data and import batch; Http404 if absent."""
    queryset = Allegation.objects.select_related(
        "category", "source_system", "outcome", "complainant_relationship", "import_batch"
    )
    return get_object_or_404(queryset, pk=allegation_id)


@dataclass(frozen=True)
class StaffNumberHolders:
    current: list[Person]  # hold the recorded staff number now
    former: list[Person]  # held it before being renumbered


def people_holding_staff_id(*, allegation: Allegation, visible: Q) -> StaffNumberHolders:
    """People on the register holding (or who held) the staff number the allegation records: the
    exact (force, staff_id), or, when the allegation records no force, that staff_id in any force.
    A staff-number match only; it says nothing about whether the allegation is about them.
    Only people the user may see (`visible`, from accounts.access) are listed."""
    staff_id, force = allegation.subject_staff_id, allegation.subject_force
    if not staff_id:
        return StaffNumberHolders(current=[], former=[])
    current = Person.objects.filter(visible, staff_id=staff_id)
    former = FormerStaffNumber.objects.filter(staff_id=staff_id)
    if force:
        current = current.filter(force=force)
        former = former.filter(force=force)
    fields = ("id", "force", "staff_id", "surname", "forenames")
    return StaffNumberHolders(
        current=list(current.only(*fields).order_by("force", "id")),
        former=list(
            Person.objects.filter(visible, pk__in=former.values("person_id"))
            .only(*fields)
            .order_by("force", "id")
        ),
    )
