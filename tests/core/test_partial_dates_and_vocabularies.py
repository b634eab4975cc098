from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.allegations.vocabularies import CATEGORIES, OUTCOMES, RELATIONSHIPS, SOURCES
from vigil.core.partial_dates import PartialDate, PartialDateError, format_partial_date, parse_partial_date
from vigil.core.vocabulary import Vocabulary
from vigil.people.vocabularies import ETHNICITIES, VETTING_LEVELS


@pytest.mark.parametrize(
    ("text", "earliest", "precision", "latest"),
    [
        ("1971", dt.date(1971, 1, 1), "Y", dt.date(1971, 12, 31)),
        ("1971-09", dt.date(1971, 9, 1), "M", dt.date(1971, 9, 30)),
        ("2024-02", dt.date(2024, 2, 1), "M", dt.date(2024, 2, 29)),
        ("1971-09-14", dt.date(1971, 9, 14), "D", dt.date(1971, 9, 14)),
        (" 2021-03-04T10:15:00 ", dt.date(2021, 3, 4), "D", dt.date(2021, 3, 4)),
    ],
)
def test_partial_dates_parse(text: str, earliest: dt.date, precision: str, latest: dt.date) -> None:
    parsed = parse_partial_date(text)
    assert (parsed.earliest, parsed.precision, parsed.latest) == (earliest, precision, latest)


@pytest.mark.parametrize("text", ["71", "1971-9", "14/09/1971", "2019-13-01", "2019-02-30", "yesterday", ""])
def test_bad_dates_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(PartialDateError):
        parse_partial_date(text)


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["Y", "M", "D"]))
def test_partial_dates_round_trip_through_their_text(day: dt.date, precision: str) -> None:
    text = format_partial_date(day, precision)
    parsed = parse_partial_date(text)
    assert str(parsed) == text
    assert parsed.earliest <= day <= parsed.latest
    assert isinstance(parsed, PartialDate)


def code_of(vocabulary: Vocabulary[Any], text: str) -> str:
    term = vocabulary.match(text)
    assert term is not None, text
    return term.code


def test_vocabularies_accept_codes_labels_and_synonyms_case_insensitively() -> None:
    assert code_of(CATEGORIES, "Abuse of position for a sexual purpose") == "abuse_of_position_sexual"
    assert code_of(CATEGORIES, "COERCIVE CONTROL") == "coercive_control"
    assert code_of(CATEGORIES, "sexual-assault") == "sexual_assault"
    assert code_of(OUTCOMES, "NFA") == "no_further_action"
    assert code_of(RELATIONSHIPS, "Ex-partner") == "ex_partner"
    assert code_of(SOURCES, "Public complaint") == "public_complaint"
    assert code_of(VETTING_LEVELS, "NPPV 2") == "NPPV2"
    assert CATEGORIES.match("burglary") is None


def test_every_category_has_a_severity_and_a_domain_and_outcomes_a_class() -> None:
    assert len(CATEGORIES.codes()) == 12
    assert all(1 <= category.severity <= 10 for category in CATEGORIES)
    assert {category.domain for category in CATEGORIES} == {"sexual", "domestic", "other"}
    assert max(CATEGORIES, key=lambda category: category.severity).code == "rape"
    assert {outcome.outcome_class for outcome in OUTCOMES} == {"open", "not_proven", "proven", "proceedings"}


def test_the_nineteen_census_codes_map_to_their_five_groups() -> None:
    detailed = [term for term in ETHNICITIES if term.code != term.group]
    assert len(detailed) == 19
    groups: dict[str, int] = {}
    for term in detailed:
        groups[term.group] = groups.get(term.group, 0) + 1
    assert groups == {"Asian": 5, "Black": 3, "Mixed": 4, "White": 5, "Other": 2}
    white = ETHNICITIES.match("w1")
    assert white is not None and white.group == "White"
