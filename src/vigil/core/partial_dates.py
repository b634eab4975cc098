"""Dates that may be known only to the year or month ("1971", "1971-09"), as legacy exports often
hold only a birth year. A partial date is stored as two columns: the first day it could be (a real
DATE, so ranges and ordering work in SQL) and its precision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.utils import timezone

Precision = Literal["Y", "M", "D"]


class DatePrecision(models.TextChoices):
    YEAR = "Y", "year"
    MONTH = "M", "month"
    DAY = "D", "day"


@dataclass(frozen=True, slots=True)
class PartialDate:
    earliest: dt.date
    precision: Precision

    def __str__(self) -> str:
        return format_partial_date(self.earliest, self.precision)

    @property
    def latest(self) -> dt.date:
        """The last day the date could be."""
        if self.precision == "D":
            return self.earliest
        if self.precision == "M":
            next_month = (self.earliest.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return next_month - dt.timedelta(days=1)
        return self.earliest.replace(month=12, day=31)


class PartialDateError(ValueError):
    pass


def parse_partial_date(text: str) -> PartialDate:
    """Parse ISO `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a time part after `T` or a space is ignored)."""
    value = text.strip()
    if len(value) > 10 and value[10] in "T ":
        value = value[:10]
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return PartialDate(dt.date(int(value[:4]), int(value[5:7]), int(value[8:10])), "D")
        if len(value) == 7 and value[4] == "-":
            return PartialDate(dt.date(int(value[:4]), int(value[5:7]), 1), "M")
        if len(value) == 4:
            return PartialDate(dt.date(int(value), 1, 1), "Y")
    except ValueError as error:
        raise PartialDateError(f"not a real date ({error})") from None
    raise PartialDateError("expected an ISO date: YYYY-MM-DD, YYYY-MM or YYYY")


def not_in_future(date: PartialDate, *, today: dt.date | None = None) -> PartialDate:
    """The date, if it could have happened by today (a partial date by its first day: "2026" is
    fine all through 2026); otherwise PartialDateError. One rule for imports, forms and the API:
    something received, done or born in the future is a typing error."""
    today = today or timezone.localdate()
    if date.earliest > today:
        raise PartialDateError(f"in the future (today is {today.isoformat()})")
    return date


def parse_past_partial_date(text: str, *, today: dt.date | None = None) -> PartialDate:
    """parse_partial_date, refusing a date in the future."""
    return not_in_future(parse_partial_date(text), today=today)


def format_partial_date(earliest: dt.date | None, precision: str) -> str:
    """The ISO text of a stored partial date ('' when unknown)."""
    if earliest is None:
        return ""
    if precision == "Y":
        return f"{earliest.year:04d}"
    if precision == "M":
        return f"{earliest.year:04d}-{earliest.month:02d}"
    return earliest.isoformat()


def precision_field() -> models.CharField[str, str]:
    """The companion column of a partial date: how much of it is known."""
    return models.CharField(
        max_length=1, choices=DatePrecision.choices, default=DatePrecision.DAY, blank=True
    )
