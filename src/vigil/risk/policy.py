"""The risk policy: the TOML file that says how much each reason weighs (data/policy.toml, or the
file VIGIL_RISK_POLICY names), read into typed, checked values. A policy with a missing or
mistyped value is refused with every problem listed, never half-applied."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "data" / "policy.toml"


class PolicyError(ValueError):
    """The policy file cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class Sign:
    """A named sign found by words in free text (summary, details) or a role."""

    label: str
    words: tuple[str, ...]
    points: int = 0


@dataclass(frozen=True)
class PeerBand:
    percentile: float
    points: int


@dataclass(frozen=True)
class Policy:
    version: int
    name: str
    sha256: str
    band_high: int
    band_medium: int
    points_per_severity: float
    half_life_years: float
    recency_floor: float
    complainant_points: int
    complainant_max: int
    escalation_points_per_step: float
    escalation_min_rise: int
    source_points: int
    source_max: int
    abuse_categories: frozenset[str]
    abuse_points: int
    abuse_max: int
    abuse_signs: tuple[Sign, ...]
    before_joining_points: int
    other_force_points: int
    vetting_points_per_allegation: int
    vetting_max: int
    vetting_expired_points: int
    repeat_points: int
    repeat_max: int
    role_exposures: tuple[Sign, ...]
    peer_min_years: float
    peer_bands: tuple[PeerBand, ...]  # highest percentile first

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def band(self, score: int) -> str:
        if score >= self.band_high:
            return "high"
        if score >= self.band_medium:
            return "medium"
        return "low"


class _Reader:
    """Reads typed values out of the parsed TOML, collecting every problem before refusing."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def value(self, path: str, kind: type | tuple[type, ...], *, default: Any = None) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is not None:
                    return default
                self.problems.append(f"{path}: missing")
                return _placeholder(kind)
            node = node[part]
        if isinstance(node, bool) or not isinstance(node, kind):
            self.problems.append(f"{path}: expected {_kind_name(kind)}, found {node!r}")
            return _placeholder(kind)
        return node

    def number(self, path: str, *, minimum: float = 0) -> float:
        known = len(self.problems)
        value = float(self.value(path, (int, float)))
        if len(self.problems) == known and value < minimum:  # not for a missing or mistyped value
            self.problems.append(f"{path}: must be at least {minimum}, found {value}")
        return value

    def whole(self, path: str, *, minimum: int = 0) -> int:
        known = len(self.problems)
        value = int(self.value(path, int))
        if len(self.problems) == known and value < minimum:  # not for a missing or mistyped value
            self.problems.append(f"{path}: must be at least {minimum}, found {value}")
        return value

    def codes(self, path: str) -> frozenset[str]:
        """A list of vocabulary codes (strings)."""
        values = self.value(path, list)
        if not all(isinstance(value, str) for value in values):
            self.problems.append(f"{path}: expected a list of codes (strings), found {values!r}")
            return frozenset(value for value in values if isinstance(value, str))
        return frozenset(values)

    def signs(self, path: str, *, with_points: bool) -> tuple[Sign, ...]:
        entries = self.value(path, list)
        signs = []
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{where}: expected a table")
                continue
            label, words, points = entry.get("label"), entry.get("words"), entry.get("points", 0)
            if not isinstance(label, str) or not label.strip():
                self.problems.append(f"{where}.label: expected a non-empty string")
                continue
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
                self.problems.append(f"{where}.words: expected a non-empty list of words")
                continue
            if with_points and (not isinstance(points, int) or isinstance(points, bool) or points < 0):
                self.problems.append(f"{where}.points: expected a whole number of at least 0")
                continue
            signs.append(Sign(label=label, words=tuple(w.lower() for w in words), points=int(points)))
        return tuple(signs)


def _placeholder(kind: type | tuple[type, ...]) -> Any:
    first = kind[0] if isinstance(kind, tuple) else kind
    return first()


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "a whole number", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def policy_parse(text: str, *, source: str = "policy") -> Policy:
    """A Policy from TOML text; PolicyError listing every problem if it cannot be used."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: not valid TOML: {error}") from None
    read = _Reader(data)
    peer_bands = []
    for index, entry in enumerate(read.value("peers.bands", list)):
        percentile, points = (
            (entry.get("percentile"), entry.get("points")) if isinstance(entry, dict) else (0, 0)
        )
        if not isinstance(percentile, int | float) or not 0 < percentile < 100:
            read.problems.append(f"peers.bands[{index}].percentile: expected a number between 0 and 100")
        elif not isinstance(points, int) or isinstance(points, bool) or points < 0:
            read.problems.append(f"peers.bands[{index}].points: expected a whole number of at least 0")
        else:
            peer_bands.append(PeerBand(float(percentile), points))
    policy = Policy(
        version=read.whole("version", minimum=1),
        name=str(read.value("name", str)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        band_high=read.whole("bands.high", minimum=1),
        band_medium=read.whole("bands.medium", minimum=1),
        points_per_severity=read.number("allegations.points_per_severity"),
        half_life_years=read.number("allegations.half_life_years", minimum=0.1),
        recency_floor=read.number("allegations.floor"),
        complainant_points=read.whole("complainants.points_per_additional"),
        complainant_max=read.whole("complainants.max_points"),
        escalation_points_per_step=read.number("escalation.points_per_step"),
        escalation_min_rise=read.whole("escalation.min_rise", minimum=1),
        source_points=read.whole("sources.points_per_additional"),
        source_max=read.whole("sources.max_points"),
        abuse_categories=read.codes("abuse_of_position.categories"),
        abuse_points=read.whole("abuse_of_position.points_per_allegation"),
        abuse_max=read.whole("abuse_of_position.max_points"),
        abuse_signs=read.signs("abuse_of_position.signs", with_points=False),
        before_joining_points=read.whole("history.before_joining_points"),
        other_force_points=read.whole("history.other_force_points"),
        vetting_points_per_allegation=read.whole("vetting.points_per_allegation_since"),
        vetting_max=read.whole("vetting.max_points_since"),
        vetting_expired_points=read.whole("vetting.expired_points"),
        repeat_points=read.whole("repeat_after_no_further_action.points_per_allegation"),
        repeat_max=read.whole("repeat_after_no_further_action.max_points"),
        role_exposures=read.signs("role_exposure.roles", with_points=True),
        peer_min_years=read.number("peers.min_years", minimum=0.1),
        peer_bands=tuple(sorted(peer_bands, key=lambda band: -band.percentile)),
    )
    if not any(problem.startswith("bands.") for problem in read.problems) and (
        policy.band_medium >= policy.band_high
    ):
        read.problems.append("bands: medium must be below high")
    if policy.recency_floor > 1:
        read.problems.append("allegations.floor: must be at most 1")
    from vigil.allegations.vocabularies import CATEGORIES

    unknown = sorted(policy.abuse_categories - set(CATEGORIES.codes()))
    if unknown:
        read.problems.append(
            f"abuse_of_position.categories: unknown categories {', '.join(map(str, unknown))}"
        )
    if read.problems:
        raise PolicyError(f"{source}: " + "; ".join(read.problems))
    return policy


def policy_path() -> Path:
    configured = getattr(settings, "RISK_POLICY_PATH", "")
    return Path(configured) if configured else DEFAULT_POLICY_PATH


@cache
def _policy_at(path: Path, mtime_ns: int) -> Policy:
    return policy_parse(path.read_text(encoding="utf-8"), source=str(path))


def current_policy() -> Policy:
    """The policy in force (re-read when the file changes)."""
    path = policy_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the risk policy: {error.strerror}") from None
    return _policy_at(path, mtime)
