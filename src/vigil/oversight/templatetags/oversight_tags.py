"""How the oversight figures read: a rate as a percentage with its interval, a relative rate
with its interval, and a figure withheld by disclosure control as "too few to show"."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vigil.oversight.disclosure import PHRASE, THRESHOLD, Withheld
from vigil.oversight.stats import Rate, RelativeRate

register = template.Library()

_WITHHELD_TITLE = f"Withheld: fewer than {THRESHOLD}, or it would let such a figure be worked out"


def withheld() -> SafeString:
    return format_html('<span class="withheld" title="{}">{}</span>', _WITHHELD_TITLE, PHRASE)


@register.filter
def shown(value: Any) -> Any:
    """A count as it may be shown: the number, or "too few to show"."""
    return withheld() if isinstance(value, Withheld) else value


@register.filter
def figure(value: Any, digits: int = 0) -> Any:
    """A non-count figure (days, hours, a pace): to `digits` decimals, "—" when there is none."""
    if isinstance(value, Withheld):
        return withheld()
    if value is None:
        return "—"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def percent(value: float | Withheld | None) -> Any:
    if isinstance(value, Withheld):
        return withheld()
    return "—" if value is None else f"{100 * value:.1f}%"


@register.filter
def rate_interval(value: Rate | Withheld) -> str:
    if isinstance(value, Withheld) or value.low is None or value.high is None:
        return "—"
    return f"{100 * value.low:.1f}% to {100 * value.high:.1f}%"


@register.filter
def ratio(value: RelativeRate | Withheld | None) -> Any:
    if isinstance(value, Withheld):
        return withheld()
    if value is None or value.ratio is None:
        return "—"
    if value.low is None or value.high is None:
        return f"{value.ratio:.2f} (interval undefined)"
    return f"{value.ratio:.2f} ({value.low:.2f} to {value.high:.2f})"


@register.filter
def of_total(cell: Any) -> str:
    """A cell's "count of total", saying only what is shown ("of 68" when the count is withheld,
    nothing when both are)."""
    count, total = cell.count, cell.total
    if isinstance(count, Withheld) and isinstance(total, Withheld):
        return ""
    if isinstance(count, Withheld):
        return f"of {total}"
    if isinstance(total, Withheld):
        return f"{count} of a withheld total"
    return f"{count} of {total}"
