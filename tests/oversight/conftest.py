"""The small world most oversight tests count: two people with ten allegations each, one person
with no group recorded, and two allegations that must not be counted."""

from __future__ import annotations

import pytest

from tests.factories import allegation_naming, person_create
from tests.risk.data import linked_allegation
from vigil.linkage.models import LinkStatus
from vigil.people.models import Person

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


@pytest.fixture
def world_of_hundreds() -> None:
    """The world ten times over (every count at least 10, so disclosure control shows it), with
    the person with no group recorded still alone: one allegation."""
    white = person_create(surname="White", ethnicity="White", sex="M")
    black = person_create(surname="Black", ethnicity="Black", sex="F", employment_type="staff")
    allegations(white, WHITE_OUTCOMES * 10, "domestic_violence")
    allegations(black, BLACK_OUTCOMES * 10, "sexual_harassment")
    allegations(person_create(surname="Unrecorded"), ["no_case_to_answer"], "inappropriate_behaviour")
