"""The people pages. Which pages a role may use is the permission matrix (RoutePermissionMiddleware);
which people a user may see is need-to-know (accounts.access); opening a record is justified and audited."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from vigil.accounts.access import (
    access_person_by_id,
    allegations_visible_q,
    people_visible_q,
    record_label_person,
)
from vigil.audit.actions import Action
from vigil.audit.consultation import consultation_justified
from vigil.audit.disclosure import Disclosure, disclosure_or_form
from vigil.people import selectors
from vigil.people.models import Person
from vigil.reviews import selectors as review_selectors
from vigil.risk.selectors import score_for


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
            result = selectors.person_search(query=query, visible=people_visible_q(request.user))
    return render(
        request,
        "people/person_search.html",
        {
            "form": form,
            "query": query,
            "result": result,
            "limit": selectors.SEARCH_LIMIT,
            "open_tasks": review_selectors.people_with_open_tasks(
                [match.person.pk for match in result.matches] if result else []
            ),
        },
    )


def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    label = record_label_person(person)
    prompt = consultation_justified(
        request,
        action=Action.PERSON_CONSULTED,
        record_type="person",
        record_id=person.pk,
        record_label=label,
        what=f"the person record {label}",
    )
    if prompt is not None:
        return prompt
    return _person_page(request, person)


def person_disclose(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person record to print or send: asks why and to whom, audits it, marks the page."""
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    label = record_label_person(person)
    disclosure = disclosure_or_form(
        request,
        record_type="person",
        record_id=person.pk,
        record_label=label,
        what=f"the person record {label}",
        back=reverse("people:person_detail", args=[person.pk]),
    )
    if isinstance(disclosure, HttpResponse):
        return disclosure
    return _person_page(request, person, disclosure)


def _person_page(request: HttpRequest, person: Person, disclosure: Disclosure | None = None) -> HttpResponse:
    profile = selectors.person_profile(
        person_id=person.pk,
        today=timezone.localdate(),
        allegations_visible=allegations_visible_q(request.user),
    )
    allegations_visible = allegations_visible_q(request.user)
    return render(
        request,
        "people/person_detail.html",
        {
            "profile": profile,
            "person": profile.person,
            "disclosure": disclosure,
            "score": score_for(person.pk),
            "review": review_selectors.review_for(person.pk),
            "open_tasks": review_selectors.people_with_open_tasks([person.pk]),
            "timeline": review_selectors.person_timeline(person.pk, allegations_visible=allegations_visible),
        },
    )
