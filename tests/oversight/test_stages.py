"""Disproportionality at each decision stage, counted from the allegations attributed to people:
each stage's rate is of those at the stage before, against the reference group's."""

from __future__ import annotations

from collections import Counter

import pytest

from vigil.oversight.selectors import StageTable, allegation_stage_tables, sexual_case_to_answer_check

pytestmark = pytest.mark.django_db


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
