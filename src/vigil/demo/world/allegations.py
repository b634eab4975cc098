"""Allegations: category, relationship, source and outcome tables, the allegation record, and who
is likely to be reported, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from vigil.allegations.vocabularies import CATEGORIES
from vigil.demo.world.draws import _Weighted, _weights_of, _years_between
from vigil.demo.world.force import OFFICER, SPECIAL, STAFF, VOLUNTEER
from vigil.demo.world.model import REFERENCE_DATE, WINDOW_START
from vigil.demo.world.people import _Person

_CATEGORY_WEIGHTS = _Weighted(
    [
        ("inappropriate_behaviour", 25.0),
        ("other", 14.0),
        ("domestic_argument", 12.0),
        ("sexual_harassment", 12.0),
        ("domestic_abuse_other", 8.0),
        ("online_sexual_misconduct", 6.0),
        ("domestic_violence", 6.0),
        ("coercive_control", 5.0),
        ("abuse_of_position_sexual", 4.0),
        ("sexual_assault", 3.5),
        ("stalking", 3.0),
        ("rape", 1.5),
    ]
)
# fmt: off
_RELATIONSHIPS_BY_CATEGORY: dict[str, dict[str, float]] = {
    "rape": {"ex_partner": 25, "partner": 10, "colleague": 15, "member_of_public": 20, "online_contact": 20,
             "other": 10},
    "sexual_assault": {"colleague": 35, "member_of_public": 30, "online_contact": 15, "ex_partner": 10,
                       "other": 10},
    "abuse_of_position_sexual": {"member_of_public": 85, "online_contact": 15},
    "stalking": {"ex_partner": 60, "online_contact": 15, "colleague": 10, "member_of_public": 15},
    "coercive_control": {"partner": 55, "ex_partner": 45},
    "domestic_violence": {"partner": 60, "ex_partner": 25, "family_member": 15},
    "sexual_harassment": {"colleague": 65, "member_of_public": 25, "online_contact": 10},
    "online_sexual_misconduct": {"online_contact": 55, "member_of_public": 20, "colleague": 15,
                                 "ex_partner": 10},
    "domestic_abuse_other": {"partner": 40, "ex_partner": 35, "family_member": 25},
    "inappropriate_behaviour": {"member_of_public": 55, "colleague": 40, "other": 5},
    "domestic_argument": {"partner": 60, "ex_partner": 25, "family_member": 15},
    "other": {"member_of_public": 70, "colleague": 20, "other": 10},
}
_SOURCES_BY_RELATIONSHIP: dict[str, dict[str, float]] = {
    "member_of_public": {"public_complaint": 60, "hotline": 15, "criminal_investigation": 15,
                         "intelligence": 5, "other_force": 5},
    "colleague": {"colleague_report": 65, "hotline": 20, "intelligence": 10, "criminal_investigation": 5},
    "partner": {"criminal_investigation": 35, "hotline": 20, "self_report": 20, "public_complaint": 10,
                "other_force": 10, "vetting_disclosure": 5},
    "ex_partner": {"criminal_investigation": 35, "hotline": 25, "public_complaint": 20, "other_force": 10,
                   "vetting_disclosure": 5, "intelligence": 5},
    "family_member": {"criminal_investigation": 40, "hotline": 25, "self_report": 15, "public_complaint": 10,
                      "other_force": 10},
    "online_contact": {"public_complaint": 35, "hotline": 35, "intelligence": 15,
                       "criminal_investigation": 15},
    "other": {"public_complaint": 30, "hotline": 25, "intelligence": 35, "vetting_disclosure": 10},
}
# fmt: on
_RELATIONSHIP_FOR = {
    category: _Weighted(weights.items()) for category, weights in _RELATIONSHIPS_BY_CATEGORY.items()
}
_SOURCE_FOR = {
    relationship: _Weighted(weights.items()) for relationship, weights in _SOURCES_BY_RELATIONSHIP.items()
}
# A subject reports on himself only about domestic matters and minor incidents.
_SELF_REPORTABLE = frozenset({"domestic_argument", "domestic_abuse_other", "domestic_violence", "other"})
_INCIDENTS_PER_SUBJECT = _Weighted([(1, 0.62), (2, 0.24), (3, 0.09), (4, 0.05)])
# Outcomes by the most serious category they can follow (severity 1-3, 4-7, 8-10): mostly not proven.
# fmt: off
_OUTCOMES_BY_SEVERITY: tuple[tuple[int, _Weighted[str]], ...] = (
    (3, _Weighted({"no_further_action": 35.0, "management_action": 20.0, "reflective_practice": 15.0,
                   "no_case_to_answer": 20.0, "complainant_withdrew": 5.0,
                   "misconduct_proven": 5.0}.items())),
    (7, _Weighted({"no_further_action": 30.0, "complainant_withdrew": 20.0, "no_case_to_answer": 20.0,
                   "management_action": 8.0, "case_to_answer_misconduct": 6.0, "misconduct_proven": 7.0,
                   "charged": 2.0, "convicted": 2.0, "acquitted": 2.0, "dismissed": 3.0}.items())),
    (10, _Weighted({"no_further_action": 35.0, "complainant_withdrew": 25.0, "no_case_to_answer": 10.0,
                    "charged": 5.0, "acquitted": 8.0, "convicted": 5.0,
                    "case_to_answer_gross_misconduct": 5.0, "dismissed": 7.0}.items())),
)
# fmt: on
_ENDS_SERVICE = frozenset({"dismissed", "convicted"})
_SEVERITY = {term.code: term.severity for term in CATEGORIES}


@dataclass(eq=False)
class _Allegation:
    source: str
    received_on: date
    incident_date: str
    category: str
    summary: str
    subject: dict[str, str]
    complainant_ref: str
    relationship: str
    outcome: str
    outcome_on: date | None
    person: _Person | None  # who it is really about; None for someone not on the register
    narrative: str = ""  # the summary without its lead ("Caller reports that")
    reporting_force: str = ""  # for other_force reports: which force sent it
    ref: str = ""


def _spread_dates(rng: Random, start: date, end: date, count: int, min_gap_days: int) -> list[date]:
    """`count` sorted dates in [start, end], at least `min_gap_days` apart (when there is room)."""
    gap = min(min_gap_days, max(0, (end - start).days // max(count, 1)))
    room = max(0, (end - start).days - gap * (count - 1))
    offsets = sorted(rng.randint(0, room) for _ in range(count))
    return [start + timedelta(days=offset + index * gap) for index, offset in enumerate(offsets)]


def _allegation_window(person: _Person) -> tuple[date, date]:
    """When allegations about someone can be received: while serving (and a little after leaving),
    within the ten-year window."""
    start = max(WINDOW_START, person.joined_on + timedelta(days=14))
    end = min(REFERENCE_DATE - timedelta(days=1), person.service_end + timedelta(days=120))
    return start, end


_ROLE_RISK = {
    "Response": 1.5,
    "Firearms": 1.2,
    "Custody": 1.2,
    "Detention officer": 1.2,
    "Neighbourhood": 1.1,
}
_EMPLOYMENT_RISK = {OFFICER: 1.0, SPECIAL: 0.6, STAFF: 0.35, VOLUNTEER: 0.2}
_SEX_RISK = {"M": 1.0, "F": 0.35, "X": 0.6}


def _subject_weight(person: _Person) -> float:
    """How likely someone is to be reported: public-facing men most, and only while serving."""
    start, end = _allegation_window(person)
    if (end - start).days < 60:
        return 0.0
    exposure = min(1.0, max(0.05, _years_between(start, end) / 10))
    return (
        _EMPLOYMENT_RISK[person.employment_type]
        * _SEX_RISK[person.sex]
        * _ROLE_RISK.get(person.current.role, 1.0)
        * exposure
    )


def _category_for(rng: Random, relationship: str) -> str:
    """A category plausible for a complainant of this relationship (for a repeat complainant)."""
    return _Weighted(
        (category, weight * _RELATIONSHIPS_BY_CATEGORY[category].get(relationship, 0))
        for category, weight in zip(_CATEGORY_WEIGHTS.items, _weights_of(_CATEGORY_WEIGHTS), strict=True)
    ).draw(rng)
