"""Reads for clerical review and the person page: the queue of links awaiting a reviewer, one
review item (the subject as recorded beside each candidate, field by field), and which
allegations are linked to, or may be about, a person.

Need-to-know is the caller's: every function takes the filters from accounts.access. A candidate
the user may not see is returned without a person (never named, never compared)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from django.db.models import Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from vigil.allegations.models import Allegation, Category, Source
from vigil.linkage.models import (
    LINKED_STATUSES,
    AllegationLink,
    LinkCandidate,
    LinkStatus,
    RejectedPair,
)
from vigil.people.models import NameKind, Person

PAGE_SIZE = 50
# A link with no probability sorts after every probability in the queue.
_NO_PROBABILITY = -1.0
# Identity fields a review may compare (never sex or ethnicity: they are not identity evidence).
_PERSON_FIELDS = (
    "id",
    "force",
    "staff_id",
    "surname",
    "forenames",
    "date_of_birth",
    "date_of_birth_precision",
    "rank_or_grade",
    "command",
    "joined_on",
    "left_on",
)


# ---- the queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCursor:
    """A position in the queue: the sort key of a row, and which side of it to read. The queue is
    ordered by category severity (most severe first), match probability (highest first), then
    received date and id (oldest first)."""

    direction: Literal["before", "after"]  # before: further down the queue; after: back up it
    severity: int
    probability: float
    received_on: dt.date
    id: int

    @property
    def token(self) -> str:
        return f"{self.severity}_{self.probability!r}_{self.received_on.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, direction: Literal["before", "after"], token: str) -> QueueCursor:
        try:
            severity, probability, day, number = token.split("_")
            return cls(direction, int(severity), float(probability), dt.date.fromisoformat(day), int(number))
        except ValueError:
            raise ValueError(f"not a queue position: {token!r}") from None


@dataclass(frozen=True)
class QueueFilters:
    category: Category | None = None
    source: Source | None = None

    @property
    def active(self) -> bool:
        return self.category is not None or self.source is not None


@dataclass(frozen=True)
class QueueRow:
    allegation: Allegation
    link: AllegationLink
    # The proposed best candidate, only if the user may see them (otherwise None and hidden=True).
    candidate: Person | None
    candidate_hidden: bool
    candidates: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    # Named as the shared pager (_pager.html) expects: `older` leads further down the queue.
    older: QueueCursor | None
    newer: QueueCursor | None


# (field, descending) in queue order.
_QUEUE_ORDER: tuple[tuple[str, bool], ...] = (
    ("severity", True),
    ("probability", True),
    ("received_on", False),
    ("id", False),
)


def _beyond(cursor: QueueCursor, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the cursor's row in queue order."""
    values: dict[str, Any] = {
        "severity": cursor.severity,
        "probability": cursor.probability,
        "received_on": cursor.received_on,
        "id": cursor.id,
    }
    condition = Q(pk__in=[])
    equal = Q()
    for name, descending in _QUEUE_ORDER:
        further = "lt" if descending == forward else "gt"
        condition |= equal & Q(**{f"{name}__{further}": values[name]})
        equal &= Q(**{name: values[name]})
    return condition


def _queue_order(*, forward: bool) -> list[str]:
    return [("-" if descending == forward else "") + name for name, descending in _QUEUE_ORDER]


def _awaiting_review(filters: QueueFilters, visible: Q) -> QuerySet[Allegation]:
    queryset = Allegation.objects.filter(visible, link__status=LinkStatus.NEEDS_REVIEW)
    if filters.category is not None:
        queryset = queryset.filter(category=filters.category)
    if filters.source is not None:
        queryset = queryset.filter(source_system=filters.source)
    return queryset.annotate(
        severity=F("category__severity"),
        probability=Coalesce(F("link__match_probability"), Value(_NO_PROBABILITY), output_field=FloatField()),
    )


def _cursor_of(allegation: Any, direction: Literal["before", "after"]) -> QueueCursor:
    return QueueCursor(
        direction, allegation.severity, allegation.probability, allegation.received_on, allegation.id
    )


def review_queue(
    *,
    visible: Q,
    people_visible: Q,
    filters: QueueFilters | None = None,
    cursor: QueueCursor | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the allegations awaiting review that the user may see (`visible`, from
    accounts.access), most severe first, then most probable, then oldest; the best candidate is
    shown only if the user may see them (`people_visible`)."""
    base = _awaiting_review(filters or QueueFilters(), visible)
    shown = base.select_related("category", "source_system", "link", "link__person").annotate(
        candidates=Coalesce(
            Subquery(
                LinkCandidate.objects.filter(allegation_id=OuterRef("pk"))
                .order_by()
                .values("allegation_id")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            Value(0),
        )
    )
    forward = cursor is None or cursor.direction == "before"
    if forward:
        narrowed = shown if cursor is None else shown.filter(_beyond(cursor, forward=True))
        fetched = list(narrowed.order_by(*_queue_order(forward=True))[: page_size + 1])
        rows = fetched[:page_size]
        has_more = len(fetched) > page_size
        has_less = (
            cursor is not None
            and bool(rows)
            and base.filter(_beyond(_cursor_of(rows[0], "after"), forward=False)).exists()
        )
    else:
        assert cursor is not None
        fetched = list(
            shown.filter(_beyond(cursor, forward=False)).order_by(*_queue_order(forward=False))[
                : page_size + 1
            ]
        )
        has_less = len(fetched) > page_size
        rows = list(reversed(fetched[:page_size]))
        has_more = bool(rows) and base.filter(_beyond(_cursor_of(rows[-1], "before"), forward=True)).exists()
    candidate_ids = {row.link.person_id for row in rows if row.link.person_id is not None}
    seen = set(Person.objects.filter(people_visible, pk__in=candidate_ids).values_list("pk", flat=True))
    return QueuePage(
        rows=[
            QueueRow(
                allegation=row,
                link=row.link,
                candidate=row.link.person if row.link.person_id in seen else None,
                candidate_hidden=row.link.person_id is not None and row.link.person_id not in seen,
                candidates=max(row.candidates, 1 if row.link.person_id else 0),
            )
            for row in rows
        ],
        older=_cursor_of(rows[-1], "before") if rows and has_more else None,
        newer=_cursor_of(rows[0], "after") if rows and has_less else None,
    )


# ---- comparing the subject as recorded with a person --------------------------------------------


class Verdict(StrEnum):
    AGREES = "agrees"
    DISAGREES = "disagrees"
    NOT_RECORDED = "not_recorded"

    @property
    def label(self) -> str:
        return {"agrees": "Agrees", "disagrees": "Disagrees", "not_recorded": "Not recorded"}[self.value]


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    recorded: str  # the allegation's value, as recorded ("" when not recorded)
    theirs: list[str]  # the person's value(s) on the register, history included
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True)
class EvidenceRow:
    """One comparison the model made (the link's or candidate's `evidence` JSON)."""

    field: str
    label: str
    verdict: Verdict
    weight: float | None


# Rank words as allegations record them, to the rank as the register names it.
RANKS = {
    "pc": "constable",
    "constable": "constable",
    "dc": "detective constable",
    "ps": "sergeant",
    "sgt": "sergeant",
    "sergeant": "sergeant",
    "ds": "detective sergeant",
    "insp": "inspector",
    "inspector": "inspector",
    "di": "detective inspector",
    "ci": "chief inspector",
    "dci": "detective chief inspector",
    "supt": "superintendent",
    "superintendent": "superintendent",
    "pcso": "police community support officer",
    "sc": "special constable",
}
_WORD = re.compile(r"[^\w'-]+")


def _words(text: str) -> list[str]:
    return [word.strip("'-") for word in _WORD.split(text.casefold()) if word.strip("'-")]


@dataclass(frozen=True)
class NameForm:
    rank: str  # a rank word found before the name ("pc"), "" if none
    forenames: list[str]
    surname: str


def _rank_stripped(words: list[str]) -> tuple[str, list[str]]:
    """Leading rank words ("det", "sgt") off a name, keeping at least one word."""
    rank = []
    while len(words) > 1 and words[0] in RANKS:
        rank.append(words.pop(0))
    return " ".join(rank), words


def name_form(text: str) -> NameForm:
    """A recorded name in its parts: "SMITH, Dave", "PC Smith", "D. Smith", "Dave Smith-Jones"."""
    if "," in text:
        head, _, tail = text.partition(",")
        rank, surname_words = _rank_stripped(_words(head))
        given = _words(tail)
        ranks_given = [word for word in given if word in RANKS]
        return NameForm(
            rank=rank or " ".join(ranks_given),
            forenames=[word for word in given if word not in RANKS],
            surname=" ".join(surname_words),
        )
    rank, words = _rank_stripped(_words(text))
    return NameForm(rank=rank, forenames=words[:-1], surname=words[-1] if words else "")


def _surnames_agree(recorded: str, theirs: str) -> bool:
    if not recorded or not theirs:
        return False
    if recorded == theirs or recorded.replace("-", " ") == theirs.replace("-", " "):
        return True
    # One half of a double-barrelled surname.
    return bool(set(re.split(r"[- ]", recorded)) & set(re.split(r"[- ]", theirs)))


def _forenames_agree(recorded: str, theirs: str) -> bool:
    """Same name, an initial of it, a short form of it (Dave/David, Chris/Christopher)."""
    if len(recorded) == 1 or len(theirs) == 1:
        return recorded[0] == theirs[0]
    return recorded.startswith(theirs) or theirs.startswith(recorded) or recorded[:3] == theirs[:3]


# How a comparison note names each kind of name ("agrees with the alias Davey Smyth").
_NAME_NOUNS: dict[str, str] = {
    NameKind.LEGAL: "legal name",
    NameKind.FORMER: "former name",
    NameKind.ALIAS: "alias",
}


def _compare_names(recorded: str, names: list[tuple[str, str, str]]) -> FieldComparison:
    """names: (kind of name, forenames, surname) for every name the person is or was known by."""
    shown = [f"{forenames} {surname} ({kind})" for kind, forenames, surname in names]
    form = name_form(recorded)
    if not form.surname:
        return FieldComparison("name", "Name", recorded, shown, Verdict.NOT_RECORDED)
    best: tuple[int, str] = (0, "")
    for kind, forenames, surname in names:
        if not _surnames_agree(form.surname, " ".join(_words(surname))):
            continue
        their_forenames = _words(forenames)
        if not form.forenames:
            score, note = (
                2,
                f"surname agrees with the {kind} {forenames} {surname}; no forename recorded",
            )
        elif their_forenames and _forenames_agree(form.forenames[0], their_forenames[0]):
            score, note = 3, f"agrees with the {kind} {forenames} {surname}"
        else:
            score, note = 1, f"surname agrees with the {kind} {forenames} {surname}, forename differs"
        if score > best[0]:
            best = (score, note)
    if best[0] >= 2:
        return FieldComparison("name", "Name", recorded, shown, Verdict.AGREES, best[1])
    return FieldComparison(
        "name", "Name", recorded, shown, Verdict.DISAGREES, best[1] or "no name of theirs has this surname"
    )


def _one_digit_apart(first: str, second: str) -> bool:
    return len(first) == len(second) and sum(a != b for a, b in zip(first, second, strict=True)) == 1


def _compare_staff_id(recorded: str, person: Person) -> FieldComparison:
    former = [number.staff_id for number in person.former_staff_numbers.all()]
    theirs = [person.staff_id, *(f"{staff_id} (former)" for staff_id in former)]
    recorded = recorded.strip()
    if not recorded:
        return FieldComparison("staff_id", "Staff ID", "", theirs, Verdict.NOT_RECORDED)
    if recorded.casefold() == person.staff_id.casefold():
        return FieldComparison("staff_id", "Staff ID", recorded, theirs, Verdict.AGREES)
    if recorded.casefold() in (staff_id.casefold() for staff_id in former):
        return FieldComparison("staff_id", "Staff ID", recorded, theirs, Verdict.AGREES, "a former staff ID")
    near = [staff_id for staff_id in [person.staff_id, *former] if _one_digit_apart(recorded, staff_id)]
    note = f"one character different from {near[0]} (a typing error?)" if near else ""
    return FieldComparison("staff_id", "Staff ID", recorded, theirs, Verdict.DISAGREES, note)


def _compare_one_of(
    name: str,
    label: str,
    recorded: str,
    theirs: list[str],
    *,
    normalise: Any = str.casefold,
    note_if_old: str = "",
) -> FieldComparison:
    recorded = recorded.strip()
    distinct = list(dict.fromkeys(value for value in theirs if value))
    if not recorded:
        return FieldComparison(name, label, "", distinct, Verdict.NOT_RECORDED)
    if not distinct:
        return FieldComparison(name, label, recorded, [], Verdict.NOT_RECORDED, "none on the register")
    wanted = normalise(recorded)
    for position, value in enumerate(distinct):
        if normalise(value) == wanted:
            note = note_if_old if position > 0 and note_if_old else ""
            return FieldComparison(name, label, recorded, distinct, Verdict.AGREES, note)
    return FieldComparison(name, label, recorded, distinct, Verdict.DISAGREES)


def _rank(text: str) -> str:
    words = " ".join(_words(text))
    return RANKS.get(words, words)


def _shoulder(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _date_text(day: dt.date | None, precision: str) -> str:
    if day is None:
        return ""
    return {"Y": f"{day:%Y}", "M": f"{day:%Y-%m}"}.get(precision, day.isoformat())


def _compare_dob(allegation: Allegation, person: Person) -> FieldComparison:
    recorded = _date_text(allegation.subject_dob, allegation.subject_dob_precision)
    theirs = _date_text(person.date_of_birth, person.date_of_birth_precision)
    if not recorded:
        return FieldComparison("dob", "Date of birth", "", [theirs] if theirs else [], Verdict.NOT_RECORDED)
    if not theirs:
        return FieldComparison(
            "dob", "Date of birth", recorded, [], Verdict.NOT_RECORDED, "none on the register"
        )
    # Compare only as far as both are known (a year of birth against a full date: the year).
    known = min(len(recorded), len(theirs))
    agrees = recorded[:known] == theirs[:known]
    note = "compared to the year" if known == 4 else "compared to the month" if known == 7 else ""
    return FieldComparison(
        "dob", "Date of birth", recorded, [theirs], Verdict.AGREES if agrees else Verdict.DISAGREES, note
    )


def compare(allegation: Allegation, person: Person) -> list[FieldComparison]:
    """The subject as recorded against the person's register entry and history, field by field.
    `person` must have names, shoulder_numbers, role_history and former_staff_numbers prefetched."""
    names = [(_NAME_NOUNS[NameKind.LEGAL], person.forenames, person.surname)]
    for name in person.names.all():
        if name.kind == NameKind.LEGAL and (name.forenames, name.surname) == (
            person.forenames,
            person.surname,
        ):
            continue
        if name.surname:
            forenames, surname = name.forenames, name.surname
        else:
            form = name_form(name.full_name)
            forenames, surname = " ".join(form.forenames).title(), form.surname.title()
        names.append((_NAME_NOUNS.get(name.kind, "name"), forenames, surname))
    roles = list(person.role_history.all())
    # The rank a name carries ("PC Smith") stands in when no rank was recorded.
    recorded_rank = allegation.subject_rank or name_form(allegation.subject_name).rank.title()
    rank = _compare_one_of(
        "rank",
        "Rank",
        recorded_rank,
        [person.rank_or_grade, *(role.rank_or_grade for role in roles)],
        normalise=_rank,
        note_if_old="a rank they held before",
    )
    if rank.recorded and not allegation.subject_rank:
        rank = FieldComparison(
            rank.field, rank.label, rank.recorded, rank.theirs, rank.verdict, "from the name"
        )
    former_forces = [number.force for number in person.former_staff_numbers.all()]
    return [
        _compare_names(allegation.subject_name, names),
        _compare_staff_id(allegation.subject_staff_id, person),
        _compare_one_of(
            "shoulder_number",
            "Shoulder number",
            allegation.subject_shoulder_number,
            [
                number.number
                for number in sorted(person.shoulder_numbers.all(), key=lambda n: not n.is_current)
            ],
            normalise=_shoulder,
            note_if_old="a number they wore before",
        ),
        rank,
        _compare_one_of(
            "command",
            "Command",
            allegation.subject_command,
            [person.command, *(role.command for role in roles)],
            note_if_old="a command they served in before",
        ),
        _compare_dob(allegation, person),
        _compare_one_of(
            "force",
            "Force",
            allegation.subject_force,
            [person.force, *former_forces],
            note_if_old="a force they served in before",
        ),
    ]


def evidence_rows(evidence: Iterable[Any]) -> list[EvidenceRow]:
    """The model's evidence JSON as rows; malformed entries are skipped, not fatal."""
    rows = []
    for entry in evidence or []:
        if not isinstance(entry, dict):
            continue
        agrees = entry.get("agrees")
        verdict = (
            Verdict.AGREES
            if agrees is True
            else Verdict.DISAGREES
            if agrees is False
            else Verdict.NOT_RECORDED
        )
        weight = entry.get("weight")
        rows.append(
            EvidenceRow(
                field=str(entry.get("field", "")),
                label=str(entry.get("label") or entry.get("field") or ""),
                verdict=verdict,
                weight=float(weight) if isinstance(weight, int | float) else None,
            )
        )
    return rows


# ---- one review item -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateView:
    rank: int | None  # the model's rank; None for a person linked outside the candidate list
    person: Person | None  # None when the user may not see them: never named
    match_probability: float | None
    match_weight: float | None
    evidence: list[EvidenceRow] = field(default_factory=list)
    comparisons: list[FieldComparison] = field(default_factory=list)
    is_linked_person: bool = False  # the link's person (the best candidate, or the linked person)
    rejected: bool = False  # a reviewer already said it is not them

    @property
    def hidden(self) -> bool:
        return self.person is None

    @property
    def agreeing(self) -> int:
        return sum(1 for comparison in self.comparisons if comparison.verdict is Verdict.AGREES)

    @property
    def disagreeing(self) -> int:
        return sum(1 for comparison in self.comparisons if comparison.verdict is Verdict.DISAGREES)


@dataclass(frozen=True)
class ReviewItem:
    allegation: Allegation
    link: AllegationLink | None
    candidates: list[CandidateView]

    @property
    def hidden_candidates(self) -> int:
        return sum(1 for candidate in self.candidates if candidate.hidden)

    @property
    def visible_person_ids(self) -> list[int]:
        return [candidate.person.pk for candidate in self.candidates if candidate.person is not None]


def people_for_comparison(person_ids: Iterable[int]) -> dict[int, Person]:
    """People with the history `compare` needs, by id (one query per relation)."""
    return {
        person.pk: person
        for person in Person.objects.filter(pk__in=list(person_ids))
        .only(*_PERSON_FIELDS)
        .prefetch_related("names", "shoulder_numbers", "role_history", "former_staff_numbers")
    }


def review_item(*, allegation_id: int, people_visible: Q) -> ReviewItem:
    """The allegation with its link and every candidate, best first, each compared with the
    subject as recorded; a candidate the user may not see (`people_visible`) comes without a
    person, probability or comparison. Http404 if there is no such allegation. Need-to-know on
    the allegation itself is the caller's (accounts.access.access_allegation_by_id)."""
    allegation = get_object_or_404(
        Allegation.objects.select_related("category", "source_system", "outcome"), pk=allegation_id
    )
    link = AllegationLink.objects.select_related("decided_by").filter(allegation=allegation).first()
    proposed = list(LinkCandidate.objects.filter(allegation=allegation).order_by("rank"))
    listed: list[tuple[int | None, int, LinkCandidate | None]] = [
        (candidate.rank, candidate.person_id, candidate) for candidate in proposed
    ]
    if (
        link is not None
        and link.person_id is not None
        and link.person_id not in {c.person_id for c in proposed}
    ):
        listed.insert(0, (None, link.person_id, None))
    person_ids = [person_id for _, person_id, _ in listed]
    visible = set(Person.objects.filter(people_visible, pk__in=person_ids).values_list("pk", flat=True))
    people = people_for_comparison(visible)
    rejected = set(RejectedPair.objects.filter(allegation=allegation).values_list("person_id", flat=True))
    candidates = []
    for rank, person_id, candidate in listed:
        is_linked = link is not None and link.person_id == person_id
        person = people.get(person_id)
        if person is None:
            candidates.append(CandidateView(rank, None, None, None, is_linked_person=is_linked))
            continue
        evidence = candidate.evidence if candidate is not None else []
        if is_linked and link is not None and not evidence:
            evidence = link.evidence
        candidates.append(
            CandidateView(
                rank=rank,
                person=person,
                match_probability=candidate.match_probability
                if candidate is not None
                else link.match_probability
                if link is not None
                else None,
                match_weight=candidate.match_weight if candidate is not None else None,
                evidence=evidence_rows(evidence),
                comparisons=compare(allegation, person),
                is_linked_person=is_linked,
                rejected=person_id in rejected,
            )
        )
    return ReviewItem(allegation=allegation, link=link, candidates=candidates)


def candidate_person_ids(*, allegation_id: int) -> set[int]:
    """Everyone a review of this allegation shows: the model's candidates and the link's person."""
    found = set(LinkCandidate.objects.filter(allegation_id=allegation_id).values_list("person_id", flat=True))
    linked = AllegationLink.objects.filter(allegation_id=allegation_id, person__isnull=False)
    found.update(linked.values_list("person_id", flat=True))
    return found


# ---- a person's linked and possible allegations --------------------------------------------------


def linked_allegations_q(person: Person) -> Q:
    """A filter for Allegation querysets: allegations linked to this person (auto or confirmed)."""
    return Q(
        pk__in=AllegationLink.objects.filter(person=person, status__in=LINKED_STATUSES).values(
            "allegation_id"
        )
    )


@dataclass(frozen=True)
class PossibleAllegation:
    allegation: Allegation
    match_probability: float | None  # for this person
    rank: int | None  # this person's place among the candidates
    is_best: bool  # this person is the proposed best candidate


def possible_allegations(*, person: Person, visible: Q) -> list[PossibleAllegation]:
    """Allegations awaiting review that may be about this person (the proposed best candidate,
    or among the candidates), which the user may see (`visible`); newest first. One query."""
    as_candidate = LinkCandidate.objects.filter(person=person, allegation_id=OuterRef("pk"))
    rows = (
        Allegation.objects.filter(visible, link__status=LinkStatus.NEEDS_REVIEW)
        .filter(
            Q(link__person=person)
            | Q(pk__in=LinkCandidate.objects.filter(person=person).values("allegation_id"))
        )
        .annotate(
            candidate_probability=Subquery(as_candidate.values("match_probability")[:1]),
            candidate_rank=Subquery(as_candidate.values("rank")[:1]),
        )
        .select_related("category", "source_system", "outcome", "link")
        .order_by("-received_on", "-id")
    )
    found = []
    for row in rows:
        is_best = row.link.person_id == person.pk
        probability = row.candidate_probability
        if probability is None and is_best:
            probability = row.link.match_probability
        found.append(PossibleAllegation(row, probability, row.candidate_rank, is_best))
    return found
