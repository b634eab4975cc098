"""Small helpers everything else draws with: weighted choices, chances, dates and ASCII folding."""

from __future__ import annotations

import functools
import math
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")


class _Weighted(Generic[T]):
    """Draws items by relative weight; cumulative weights and bisect keep it fast on long lists."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("nothing to draw from")
        self.items = [item for item, _ in kept]
        self.cumulative = list(accumulate(weight for _, weight in kept))

    def draw(self, rng: Random) -> T:
        index = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def _zipf(names: Sequence[str], offset: float) -> _Weighted[str]:
    """Zipf-Mandelbrot weights by rank, 1 / (rank + offset): a few very common names, a long tail."""
    return _Weighted((name, 1.0 / (rank + offset)) for rank, name in enumerate(names, start=1))


@functools.cache
def _weighted(pairs: tuple[tuple[str, float], ...]) -> _Weighted[str]:
    """A drawer for a constant table, built once (building one per draw dominated large worlds)."""
    return _Weighted(pairs)


def _chance(rng: Random, probability: float) -> bool:
    return rng.random() < probability


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _random_date(rng: Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _recent_date(rng: Random, start: date, end: date) -> date:
    """A date in [start, end], more likely late: reporting has grown year on year."""
    if end <= start:
        return start
    fraction = rng.random()
    if _chance(rng, 0.6):
        fraction = math.sqrt(fraction)
    return start + timedelta(days=round(fraction * (end - start).days))


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def _partial_date(day: date, precision: str) -> str:
    if precision == "Y":
        return f"{day.year:04d}"
    if precision == "M":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


# Letters NFKD does not split into a base letter and an accent: Polish ł, Turkish dotless i.
_NO_DECOMPOSITION = str.maketrans({"\u0142": "l", "\u0141": "L", "\u0131": "i"})


def _ascii(text: str) -> str:
    """'Wiśniewski' -> 'Wisniewski', as older systems store names; 'ł' has no decomposition."""
    folded = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(char for char in folded if not unicodedata.combining(char))


def _weights_of(weighted: _Weighted[T]) -> list[float]:
    previous = 0.0
    weights = []
    for total in weighted.cumulative:
        weights.append(total - previous)
        previous = total
    return weights
