"""Disproportionality at each decision stage, counted from the allegations attributed to people:
each stage's rate is of those at the stage before, against the reference group's."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.factories import allegation_naming, person_create
from tests.risk.data import linked_allegation
from vigil.linkage.models import LinkStatus
from vigil.oversight.selectors import StageTable, allegation_stage_tables, sexual_case_to_answer_check
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

# received 10: investigated 8, case to answer 4, proven 2, dismissed 1.
WHITE_OUTCOMES = ["open", "no_further_action"] + ["no_case_to_answer"] * 4
WHITE_OUTCOMES += ["case_to_answer_misconduct"] * 2 + ["misconduct_proven", "dismissed"]
# received 10: investigated 9, case to answer 8, proven 2, dismissed 1.
BLACK_OUTCOMES = ["no_further_action", "no_case_to_answer"] + ["case_to_answer_misconduct"] * 6
BLACK_OUTCOMES += ["misconduct_proven", "dismissed"]


def allegations(person: Person, outcomes: list[str], category: str) -> None:
    for outcome in outcomes:
        linked_allegation(person=person, category=category, outcome=outcome)


@pytest.fixture
def world() -> None:
    white = person_create(surname="White", ethnicity="White", sex="M")
    black = person_create(surname="Black", ethnicity="Black", sex="F", employment_type="staff")
    allegations(white, WHITE_OUTCOMES, "domestic_violence")
    allegations(black, BLACK_OUTCOMES, "sexual_harassment")
    unrecorded = person_create(surname="Unrecorded")
    allegations(unrecorded, ["no_case_to_answer"], "inappropriate_behaviour")
    # Not counted: an allegation nobody is linked to, and one whose link a reviewer rejected.
    allegation_naming(person=white, outcome="dismissed")
    linked_allegation(person=white, status=LinkStatus.REJECTED, outcome="dismissed")


def table(key: str) -> StageTable:
    return next(t for t in allegation_stage_tables() if t.dimension.key == key)


def test_each_stage_is_counted_of_the_stage_before(world: None) -> None:
    ethnicity = table("ethnicity")
    rows = {row.code: row for row in ethnicity.rows}
    assert [stage.key for stage in ethnicity.stages] == [
        "received",
        "investigated",
        "case_to_answer",
        "proven",
        "dismissed",
    ]
    assert set(rows) == {"White", "Black", ""}  # groups nobody is in are left out
    assert [(c.rate.count, c.rate.total) for c in rows["White"].cells] == [(8, 10), (4, 8), (2, 4), (1, 2)]
    assert [(c.rate.count, c.rate.total) for c in rows["Black"].cells] == [(9, 10), (8, 9), (2, 8), (1, 2)]
    assert rows[""].label == "Not recorded" and rows[""].received == 1


def test_relative_rates_are_against_the_reference_group(world: None) -> None:
    rows = {row.code: row for row in table("ethnicity").rows}
    assert rows["White"].is_reference and all(c.relative is None for c in rows["White"].cells)
    black = [c.relative for c in rows["Black"].cells]
    assert black[0].ratio == pytest.approx(0.9 / 0.8)
    assert black[1].ratio == pytest.approx((8 / 9) / 0.5)
    assert black[2].ratio == pytest.approx(0.25 / 0.5)
    # Ten allegations a side: none of these intervals excludes 1.
    assert not rows["Black"].marked


def test_every_dimension_is_tabled(world: None) -> None:
    tables = {t.dimension.key: t for t in allegation_stage_tables()}
    assert set(tables) == {"ethnicity", "sex", "employment_type", "domain"}
    received = {key: Counter({row.code: row.received for row in t.rows}) for key, t in tables.items()}
    assert received["sex"] == Counter({"M": 10, "F": 10, "": 1})
    assert received["employment_type"] == Counter({"officer": 11, "staff": 10})
    assert received["domain"] == Counter({"domestic": 10, "sexual": 10, "other": 1})


def test_sexual_allegations_reach_a_case_to_answer_as_often_as_others(world: None) -> None:
    check = sexual_case_to_answer_check()
    # Decided (any outcome but open): sexual 10, of which 8 a case to answer; the others 9 + 1 = 10,
    # of which 4.
    assert (check.sexual.count, check.sexual.total) == (8, 10)
    assert (check.others.count, check.others.total) == (4, 10)
    assert check.relative.ratio == pytest.approx(2.0)


def test_no_allegations_gives_empty_tables() -> None:
    for stage_table in allegation_stage_tables():
        reference = [row for row in stage_table.rows if row.is_reference]
        assert len(stage_table.rows) == 1 and reference[0].received == 0
        assert all(cell.rate.rate is None for cell in reference[0].cells)
    check = sexual_case_to_answer_check()
    assert check.sexual.rate is None and check.relative.ratio is None
