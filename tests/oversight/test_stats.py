"""The oversight statistics against values worked by hand (z = 1.959964 for 95%):

Wilson: centre (p + z²/2n) / (1 + z²/n), half-width z·√(p(1-p)/n + z²/4n²) / (1 + z²/n).
Relative rate (Katz): exp(ln RR ± z·√(1/a - 1/n₁ + 1/c - 1/n₀))."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest  # type: ignore[import-untyped]

from vigil.oversight.stats import rate, relative_rate

approx = lambda value: pytest.approx(value, abs=5e-5)  # noqa: E731


def test_wilson_interval_of_8_in_20() -> None:
    # p = 0.4, z²/n = 0.192073: centre 0.416114, half-width 0.197306.
    result = rate(8, 20)
    assert result.rate == 0.4
    assert (result.low, result.high) == (approx(0.218807), approx(0.613420))


def test_wilson_interval_of_none_and_all() -> None:
    none = rate(0, 20)  # centre = half-width = 0.080562
    assert (none.rate, none.low, none.high) == (0.0, approx(0.0), approx(0.161125))
    every = rate(20, 20)
    assert (every.low, every.high) == (approx(1 - 0.161125), approx(1.0))


@pytest.mark.parametrize(("count", "total"), [(0, 1), (1, 1), (0, 7), (3, 7), (7, 7), (49, 1633), (9, 12)])
def test_the_wilson_interval_is_scipys(count: int, total: int) -> None:
    expected = binomtest(count, total).proportion_ci(confidence_level=0.95, method="wilson")
    result = rate(count, total)
    assert (result.low, result.high) == (pytest.approx(expected.low), pytest.approx(expected.high))


def test_a_tiny_group_has_a_wide_interval() -> None:
    one = rate(1, 1)  # centre 0.603, half-width 0.397: from 0.206543 to 1
    assert (one.low, one.high) == (approx(0.206543), approx(1.0))


def test_an_empty_group_has_no_rate() -> None:
    empty = rate(0, 0)
    assert (empty.rate, empty.low, empty.high) == (None, None, None)
    assert relative_rate(empty, rate(20, 100)).ratio is None
    assert relative_rate(rate(3, 10), empty).ratio is None


def test_relative_rate_whose_interval_includes_one() -> None:
    # RR 1.5; SE(ln) = √(1/30 - 1/100 + 1/20 - 1/100) = 0.251661.
    result = relative_rate(rate(30, 100), rate(20, 100))
    assert result.ratio == pytest.approx(1.5)
    assert (result.low, result.high) == (approx(0.915961), approx(2.456437))
    assert not result.marked


def test_relative_rate_whose_interval_excludes_one_is_marked() -> None:
    # RR 3; SE(ln) = √(1/60 - 1/100 + 1/20 - 1/100) = 0.216025.
    higher = relative_rate(rate(60, 100), rate(20, 100))
    assert (higher.ratio, higher.low, higher.high) == (pytest.approx(3.0), approx(1.964449), approx(4.581438))
    assert higher.marked
    # And below: RR 1/3, the interval mirrored.
    lower = relative_rate(rate(20, 100), rate(60, 100))
    assert lower.marked and lower.high == approx(1 / 1.964449)


def test_relative_rate_of_tiny_groups() -> None:
    # 1 of 1 against 1 of 2: RR 2, SE(ln) = √(1 - 1 + 1 - 1/2) = 0.707107.
    result = relative_rate(rate(1, 1), rate(1, 2))
    assert (result.ratio, result.low, result.high) == (pytest.approx(2.0), approx(0.500195), approx(7.996876))
    assert not result.marked


def test_relative_rate_with_no_events_has_no_interval() -> None:
    none_in_group = relative_rate(rate(0, 10), rate(20, 100))
    assert none_in_group.ratio == 0.0 and none_in_group.low is None and not none_in_group.marked
    none_in_reference = relative_rate(rate(5, 10), rate(0, 100))
    assert none_in_reference.ratio is None and not none_in_reference.marked


def test_a_count_above_its_total_is_refused() -> None:
    with pytest.raises(ValueError, match="0 <= count <= total"):
        rate(5, 4)
