from __future__ import annotations

import datetime as dt

from django import template

from vigil.core.partial_dates import format_partial_date

register = template.Library()


@register.simple_tag
def partial_date(earliest: dt.date | None, precision: str) -> str:
    """Render a stored partial date as ISO text, e.g. `1971-09`, or an em dash when unknown."""
    return format_partial_date(earliest, precision) or "—"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (for paging links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded: str = query.urlencode()
    return encoded
