"""How a risk score is made: one pure function from a person's facts and the policy to a list of
named reasons, each with its points. The score is their sum and nothing else, so a reviewer can
read exactly why a person is where they are in the queue.

Every reason here is one section of the policy file (vigil/risk/data/policy.toml) and one
paragraph of docs/risk-policy.md."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from vigil.allegations.vocabularies import CATEGORIES, NOT_PROVEN, SOURCES
from vigil.risk.facts import AllegationFacts, PersonFacts
from vigil.risk.policy import Policy, Sign

# Reason codes: stable names for the reasons (stored with each score, filterable, documented).
ALLEGATIONS = "allegations"
COMPLAINANTS = "complainants"
ESCALATION = "escalation"
SOURCES_SPREAD = "sources"
ABUSE_OF_POSITION = "abuse_of_position"
HISTORY = "history"
SINCE_VETTING = "since_vetting"
VETTING_EXPIRED = "vetting_expired"
REPEAT_AFTER_NFA = "repeat_after_no_further_action"
ROLE_EXPOSURE = "role_exposure"
PEERS = "peers"
REASON_CODES = (
    ALLEGATIONS,
    COMPLAINANTS,
    ESCALATION,
    SOURCES_SPREAD,
    ABUSE_OF_POSITION,
    HISTORY,
    SINCE_VETTING,
    VETTING_EXPIRED,
    REPEAT_AFTER_NFA,
    ROLE_EXPOSURE,
    PEERS,
)

_SEVERITY = {term.code: term.severity for term in CATEGORIES}
_CATEGORY_LABEL = {term.code: term.label.lower() for term in CATEGORIES}
_SOURCE_LABEL = {term.code: term.label.lower() for term in SOURCES}
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    points: int

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "label": self.label, "points": self.points}


@dataclass(frozen=True)
class Score:
    points: int
    band: str
    reasons: tuple[Reason, ...]
    allegations: int
    distinct_complainants: int
    exposure_rate: float  # severity-weighted allegations per year of service (for peers)


@dataclass(frozen=True)
class PeerCutpoints:
    """The exposure rate at each of the policy's peer percentiles, measured on the whole register."""

    by_percentile: dict[float, float]
    people: int

    def as_dict(self) -> dict[str, object]:
        return {"people": self.people, "by_percentile": {str(k): v for k, v in self.by_percentile.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PeerCutpoints:
        raw = data.get("by_percentile") or {}
        assert isinstance(raw, dict)
        people = data.get("people") or 0
        assert isinstance(people, int)
        return cls(by_percentile={float(k): float(v) for k, v in raw.items()}, people=people)


def severity(category: str) -> int:
    return _SEVERITY.get(category, 1)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _capped(points: float, cap: int) -> int:
    return min(round(points), cap)


@cache
def _sign_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\b")


class _SignMatcher:
    """The signs' patterns, compiled once, and one pattern of every sign's words: a text none of
    whose words appears (most texts) is dismissed with one search. The pattern is the union of the
    signs' patterns, so it matches exactly when at least one of them does."""

    def __init__(self, signs: Sequence[Sign]) -> None:
        self.signs = signs
        self.patterns = tuple((sign, _sign_pattern(sign.words)) for sign in signs)
        # A sign without words has the pattern of one empty word: it stands so in the union too.
        self.any = _sign_pattern(tuple(word for sign in signs for word in sign.words or ("",)))

    def found(self, text: str) -> list[Sign]:
        if not self.patterns or self.any.search(text) is None:
            return []
        return [sign for sign, pattern in self.patterns if pattern.search(text)]


# Matchers by the identity of the signs tuple they were made for (a policy's tuple lives as long
# as the policy; the tuple is kept in the matcher, so its id is not reused while cached).
_MATCHERS: dict[int, _SignMatcher] = {}


def _matcher(signs: Sequence[Sign]) -> _SignMatcher:
    matcher = _MATCHERS.get(id(signs))
    if matcher is None or matcher.signs is not signs:
        if len(_MATCHERS) > 64:
            _MATCHERS.clear()
        matcher = _MATCHERS[id(signs)] = _SignMatcher(signs)
    return matcher


def _signs_in(text: str, signs: Sequence[Sign]) -> list[Sign]:
    return _matcher(signs).found(text)


def years_of_service(person: PersonFacts, *, today: date) -> float | None:
    if person.joined_on is None:
        return None
    end = person.left_on or today
    return max((end - person.joined_on).days, 0) / _DAYS_PER_YEAR


def exposure_rate(person: PersonFacts, policy: Policy, *, today: date) -> float | None:
    """Severity-weighted allegations per year of service; None when service is unknown."""
    years = years_of_service(person, today=today)
    if years is None:
        return None
    weight = _SEVERITY.get
    total = sum([weight(allegation.category, 1) for allegation in person.allegations])
    return total / max(years, policy.peer_min_years)


def peer_cutpoints(rates: Iterable[float], policy: Policy) -> PeerCutpoints:
    """The rate at each peer percentile of the policy, from every person's rate (zeros included)."""
    ordered = sorted(rates)
    by_percentile: dict[float, float] = {}
    # With nobody to compare against, no band has a cut-point and none is reached (and the
    # cut-points stay valid JSON: no infinity).
    for band in policy.peer_bands if ordered else ():
        index = min(len(ordered) - 1, math.ceil(band.percentile / 100 * len(ordered)) - 1)
        by_percentile[band.percentile] = ordered[max(index, 0)]
    return PeerCutpoints(by_percentile=by_percentile, people=len(ordered))


def score_person(person: PersonFacts, policy: Policy, *, today: date, peers: PeerCutpoints) -> Score:
    """The person's score: a sum of named reasons (each at least 1 point; a reason worth nothing
    is left out)."""
    # (a.occurred_on, a.received_on, a.allegation_id), without the property call per allegation.
    allegations = sorted(
        person.allegations, key=lambda a: (a.incident_date or a.received_on, a.received_on, a.allegation_id)
    )
    complainants = {a.complainant for a in allegations if a.complainant}
    rate = exposure_rate(person, policy, today=today)
    if not allegations:
        return Score(0, policy.band(0), (), 0, 0, rate or 0.0)
    reasons = [
        _allegations_reason(allegations, policy, today=today),
        _complainants_reason(allegations, complainants, policy),
        _escalation_reason(allegations, policy),
        _sources_reason(allegations, policy),
        _abuse_of_position_reason(allegations, policy),
        _history_reason(person, allegations, policy),
        *_vetting_reasons(person, allegations, policy),
        _repeat_reason(allegations, policy),
        _role_reason(person, policy),
        _peer_reason(rate, peers, policy),
    ]
    kept = tuple(reason for reason in reasons if reason is not None and reason.points > 0)
    points = sum(reason.points for reason in kept)
    return Score(
        points=points,
        band=policy.band(points),
        reasons=kept,
        allegations=len(allegations),
        distinct_complainants=len(complainants),
        exposure_rate=rate or 0.0,
    )


def _allegations_reason(allegations: list[AllegationFacts], policy: Policy, *, today: date) -> Reason:
    weighted = 0.0
    weight = _SEVERITY.get
    floor, half_life, per_severity = policy.recency_floor, policy.half_life_years, policy.points_per_severity
    for allegation in allegations:
        age_years = max((today - allegation.received_on).days, 0) / _DAYS_PER_YEAR
        recency = max(floor, 0.5 ** (age_years / half_life))
        weighted += weight(allegation.category, 1) * per_severity * recency
    counts = Counter(a.category for a in allegations)
    kinds = sorted(counts, key=lambda code: (-severity(code), code))
    parts = [
        _CATEGORY_LABEL.get(code, code) + (f" x{counts[code]}" if counts[code] > 1 else "") for code in kinds
    ]
    label = f"{_plural(len(allegations), 'allegation')} (weighed by severity and recency): {', '.join(parts)}"
    return Reason(ALLEGATIONS, label, round(weighted))


def _complainants_reason(
    allegations: list[AllegationFacts], complainants: set[str], policy: Policy
) -> Reason | None:
    if len(complainants) < 2:
        return None
    points = _capped((len(complainants) - 1) * policy.complainant_points, policy.complainant_max)
    label = f"{_plural(len(allegations), 'allegation')} from {len(complainants)} different complainants"
    return Reason(COMPLAINANTS, label, points)


def _escalation_reason(allegations: list[AllegationFacts], policy: Policy) -> Reason | None:
    weight = _SEVERITY.get
    first = weight(allegations[0].category, 1)
    chain = [allegations[0].category]
    highest = first
    for allegation in allegations[1:]:
        level = weight(allegation.category, 1)
        if level > highest:
            highest = level
            chain.append(allegation.category)
    rise = highest - first
    if rise < policy.escalation_min_rise:
        return None
    label = "severity rising: " + " → ".join(_CATEGORY_LABEL.get(code, code) for code in chain)
    return Reason(ESCALATION, label, round(rise * policy.escalation_points_per_step))


def _sources_reason(allegations: list[AllegationFacts], policy: Policy) -> Reason | None:
    sources = list(dict.fromkeys([a.source for a in allegations]))
    if len(sources) < 2:
        return None
    points = _capped((len(sources) - 1) * policy.source_points, policy.source_max)
    names = ", ".join(_SOURCE_LABEL.get(code, code) for code in sources)
    return Reason(SOURCES_SPREAD, f"reported through {len(sources)} routes: {names}", points)


def _abuse_of_position_reason(allegations: list[AllegationFacts], policy: Policy) -> Reason | None:
    showing = 0
    seen: dict[str, None] = {}
    found = _matcher(policy.abuse_signs).found
    categories = policy.abuse_categories
    for allegation in allegations:
        signs = found(allegation.text) if allegation.text else []
        if signs or allegation.category in categories:
            showing += 1
            seen.update((sign.label, None) for sign in signs)
    if not showing:
        return None
    label = f"abuse of position in {_plural(showing, 'allegation')}"
    if seen:
        label += ": met or contacted complainants " + " / ".join(seen)
    return Reason(ABUSE_OF_POSITION, label, _capped(showing * policy.abuse_points, policy.abuse_max))


def _is_other_force(person: PersonFacts, allegation: AllegationFacts) -> bool:
    if allegation.source == "other_force":
        return True
    return bool(allegation.subject_force) and allegation.subject_force.casefold() != person.force.casefold()


def _history_reason(person: PersonFacts, allegations: list[AllegationFacts], policy: Policy) -> Reason | None:
    # Counts only: an allegation is "both" when it is before joining and by another force (equal
    # allegations are alike in both respects, so this is the count of `before` found in `other`).
    joined = person.joined_on
    before = other = both = 0
    for a in allegations:
        is_before = joined is not None and min(a.incident_date or a.received_on, a.received_on) < joined
        is_other = _is_other_force(person, a)
        before += is_before
        other += is_other
        both += is_before and is_other
    if not before and not other:
        return None
    if before and both == before == other:
        label = f"{_plural(both, 'allegation')} by another force before joining"
    else:
        parts = []
        if before:
            parts.append(f"{_plural(before, 'allegation')} before joining")
        if other:
            parts.append(f"{_plural(other, 'allegation')} by or in another force")
        label = "; ".join(parts)
    points = before * policy.before_joining_points + other * policy.other_force_points
    return Reason(HISTORY, label, points)


def _vetting_reasons(
    person: PersonFacts, allegations: list[AllegationFacts], policy: Policy
) -> list[Reason | None]:
    reasons: list[Reason | None] = []
    granted = person.last_vetting_granted
    if granted is not None:
        since = [a for a in allegations if a.received_on > granted]
        if since:
            label = f"{_plural(len(since), 'allegation')} since last vetting in {granted.year}"
            points = _capped(len(since) * policy.vetting_points_per_allegation, policy.vetting_max)
            reasons.append(Reason(SINCE_VETTING, label, points))
    expires = person.last_vetting_expires
    if expires is not None:
        lapsed = [a for a in allegations if a.received_on > expires]
        if lapsed:
            label = f"vetting expired in {expires.year}; {_plural(len(lapsed), 'allegation')} since"
            reasons.append(Reason(VETTING_EXPIRED, label, policy.vetting_expired_points))
    return reasons


def _repeat_reason(allegations: list[AllegationFacts], policy: Policy) -> Reason | None:
    closed_on = [a.outcome_on or a.received_on for a in allegations if a.outcome_class == NOT_PROVEN]
    if not closed_on:
        return None
    earliest_closure = min(closed_on)
    repeats = [a for a in allegations if a.received_on > earliest_closure]
    if not repeats:
        return None
    label = f"{_plural(len(repeats), 'allegation')} after an earlier one was closed without action"
    return Reason(REPEAT_AFTER_NFA, label, _capped(len(repeats) * policy.repeat_points, policy.repeat_max))


def _role_reason(person: PersonFacts, policy: Policy) -> Reason | None:
    exposures = _signs_in(person.role, policy.role_exposures) if person.role else []
    if not exposures:
        return None
    top = max(exposures, key=lambda sign: sign.points)
    return Reason(ROLE_EXPOSURE, f"role exposure: {top.label}", top.points)


def _peer_reason(rate: float | None, peers: PeerCutpoints, policy: Policy) -> Reason | None:
    if rate is None or rate <= 0:
        return None
    for band in policy.peer_bands:
        cutpoint = peers.by_percentile.get(band.percentile, math.inf)
        if rate > cutpoint:
            label = (
                f"more severity-weighted allegations per year of service than {band.percentile:g}% "
                f"of the workforce ({rate:.1f} a year)"
            )
            return Reason(PEERS, label, band.points)
    return None
