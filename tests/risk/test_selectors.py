"""The scorer's facts as read from the database."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import person_create, vetting_create
from tests.risk.data import linked_allegation
from vigil.risk.selectors import person_facts

pytestmark = pytest.mark.django_db


def test_of_two_grants_on_one_day_the_one_in_force_longest_counts() -> None:
    person = person_create()
    vetting_create(person=person, level="RV", granted_on=dt.date(2019, 5, 1), expires_on=dt.date(2020, 5, 1))
    vetting_create(person=person, level="MV", granted_on=dt.date(2019, 5, 1), expires_on=None)
    vetting_create(person=person, level="SC", granted_on=dt.date(2018, 1, 1), expires_on=dt.date(2030, 1, 1))
    vetting_create(person=person, level="DV", granted_on=dt.date(2021, 1, 1), outcome="refused")
    linked_allegation(person=person, category="rape", received_on=dt.date(2022, 3, 1))
    facts = person_facts(person_ids=[person.pk])[person.pk]
    assert facts.last_vetting_granted == dt.date(2019, 5, 1)  # a refusal is not a grant
    assert facts.last_vetting_expires is None
    assert [a.category for a in facts.allegations] == ["rape"]


def test_lists_show_the_three_reasons_worth_most() -> None:
    from vigil.risk.models import RiskScore

    reasons = [
        {"code": code, "label": code, "points": points}
        for code, points in (("a", 1), ("b", 5), ("c", 3), ("d", 5))
    ]
    assert [reason["code"] for reason in RiskScore(reasons=reasons).top_reasons] == ["b", "d", "c"]
