"""The planted patterns' plans: serial subjects, low-severity runs, serving couples, and what
historic reports about former officers allege."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.demo.world.draws import _Weighted
from vigil.demo.world.force import OFFICER, SPECIAL, STAFF, VOLUNTEER


@dataclass(frozen=True)
class _Step:
    """One allegation of a planted serial subject."""

    category: str
    relationship: str
    source: str
    complainant: int  # complainants are numbered per subject; 0: none recorded
    note: str = ""


@dataclass(frozen=True)
class _SerialPlan:
    description: str
    employment_type: str
    roles: tuple[str, ...]
    steps: tuple[_Step, ...]
    name: tuple[str, str] | None = None  # (first forename, surname) the subject must have
    transferred_from: str = ""  # the first step was another force's report, before he joined
    renamed: bool = False  # changed surname part-way: the first reports use the former one


_SERIAL_PLANS: tuple[_SerialPlan, ...] = (
    _SerialPlan(
        "response officer with a common name: approaches women met on duty, escalating to rape",
        OFFICER,
        ("Response",),
        (
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 1),
            _Step("sexual_harassment", "colleague", "colleague_report", 2),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "hotline",
                3,
                "He told her he had looked her up on the police computer.",
            ),
            _Step(
                "abuse_of_position_sexual",
                "online_contact",
                "public_complaint",
                4,
                "They matched on a dating app a week after he took her statement.",
            ),
            _Step("sexual_assault", "member_of_public", "hotline", 5),
            _Step("rape", "online_contact", "criminal_investigation", 6, "He had met her while on duty."),
            _Step("rape", "member_of_public", "hotline", 3),
        ),
        name=("David", "Smith"),
    ),
    _SerialPlan(
        "firearms officer: domestic abuse of three successive partners, escalating to violence",
        OFFICER,
        ("Firearms", "Firearms instructor"),
        (
            _Step("domestic_argument", "partner", "self_report", 1),
            _Step("domestic_argument", "partner", "hotline", 1),
            _Step("domestic_abuse_other", "ex_partner", "public_complaint", 1),
            _Step("coercive_control", "partner", "hotline", 2, "She says he has access to weapons."),
            _Step("stalking", "ex_partner", "other_force", 2),
            _Step("coercive_control", "partner", "criminal_investigation", 3),
            _Step("domestic_violence", "partner", "hotline", 3),
            _Step("domestic_violence", "partner", "criminal_investigation", 3),
        ),
    ),
    _SerialPlan(
        "transferee: harassment reported by his previous force before he joined, then escalating "
        "sexual offending here",
        OFFICER,
        ("Response", "Neighbourhood"),
        (
            _Step("sexual_harassment", "colleague", "other_force", 1),
            _Step("sexual_harassment", "colleague", "colleague_report", 2),
            _Step("online_sexual_misconduct", "online_contact", "hotline", 3),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "public_complaint",
                4,
                "He met her while on duty at a domestic call.",
            ),
            _Step("sexual_assault", "online_contact", "hotline", 5),
            _Step("sexual_assault", "member_of_public", "criminal_investigation", 4),
            _Step("rape", "online_contact", "criminal_investigation", 6),
        ),
        transferred_from="NMP",
    ),
    _SerialPlan(
        "public protection detective: targets vulnerable victims from his cases, via a dating app",
        OFFICER,
        ("Public Protection", "Rape and serious sexual offences", "Child abuse investigation"),
        (
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 1),
            _Step(
                "online_sexual_misconduct",
                "online_contact",
                "hotline",
                2,
                "She had met him on a dating app after he dealt with her case.",
            ),
            _Step("abuse_of_position_sexual", "member_of_public", "hotline", 3),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "intelligence",
                0,
                "Intelligence suggests he contacts domestic abuse victims from his caseload.",
            ),
            _Step(
                "abuse_of_position_sexual",
                "online_contact",
                "public_complaint",
                4,
                "He contacted her on a dating app using details from her report.",
            ),
            _Step("sexual_assault", "member_of_public", "criminal_investigation", 3),
        ),
    ),
    _SerialPlan(
        "custody detention officer (police staff): sexual harassment of colleagues and detainees, "
        "escalating to assault",
        STAFF,
        ("Detention officer",),
        (
            _Step("inappropriate_behaviour", "colleague", "colleague_report", 1),
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 2),
            _Step("sexual_harassment", "colleague", "hotline", 3),
            _Step("sexual_harassment", "colleague", "colleague_report", 4),
            _Step("online_sexual_misconduct", "colleague", "hotline", 3),
            _Step("sexual_assault", "colleague", "criminal_investigation", 5),
            _Step("sexual_assault", "member_of_public", "hotline", 6),
        ),
    ),
    _SerialPlan(
        "neighbourhood officer who changed his surname: domestic abuse of three partners, escalating to rape",
        OFFICER,
        ("Neighbourhood", "Roads policing", "CID"),
        (
            _Step("domestic_argument", "partner", "criminal_investigation", 1),
            _Step("domestic_abuse_other", "partner", "hotline", 1),
            _Step("coercive_control", "ex_partner", "public_complaint", 1),
            _Step("coercive_control", "partner", "hotline", 2),
            _Step("stalking", "ex_partner", "other_force", 2),
            _Step("domestic_violence", "partner", "criminal_investigation", 3),
            _Step("rape", "partner", "hotline", 3),
            _Step("rape", "ex_partner", "criminal_investigation", 3),
        ),
        renamed=True,
    ),
)

# Low-severity runs: one complainant reporting the same person again and again.
_LOW_RUNS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "neighbour dispute",
        "member_of_public",
        ("other", "inappropriate_behaviour"),
        ("public_complaint", "hotline"),
    ),
    ("arguments at child handovers", "ex_partner", ("domestic_argument",), ("hotline", "public_complaint")),
    (
        "workplace grievance",
        "colleague",
        ("inappropriate_behaviour", "other"),
        ("colleague_report", "hotline"),
    ),
    ("repeated complaints about traffic stops", "member_of_public", ("other",), ("public_complaint",)),
    ("family falling-out", "family_member", ("domestic_argument", "other"), ("hotline", "public_complaint")),
)

_COUPLE_CATEGORIES = _Weighted(
    [
        ("domestic_argument", 40.0),
        ("domestic_abuse_other", 30.0),
        ("coercive_control", 15.0),
        ("domestic_violence", 15.0),
    ]
)
_COUPLE_SOURCES = _Weighted(
    [("hotline", 30.0), ("criminal_investigation", 30.0), ("self_report", 20.0), ("colleague_report", 20.0)]
)
_EMPLOYMENT_NOUNS = {
    OFFICER: "a serving officer",
    STAFF: "police staff",
    SPECIAL: "a special constable",
    VOLUNTEER: "a police volunteer",
}
# What historic allegations about long-gone officers are mostly about.
_FORMER_OFFICER_CATEGORIES = _Weighted(
    [
        ("sexual_assault", 3.0),
        ("rape", 1.0),
        ("sexual_harassment", 3.0),
        ("domestic_violence", 2.0),
        ("inappropriate_behaviour", 2.0),
    ]
)
