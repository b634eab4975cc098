"""The statistics behind the oversight figures: a rate with its 95% Wilson interval, and the
relative rate of a group against a reference group with its 95% interval (Katz's log method).

The Wilson interval is its closed form with SciPy's normal quantile; the tests hold it equal to
SciPy's `binomtest(...).proportion_ci(method="wilson")`, which also works out a p-value the
dashboard does not need (0.6 ms a rate, 200 ms a page). The relative rate is SciPy's
`contingency.relative_risk`. What SciPy leaves undefined stays undefined here: a group of
nobody has no rate, and a relative rate with no events on either side has no interval (None),
rather than a number that looks like evidence."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm  # type: ignore[import-untyped]
from scipy.stats.contingency import relative_risk  # type: ignore[import-untyped]

CONFIDENCE = 0.95
_Z = float(norm.ppf(1 - (1 - CONFIDENCE) / 2))  # 1.959964 for 95%


@dataclass(frozen=True)
class Rate:
    """`count` of `total` reached the stage. rate, low and high are None when total is 0."""

    count: int
    total: int
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class RelativeRate:
    """A group's rate divided by the reference group's. `ratio` is None when the reference rate
    is 0 or either group is empty; low and high are None when the interval is undefined (no
    events in one of the groups). `marked`: the interval excludes 1."""

    ratio: float | None
    low: float | None
    high: float | None

    @property
    def marked(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 1 or self.high < 1)


def rate(count: int, total: int) -> Rate:
    if count < 0 or total < 0 or count > total:
        raise ValueError(f"a rate needs 0 <= count <= total, not {count} of {total}")
    if total == 0:
        return Rate(count, total, None, None, None)
    low, high = wilson_interval(count, total)
    return Rate(count, total, count / total, low, high)


def wilson_interval(count: int, total: int, z: float = _Z) -> tuple[float, float]:
    """The Wilson score interval of count/total (total > 0), clipped to [0, 1] as SciPy's is."""
    share = count / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def relative_rate(group: Rate, reference: Rate) -> RelativeRate:
    if group.total == 0 or reference.total == 0 or reference.count == 0:
        return RelativeRate(None, None, None)
    result = relative_risk(group.count, group.total, reference.count, reference.total)
    interval = result.confidence_interval(confidence_level=CONFIDENCE)
    low, high = float(interval.low), float(interval.high)
    if group.count == 0 or not (math.isfinite(low) and math.isfinite(high)):
        return RelativeRate(float(result.relative_risk), None, None)
    return RelativeRate(float(result.relative_risk), low, high)
