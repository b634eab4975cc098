"""Vetting: which level each role needs, and each person's chain of clearances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from vigil.demo.world.draws import _add_years, _chance
from vigil.demo.world.force import OFFICER, OFFICER_RANKS, SPECIAL, STAFF
from vigil.demo.world.model import REFERENCE_DATE
from vigil.demo.world.people import _Person

# Years a clearance is valid, and the range of years after which it is renewed.
_VETTING_TERMS: dict[str, tuple[int, int, int]] = {
    "RV": (10, 7, 10),
    "NPPV1": (10, 7, 10),
    "NPPV2": (10, 7, 10),
    "NPPV3": (10, 7, 10),
    "MV": (7, 6, 7),
    "SC": (10, 7, 10),
    "DV": (7, 6, 7),
}
_MV_ROLES = frozenset(
    {
        "Public Protection",
        "Rape and serious sexual offences",
        "Child abuse investigation",
        "Professional Standards",
        "Counter terrorism",
        "Protection",
        "Intelligence analyst",
        "Firearms",
        "Firearms instructor",
        "Senior leadership",
    }
)
_SC_ROLES = frozenset({"Firearms", "Firearms instructor", "Counter terrorism", "Protection"})
_NPPV3_ROLES = frozenset({"Intelligence analyst", "Professional Standards", "IT", "Senior leadership"})


@dataclass(frozen=True)
class _Clearance:
    level: str
    granted_on: date
    expires_on: date | None
    outcome: str


def _vetting(rng: Random, person: _Person, withdrawn_on: date | None) -> list[_Clearance]:
    if person.employment_type in (OFFICER, SPECIAL):
        base = "RV"
    elif person.employment_type == STAFF:
        base = "NPPV3" if any(posting.role in _NPPV3_ROLES for posting in person.postings) else "NPPV2"
    else:
        base = "NPPV1" if _chance(rng, 0.6) else "NPPV2"
    clearances = _clearance_chain(rng, person, base, person.joined_on - timedelta(days=rng.randint(20, 160)))
    # Management vetting for sensitive posts and senior ranks (not every such post asks for it).
    enhanced = next(
        (p for p in person.postings if p.role in _MV_ROLES or p.rank in OFFICER_RANKS[3:]),
        None,
    )
    if enhanced is not None and _chance(rng, 0.7):
        applied = enhanced.start - timedelta(days=rng.randint(10, 90))
        if _chance(rng, 0.03):
            clearances.append(_Clearance("MV", applied, None, "refused"))
        else:
            clearances.extend(_clearance_chain(rng, person, "MV", applied))
    secure = next((p for p in person.postings if p.role in _SC_ROLES), None)
    if secure is not None:
        applied = secure.start - timedelta(days=rng.randint(10, 90))
        clearances.extend(_clearance_chain(rng, person, "SC", applied))
        if secure.role == "Counter terrorism" and _chance(rng, 0.35):
            clearances.extend(
                _clearance_chain(rng, person, "DV", applied + timedelta(days=rng.randint(30, 200)))
            )
    if withdrawn_on is not None:
        clearances = [
            _Clearance(c.level, c.granted_on, c.expires_on, "withdrawn")
            if c.outcome == "granted"
            and c.granted_on <= withdrawn_on
            and (c.expires_on or withdrawn_on) >= withdrawn_on
            else c
            for c in clearances
        ]
    # A posting that starts just before the reference date can draw a grant after it; the import
    # refuses dates to come, so such a grant is not in the world (no draw changes, nor the world).
    return [c for c in clearances if c.granted_on <= REFERENCE_DATE]


def _clearance_chain(rng: Random, person: _Person, level: str, granted_on: date) -> list[_Clearance]:
    """A clearance and its renewals while the person serves; a few lapse (and so expire), a few
    renewals are still under review on the reference date."""
    valid_years, renew_min, renew_max = _VETTING_TERMS[level]
    chain = []
    while True:
        chain.append(_Clearance(level, granted_on, _add_years(granted_on, valid_years), "granted"))
        renewal = _add_years(granted_on, rng.randint(renew_min, renew_max)) - timedelta(
            days=rng.randint(0, 120)
        )
        if renewal > person.service_end or _chance(rng, 0.04):
            return chain
        if renewal > REFERENCE_DATE - timedelta(days=150) and _chance(rng, 0.25):
            chain.append(_Clearance(level, renewal, None, "under_review"))
            return chain
        granted_on = renewal
