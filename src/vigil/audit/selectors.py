"""Reads for the audit viewer (the auditor's pages) and its CSV export.

The list is paged by keyset on id, newest first: a page is the next rows below (or above) the
cursor id, so a page costs the same at entry 1 and entry 1,000,000; no COUNT(*), no OFFSET.
The indexed filters read their index in id order (see `_branches`): user and record through
(actor_id, id) and (record_type, record_id, id), actions through (action, id); dates become an
id range (see `_date_id_range`) that narrows all of them. Part of a record's name and a request
id have no index: alone, they read the table (or the id range of the dates given)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from vigil.accounts.roles import Role
from vigil.audit.actions import Action, Category
from vigil.audit.justification import JUSTIFICATION_REASONS
from vigil.audit.models import AuditEntry

PAGE_SIZE = 50
EXPORT_CHUNK = 2_000  # rows per round trip while exporting: memory stays constant
LONDON = ZoneInfo("Europe/London")
REFUSALS: frozenset[Action] = frozenset({Action.ACCESS_REFUSED, Action.CONFLICT_BLOCKED})
# At most this many accounts are matched by a user filter; more means the text is too vague.
MAX_MATCHING_ACCOUNTS = 200
# How far the server clock may step back between two appends with date filters still exact (see
# `_date_id_range`); a clock a day out would be an incident in itself.
CLOCK_STEP_ALLOWANCE = dt.timedelta(days=1)
# Up to this many accounts (or actions) are read as separate index scans and merged.
MAX_BRANCHES = 12

CATEGORY_LABELS: dict[Category, str] = {
    Category.CONSULTATION: "Consultation",
    Category.DISCLOSURE: "Disclosure",
    Category.COLLECTION: "Collection",
    Category.ALTERATION: "Alteration",
    Category.COMBINATION: "Combination",
    Category.ERASURE: "Erasure",
    Category.ACCESS: "Access control",
    Category.SECURITY: "Security",
    Category.ACCOUNT: "Accounts, roles and teams",
}


class CursorError(ValueError):
    pass


class TooManyAccounts(ValueError):
    """The user filter names more accounts than MAX_MATCHING_ACCOUNTS."""


@dataclass(frozen=True)
class Cursor:
    """A position in the list: an entry id, and which side of it to read."""

    direction: Literal["before", "after"]
    id: int

    @property
    def token(self) -> str:
        return str(self.id)

    @classmethod
    def parse(cls, direction: Literal["before", "after"], token: str) -> Cursor:
        if not token.isascii() or not token.isdigit() or len(token) > 18:
            raise CursorError(f"not a page position: {token!r}")
        return cls(direction, int(token))


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""  # the username that acted (or the name recorded when no account acted)
    user_exact: bool = False  # the whole username, not part of it (case is ignored either way)
    record_type: str = ""
    record_id: str = ""  # only with record_type
    record_text: str = ""  # part of the record's label, e.g. "CCP 1234"
    action: Action | None = None
    category: Category | None = None
    date_from: dt.date | None = None  # local (Europe/London) dates, both inclusive
    date_to: dt.date | None = None
    refusals_only: bool = False  # access refused or blocked by a conflict of interest
    request_id: str = ""  # the entries written while serving one request

    @property
    def active(self) -> bool:
        return self != AuditFilters()

    def actions(self) -> frozenset[Action] | None:
        """The actions the filters allow, or None for any."""
        allowed: frozenset[Action] | None = None
        for narrowing in (
            frozenset({self.action}) if self.action is not None else None,
            frozenset(a for a in Action if a.category == self.category) if self.category else None,
            REFUSALS if self.refusals_only else None,
        ):
            if narrowing is not None:
                allowed = narrowing if allowed is None else allowed & narrowing
        return allowed

    def as_detail(self) -> dict[str, Any]:
        """The filters in force, as the export's audit entry records them (only those set)."""
        values: dict[str, Any] = {
            "user": self.user,
            "user_exact": self.user_exact,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "record_text": self.record_text,
            "action": self.action.value if self.action else "",
            "category": self.category.value if self.category else "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "refusals_only": self.refusals_only,
            "request_id": self.request_id,
        }
        return {key: value for key, value in values.items() if value}

    def described(self) -> list[tuple[str, str]]:
        """The filters in force in words, as (what, value) pairs, for the export page."""
        described: list[tuple[str, str]] = []
        if self.user:
            described.append(("User", f"is “{self.user}”" if self.user_exact else f"contains “{self.user}”"))
        if self.action is not None:
            described.append(("Action", self.action.label))
        if self.category is not None:
            described.append(("Action", f"Any {CATEGORY_LABELS[self.category].lower()} action"))
        if self.refusals_only:
            described.append(("Refusals only", "Access refused, and blocked by a conflict of interest"))
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else "the start"
            end = self.date_to.isoformat() if self.date_to else "today"
            described.append(("Dates", f"{start} to {end} (UK time)"))
        if self.record_type:
            described.append(("Record", f"{self.record_type} {self.record_id}".strip()))
        if self.record_text:
            described.append(("Record name", f"contains “{self.record_text}”"))
        if self.request_id:
            described.append(("Request", self.request_id))
        return described


@dataclass(frozen=True)
class AuditRow:
    """An entry with what the pages show about it in words."""

    entry: AuditEntry

    @property
    def action(self) -> Action | None:
        """The registered action, or None for one no longer registered (the trail outlives the
        code that wrote it: such an entry still shows, under its stored name)."""
        try:
            return Action(self.entry.action)
        except ValueError:
            return None

    @property
    def action_label(self) -> str:
        action = self.action
        return action.label if action is not None else self.entry.action

    @property
    def category_label(self) -> str:
        action = self.action
        return CATEGORY_LABELS[action.category] if action is not None else "Unregistered action"

    @property
    def is_refusal(self) -> bool:
        return self.entry.action in REFUSALS

    @property
    def is_conflict(self) -> bool:
        return self.entry.action == Action.CONFLICT_BLOCKED

    @property
    def occurred_local(self) -> dt.datetime:
        return self.entry.occurred_at.astimezone(LONDON)

    @property
    def roles(self) -> list[str]:
        """The roles the user held then, by their labels (a role since retired, by its name)."""
        known = {role.value: role.label for role in Role}
        return [known.get(role, role) for role in self.entry.actor_roles.split(",") if role]

    @property
    def justification_label(self) -> str:
        code = self.entry.justification_reason
        if not code:
            return ""
        try:
            return JUSTIFICATION_REASONS[code].label
        except KeyError:
            return code

    @property
    def detail_pretty(self) -> str:
        """The detail JSON indented for reading; the stored text as it is if it is not JSON."""
        if not self.entry.detail:
            return ""
        try:
            parsed = json.loads(self.entry.detail)
        except ValueError:
            return self.entry.detail
        return json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    older: Cursor | None  # the cursor of the next page back in time, if there is one
    newer: Cursor | None  # the cursor of the page before this one, if there is one


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Europe/London day, as an aware datetime (UK clocks never
    change at midnight, so this is never ambiguous)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


@dataclass(frozen=True)
class _IdRange:
    """low < id < high (None: unbounded). Every query gets one lower and one upper bound, never
    two of either: SQLite would seek on one and test the other on every row past it."""

    low: int | None = None
    high: int | None = None

    def narrowed(self, *, low: int | None = None, high: int | None = None) -> _IdRange:
        lows = [bound for bound in (self.low, low) if bound is not None]
        highs = [bound for bound in (self.high, high) if bound is not None]
        return _IdRange(low=max(lows, default=None), high=min(highs, default=None))

    def apply(self, queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.low is not None:
            queryset = queryset.filter(id__gt=self.low)
        if self.high is not None:
            queryset = queryset.filter(id__lt=self.high)
        return queryset


def _date_id_range(filters: AuditFilters) -> _IdRange:
    """The date range as an id range too, so it narrows the (…, id) indexes and the primary key.

    Appends are serialised and stamp `timezone.now()` under the lock (services.audit_record), so
    ids follow time. Allowing the clock to step back by up to CLOCK_STEP_ALLOWANCE between two
    appends: any entry stamped more than that before the start has a smaller id than every
    entry in the range, and any entry stamped that long after the end a larger one. One probe of
    the occurred_at index finds each such entry; the occurred_at condition stays exact."""
    low = high = None
    if filters.date_from is not None:
        low = (
            AuditEntry.objects.filter(
                occurred_at__lt=local_day_start(filters.date_from) - CLOCK_STEP_ALLOWANCE
            )
            .order_by("-occurred_at")
            .values_list("id", flat=True)
            .first()
        )
    if filters.date_to is not None:
        high = (
            AuditEntry.objects.filter(
                occurred_at__gte=local_day_start(filters.date_to + dt.timedelta(days=1))
                + CLOCK_STEP_ALLOWANCE
            )
            .order_by("occurred_at")
            .values_list("id", flat=True)
            .first()
        )
    return _IdRange(low=low, high=high)


def audit_actor_accounts(*, user: str, exact: bool) -> list[int]:
    """The ids of the accounts whose username is (or contains) `user`, ignoring case.
    Raises TooManyAccounts past MAX_MATCHING_ACCOUNTS: the filter forms check this first."""
    lookup = "iexact" if exact else "icontains"
    account_ids = list(
        User.objects.filter(**{f"username__{lookup}": user.strip()})
        .order_by("id")
        .values_list("id", flat=True)[: MAX_MATCHING_ACCOUNTS + 1]
    )
    if len(account_ids) > MAX_MATCHING_ACCOUNTS:
        raise TooManyAccounts(f"more than {MAX_MATCHING_ACCOUNTS} accounts match {user!r}")
    return account_ids


def _unattributed(filters: AuditFilters) -> Q:
    """Entries no account wrote (sign-in attempts with an unknown name, the system) whose
    recorded name matches the user filter."""
    lookup = "iexact" if filters.user_exact else "icontains"
    return Q(actor_id__isnull=True, **{f"actor_label__{lookup}": filters.user.strip()})


def _common(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Every filter but the user, the actions and the id range."""
    queryset = AuditEntry.objects.all()
    if filters.record_type:
        queryset = queryset.filter(record_type=filters.record_type)
        if filters.record_id:
            queryset = queryset.filter(record_id=filters.record_id)
    if filters.record_text:
        queryset = queryset.filter(record_label__icontains=filters.record_text)
    if filters.date_from is not None or filters.date_to is not None:
        # The id range does the narrowing; occurred_at is compared through an expression no index
        # serves, or SQLite would read the whole date range off its index and sort it.
        queryset = queryset.alias(stamp=Coalesce("occurred_at", "occurred_at"))
        if filters.date_from is not None:
            queryset = queryset.filter(stamp__gte=local_day_start(filters.date_from))
        if filters.date_to is not None:
            queryset = queryset.filter(stamp__lt=local_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.request_id:
        queryset = queryset.filter(request_id=filters.request_id)
    return queryset


def _with_actions(queryset: QuerySet[AuditEntry], actions: frozenset[Action] | None) -> QuerySet[AuditEntry]:
    if actions is None:
        return queryset
    return queryset.filter(action__in=sorted(action.value for action in actions))


def _filtered(filters: AuditFilters, *, before_id: int | None) -> QuerySet[AuditEntry]:
    """All the filters as one query (for the export, which reads everything it matches)."""
    ids = _date_id_range(filters).narrowed(high=before_id)
    queryset = ids.apply(_with_actions(_common(filters), filters.actions()))
    if filters.user.strip():
        account_ids = audit_actor_accounts(user=filters.user, exact=filters.user_exact)
        queryset = queryset.filter(Q(actor_id__in=account_ids) | _unattributed(filters))
    return queryset


@dataclass(frozen=True)
class _Branch:
    """Part of the filtered entries that one index returns in id order: `prefix` are the index's
    leading columns, fixed to one value by the branch's filter."""

    queryset: QuerySet[AuditEntry]
    prefix: tuple[str, ...] = ()

    def newest_first(self, ids: _IdRange) -> QuerySet[AuditEntry]:
        # Ordering on the fixed leading columns too (a no-op on the result) makes the order the
        # index's own, so PostgreSQL reads it backwards and stops at the LIMIT rather than
        # walking the primary key past a million rows that fail a filter it misjudged.
        return ids.apply(self.queryset).order_by(*(f"-{column}" for column in self.prefix), "-id")

    def oldest_first(self, ids: _IdRange) -> QuerySet[AuditEntry]:
        return ids.apply(self.queryset).order_by(*self.prefix, "id")

    def exists(self, ids: _IdRange) -> bool:
        return ids.apply(self.queryset).exists()


def _branches(filters: AuditFilters) -> list[_Branch]:
    """The filtered entries as disjoint branches, each read straight off one index, so a page
    costs a few index probes however rare the matches are. The most selective indexed filter
    drives: one record, else the user (one branch per matching account and one for entries no
    account wrote), else the actions (one branch per action)."""
    common = _common(filters)
    actions = filters.actions()
    if filters.record_type and filters.record_id:
        return [_Branch(_with_actions(common, actions), ("record_type", "record_id"))]
    if filters.user.strip():
        account_ids = audit_actor_accounts(user=filters.user, exact=filters.user_exact)
        narrowed = _with_actions(common, actions)
        if len(account_ids) > MAX_BRANCHES:
            # Many accounts: their entries are common, so the newest are found near the top.
            return [_Branch(narrowed.filter(Q(actor_id__in=account_ids) | _unattributed(filters)))]
        return [_Branch(narrowed.filter(actor_id=pk), ("actor_id",)) for pk in account_ids] + [
            _Branch(narrowed.filter(_unattributed(filters)), ("actor_id",))
        ]
    if actions is not None and len(actions) <= MAX_BRANCHES:
        return [_Branch(common.filter(action=action.value), ("action",)) for action in sorted(actions)]
    return [_Branch(_with_actions(common, actions))]


def audit_entry_page(
    *, filters: AuditFilters, cursor: Cursor | None, page_size: int = PAGE_SIZE
) -> AuditPage:
    """One page of entries matching the filters, newest first (id DESC), from the cursor.
    Raises TooManyAccounts when the user filter is too vague to run (see audit_actor_accounts)."""
    branches = _branches(filters)
    dates = _date_id_range(filters)
    found: list[AuditEntry] = []
    if cursor is None or cursor.direction == "before":
        ids = dates if cursor is None else dates.narrowed(high=cursor.id)
        for branch in branches:
            found.extend(branch.newest_first(ids)[: page_size + 1])
        fetched = sorted(found, key=lambda entry: entry.id, reverse=True)[: page_size + 1]
        rows = fetched[:page_size]
        has_older = len(fetched) > page_size
        # Coming from a cursor, ask (indexed probes) whether anything is newer than this page.
        has_newer = (
            cursor is not None
            and bool(rows)
            and any(branch.exists(dates.narrowed(low=rows[0].id)) for branch in branches)
        )
    else:
        ids = dates.narrowed(low=cursor.id)
        for branch in branches:
            found.extend(branch.oldest_first(ids)[: page_size + 1])
        fetched = sorted(found, key=lambda entry: entry.id)[: page_size + 1]
        has_newer = len(fetched) > page_size
        rows = list(reversed(fetched[:page_size]))
        has_older = bool(rows) and any(branch.exists(dates.narrowed(high=rows[-1].id)) for branch in branches)
    return AuditPage(
        rows=[AuditRow(entry) for entry in rows],
        older=Cursor("before", rows[-1].id) if rows and has_older else None,
        newer=Cursor("after", rows[0].id) if rows and has_newer else None,
    )


def audit_entry_get(*, entry_id: int) -> AuditRow:
    """One entry; Http404 if there is none with that id."""
    return AuditRow(get_object_or_404(AuditEntry, pk=entry_id))


def audit_entry_neighbours(*, entry_id: int) -> tuple[int | None, int | None]:
    """The ids of the entries just before and just after one (two probes of the primary key)."""
    entries = AuditEntry.objects.values_list("id", flat=True)
    return (
        entries.filter(id__lt=entry_id).order_by("-id").first(),
        entries.filter(id__gt=entry_id).order_by("id").first(),
    )


def audit_entries_for_export(filters: AuditFilters, *, before_id: int | None = None) -> Iterator[AuditRow]:
    """Every entry matching the filters, oldest first, read in chunks (constant memory).
    `before_id` ends the export before an entry (the export's own, written before it starts).
    Raises TooManyAccounts, as the list does, here rather than once the file is under way."""
    queryset = _filtered(filters, before_id=before_id)
    return (AuditRow(entry) for entry in queryset.order_by("id").iterator(chunk_size=EXPORT_CHUNK))
