"""Disclosure control on every oversight output: no count of 1 to 9 is shown, and none can be
worked out from what is shown — from a total, a margin, a difference, another table of the same
records or a rate — on a world built so that small cells occur (groups of one, a cohort of 12
with 11 still to review, 3 hotline calls today)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import linprog  # type: ignore[import-untyped]

from tests.factories import person_create
from tests.intake.data import call
from tests.oversight.conftest import allegations
from tests.reviews.data import cohort_person
from vigil.accounts.roles import Role
from vigil.oversight import charts, disclosure, exports
from vigil.oversight.disclosure import THRESHOLD, WITHHELD, System, Withheld
from vigil.oversight.progress import progress
from vigil.oversight.selectors import oversight_figures
from vigil.oversight.services import counted_figures_recount
from vigil.reviews.models import PersonReview, ReviewStatus, Route
from vigil.reviews.services import cohort_sync

pytestmark = pytest.mark.django_db

MIXED_OUTCOMES = ["dismissed"]  # a group of one allegation, dismissed: "1 of 1" at every stage
BLACK_OUTCOMES = ["no_further_action"] * 2 + ["no_case_to_answer"] * 3 + ["case_to_answer_misconduct"] * 6
BLACK_OUTCOMES += ["misconduct_proven"] * 2 + ["dismissed"]


@pytest.fixture
def small_world(make_user: Callable[..., User]) -> None:
    """12 people in the cohort (11 White men, 1 Asian woman), one decided: in the cohort 12, still
    to review 11, so the one decided is the difference. A Black officer with 14 allegations, a
    person of mixed ethnicity with one, dismissed. Three hotline calls today."""
    people = [cohort_person(ethnicity="White", sex="M") for _ in range(11)]
    people.append(cohort_person(ethnicity="Asian", sex="F", employment_type="staff"))
    allegations(
        person_create(surname="Black", ethnicity="Black", sex="M"), BLACK_OUTCOMES, "inappropriate_behaviour"
    )
    allegations(person_create(surname="Mixed", ethnicity="Mixed", sex="F"), MIXED_OUTCOMES, "stalking")
    cohort_sync()
    PersonReview.objects.filter(person=people[-1]).update(
        status=ReviewStatus.DECIDED, route=Route.NO_FURTHER_ACTION, decided_at=timezone.now()
    )
    handler = make_user(Role.CALL_HANDLER)
    for _ in range(3):
        call(handler)


def released() -> disclosure.ControlledFigures:
    return disclosure.released_figures(counted_figures_recount())


# ---- the exhaustive check, independent of the module's own search ----------------------------------


def _bounds(system: System, withheld: frozenset[Any], count: frozenset[Any]) -> tuple[float, float]:
    """The least and greatest value of `count` (a set of atoms) that agree with every figure shown,
    every atom at least 0 and every withheld figure at least 1 (what the rules tell anyone)."""
    atoms = list(system.atoms)
    column = {atom: index for index, atom in enumerate(atoms)}

    def vector(support: frozenset[Any]) -> np.ndarray:  # type: ignore[type-arg]
        result = np.zeros(len(atoms))
        for atom in support:
            result[column[atom]] = 1.0
        return result

    shown = [key for key in system.figures if key not in withheld]
    equal = np.array([vector(system.figures[key]) for key in shown]) if shown else None
    targets = np.array([system.value(key) for key in shown]) if shown else None
    hidden = [key for key in withheld if system.value(key) > 0]
    at_least = -np.array([vector(system.figures[key]) for key in hidden]) if hidden else None
    minus_one = -np.ones(len(hidden)) if hidden else None
    bounds = []
    for sign in (1, -1):
        result = linprog(
            sign * vector(count),
            A_eq=equal,
            b_eq=targets,
            A_ub=at_least,
            b_ub=minus_one,
            bounds=(0, None),
            method="highs",
        )
        assert result.status in (0, 3), result.message  # 3: unbounded above, which hides it
        bounds.append(sign * result.fun if result.status == 0 else float("inf"))
    return bounds[0], bounds[1]


def worked_out(system: System, withheld: frozenset[Any]) -> list[tuple[str, Any, int]]:
    """Every small count (withheld figure, atom, a rate's total less its count) whose value the
    figures shown pin down: (what, which, value)."""
    small: list[tuple[str, Any, frozenset[Any], int]] = []
    for key in system.figures:
        value = system.value(key)
        if key in withheld and 0 < value < THRESHOLD:
            small.append(("withheld figure", key, system.figures[key], value))
    for atom, value in system.atoms.items():
        if 0 < value < THRESHOLD:
            small.append(("atom", atom, frozenset({atom}), value))
    for part, whole in system.pairs:
        value = system.value(whole) - system.value(part)
        if 0 < value < THRESHOLD:
            small.append(("difference", (whole, part), system.figures[whole] - system.figures[part], value))
    found = []
    for what, which, count, value in small:
        low, high = _bounds(system, withheld, count)
        if high - low < 0.5:
            found.append((what, which, value))
    return found


def test_primary_suppression_alone_gives_the_small_counts_back(small_world: None) -> None:
    """The issue as found: withholding only the counts of 1 to 9, the one person decided is 12 in
    the cohort less 11 still to review, and the lone mixed-ethnicity allegation is the total less
    the other groups'."""
    p = progress()
    assert (p.cohort_people, p.people_decided, p.forecast.remaining) == (12, 1, 11)
    system = disclosure.progress_system(p)
    primary = frozenset(key for key in system.figures if 0 < system.value(key) < THRESHOLD)
    assert "people_decided" in primary and "cohort_people" not in primary
    assert ("withheld figure", "people_decided", 1) in worked_out(system, primary)


def test_no_withheld_count_can_be_worked_out_from_what_is_shown(small_world: None) -> None:
    """For every system of released tables (allegation stages with the sexual-misconduct check,
    hotline referral, review routes, risk bands, progress), every small count is left with more
    than one possible value by everything shown."""
    figures = released()
    assert len(figures.systems) == 5
    for system, withheld in figures.systems:
        assert worked_out(system, withheld) == [], system.figures.keys()
    _progress_system, progress_withheld = figures.systems[-1]
    assert "people_decided" in progress_withheld
    assert {"cohort_people", "people_remaining"} & progress_withheld  # one of them, or 1 comes back
    # The world has small cells for the check to bite on.
    assert sum(len(withheld) for _system, withheld in figures.systems) >= 20


def test_every_count_shown_is_zero_or_at_least_the_threshold(small_world: None) -> None:
    figures = released()
    for system, withheld in figures.systems:
        for key in system.figures:
            value = system.value(key)
            assert key in withheld or value == 0 or value >= THRESHOLD, (key, value)
    rows = list(csv.DictReader(io.StringIO(exports.render(figures, "csv").decode())))
    for row in rows:
        for column in ("count", "total"):
            assert row[column] in ("", exports.SUPPRESSED) or row[column] == "0" or int(row[column]) >= 10
        if row["section"] != "progress" and exports.SUPPRESSED in (row["count"], row["total"]):
            # A rate, its interval or a relative rate would give the count back.
            assert row["rate"] == row["rate_low"] == row["rate_high"] == exports.SUPPRESSED, row
            assert row["relative_rate"] in ("", exports.SUPPRESSED), row
    progress_rows = {row["stage"]: row for row in rows if row["section"] == "progress"}
    assert progress_rows["People reviewed (decided)"]["count"] == exports.SUPPRESSED
    assert exports.SUPPRESSED in (
        progress_rows["People in the cohort"]["count"],
        progress_rows["People still to review"]["count"],
    )


def test_a_rate_or_relative_rate_from_a_withheld_count_is_withheld(small_world: None) -> None:
    figures = released()
    tables = [
        *figures.allegation_stages,
        *figures.hotline_referral,
        *figures.review_routes,
        *figures.risk_bands,
    ]
    for table in tables:
        reference = next(row for row in table.rows if row.is_reference)
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                hidden = WITHHELD in (cell.count, cell.total)
                assert isinstance(cell.rate, Withheld) == hidden
                ref = reference.cells[index]
                if not row.is_reference and (hidden or WITHHELD in (ref.count, ref.total)):
                    assert cell.relative is WITHHELD
    white = next(t for t in figures.allegation_stages if t.dimension.key == "ethnicity").rows
    mixed = next(row for row in white if row.code == "Mixed")
    assert mixed.received is WITHHELD and all(cell.relative is WITHHELD for cell in mixed.cells)


def test_charts_never_plot_a_withheld_figure(small_world: None) -> None:
    counted = counted_figures_recount()
    figures = disclosure.released_figures(counted)
    stages = next(t for t in figures.allegation_stages if t.dimension.key == "ethnicity")
    spec = charts.dashboard_chart_spec("stages-ethnicity", counted)
    assert spec is not None
    for value in spec["data"]["values"]:
        row = next(row for row in stages.rows if row.label == value["group"])
        cell = row.cells[list(stages.columns).index(value["stage"])]
        if "withheld" in value:
            assert cell.relative is WITHHELD and "ratio" not in value and "low" not in value
        else:
            assert not isinstance(cell.relative, Withheld) and value["ratio"] == cell.relative.ratio
    assert any(value.get("withheld") == "too few to show" for value in spec["data"]["values"])
    per_day = charts.dashboard_chart_spec(charts.HOTLINE_PER_DAY, counted)
    assert per_day is not None
    today = per_day["data"]["values"][-1]
    assert today == {"day": timezone.localdate().isoformat(), "withheld": "too few to show"}  # 3 calls
    assert "too few to show" in charts.svg(per_day)


def test_the_dashboard_shows_no_small_count(
    small_world: None, client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(Role.ANALYST))
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "too few to show" in page
    assert not re.search(r"\b[1-9] of \d", page) and not re.search(r"\d of [1-9]\b", page)  # "n of m"
    numbers = [int(n) for n in re.findall(r'<td class="number">(\d+)</td>', page)]
    assert numbers and all(n == 0 or n >= THRESHOLD for n in numbers)


def test_no_output_takes_the_figures_before_control(small_world: None) -> None:
    """The renderers refuse the uncontrolled figures, so a new caller cannot skip the step."""
    raw = oversight_figures(counted_figures_recount())
    with pytest.raises(TypeError, match="released_figures"):
        exports.render(raw, "csv")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="controlled tables only"):
        charts.relative_rates_spec(raw.allegation_stages[0], "raw")  # type: ignore[arg-type]
