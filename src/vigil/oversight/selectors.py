"""Reads for oversight: disproportionality at each decision stage, by the subject's group.

An allegation counts once it is attributed to a person (linked automatically or confirmed); the
person's recorded ethnicity, sex and employment type, and the allegation's domain, place it in a
group. Each stage's rate is conditional on the stage before (of those investigated, how many
reached a case to answer), so a difference is seen at the decision that made it. Protected
characteristics are read here, to measure, and nowhere in the risk score."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db.models import Count, Value
from django.db.models.functions import Coalesce

from vigil.allegations.vocabularies import DOMAINS, OTHER, SEXUAL
from vigil.intake.models import REFERRAL_ROUTES, HotlineReport
from vigil.intake.selectors import latest_triage_decisions, report_subject_id
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.oversight.models import CountedFigures
from vigil.oversight.progress import Progress, progress
from vigil.oversight.stats import Rate, RelativeRate, rate, relative_rate
from vigil.people.models import Person
from vigil.people.vocabularies import EMPLOYMENT_TYPES, ETHNIC_GROUPS, SEXES
from vigil.reviews.models import PersonReview, Route
from vigil.risk.models import RiskBand

NOT_RECORDED = ""
COUNTED_FIGURES_ID = 1  # CountedFigures has one row


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

    @property
    def person_field(self) -> str | None:
        """The field on Person, for the person-level figures; None for the allegation's domain."""
        return self.field.removeprefix("person__") if self.field.startswith("person__") else None


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

    @property
    def columns(self) -> list[str]:
        """One per cell: the stage, of the stage before."""
        return [f"{stage.label} (of {before.label.lower()})" for before, stage in pairwise(self.stages)]


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


GroupRows = list[dict[str, Any]]


def _grouped(fields: Iterable[str]) -> GroupRows:
    return list(
        AllegationLink.objects.filter(status__in=LINKED_STATUSES, person__isnull=False)
        .values(*fields, "allegation__outcome_id")
        .annotate(allegations=Count("pk"))
        .order_by()
    )


def _stage_tables(rows: GroupRows) -> list[StageTable]:
    tables = []
    for dimension in DIMENSIONS:
        groups: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            group = str(row[dimension.field] or NOT_RECORDED)
            groups[group][row["allegation__outcome_id"]] += int(row["allegations"])
        tables.append(stage_table(dimension, groups, ALLEGATION_STAGES))
    return tables


def allegation_groups() -> GroupRows:
    """Every attributed allegation counted by the subject's groups, its domain and its outcome:
    one grouped query over the links, the heaviest read of the dashboard (CountedFigures keeps
    its rows)."""
    return _grouped(dimension.field for dimension in DIMENSIONS)


def allegation_stage_tables(groups: GroupRows | None = None) -> list[StageTable]:
    """Disproportionality from allegation to dismissal, by each dimension (from `groups`, the
    rows of allegation_groups(), or counted now)."""
    return _stage_tables(allegation_groups() if groups is None else groups)


@dataclass(frozen=True)
class SexualCaseToAnswerCheck:
    """Of the decided allegations (any outcome but open), how often sexual-misconduct ones reach
    a case to answer, against all the others."""

    sexual: Rate
    others: Rate
    relative: RelativeRate


_DOMAIN_FIELD = "allegation__category__domain"


def _sexual_check(rows: GroupRows) -> SexualCaseToAnswerCheck:
    counts = {SEXUAL: [0, 0], "others": [0, 0]}  # [decided, case to answer]
    for row in rows:
        outcome = row["allegation__outcome_id"]
        if outcome is None or outcome in _CLOSED_WITHOUT_DECISION:
            continue
        side = counts[SEXUAL if row[_DOMAIN_FIELD] == SEXUAL else "others"]
        side[0] += int(row["allegations"])
        if outcome in _CASE_TO_ANSWER:
            side[1] += int(row["allegations"])
    sexual = rate(counts[SEXUAL][1], counts[SEXUAL][0])
    others = rate(counts["others"][1], counts["others"][0])
    return SexualCaseToAnswerCheck(sexual, others, relative_rate(sexual, others))


def sexual_case_to_answer_check() -> SexualCaseToAnswerCheck:
    return _sexual_check(_grouped([_DOMAIN_FIELD]))


@dataclass(frozen=True)
class AllegationFigures:
    stages: list[StageTable]
    sexual_case_to_answer: SexualCaseToAnswerCheck


def allegation_figures(groups: GroupRows | None = None) -> AllegationFigures:
    """The stage tables and the sexual-misconduct check, from the same rows."""
    rows = allegation_groups() if groups is None else groups
    return AllegationFigures(_stage_tables(rows), _sexual_check(rows))


# ---- shares: one group's people or decisions spread over categories -------------------------------


@dataclass(frozen=True)
class ShareTable:
    """For each group, the share of its total in each category (with the interval), and that
    share relative to the reference group's share of the same category."""

    dimension: Dimension
    title: str
    categories: tuple[tuple[str, str], ...]
    rows: tuple[GroupRow, ...]  # GroupRow.received: the group's total; cells: one per category

    @property
    def columns(self) -> list[str]:
        return [label for _code, label in self.categories]


def share_table(
    dimension: Dimension,
    title: str,
    groups: Mapping[str, Mapping[str, int]],
    categories: tuple[tuple[str, str], ...],
) -> ShareTable:
    """The table for one dimension, from group -> category -> count."""
    totals = {group: sum(by_category.values()) for group, by_category in groups.items()}
    reference = groups.get(dimension.reference, {})
    reference_total = totals.get(dimension.reference, 0)
    rows = []
    for code, label in dimension.groups:
        by_category = groups.get(code, {})
        total = totals.get(code, 0)
        if not total and code != dimension.reference:
            continue
        is_reference = code == dimension.reference
        cells = []
        for category, _label in categories:
            share = rate(by_category.get(category, 0), total)
            relative = None
            if not is_reference:
                relative = relative_rate(share, rate(reference.get(category, 0), reference_total))
            cells.append(Cell(share, relative))
        rows.append(GroupRow(code, label, is_reference, total, tuple(cells)))
    return ShareTable(dimension, title, categories, tuple(rows))


PERSON_DIMENSIONS: tuple[Dimension, ...] = tuple(d for d in DIMENSIONS if d.person_field)
NOT_SCORED = "not_scored"
BANDS: tuple[tuple[str, str], ...] = (*RiskBand.choices, (NOT_SCORED, "Not scored"))


def _by_group(rows: Iterable[Mapping[str, Any]], field: str, category_key: str) -> dict[str, dict[str, int]]:
    """group (the row's `field`) -> category -> count, from grouped rows counted in "n"."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        groups[str(row[field] or NOT_RECORDED)][str(row[category_key])] += int(row["n"])
    return groups


def risk_band_groups() -> GroupRows:
    """The serving workforce counted by group and risk band (CountedFigures keeps its rows)."""
    fields = [d.person_field for d in PERSON_DIMENSIONS if d.person_field]
    return list(
        Person.objects.filter(left_on__isnull=True)
        .annotate(band=Coalesce("risk_score__band", Value(NOT_SCORED)))
        .values(*fields, "band")
        .annotate(n=Count("pk"))
        .order_by()
    )


def risk_band_tables(groups: GroupRows | None = None) -> list[ShareTable]:
    """Risk-score fairness: the serving workforce of each group, by risk band (people with no
    attributed allegation have no score: "not scored"). A score drifting towards a group shows
    as a share of high bands above the reference group's."""
    rows = risk_band_groups() if groups is None else groups
    return [
        share_table(d, "Serving people by risk band", _by_group(rows, str(d.person_field), "band"), BANDS)
        for d in PERSON_DIMENSIONS
    ]


def review_route_groups() -> GroupRows:
    """The decided reviews counted by the person's groups and the route (CountedFigures keeps them)."""
    fields = [f"person__{d.person_field}" for d in PERSON_DIMENSIONS]
    return list(
        PersonReview.objects.exclude(route="").values(*fields, "route").annotate(n=Count("pk")).order_by()
    )


def review_route_tables(groups: GroupRows | None = None) -> list[ShareTable]:
    """Of the people whose review was decided, the share sent down each route, by group."""
    rows = review_route_groups() if groups is None else groups
    return [
        share_table(d, "Decided reviews by route", _by_group(rows, d.field, "route"), tuple(Route.choices))
        for d in PERSON_DIMENSIONS
    ]


HOTLINE_STAGES: tuple[Stage, ...] = (
    Stage("decided", "Report triaged", None),
    Stage("referred", "Referred for investigation or review", frozenset(REFERRAL_ROUTES)),
)


def hotline_referral_groups() -> GroupRows:
    """The triaged hotline reports whose subject is known (the linked person, else the call
    handler's pick), counted by the subject's groups and the route of the decision in force
    (CountedFigures keeps them)."""
    routes = {report: route for report, (route, _codes) in latest_triage_decisions().items()}
    subjects: dict[int, int] = {}
    reports = HotlineReport.objects.filter(pk__in=list(routes)).select_related("allegation__link")
    for report in reports.only(
        "id", "handler_candidate_id", "allegation__link__status", "allegation__link__person_id"
    ):
        subject = report_subject_id(report)
        if subject is not None:
            subjects[report.pk] = subject
    fields = [d.person_field for d in PERSON_DIMENSIONS if d.person_field]
    people = {
        row["id"]: row for row in Person.objects.filter(pk__in=set(subjects.values())).values("id", *fields)
    }
    counts = Counter(
        (*(people[person_id][field] for field in fields), routes[report_id])
        for report_id, person_id in subjects.items()
    )
    return [
        {**dict(zip(fields, key[:-1], strict=True)), "route": key[-1], "n": n} for key, n in counts.items()
    ]


def hotline_referral_tables(groups: GroupRows | None = None) -> list[StageTable]:
    """Of the triaged hotline reports whose subject is known, how many were referred, by the
    subject's group."""
    rows = hotline_referral_groups() if groups is None else groups
    tables = []
    for dimension in PERSON_DIMENSIONS:
        by_group: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            by_group[str(row[str(dimension.person_field)] or NOT_RECORDED)][row["route"]] += int(row["n"])
        tables.append(stage_table(dimension, by_group, HOTLINE_STAGES))
    return tables


# ---- the dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OversightFigures:
    counted: CountedFigures  # the figures by group, and when they were counted
    progress: Progress
    allegation_stages: list[StageTable]
    sexual_case_to_answer: SexualCaseToAnswerCheck
    hotline_referral: list[StageTable]
    review_routes: list[ShareTable]
    risk_bands: list[ShareTable]


def counted_figures() -> CountedFigures | None:
    return CountedFigures.objects.filter(pk=COUNTED_FIGURES_ID).first()


def oversight_figures(counted: CountedFigures) -> OversightFigures:
    """The dashboard's figures: those by group from `counted` (from
    vigil.oversight.services.counted_figures_current()), progress read now."""
    allegations = allegation_figures(counted.allegation_groups)
    return OversightFigures(
        counted=counted,
        progress=progress(outcome_median_days=counted.outcome_median_days),
        allegation_stages=allegations.stages,
        sexual_case_to_answer=allegations.sexual_case_to_answer,
        hotline_referral=hotline_referral_tables(counted.hotline_referral_groups),
        review_routes=review_route_tables(counted.review_route_groups),
        risk_bands=risk_band_tables(counted.risk_band_groups),
    )
