"""Allocation: a supervisor who can see a record assigns it to a user or a team, revokes an
assignment, or restricts the record. Every change goes through accounts.services (audited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.accounts.access import (
    access_allegation_by_id,
    access_person_by_id,
    record_label_allegation,
    record_label_person,
)
from vigil.accounts.actor import SelfGrantRefused
from vigil.accounts.models import AccessGrant, RecordRestriction, Team
from vigil.accounts.roles import CASE_ROLES
from vigil.accounts.services import access_grant, access_revoke, record_restrict
from vigil.allegations.models import Allegation
from vigil.people.models import Person


def _grantee_choices() -> list[tuple[str, str]]:
    users = (
        User.objects.filter(is_active=True, groups__name__in=[role.value for role in CASE_ROLES])
        .distinct()
        .order_by("username")
    )
    return (
        [("", "Choose who")]
        + [(f"team:{team.pk}", f"Team: {team.name}") for team in Team.objects.order_by("name")]
        + [(f"user:{user.pk}", f"User: {user.username}") for user in users]
    )


class AssignForm(forms.Form):
    grantee = forms.ChoiceField(
        label="Assign to", error_messages={"required": "Choose a user or a team to assign this record to."}
    )
    reason = forms.CharField(
        label="Why",
        max_length=250,
        strip=True,
        help_text="For example: the review cohort, a new investigation, a second pair of eyes.",
        error_messages={"required": "Say why this record is assigned."},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["grantee"].choices = _grantee_choices()  # type: ignore[attr-defined]

    def chosen(self) -> tuple[User | None, Team | None]:
        kind, _, pk = self.cleaned_data["grantee"].partition(":")
        if kind == "team":
            return None, Team.objects.get(pk=pk)
        return User.objects.get(pk=pk), None


class RestrictForm(forms.Form):
    restrict_reason = forms.CharField(
        label="Why restrict it",
        max_length=250,
        strip=True,
        help_text="For example: a senior officer as subject, a linked criminal inquiry.",
        error_messages={"required": "Say why this record is restricted."},
    )


def _allocation(
    request: HttpRequest, *, person: Person | None, allegation: Allegation | None, label: str, back: str
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # the route needs a login
    record = Q(person=person) if person is not None else Q(allegation=allegation)
    assign, restrict = AssignForm(prefix="assign"), RestrictForm(prefix="restrict")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assign":
            assign = AssignForm(request.POST, prefix="assign")
            if assign.is_valid():
                to_user, to_team = assign.chosen()
                try:
                    access_grant(
                        granted_by=user,
                        reason=assign.cleaned_data["reason"],
                        user=to_user,
                        team=to_team,
                        person=person,
                        allegation=allegation,
                        request=request,
                    )
                except SelfGrantRefused as refused:
                    assign.add_error("grantee", str(refused))
                else:
                    messages.success(request, f"Assigned to {to_user or to_team}.")
                    return redirect(request.path)
        elif action == "revoke":
            grant_id = request.POST.get("grant", "")
            grant = (
                AccessGrant.objects.filter(record, pk=int(grant_id), revoked_at__isnull=True).first()
                if grant_id.isdigit()
                else None
            )
            if grant is not None:
                access_revoke(grant=grant, revoked_by=user, request=request)
                messages.success(request, f"Assignment to {grant.user or grant.team} revoked.")
            return redirect(request.path)
        elif action == "restrict":
            restrict = RestrictForm(request.POST, prefix="restrict")
            if restrict.is_valid():
                record_restrict(
                    restricted_by=user,
                    reason=restrict.cleaned_data["restrict_reason"],
                    person=person,
                    allegation=allegation,
                    request=request,
                )
                messages.success(request, "Restricted: from now on only people assigned it by name see it.")
                return redirect(request.path)
    grants = AccessGrant.objects.filter(record, revoked_at__isnull=True).select_related(
        "user", "team", "granted_by"
    )
    return render(
        request,
        "accounts/allocation.html",
        {
            "label": label,
            "back": back,
            "grants": grants.order_by("granted_at", "id"),
            "restriction": RecordRestriction.objects.filter(record).select_related("restricted_by").first(),
            "assign": assign,
            "restrict": restrict,
        },
    )


def person_allocation(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    return _allocation(
        request,
        person=person,
        allegation=None,
        label=f"person record {record_label_person(person)}",
        back=f"/people/{person.pk}/",
    )


def allegation_allocation(request: HttpRequest, allegation_id: int) -> HttpResponse:
    allegation = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    return _allocation(
        request,
        person=None,
        allegation=allegation,
        label=f"allegation {record_label_allegation(allegation)}",
        back=f"/allegations/{allegation.pk}/",
    )
