"""Printing or sending a record from its page is a disclosure (Data Protection Act 2018, s.62): the
user says why and to whom, the disclosure is audited, and the printable page carries its marking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigil.audit.actions import Action
from vigil.audit.forms import DisclosureForm
from vigil.audit.services import audit_record


@dataclass(frozen=True)
class Disclosure:
    """What a printed page says about itself."""

    recipient: str
    by: str
    at: datetime
    entry_id: int
    back: str  # the record's own page


def disclosure_or_form(
    request: HttpRequest, *, record_type: str, record_id: int, record_label: str, what: str, back: str
) -> Disclosure | HttpResponse:
    """On a valid POST, the audited disclosure; otherwise the form asking why and to whom."""
    form = DisclosureForm(request.POST if request.method == "POST" else None, prefix="disclosure")
    if request.method == "POST" and form.is_valid():
        entry = audit_record(
            action=Action.RECORD_DISCLOSED,
            actor=request.user,
            record_type=record_type,
            record_id=record_id,
            record_label=record_label,
            justification=form.justification(),
            recipient=form.cleaned_data["recipient"],
            request=request,
        )
        return Disclosure(
            form.cleaned_data["recipient"], entry.actor_label, entry.occurred_at, entry.pk, back
        )
    return render(request, "disclose.html", {"form": form, "what": what})
