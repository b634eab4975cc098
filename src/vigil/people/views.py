"""The people pages. Access is enforced by the permission matrix (RoutePermissionMiddleware)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from vigil.people import selectors


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, staff ID or shoulder number",
        required=False,
        max_length=100,
        strip=True,
        help_text="Any name they are or were known by (including aliases and former names), "
        "a staff ID, or a shoulder number.",
        error_messages={"max_length": "Search for at most %(limit_value)d characters."},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )


def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET)
    result = None
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            result = selectors.person_search(query=query)
    return render(
        request,
        "people/person_search.html",
        {"form": form, "query": query, "result": result, "limit": selectors.SEARCH_LIMIT},
    )


def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    profile = selectors.person_profile(person_id=person_id, today=timezone.localdate())
    return render(request, "people/person_detail.html", {"profile": profile, "person": profile.person})
