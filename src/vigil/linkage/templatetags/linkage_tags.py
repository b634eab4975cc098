"""Template filters for links: a match probability in words a reviewer reads at a glance."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def probability(value: float | None) -> str:
    """0.9734 -> "97.3%"; never rounds up to a certainty the model did not give (0.9996 -> "99.9%")."""
    if value is None:
        return "—"
    percent = max(0.0, min(1.0, float(value))) * 100
    if 0 < percent < 0.1:
        return "under 0.1%"
    if 99.9 < percent < 100:
        return "over 99.9%"
    # Down to the tenth (a hair of slack for binary fractions: 0.998 * 100 is 99.79999...).
    return f"{math.floor(percent * 10 + 1e-6) / 10:.1f}%"
