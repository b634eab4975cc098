"""The progress figures: the forecast against worked values (exact Poisson limits for 16 events:
9.146 to 25.98, from the chi-squared quantiles), and the whole on an empty force."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.oversight.progress import forecast, progress

TODAY = dt.date(2026, 12, 7)


def test_the_finish_at_the_current_pace_with_its_range() -> None:
    result = forecast(remaining=100, decided_in_window=16, weeks=8, today=TODAY)
    assert result.per_week == 2.0
    assert (result.per_week_low, result.per_week_high) == (
        pytest.approx(9.1458 / 8, abs=1e-3),
        pytest.approx(25.9849 / 8, abs=1e-3),
    )
    assert result.finish == TODAY + dt.timedelta(days=350)  # 100 people at 2 a week
    assert result.finish_earliest == TODAY + dt.timedelta(days=round(7 * 100 / (25.9849 / 8)))
    assert result.finish_latest == TODAY + dt.timedelta(days=round(7 * 100 / (9.1458 / 8)))


def test_no_pace_yet_gives_no_finish_date() -> None:
    result = forecast(remaining=100, decided_in_window=0, weeks=8, today=TODAY)
    assert result.finish is None and result.finish_latest is None
    assert result.finish_earliest is not None  # at most ~3.7 decisions in 8 weeks is still possible


def test_nothing_remaining_is_finished_today() -> None:
    assert forecast(remaining=0, decided_in_window=5, weeks=8, today=TODAY).finish == TODAY


@pytest.mark.django_db
def test_progress_of_an_empty_force() -> None:
    result = progress(today=TODAY)
    assert (result.cohort_cases, result.cohort_people, result.people_decided) == (0, 0, 0)
    assert len(result.hotline_per_day) == 28 and all(n == 0 for _, n in result.hotline_per_day)
    assert result.backlog_median_days is None and result.triage_median_hours is None
    assert result.forecast.finish == TODAY
