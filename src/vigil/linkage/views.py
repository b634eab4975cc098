"""Clerical review: the queue of links the model was unsure of, one allegation's candidates beside
the subject as recorded, and the reviewer's decisions (confirm, reject, choose another person, not
on the register), each with a reason and audited (vigil.linkage.services).

Which roles may review is the permission matrix (LINK_REVIEW_ROLES); which allegations and people
a reviewer sees is need-to-know (accounts.access): a candidate they may not see is never named,
and they cannot decide about that person. Opening an item is a justified, audited consultation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vigil.accounts.access import (
    access_allegation_by_id,
    access_person_by_id,
    allegations_visible_q,
    people_visible_q,
    record_label_allegation,
)
from vigil.allegations.forms import CategorySourceFilterForm, choice_errors
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.consultation import justification_or_prompt, justification_remembered
from vigil.audit.justification import Justification
from vigil.audit.services import audit_record
from vigil.core.paging import cursor_in_query
from vigil.linkage import selectors, services
from vigil.linkage.services import MIN_REASON_LENGTH, LinkDecisionError
from vigil.people.models import FormerStaffNumber, Person


class QueueFilterForm(CategorySourceFilterForm):
    def filters(self) -> selectors.QueueFilters:
        return selectors.QueueFilters(
            category=self.cleaned_data.get("category"), source=self.cleaned_data.get("source")
        )


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for your decision",
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        strip=True,
        help_text="What in the record makes you sure. It is kept with the decision and in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give a reason for the decision.",
            "min_length": "Give a reason of at least %(limit_value)d characters.",
            "max_length": "Keep the reason to at most %(limit_value)d characters.",
        },
    )


class CandidateDecisionForm(forms.Form):
    """Confirm or reject one candidate: the button pressed says which (`decision`)."""

    reason = _reason_field()


class AnotherPersonForm(forms.Form):
    force = forms.ChoiceField(label="Force", error_messages=choice_errors("a force"))
    staff_id = forms.CharField(
        label="Staff ID",
        max_length=32,
        strip=True,
        help_text="Their staff ID in that force, current or former.",
        error_messages={"required": "Enter the staff ID of the person the allegation is about."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        forces = Person.objects.order_by("force").values_list("force", flat=True).distinct()
        self.fields["force"].choices = [(force, force) for force in forces]  # type: ignore[attr-defined]


class NotOnRegisterForm(forms.Form):
    reason = _reason_field()


# ---- the queue -----------------------------------------------------------------------------------


def review_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    cursor, cursor_invalid = cursor_in_query(request, selectors.QueueCursor.parse)
    page = None
    if form.is_valid():
        page = selectors.review_queue(
            visible=allegations_visible_q(request.user),
            people_visible=people_visible_q(request.user),
            filters=form.filters(),
            cursor=cursor,
        )
    return render(
        request,
        "linkage/review_queue.html",
        {
            "form": form,
            "page": page,
            "cursor": cursor,
            "cursor_invalid": cursor_invalid,
            "filtered": page is not None and form.filters().active,
        },
    )


# ---- one item ------------------------------------------------------------------------------------


def _what(allegation: Allegation) -> str:
    return f"allegation {allegation.allegation_ref}"


def _record_key(allegation: Allegation) -> str:
    # The allegation page's key: a justification given on either page covers both.
    return f"allegation:{allegation.pk}"


def review_item(request: HttpRequest, allegation_id: int) -> HttpResponse:
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    justification = justification_or_prompt(request, record_key=_record_key(opened), what=_what(opened))
    if isinstance(justification, HttpResponse):
        return justification
    return _review_page(request, opened, justification)


def _review_page(
    request: HttpRequest,
    opened: Allegation,
    justification: Justification,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The item page, audited as a consultation of the allegation (and of the people shown)."""
    item = selectors.review_item(allegation_id=opened.pk, people_visible=people_visible_q(request.user))
    audit_record(
        action=Action.ALLEGATION_CONSULTED,
        actor=request.user,
        record_type="allegation",
        record_id=opened.pk,
        record_label=record_label_allegation(opened),
        justification=justification,
        detail={"page": "link review", "people_shown": item.visible_person_ids},
        request=request,
    )
    bound = bound or {}
    candidate_forms = {
        candidate.person.pk: bound.get(f"c{candidate.person.pk}")
        or CandidateDecisionForm(prefix=f"c{candidate.person.pk}")
        for candidate in item.candidates
        if candidate.person is not None
    }
    rows = [
        (candidate, candidate_forms.get(candidate.person.pk) if candidate.person else None)
        for candidate in item.candidates
    ]
    return render(
        request,
        "linkage/review_item.html",
        {
            "item": item,
            "allegation": item.allegation,
            "rows": rows,
            "another_form": bound.get("another")
            or AnotherPersonForm(prefix="another", initial={"force": item.allegation.subject_force}),
            "none_form": bound.get("none") or NotOnRegisterForm(prefix="none"),
            "errors": any(form.errors for form in bound.values()),
        },
    )


def _opened_for_decision(request: HttpRequest, allegation_id: int) -> tuple[Allegation, Justification | None]:
    """The allegation (need-to-know checked) and the justification given when it was opened; a
    decision is made from the item page, so without one the reviewer is sent there first."""
    opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    return opened, justification_remembered(request, record_key=_record_key(opened))


def _back_to_item(opened: Allegation) -> HttpResponse:
    return redirect("linkage:review_item", allegation_id=opened.pk)


def _done(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("linkage:review_queue")


@require_POST
def review_candidate(request: HttpRequest, allegation_id: int, person_id: int) -> HttpResponse:
    """Confirm or reject one of the allegation's candidates."""
    opened, justification = _opened_for_decision(request, allegation_id)
    if justification is None:
        return _back_to_item(opened)
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    if person.pk not in selectors.candidate_person_ids(allegation_id=opened.pk):
        raise Http404("No candidate matches the given query.")
    form = CandidateDecisionForm(request.POST, prefix=f"c{person.pk}")
    decision = request.POST.get("decision")
    if form.is_valid():
        decide = {"confirm": services.link_confirm, "reject": services.link_reject}.get(decision or "")
        if decide is None:
            form.add_error(None, "Choose whether to confirm or to reject this person.")
        else:
            try:
                decide(
                    allegation_id=opened.pk,
                    person_id=person.pk,
                    user=request.user,  # type: ignore[arg-type]  # the route needs a login
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except LinkDecisionError as error:
                form.add_error("reason", str(error))
            else:
                done = "linked to" if decision == "confirm" else "recorded as not about"
                return _done(
                    request,
                    f"Allegation {opened.allegation_ref} {done} {person.display_name} ({person.staff_id}).",
                )
    return _review_page(request, opened, justification, {f"c{person.pk}": form})


def _person_by_number(*, force: str, staff_id: str, visible: Q) -> Person | None:
    """The person holding (or who held) this staff ID in this force, if the user may see them."""
    former = FormerStaffNumber.objects.filter(force=force, staff_id__iexact=staff_id).values("person_id")
    return (
        Person.objects.filter(visible)
        .filter(Q(force=force, staff_id__iexact=staff_id) | Q(pk__in=former))
        .order_by("pk")
        .first()
    )


@require_POST
def review_another(request: HttpRequest, allegation_id: int) -> HttpResponse:
    """The allegation is about somebody the model did not propose: found by force and staff ID."""
    opened, justification = _opened_for_decision(request, allegation_id)
    if justification is None:
        return _back_to_item(opened)
    form = AnotherPersonForm(request.POST, prefix="another")
    if form.is_valid():
        data = form.cleaned_data
        person = _person_by_number(
            force=data["force"], staff_id=data["staff_id"], visible=people_visible_q(request.user)
        )
        if person is None:
            # The same answer for nobody and for somebody the user may not see.
            form.add_error(
                "staff_id",
                f"No one you may see has staff ID {data['staff_id']} in {data['force']}. "
                "Check the number; if you cannot see the person, refer the allegation to a supervisor.",
            )
        else:
            try:
                services.link_confirm(
                    allegation_id=opened.pk,
                    person_id=person.pk,
                    user=request.user,  # type: ignore[arg-type]
                    reason=data["reason"],
                    request=request,
                )
            except LinkDecisionError as error:
                form.add_error("reason", str(error))
            else:
                linked = f"{person.display_name} ({person.staff_id})"
                return _done(request, f"Allegation {opened.allegation_ref} linked to {linked}.")
    return _review_page(request, opened, justification, {"another": form})


@require_POST
def review_not_on_register(request: HttpRequest, allegation_id: int) -> HttpResponse:
    """The subject is nobody on the register. Refused while a candidate is one the user may not
    see: that decision would strike out a person they cannot judge (or themselves)."""
    opened, justification = _opened_for_decision(request, allegation_id)
    if justification is None:
        return _back_to_item(opened)
    form = NotOnRegisterForm(request.POST, prefix="none")
    if form.is_valid():
        candidates = selectors.candidate_person_ids(allegation_id=opened.pk)
        seen = Person.objects.filter(people_visible_q(request.user), pk__in=candidates).count()
        if seen < len(candidates):
            form.add_error(None, "A candidate is one you may not see: refer this allegation to a supervisor.")
        else:
            try:
                services.link_not_on_register(
                    allegation_id=opened.pk,
                    user=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except LinkDecisionError as error:
                form.add_error("reason", str(error))
            else:
                return _done(
                    request, f"Allegation {opened.allegation_ref} recorded as about nobody on the register."
                )
    return _review_page(request, opened, justification, {"none": form})
