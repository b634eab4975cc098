from __future__ import annotations

from django import template

from vigil.reviews.models import IOPCCriterion

register = template.Library()
_IOPC_LABELS = dict(IOPCCriterion.choices)


@register.filter
def iopc_label(code: str) -> str:
    return str(_IOPC_LABELS.get(code, code))
