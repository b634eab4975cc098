"""A user's own conflicts of interest: declared here, they hide the colleague's records from the
user at once (accounts.access) and are kept in the audit trail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.accounts.models import ConflictDeclaration
from vigil.accounts.services import conflict_declare


class ConflictForm(forms.Form):
    staff_id = forms.CharField(
        label="Colleague's staff ID",
        max_length=32,
        strip=True,
        help_text="The staff (warrant) number of the person you must not work on.",
        error_messages={"required": "Enter the staff ID of the colleague you have a conflict with."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="The nature of the conflict",
        max_length=250,
        strip=True,
        help_text="For example: a relative, a close friend, a former partner, my line manager.",
        error_messages={"required": "Say what the conflict is."},
    )


def conflict_list(request: HttpRequest) -> HttpResponse:
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        declaration = conflict_declare(
            user=request.user,  # type: ignore[arg-type]
            staff_id=form.cleaned_data["staff_id"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(
            request,
            f"Recorded. You will no longer see records about staff ID {declaration.staff_id}.",
        )
        return redirect("conflicts")
    declared = ConflictDeclaration.objects.filter(user=request.user).select_related("allegation")  # type: ignore[misc]
    return render(
        request,
        "accounts/conflicts.html",
        {"form": form, "declared": declared.order_by("-declared_at", "-id")},
    )
