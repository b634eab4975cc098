"""How the oversight figures read: a rate as a percentage with its interval, a relative rate
with its interval."""

from __future__ import annotations

from django import template

from vigil.oversight.stats import Rate, RelativeRate

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@register.filter
def rate_interval(value: Rate) -> str:
    if value.low is None or value.high is None:
        return "—"
    return f"{100 * value.low:.1f}% to {100 * value.high:.1f}%"


@register.filter
def ratio(value: RelativeRate | None) -> str:
    if value is None or value.ratio is None:
        return "—"
    if value.low is None or value.high is None:
        return f"{value.ratio:.2f} (interval undefined)"
    return f"{value.ratio:.2f} ({value.low:.2f} to {value.high:.2f})"
