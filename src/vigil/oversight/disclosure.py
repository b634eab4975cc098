"""Statistical disclosure control: the one step between the oversight figures and every output
that shows them (the dashboard, its chart images, the CSV, the workbook and the PDF).

The rules are ACRO's (the UK trusted-research-environment output checker, `acro` on PyPI, whose
defaults are a minimum cell count of 10 and zeros allowed to be checked), applied by hand
because ACRO works on pandas data frames and brings pandas, statsmodels, matplotlib, rdflib and
lxml with it, none of which Vigil otherwise needs, and because it does primary suppression
only: it does not look for a suppressed cell given back by a total, a margin or a difference.

Each group of tables counted from the same records is a *system*: its atoms are the finest
counts every figure is a sum of (for the allegation stages: allegations by ethnicity, sex,
employment type, domain and the last stage reached), its figures are the counts an output shows
(a group at a stage, a check's side, a band's total), each a sum of atoms.

1. **Primary suppression.** A figure of 1 to THRESHOLD - 1 is withheld. Zero is shown.
2. **Secondary suppression.** While any small count (a withheld figure, an atom, or the
   difference between a rate's total and its count) of 1 to THRESHOLD - 1 can be worked out
   exactly from the figures shown, the smallest shown figure that shares records with it is
   withheld too. "Worked out" is tested two ways: by linear algebra (the count lies in the row
   space of the shown figures, after the atoms a shown zero forces to zero are taken out), and
   by linear programming (its least and greatest values, given the shown figures, every count
   at least 0 and every withheld figure at least 1, are the same).
3. **Derived figures.** A rate, its interval, a relative rate, a pace, a forecast date or a
   median worked out from a withheld count is withheld; a relative rate is withheld when the
   reference group's count is.

Renderers never see a withheld number: they get WITHHELD, shown as "[c]" in files and "too few
to show" on the page and in charts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.linalg import null_space  # type: ignore[import-untyped]
from scipy.optimize import linprog  # type: ignore[import-untyped]
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from vigil.allegations.vocabularies import SEXUAL

THRESHOLD = 10  # ACRO's safe_threshold: a figure of 1 to 9 is withheld
MARK = "[c]"  # the Office for National Statistics' mark for a confidential (withheld) figure
PHRASE = "too few to show"
_EXACT = 1e-7  # linear algebra on 0/1 matrices: a residue below this is zero


class Withheld:
    """The mark of a withheld figure (one object, WITHHELD): no number behind it reaches a renderer."""

    withheld = True

    def __str__(self) -> str:
        return MARK

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()

Key = Hashable


@dataclass(frozen=True)
class System:
    """Counts from the same records: atoms (the finest counts), the figures an output shows (each
    a set of atoms, added up), and the (count, total) pairs shown as rates (their difference is
    a count too)."""

    atoms: Mapping[Key, int]
    figures: Mapping[Key, frozenset[Key]]
    pairs: Sequence[tuple[Key, Key]] = ()
    totals: Mapping[Key, Key] = dataclasses.field(default_factory=dict)  # figure -> its group's total

    def value(self, figure: Key) -> int:
        return sum(self.atoms[atom] for atom in self.figures[figure])


def small(value: int) -> bool:
    return 0 < value < THRESHOLD


@lru_cache(maxsize=1)
def _threadpools() -> Any:
    """The BLAS thread pools, found once (finding them reads every loaded library)."""
    return ThreadpoolController()


_WITHHELD_CACHE: OrderedDict[str, frozenset[Key]] = OrderedDict()


def withheld_figures(system: System) -> frozenset[Key]:
    """The figures of `system` to withhold: primary, then secondary until no small count can be
    worked out from the ones shown (the rules in this module's docstring). Worked out once per
    distinct system in the worker: the progress figures seldom change between two views."""
    key = repr(
        (
            sorted(map(repr, system.atoms.items())),
            sorted(repr((figure, sorted(map(repr, atoms)))) for figure, atoms in system.figures.items()),
            list(map(repr, system.pairs)),
            sorted(map(repr, system.totals.items())),
        )
    )
    if key in _WITHHELD_CACHE:
        _WITHHELD_CACHE.move_to_end(key)
        return _WITHHELD_CACHE[key]
    withheld = _withheld_figures(system)
    _WITHHELD_CACHE[key] = withheld
    if len(_WITHHELD_CACHE) > 64:
        _WITHHELD_CACHE.popitem(last=False)
    return withheld


def _withheld_figures(system: System) -> frozenset[Key]:
    values = {key: system.value(key) for key in system.figures}
    withheld = {
        key
        for key, value in values.items()
        if small(value) or (value == 0 and key in system.totals and small(values[system.totals[key]]))
    }
    with _threadpools().limit(limits=1):
        while exposed := exposed_counts(system, withheld, values):
            added: list[Key] = []
            for support in exposed:
                if any(system.figures[key] & support for key in added):
                    continue  # this pass has withheld a figure touching it already
                shown = [
                    key
                    for key in system.figures
                    if key not in withheld and values[key] > 0 and system.figures[key] & support
                ]
                if not shown:  # cannot happen: a count is only worked out from figures touching it
                    raise AssertionError("an exposed count touches no shown figure")
                added.append(min(shown, key=lambda key: (values[key], repr(key))))
                withheld.add(added[-1])
    return frozenset(withheld)


def _sensitive(system: System, withheld: Iterable[Key], values: Mapping[Key, int]) -> list[frozenset[Key]]:
    """Every small count that must not be worked out: withheld figures, atoms, and a rate's total
    less its count (each as the set of atoms it adds up)."""
    withheld = set(withheld)
    counts = [system.figures[key] for key in sorted(withheld, key=repr) if small(values[key])]
    counts += [frozenset({atom}) for atom, value in system.atoms.items() if small(value)]
    for part, whole in system.pairs:
        if small(values[whole] - values[part]):
            counts.append(system.figures[whole] - system.figures[part])
    return counts


def exposed_counts(
    system: System, withheld: Iterable[Key], values: Mapping[Key, int] | None = None
) -> list[frozenset[Key]]:
    """The small counts (as sets of atoms) that the figures not in `withheld` give away."""
    values = values if values is not None else {key: system.value(key) for key in system.figures}
    withheld = set(withheld)
    shown = [key for key in system.figures if key not in withheld]
    zero = set().union(*(system.figures[key] for key in shown if values[key] == 0))
    atoms = [atom for atom in system.atoms if atom not in zero]
    column = {atom: index for index, atom in enumerate(atoms)}
    rows = [key for key in shown if values[key] > 0]
    matrix = np.zeros((len(rows), len(atoms)))
    for row, key in enumerate(rows):
        for atom in system.figures[key] - zero:
            matrix[row, column[atom]] = 1.0
    free = null_space(matrix) if rows else np.eye(len(atoms))
    sensitive = [count for count in _sensitive(system, withheld, values) if count - zero]

    def vector(count: frozenset[Key]) -> Any:
        result = np.zeros(len(atoms))
        for atom in count - zero:
            result[column[atom]] = 1.0
        return result

    exposed = [count for count in sensitive if np.abs(vector(count) @ free).max(initial=0.0) < _EXACT]
    if exposed:
        return exposed
    # The row space misses what the bounds add (two withheld figures of at least 1 adding up to
    # a shown 2 are both 1). The true counts are one answer; a count can only be pinned by the
    # bounds that are tight there (an atom at 0, a withheld figure at 1), so only a count in the
    # row space of the shown figures and those tight bounds needs its least and greatest value.
    tight = [vector(system.figures[key]) for key in withheld if values[key] == 1]
    tight += [vector(frozenset({atom})) for atom in atoms if system.atoms[atom] == 0]
    if not tight:
        return []
    loose = null_space(np.vstack([matrix, np.array(tight)]))
    lower = [vector(system.figures[key]) for key in withheld if values[key] > 0]
    targets = np.array([values[key] for key in rows])
    for count in sensitive:
        objective = vector(count)
        if np.abs(objective @ loose).max(initial=0.0) >= _EXACT:
            continue  # it can move both ways without touching a bound
        true = float(objective @ np.array([system.atoms[atom] for atom in atoms]))
        high = _optimum(-objective, matrix, targets, lower)  # the true counts are one answer:
        if high is None or -high > true + 0.5:  # pinned only if neither bound moves from them
            continue
        low = _optimum(objective, matrix, targets, lower)
        if low is not None and low > true - 0.5:
            return [count]
    return []


def _optimum(objective: Any, equal: Any, targets: Any, at_least_one: list[Any]) -> float | None:
    result = linprog(
        objective,
        A_ub=-np.array(at_least_one) if at_least_one else None,
        b_ub=-np.ones(len(at_least_one)) if at_least_one else None,
        A_eq=equal if len(equal) else None,
        b_eq=targets if len(equal) else None,
        bounds=(0, None),
        method="highs",
    )
    return float(result.fun) if result.status == 0 else None


# ---- the oversight figures, controlled ------------------------------------------------------------


Count = int | Withheld


@dataclass(frozen=True)
class ControlledCell:
    """A rate as it may be shown: count of total, the rate with its interval, and the relative
    rate (None on the reference group's row). Withheld parts are WITHHELD."""

    count: Count
    total: Count
    rate: Any  # stats.Rate | Withheld
    relative: Any  # stats.RelativeRate | Withheld | None

    @property
    def marked(self) -> bool:
        return bool(getattr(self.relative, "marked", False))


@dataclass(frozen=True)
class ControlledRow:
    code: str
    label: str
    is_reference: bool
    received: Count  # the group's total (first stage, or the sum of its categories)
    cells: tuple[ControlledCell, ...]

    @property
    def marked(self) -> bool:
        return any(cell.marked for cell in self.cells)


@dataclass(frozen=True)
class ControlledTable:
    dimension: Any  # selectors.Dimension
    columns: tuple[str, ...]
    rows: tuple[ControlledRow, ...]


def _controlled_table(
    table: Any,
    system: System,
    withheld: frozenset[Key],
    count_key: Callable[[str, int], Key],
    total_key: Callable[[str, int], Key],
    group_key: Callable[[str], Key],
) -> ControlledTable:
    """A StageTable or ShareTable with each withheld figure, and everything worked out from it,
    replaced by WITHHELD."""

    def shown(key: Key) -> Count:
        return WITHHELD if key in withheld else system.value(key)

    reference = table.dimension.reference
    rows = []
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row.cells):
            count, total = shown(count_key(row.code, index)), shown(total_key(row.code, index))
            hidden = isinstance(count, Withheld) or isinstance(total, Withheld)
            reference_hidden = (
                count_key(reference, index) in withheld or total_key(reference, index) in withheld
            )
            relative = None
            if not row.is_reference:
                relative = WITHHELD if hidden or reference_hidden else cell.relative
            cells.append(ControlledCell(count, total, WITHHELD if hidden else cell.rate, relative))
        rows.append(
            ControlledRow(row.code, row.label, row.is_reference, shown(group_key(row.code)), tuple(cells))
        )
    return ControlledTable(table.dimension, tuple(table.columns), tuple(rows))


def _atom_codes(row: Mapping[str, Any], fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row[field] or "") for field in fields)


def _group_support(
    atoms: Mapping[Key, int], index: int, code: str, member: Callable[[Any], bool]
) -> frozenset[Key]:
    return frozenset(atom for atom in atoms if atom[0][index] == code and member(atom))  # type: ignore[index]


# A table's figures, its (count, total) pairs and each figure's group total.
Built = tuple[dict[Key, frozenset[Key]], list[tuple[Key, Key]], dict[Key, Key]]


def _reached(stage: int) -> Callable[[Any], bool]:
    return lambda atom: bool(atom[1] > stage)


def _in_category(category: str) -> Callable[[Any], bool]:
    return lambda atom: bool(atom[1] == category)


def _stage_figures(atoms: Mapping[Key, int], prefix: str, dimension_index: int, table: Any) -> Built:
    """A stage table's figures: a group at each stage (atoms are (codes, stages reached, ...))."""
    figures: dict[Key, frozenset[Key]] = {}
    pairs: list[tuple[Key, Key]] = []
    totals: dict[Key, Key] = {}
    for row in table.rows:
        for stage in range(len(table.stages)):
            figures[(prefix, table.dimension.key, row.code, stage)] = _group_support(
                atoms, dimension_index, row.code, _reached(stage)
            )
            if stage:
                totals[(prefix, table.dimension.key, row.code, stage)] = (
                    prefix,
                    table.dimension.key,
                    row.code,
                    0,
                )
                pairs.append(
                    (
                        (prefix, table.dimension.key, row.code, stage),
                        (prefix, table.dimension.key, row.code, stage - 1),
                    )
                )
    return figures, pairs, totals


def _share_figures(atoms: Mapping[Key, int], prefix: str, dimension_index: int, table: Any) -> Built:
    """A share table's figures: a group's total and its count in each category (atoms are
    (codes, category))."""
    figures: dict[Key, frozenset[Key]] = {}
    pairs: list[tuple[Key, Key]] = []
    totals: dict[Key, Key] = {}
    for row in table.rows:
        total = (prefix, table.dimension.key, row.code, "total")
        figures[total] = _group_support(atoms, dimension_index, row.code, lambda atom: True)
        for category, _label in table.categories:
            key = (prefix, table.dimension.key, row.code, category)
            figures[key] = _group_support(atoms, dimension_index, row.code, _in_category(category))
            pairs.append((key, total))
            totals[key] = total
    return figures, pairs, totals


def _stage_keys(prefix: str, table: Any) -> dict[str, Callable[..., Key]]:
    key = table.dimension.key
    return {
        "count_key": lambda code, index: (prefix, key, code, index + 1),
        "total_key": lambda code, index: (prefix, key, code, index),
        "group_key": lambda code: (prefix, key, code, 0),
    }


def _share_keys(prefix: str, table: Any) -> dict[str, Callable[..., Key]]:
    key, categories = table.dimension.key, table.categories
    return {
        "count_key": lambda code, index: (prefix, key, code, categories[index][0]),
        "total_key": lambda code, index: (prefix, key, code, "total"),
        "group_key": lambda code: (prefix, key, code, "total"),
    }


@dataclass(frozen=True)
class ControlledCheck:
    """The sexual-misconduct check as it may be shown."""

    sexual: ControlledCell
    others: ControlledCell

    @property
    def sides(self) -> tuple[tuple[str, ControlledCell], ...]:
        return (("sexual misconduct", self.sexual), ("all others", self.others))


@dataclass(frozen=True)
class ControlledGroupFigures:
    allegation_stages: tuple[ControlledTable, ...]
    sexual_case_to_answer: ControlledCheck
    hotline_referral: tuple[ControlledTable, ...]
    review_routes: tuple[ControlledTable, ...]
    risk_bands: tuple[ControlledTable, ...]
    systems: tuple[tuple[System, frozenset[Key]], ...]  # what was controlled, for the tests


def allegation_system(rows: Sequence[Mapping[str, Any]]) -> System:
    """The allegation stage tables and the sexual-misconduct check: atoms are allegations by
    every dimension's group, the number of stages reached and whether an outcome was decided."""
    from vigil.oversight import selectors

    fields = [dimension.field for dimension in selectors.DIMENSIONS]
    stages = selectors.ALLEGATION_STAGES
    atoms: dict[Any, int] = {}
    for row in rows:
        outcome = row["allegation__outcome_id"]
        reached = sum(1 for stage in stages if stage.outcomes is None or outcome in stage.outcomes)
        decided = outcome is not None and outcome not in selectors._CLOSED_WITHOUT_DECISION
        atom = (_atom_codes(row, fields), reached, decided)
        atoms[atom] = atoms.get(atom, 0) + int(row["allegations"])
    figures: dict[Key, frozenset[Key]] = {}
    pairs: list[tuple[Key, Key]] = []
    totals: dict[Key, Key] = {}
    for index, table in enumerate(selectors.allegation_stage_tables([dict(row) for row in rows])):
        more, more_pairs, more_totals = _stage_figures(atoms, "stages", index, table)
        figures.update(more)
        pairs += more_pairs
        totals.update(more_totals)
    domain = fields.index("allegation__category__domain")
    case_to_answer = 1 + [stage.key for stage in stages[1:]].index("case_to_answer")
    for side in ("sexual", "others"):

        def on_side(atom: Any, side: str = side) -> bool:
            return bool((atom[0][domain] == SEXUAL) == (side == "sexual") and atom[2])

        figures[("check", side, "decided")] = frozenset(atom for atom in atoms if on_side(atom))
        figures[("check", side, "case")] = frozenset(
            atom for atom in atoms if on_side(atom) and atom[1] > case_to_answer
        )
        pairs.append((("check", side, "case"), ("check", side, "decided")))
        totals[("check", side, "case")] = ("check", side, "decided")
    return System(atoms, figures, pairs, totals)


def _person_atoms(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], category: Callable[[Mapping[str, Any]], Any]
) -> dict[Key, int]:
    atoms: dict[Key, int] = {}
    for row in rows:
        atom = (_atom_codes(row, fields), category(row))
        atoms[atom] = atoms.get(atom, 0) + int(row["n"])
    return atoms


def _tables_system(
    atoms: dict[Key, int], prefix: str, tables: Sequence[Any], build: Callable[..., Any]
) -> System:
    figures: dict[Key, frozenset[Key]] = {}
    pairs: list[tuple[Key, Key]] = []
    totals: dict[Key, Key] = {}
    for index, table in enumerate(tables):
        more, more_pairs, more_totals = build(atoms, prefix, index, table)
        figures.update(more)
        pairs += more_pairs
        totals.update(more_totals)
    return System(atoms, figures, pairs, totals)


def _controlled_group_figures(counted_rows: str) -> ControlledGroupFigures:
    from vigil.intake.models import REFERRAL_ROUTES
    from vigil.oversight import selectors

    rows = json.loads(counted_rows)
    person_fields = [str(d.person_field) for d in selectors.PERSON_DIMENSIONS]
    review_fields = [d.field for d in selectors.PERSON_DIMENSIONS]

    allegation_tables = selectors.allegation_stage_tables(rows["allegation_groups"])
    check = selectors._sexual_check(rows["allegation_groups"])
    allegations = allegation_system(rows["allegation_groups"])

    hotline_tables = selectors.hotline_referral_tables(rows["hotline_referral_groups"])
    hotline_atoms = _person_atoms(
        rows["hotline_referral_groups"],
        person_fields,
        lambda row: 2 if row["route"] in REFERRAL_ROUTES else 1,
    )
    hotline = _tables_system(hotline_atoms, "hotline", hotline_tables, _stage_figures)

    route_tables = selectors.review_route_tables(rows["review_route_groups"])
    route_atoms = _person_atoms(rows["review_route_groups"], review_fields, lambda row: str(row["route"]))
    routes = _tables_system(route_atoms, "routes", route_tables, _share_figures)

    band_tables = selectors.risk_band_tables(rows["risk_band_groups"])
    band_atoms = _person_atoms(rows["risk_band_groups"], person_fields, lambda row: str(row["band"]))
    bands = _tables_system(band_atoms, "bands", band_tables, _share_figures)

    systems = (allegations, hotline, routes, bands)
    withheld = [withheld_figures(system) for system in systems]

    def control(
        prefix: str, system: System, hidden: frozenset[Key], tables: Sequence[Any], keys: Any
    ) -> tuple[ControlledTable, ...]:
        return tuple(_controlled_table(t, system, hidden, **keys(prefix, t)) for t in tables)

    def check_cell(side: str, rate: Any, relative: Any) -> ControlledCell:
        count_key, total_key = ("check", side, "case"), ("check", side, "decided")
        count, total = (
            WITHHELD if key in withheld[0] else allegations.value(key) for key in (count_key, total_key)
        )
        hidden = isinstance(count, Withheld) or isinstance(total, Withheld)
        return ControlledCell(count, total, WITHHELD if hidden else rate, relative)

    others = check_cell("others", check.others, None)
    sexual = check_cell("sexual", check.sexual, check.relative)
    if isinstance(sexual.rate, Withheld) or isinstance(others.rate, Withheld):
        sexual = ControlledCell(sexual.count, sexual.total, sexual.rate, WITHHELD)
    return ControlledGroupFigures(
        allegation_stages=control("stages", allegations, withheld[0], allegation_tables, _stage_keys),
        sexual_case_to_answer=ControlledCheck(sexual, others),
        hotline_referral=control("hotline", hotline, withheld[1], hotline_tables, _stage_keys),
        review_routes=control("routes", routes, withheld[2], route_tables, _share_keys),
        risk_bands=control("bands", bands, withheld[3], band_tables, _share_keys),
        systems=tuple(zip(systems, withheld, strict=True)),
    )


@lru_cache(maxsize=8)
def _cached_group_figures(counted_rows: str) -> ControlledGroupFigures:
    return _controlled_group_figures(counted_rows)


def control_group_figures(counted: Any) -> ControlledGroupFigures:
    """The figures by group of `counted` (a CountedFigures), controlled; worked out once per
    distinct count (the dashboard, its charts and a recount of the same figures share it)."""
    rows = {
        "allegation_groups": counted.allegation_groups,
        "hotline_referral_groups": counted.hotline_referral_groups,
        "review_route_groups": counted.review_route_groups,
        "risk_band_groups": counted.risk_band_groups,
    }
    return _cached_group_figures(json.dumps(rows, sort_keys=True, default=str))


# ---- progress --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlledForecast:
    remaining: Count
    decided_in_window: Count
    per_week: float | Withheld
    per_week_low: float | Withheld
    per_week_high: float | Withheld
    finish: dt.date | Withheld | None
    finish_earliest: dt.date | Withheld | None
    finish_latest: dt.date | Withheld | None


@dataclass(frozen=True)
class ControlledProgress:
    """progress.Progress as it may be shown: the same names, each count or figure worked out
    from a withheld count replaced by WITHHELD."""

    today: dt.date
    cohort_cases: Count
    cohort_people: Count
    people_decided: Count
    by_route: list[tuple[str, Count]]
    hotline_per_day: list[tuple[dt.date, Count]]
    hotline_received: Count
    hotline_triaged: Count
    hotline_referred: Count
    hotline_referral_rate: float | Withheld | None
    active_restrictions: Count
    active_suspensions: Count
    overdue_measure_reviews: Count
    open_reconsider_tasks: Count
    open_vetting_tasks: Count
    backlog_median_days: float | Withheld | None
    backlog_oldest_days: int | Withheld | None
    triage_median_hours: float | Withheld | None
    outcome_median_days: float | None
    forecast: ControlledForecast


def progress_system(p: Any) -> System:
    """The progress figures: the cohort split by route (and still to review), the hotline's
    reports split by how far they got; every other count is its own atom."""
    atoms: dict[Key, int] = {}
    figures: dict[Key, frozenset[Key]] = {}
    routes = [("route", label) for label, _count in p.by_route]
    for (_, label), (_label, count) in zip(routes, p.by_route, strict=True):
        atoms[("route", label)] = count
    atoms[("route", "")] = max(0, p.people_decided - sum(count for _label, count in p.by_route))
    atoms["waiting"] = p.forecast.remaining
    decided = frozenset([*routes, ("route", "")])
    figures["cohort_people"] = decided | {"waiting"}
    figures["people_decided"] = decided
    figures["people_remaining"] = frozenset({"waiting"})
    for key in routes:
        figures[key] = frozenset({key})
    hotline = p.hotline
    atoms["hotline_referred"] = hotline.referred
    atoms["hotline_not_referred"] = max(0, hotline.decided - hotline.referred)
    atoms["hotline_not_triaged"] = max(0, hotline.reports_received - hotline.decided)
    figures["hotline_referred"] = frozenset({"hotline_referred"})
    figures["hotline_triaged"] = frozenset({"hotline_referred", "hotline_not_referred"})
    figures["hotline_received"] = figures["hotline_triaged"] | {"hotline_not_triaged"}
    for name in (
        "cohort_cases",
        "active_restrictions",
        "active_suspensions",
        "overdue_measure_reviews",
        "open_reconsider_tasks",
        "open_vetting_tasks",
    ):
        atoms[name] = getattr(p, name)
        figures[name] = frozenset({name})
    atoms["decided_in_window"] = p.forecast.decided_in_window
    figures["decided_in_window"] = frozenset({"decided_in_window"})
    for day, count in p.hotline_per_day:
        atoms[("day", day)] = count
        figures[("day", day)] = frozenset({("day", day)})
    pairs = [
        ("people_decided", "cohort_people"),
        ("people_remaining", "cohort_people"),
        ("hotline_triaged", "hotline_received"),
        ("hotline_referred", "hotline_triaged"),
        *((key, "people_decided") for key in routes),
    ]
    return System(atoms, figures, pairs)


def control_progress(p: Any) -> tuple[ControlledProgress, System, frozenset[Key]]:
    """progress.Progress, controlled (with its system and the figures withheld, for the tests)."""
    system = progress_system(p)
    hidden = withheld_figures(system)

    def shown(key: Key) -> Count:
        return WITHHELD if key in hidden else system.value(key)

    def unless(keys: Iterable[Key], value: Any) -> Any:
        return WITHHELD if any(key in hidden for key in keys) else value

    f = p.forecast
    pace = ("decided_in_window", "people_remaining")
    waiting = ("people_remaining",)
    forecast = ControlledForecast(
        remaining=shown("people_remaining"),
        decided_in_window=shown("decided_in_window"),
        per_week=unless(pace[:1], f.per_week),
        per_week_low=unless(pace[:1], f.per_week_low),
        per_week_high=unless(pace[:1], f.per_week_high),
        finish=unless(pace, f.finish),
        finish_earliest=unless(pace, f.finish_earliest),
        finish_latest=unless(pace, f.finish_latest),
    )
    triaged = ("hotline_triaged", "hotline_referred")
    controlled = ControlledProgress(
        today=p.today,
        cohort_cases=shown("cohort_cases"),
        cohort_people=shown("cohort_people"),
        people_decided=shown("people_decided"),
        by_route=[(label, shown(("route", label))) for label, _count in p.by_route],
        hotline_per_day=[(day, shown(("day", day))) for day, _count in p.hotline_per_day],
        hotline_received=shown("hotline_received"),
        hotline_triaged=shown("hotline_triaged"),
        hotline_referred=shown("hotline_referred"),
        hotline_referral_rate=unless(triaged, p.hotline.referral_rate),
        active_restrictions=shown("active_restrictions"),
        active_suspensions=shown("active_suspensions"),
        overdue_measure_reviews=shown("overdue_measure_reviews"),
        open_reconsider_tasks=shown("open_reconsider_tasks"),
        open_vetting_tasks=shown("open_vetting_tasks"),
        # A median or the oldest of a few people is one person's figure.
        backlog_median_days=unless(waiting, p.backlog_median_days),
        backlog_oldest_days=unless(waiting, p.backlog_oldest_days),
        triage_median_hours=unless(("hotline_triaged",), p.triage_median_hours),
        outcome_median_days=p.outcome_median_days,
        forecast=forecast,
    )
    return controlled, system, hidden


# ---- the one step ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlledFigures:
    """Everything an oversight output may show: renderers take this, never OversightFigures."""

    counted: Any  # CountedFigures: when the figures by group were counted
    progress: ControlledProgress
    allegation_stages: tuple[ControlledTable, ...]
    sexual_case_to_answer: ControlledCheck
    hotline_referral: tuple[ControlledTable, ...]
    review_routes: tuple[ControlledTable, ...]
    risk_bands: tuple[ControlledTable, ...]
    systems: tuple[tuple[System, frozenset[Key]], ...]  # each system and what it withholds


def control(figures: Any) -> ControlledFigures:
    """The oversight figures (selectors.OversightFigures) with disclosure control applied."""
    groups = control_group_figures(figures.counted)
    progress, system, hidden = control_progress(figures.progress)
    return ControlledFigures(
        counted=figures.counted,
        progress=progress,
        allegation_stages=groups.allegation_stages,
        sexual_case_to_answer=groups.sexual_case_to_answer,
        hotline_referral=groups.hotline_referral,
        review_routes=groups.review_routes,
        risk_bands=groups.risk_bands,
        systems=(*groups.systems, (system, hidden)),
    )


def control_per_day(days: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, Count]]:
    """Hotline reports a day (the dashboard's per-day chart and table): no total of the days is
    shown, so each day is its own figure."""
    system = System({day: count for day, count in days}, {day: frozenset({day}) for day, _count in days})
    hidden = withheld_figures(system)
    return [(day, WITHHELD if day in hidden else count) for day, count in days]


def released_figures(counted: Any) -> ControlledFigures:
    """The oversight figures of `counted` (a CountedFigures), progress read now, as every output
    may show them: the only way the dashboard and the board pack get their figures."""
    from vigil.oversight.selectors import oversight_figures

    return control(oversight_figures(counted))
