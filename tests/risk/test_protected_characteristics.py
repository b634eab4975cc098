"""No protected characteristic reaches the scorer: the scorer's inputs have no such field, and
changing every person's sex and ethnicity moves no score, band or reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from tests.factories import person_create, vetting_create
from tests.risk.data import TODAY, linked_allegation
from vigil.people.models import Person
from vigil.people.vocabularies import ETHNICITIES, SEXES
from vigil.risk import selectors
from vigil.risk.facts import PROTECTED_FIELDS, AllegationFacts, PersonFacts
from vigil.risk.models import RiskScore, ScoreRun
from vigil.risk.services import scores_compute


def test_the_scorers_inputs_have_no_protected_field() -> None:
    for facts in (PersonFacts, AllegationFacts):
        names = {field.name for field in dataclasses.fields(facts)}
        assert not names & PROTECTED_FIELDS, facts
        assert not any("ethnic" in name or name in ("sex", "gender", "age") for name in names), facts
    # The list names real columns of the register, so it guards something.
    person_columns = {field.name for field in Person._meta.get_fields()}
    assert {"sex", "ethnicity", "ethnicity_code", "date_of_birth"} <= PROTECTED_FIELDS <= person_columns


def test_the_selector_reads_no_protected_column() -> None:
    read = set(selectors._PERSON_COLUMNS) | {
        column.removeprefix("allegation__") for column in selectors._ALLEGATION_COLUMNS
    }
    assert not read & PROTECTED_FIELDS


SEX_CODES = list(SEXES.codes())
# Detailed census codes (ethnicity_code) with their high-level group (ethnicity).
DETAILED = [(term.code, term.group) for term in ETHNICITIES if len(term.code) == 2]


def _other_sex(sex: str) -> str:
    return SEX_CODES[(SEX_CODES.index(sex) + 1) % len(SEX_CODES)]


def _other_ethnicity(code: str) -> tuple[str, str]:
    """Another detailed code, in another group."""
    group = dict(DETAILED)[code]
    return next((other, its) for other, its in DETAILED if its != group)


def _scores() -> dict[int, tuple[int, str, list[object], int, int, float]]:
    return {
        row.person_id: (
            row.score,
            row.band,
            row.reasons,
            row.allegations,
            row.distinct_complainants,
            row.exposure_rate,
        )
        for row in RiskScore.objects.order_by("person_id")
    }


@pytest.mark.django_db
def test_changing_sex_and_ethnicity_moves_no_score_band_or_reason() -> None:
    categories = ["rape", "sexual_harassment", "domestic_violence", "inappropriate_behaviour", "stalking"]
    sources = ["public_complaint", "hotline", "colleague_report", "other_force"]
    sexes = itertools.cycle(SEX_CODES)
    ethnicities = itertools.cycle(DETAILED)
    for index in range(12):
        code, group = next(ethnicities)
        person = person_create(
            surname=f"Testperson{index}",
            sex=next(sexes),
            ethnicity=group,
            ethnicity_code=code,
            role="Firearms" if index % 3 == 0 else "Response officer",
            date_of_birth=dt.date(1970 + index, 1, 1),
        )
        vetting_create(person=person, granted_on=dt.date(2016 + index % 5, 3, 1))
        for number in range(index % 4 + 1):
            linked_allegation(
                person=person,
                category=categories[(index + number) % len(categories)],
                source=sources[(index * number) % len(sources)],
                received_on=dt.date(2014 + number * 2 + index % 3, 5, 1 + index),
                complainant_ref=f"CMP-{index}-{number % 2}",
                outcome="no_further_action" if number % 2 == 0 else "misconduct_proven",
                outcome_on=dt.date(2014 + number * 2 + index % 3, 9, 1),
                summary="He contacted her on a dating app after the call." if number == 1 else "Synthetic.",
            )
    # Some people with no allegation, so the peers baseline has a workforce.
    for index in range(8):
        code, group = next(ethnicities)
        person_create(surname=f"Colleague{index}", sex=next(sexes), ethnicity=group, ethnicity_code=code)

    scores_compute(today=TODAY)
    before = _scores()
    cutpoints_before = ScoreRun.objects.get().peer_cutpoints
    assert len(before) == 12 and any(score[2] for score in before.values())

    was = dict(Person.objects.values_list("id", "sex"))
    for person in Person.objects.order_by("id"):
        person.sex = _other_sex(person.sex)
        person.ethnicity_code, person.ethnicity = _other_ethnicity(person.ethnicity_code)
        person.save()
    assert all(sex != was[pk] for pk, sex in Person.objects.values_list("id", "sex"))

    scores_compute(today=TODAY)

    assert _scores() == before
    assert ScoreRun.objects.order_by("-id").first().peer_cutpoints == cutpoints_before  # type: ignore[union-attr]
