"""Reads for oversight: disproportionality at each decision stage, by the subject's group.

An allegation counts once it is attributed to a person (linked automatically or confirmed); the
person's recorded ethnicity, sex and employment type, and the allegation's domain, place it in a
group. Each stage's rate is conditional on the stage before (of those investigated, how many
reached a case to answer), so a difference is seen at the decision that made it. Protected
characteristics are read here, to measure, and nowhere in the risk score."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from vigil.allegations.vocabularies import DOMAINS, OTHER, SEXUAL
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.oversight.stats import Rate, RelativeRate, rate, relative_rate
from vigil.people.vocabularies import EMPLOYMENT_TYPES, ETHNIC_GROUPS, SEXES

NOT_RECORDED = ""


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    outcomes: frozenset[str] | None  # the outcome codes that reached it; None: every allegation


# Outcome codes (allegations.vocabularies.OUTCOMES) that reached each stage. Closed without an
# investigation: open, no further action, complainant withdrew. A case to answer includes a
# criminal charge (an acquittal was charged). Proven misconduct always carries a sanction under
# reg 42, so the last stage measured apart is dismissal.
_CASE_TO_ANSWER = frozenset(
    {
        "case_to_answer_misconduct",
        "case_to_answer_gross_misconduct",
        "misconduct_proven",
        "dismissed",
        "charged",
        "convicted",
        "acquitted",
    }
)
_PROVEN = frozenset({"misconduct_proven", "dismissed", "convicted"})
_INVESTIGATED = _CASE_TO_ANSWER | {"no_case_to_answer", "management_action", "reflective_practice"}
_CLOSED_WITHOUT_DECISION = frozenset({"open"})

ALLEGATION_STAGES: tuple[Stage, ...] = (
    Stage("received", "Allegation received", None),
    Stage("investigated", "Investigated", _INVESTIGATED),
    Stage("case_to_answer", "Case to answer", _CASE_TO_ANSWER),
    Stage("proven", "Proven (sanction)", _PROVEN),
    Stage("dismissed", "Dismissal", frozenset({"dismissed"})),
)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    field: str  # on AllegationLink
    groups: tuple[tuple[str, str], ...]
    reference: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "ethnicity",
        "Ethnicity",
        "person__ethnicity",
        (*ETHNIC_GROUPS, (NOT_RECORDED, "Not recorded")),
        reference="White",
    ),
    Dimension("sex", "Sex", "person__sex", (*SEXES.choices(), (NOT_RECORDED, "Not recorded")), "M"),
    Dimension(
        "employment_type",
        "Employment type",
        "person__employment_type",
        (*EMPLOYMENT_TYPES.choices(), (NOT_RECORDED, "Not recorded")),
        reference="officer",
    ),
    Dimension("domain", "Allegation domain", "allegation__category__domain", DOMAINS, reference=OTHER),
)


@dataclass(frozen=True)
class Cell:
    """One group at one stage: its rate (of those at the stage before) and, but for the reference
    group, its rate relative to the reference group's at the same stage."""

    rate: Rate
    relative: RelativeRate | None


@dataclass(frozen=True)
class GroupRow:
    code: str
    label: str
    is_reference: bool
    received: int
    cells: tuple[Cell, ...]  # one per stage after the first

    @property
    def marked(self) -> bool:
        return any(cell.relative is not None and cell.relative.marked for cell in self.cells)


@dataclass(frozen=True)
class StageTable:
    dimension: Dimension
    stages: tuple[Stage, ...]
    rows: tuple[GroupRow, ...]


def _counts(
    groups: Mapping[str, Mapping[str | None, int]], stages: tuple[Stage, ...]
) -> dict[str, list[int]]:
    """group -> the number of allegations at each stage."""
    result = {}
    for group, by_outcome in groups.items():
        result[group] = [
            sum(n for outcome, n in by_outcome.items() if stage.outcomes is None or outcome in stage.outcomes)
            for stage in stages
        ]
    return result


def stage_table(
    dimension: Dimension, groups: Mapping[str, Mapping[str | None, int]], stages: tuple[Stage, ...]
) -> StageTable:
    """The table for one dimension, from group -> outcome -> allegations."""
    counts = _counts(groups, stages)
    empty = [0] * len(stages)
    reference = counts.get(dimension.reference, empty)
    rows = []
    for code, label in dimension.groups:
        numbers = counts.get(code, empty)
        if not numbers[0] and code != dimension.reference:
            continue  # a group nobody is in adds a row of blanks
        cells = []
        for index in range(1, len(stages)):
            group_rate = rate(numbers[index], numbers[index - 1])
            is_reference = code == dimension.reference
            relative = None
            if not is_reference:
                relative = relative_rate(group_rate, rate(reference[index], reference[index - 1]))
            cells.append(Cell(group_rate, relative))
        rows.append(GroupRow(code, label, code == dimension.reference, numbers[0], tuple(cells)))
    return StageTable(dimension, stages, tuple(rows))


def _grouped(fields: Iterable[str]) -> list[dict[str, Any]]:
    return list(
        AllegationLink.objects.filter(status__in=LINKED_STATUSES, person__isnull=False)
        .values(*fields, "allegation__outcome_id")
        .annotate(allegations=Count("pk"))
        .order_by()
    )


def allegation_stage_tables() -> list[StageTable]:
    """Disproportionality from allegation to dismissal, by each dimension: one grouped query."""
    rows = _grouped(dimension.field for dimension in DIMENSIONS)
    tables = []
    for dimension in DIMENSIONS:
        groups: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            group = str(row[dimension.field] or NOT_RECORDED)
            groups[group][row["allegation__outcome_id"]] += int(row["allegations"])
        tables.append(stage_table(dimension, groups, ALLEGATION_STAGES))
    return tables


@dataclass(frozen=True)
class SexualCaseToAnswerCheck:
    """Of the decided allegations (any outcome but open), how often sexual-misconduct ones reach
    a case to answer, against all the others."""

    sexual: Rate
    others: Rate
    relative: RelativeRate


def sexual_case_to_answer_check() -> SexualCaseToAnswerCheck:
    counts = {SEXUAL: [0, 0], "others": [0, 0]}  # [decided, case to answer]
    for row in _grouped(["allegation__category__domain"]):
        outcome = row["allegation__outcome_id"]
        if outcome is None or outcome in _CLOSED_WITHOUT_DECISION:
            continue
        side = counts[SEXUAL if row["allegation__category__domain"] == SEXUAL else "others"]
        side[0] += int(row["allegations"])
        if outcome in _CASE_TO_ANSWER:
            side[1] += int(row["allegations"])
    sexual = rate(counts[SEXUAL][1], counts[SEXUAL][0])
    others = rate(counts["others"][1], counts["others"][0])
    return SexualCaseToAnswerCheck(sexual, others, relative_rate(sexual, others))
