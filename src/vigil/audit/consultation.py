"""Justified consultation: before a person, an allegation or a sealed field is shown, the user says
why (a reason from a list and their own words). The justification is remembered for that record for
the rest of the session, and every showing is written to the audit trail with it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from vigil.audit.actions import Action
from vigil.audit.forms import JustificationForm
from vigil.audit.justification import Justification

SESSION_KEY = "vigil_justifications"


def justification_remembered(request: HttpRequest, *, record_key: str) -> Justification | None:
    stored = request.session.get(SESSION_KEY, {}).get(record_key)
    if not stored:
        return None
    return Justification(reason=stored["reason"], text=stored["text"])


def justification_remember(request: HttpRequest, *, record_key: str, justification: Justification) -> None:
    remembered = dict(request.session.get(SESSION_KEY, {}))
    remembered[record_key] = {"reason": justification.reason, "text": justification.text}
    request.session[SESSION_KEY] = remembered


def justification_or_prompt(
    request: HttpRequest, *, record_key: str, what: str
) -> Justification | HttpResponse:
    """The justification the user gave for this record in this session; otherwise the response to
    send: the justification form (`what` names the record in its heading), or, once the form is
    accepted, a redirect back to the page."""
    justification = justification_remembered(request, record_key=record_key)
    if justification is not None:
        return justification
    form = JustificationForm(request.POST if request.method == "POST" else None, prefix="justification")
    if request.method == "POST" and form.is_valid():
        justification_remember(request, record_key=record_key, justification=form.justification())
        return HttpResponseRedirect(request.get_full_path())
    return render(request, "justify.html", {"form": form, "what": what})


def consultation_justified(
    request: HttpRequest,
    *,
    action: Action,
    record_type: str,
    record_id: int,
    record_label: str,
    what: str,
) -> HttpResponse | None:
    """None when the user has justified seeing this record (the consultation is then audited);
    otherwise the response to send (see justification_or_prompt)."""
    from vigil.audit.services import audit_record

    justification = justification_or_prompt(request, record_key=f"{record_type}:{record_id}", what=what)
    if isinstance(justification, HttpResponse):
        return justification
    audit_record(
        action=action,
        actor=request.user,
        record_type=record_type,
        record_id=record_id,
        record_label=record_label,
        justification=justification,
        request=request,
    )
    return None
