"""The allegation pages. Which pages a role may use is the permission matrix (RoutePermissionMiddleware);
which allegations a user may see is need-to-know (accounts.access); opening one is justified and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from vigil.accounts.access import (
    access_allegation_by_id,
    allegations_visible_q,
    people_visible_q,
    record_label_allegation,
)
from vigil.accounts.permissions import SEALED_FIELD_ROLES
from vigil.accounts.selectors import user_roles
from vigil.accounts.services import conflict_declare
from vigil.allegations import selectors, services
from vigil.allegations.forms import CategorySourceFilterForm, choice_errors
from vigil.allegations.models import Allegation, Outcome
from vigil.audit.actions import Action
from vigil.audit.consultation import consultation_justified, justification_or_prompt
from vigil.audit.disclosure import Disclosure, disclosure_or_form
from vigil.core.paging import cursor_in_query

_ISO_DATE = ["%Y-%m-%d"]
_DATE_ERRORS = {"invalid": "Enter a real date, as YYYY-MM-DD (for example 2024-03-31)."}


class AllegationFilterForm(CategorySourceFilterForm):
    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.all(),
        required=False,
        empty_label="Any outcome",
        error_messages=choice_errors("an outcome"),
    )
    received_from = forms.DateField(
        required=False,
        label="Received from",
        input_formats=_ISO_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )
    received_to = forms.DateField(
        required=False,
        label="Received to",
        input_formats=_ISO_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start: dt.date | None = cleaned.get("received_from")
        end: dt.date | None = cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "“Received to” must be the same as or after “Received from”.")
        return cleaned

    def filters(self) -> selectors.AllegationFilters:
        data = self.cleaned_data
        return selectors.AllegationFilters(
            category=data.get("category"),
            source=data.get("source"),
            outcome=data.get("outcome"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


def allegation_list(request: HttpRequest) -> HttpResponse:
    form = AllegationFilterForm(request.GET)
    cursor, cursor_invalid = cursor_in_query(request, selectors.Cursor.parse)
    page = None
    if form.is_valid():
        page = selectors.allegation_list_page(
            filters=form.filters(), visible=allegations_visible_q(request.user), cursor=cursor
        )
    return render(
        request,
        "allegations/allegation_list.html",
        {
            "form": form,
            "page": page,
            "cursor": cursor,
            "cursor_invalid": cursor_invalid,
            "filtered": page is not None and form.filters().active,
        },
    )


def allegation_detail(request: HttpRequest, allegation_id: int) -> HttpResponse:
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    label = record_label_allegation(opened)
    prompt = consultation_justified(
        request,
        action=Action.ALLEGATION_CONSULTED,
        record_type="allegation",
        record_id=opened.pk,
        record_label=label,
        what=f"allegation {opened.allegation_ref}",
    )
    if prompt is not None:
        return prompt
    return _allegation_page(request, opened)


def allegation_disclose(request: HttpRequest, allegation_id: int) -> HttpResponse:
    """The allegation to print or send: asks why and to whom, audits it, marks the page. The
    sealed contact is never part of it."""
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    disclosure = disclosure_or_form(
        request,
        record_type="allegation",
        record_id=opened.pk,
        record_label=record_label_allegation(opened),
        what=f"allegation {opened.allegation_ref}",
        back=reverse("allegations:allegation_detail", args=[opened.pk]),
    )
    if isinstance(disclosure, HttpResponse):
        return disclosure
    return _allegation_page(request, opened, disclosure)


def _allegation_page(
    request: HttpRequest, opened: Allegation, disclosure: Disclosure | None = None
) -> HttpResponse:
    allegation = selectors.allegation_get(allegation_id=opened.pk)
    return render(
        request,
        "allegations/allegation_detail.html",
        {
            "allegation": allegation,
            "disclosure": disclosure,
            "can_open_sealed": bool(user_roles(request.user) & SEALED_FIELD_ROLES),
            "staff_number_holders": selectors.people_holding_staff_id(
                allegation=allegation, visible=people_visible_q(request.user)
            ),
        },
    )


class CaseConflictForm(forms.Form):
    reason = forms.CharField(
        label="The nature of the conflict",
        max_length=250,
        strip=True,
        help_text="For example: I know the complainant; the subject is my line manager.",
        error_messages={"required": "Say what the conflict is."},
    )


def allegation_conflict(request: HttpRequest, allegation_id: int) -> HttpResponse:
    """Declare a conflict of interest on this case: from then on the user cannot see it."""
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    form = CaseConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        conflict_declare(
            user=request.user,  # type: ignore[arg-type]  # the route needs a login
            allegation=opened,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, f"Recorded. You will no longer see allegation {opened.allegation_ref}.")
        return redirect("allegations:allegation_list")
    return render(
        request, "allegations/allegation_conflict.html", {"form": form, "allegation": opened}, status=200
    )


def allegation_contact(request: HttpRequest, allegation_id: int) -> HttpResponse:
    """The complainant's sealed contact details: need-to-know, then a justification, then audited."""
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    justification = justification_or_prompt(
        request,
        record_key=f"allegation:{opened.pk}:complainant_contact",
        what=f"the complainant's contact details for allegation {opened.allegation_ref}",
    )
    if isinstance(justification, HttpResponse):
        return justification
    allegation = selectors.allegation_get(allegation_id=opened.pk)
    contact = services.allegation_contact_open(
        allegation=allegation, user=request.user, justification=justification, request=request
    )
    return render(
        request, "allegations/allegation_contact.html", {"allegation": allegation, "contact": contact}
    )
