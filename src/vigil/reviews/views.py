"""The review pages: the queue, the cohort, a person's review (score, status, case reviews, risk
measures, tasks, timeline), the review form, the approval page, the tasks and the measures due.

Which roles may use each page is the permission matrix; which people a user sees is need-to-know
(accounts.access); opening a person's review is a justified, audited consultation (the same as
their person page); every change goes through vigil.reviews.services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vigil.accounts.access import (
    access_person_by_id,
    allegations_visible_q,
    people_visible_q,
    record_label_person,
)
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.audit.actions import Action
from vigil.audit.consultation import consultation_justified
from vigil.people.models import Person
from vigil.reviews import forms, selectors, services
from vigil.reviews.models import CaseReview, PersonReview, ReviewStatus, RiskMeasure
from vigil.reviews.services import ReviewError
from vigil.risk.selectors import queue_rows, score_for

QUEUE_PAGE_SIZE = 50


def _signed_in(request: HttpRequest) -> User:
    # The permission matrix lets no anonymous request reach these views.
    assert isinstance(request.user, User)
    return request.user


# ---- the queue, the cohort, tasks, measures ------------------------------------------------------


def queue(request: HttpRequest) -> HttpResponse:
    form = forms.QueueFilterForm(request.GET)
    page = None
    if form.is_valid():
        rows = queue_rows(visible=people_visible_q(request.user), filters=form.filters())
        page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/queue.html",
        {"form": form, "page": page, "filtered": form.is_valid() and any(form.cleaned_data.values())},
    )


def cohort(request: HttpRequest) -> HttpResponse:
    visible = people_visible_q(request.user)
    people = selectors.cohort_people(visible=visible)
    return render(
        request,
        "reviews/cohort.html",
        {
            "summary": selectors.cohort_summary(visible=visible),
            "people": people,
            "open_tasks": selectors.people_with_open_tasks([row.person.pk for row in people]),
            "history": selectors.cohort_history(),
        },
    )


def cohort_edit(request: HttpRequest) -> HttpResponse:
    current = selectors.cohort_definition_current()
    if request.method == "POST":
        form = forms.CohortForm(request.POST)
        if form.is_valid():
            try:
                definition = services.cohort_define(
                    by=_signed_in(request), request=request, **form.cleaned_data
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"The cohort is now version {definition.version}.")
                return redirect("reviews:cohort")
    else:
        form = forms.CohortForm(
            initial={
                field: getattr(current, field)
                for field in (
                    "name",
                    "domains",
                    "window_years",
                    "outcome_classes",
                    "include_no_outcome",
                    "employment_types",
                    "serving_only",
                )
            }
        )
    return render(request, "reviews/cohort_edit.html", {"form": form, "current": current})


def tasks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/tasks.html",
        {"tasks": selectors.open_tasks(visible=people_visible_q(request.user))},
    )


@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(task_id)
    person = access_person_by_id(user=request.user, person_id=task.person_id, request=request)
    form = forms.TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.task_done(
                task_id=task.pk,
                by=_signed_in(request),
                outcome=form.cleaned_data["outcome"],
                reopen_review=form.cleaned_data["reopen_review"],
                request=request,
            )
        except ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Task for {record_label_person(person)} done.")
    else:
        messages.error(request, _form_errors(form))
    if request.POST.get("next") == "case":
        return redirect("reviews:case", person_id=person.pk)
    return redirect("reviews:tasks")


def measures(request: HttpRequest) -> HttpResponse:
    visible = people_visible_q(request.user)
    today = timezone.localdate()
    return render(
        request,
        "reviews/measures.html",
        {
            "overdue": selectors.overdue_measures(today=today, visible=visible),
            "active": selectors.active_measures().filter(person__in=Person.objects.filter(visible)),
            "today": today,
        },
    )


# ---- one person's review -------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """What this user may do on this person's review now (the services check again)."""

    assign: bool
    open: bool
    submit: bool
    decide: bool
    close: bool
    measures: bool
    tasks: bool


def allowed_actions(user: User, review: PersonReview | None, latest: CaseReview | None) -> Allowed:
    roles = user_roles(user)
    supervisor = Role.SUPERVISOR in roles
    status = review.status if review else ReviewStatus.NOT_IN_COHORT
    own = latest is not None and latest.author_id == user.pk
    reviewing = review is not None and review.reviewer_id == user.pk
    return Allowed(
        assign=supervisor and status in (ReviewStatus.AWAITING_REVIEW, ReviewStatus.IN_REVIEW),
        open=supervisor and status in (ReviewStatus.NOT_IN_COHORT, ReviewStatus.DECIDED, ReviewStatus.CLOSED),
        submit=reviewing and status == ReviewStatus.IN_REVIEW and Role.REVIEWER in roles,
        decide=supervisor and status == ReviewStatus.AWAITING_APPROVAL and not own and not reviewing,
        close=supervisor and status == ReviewStatus.DECIDED,
        measures=supervisor,
        tasks=supervisor,
    )


def _opened(request: HttpRequest, person_id: int) -> Person | HttpResponse:
    """The person, once the user may see them and has said why (remembered per session, shared
    with the person page); otherwise the justification prompt."""
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    label = record_label_person(person)
    prompt = consultation_justified(
        request,
        action=Action.PERSON_CONSULTED,
        record_type="person",
        record_id=person.pk,
        record_label=label,
        what=f"the review of {label}",
    )
    return prompt if prompt is not None else person


def case(request: HttpRequest, person_id: int) -> HttpResponse:
    opened = _opened(request, person_id)
    if isinstance(opened, HttpResponse):
        return opened
    return _case_page(request, opened)


def _case_page(request: HttpRequest, person: Person) -> HttpResponse:
    user = _signed_in(request)
    review = selectors.review_for(person.pk)
    latest = selectors.latest_case_review(person.pk)
    person = Person.objects.get(pk=person.pk)
    context = {
        "person": person,
        "review": review,
        "status": review.status if review else ReviewStatus.NOT_IN_COHORT,
        "score": score_for(person.pk),
        "case_reviews": selectors.case_reviews(person.pk),
        "latest": latest,
        "measures": selectors.measures_for(person.pk),
        "person_tasks": selectors.tasks_for(person.pk),
        "timeline": selectors.person_timeline(person.pk, allegations_visible=allegations_visible_q(user)),
        "spread": selectors.incident_spread(person.pk),
        "allowed": allowed_actions(user, review, latest),
        "assign_form": forms.AssignForm(),
        "today": timezone.localdate(),
    }
    return render(request, "reviews/case.html", context)


def _acted(
    request: HttpRequest, person: Person, form: Any, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run one service call from a small form on the review page, then back to the page with
    what was done or why it could not be."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            messages.success(request, act(form.cleaned_data))
        except ReviewError as error:
            messages.error(request, str(error))
    return redirect("reviews:case", person_id=person.pk)


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
def assign(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)

    def act(data: dict[str, Any]) -> str:
        reviewer = data["reviewer"]
        services.review_assign(
            person_id=person.pk, reviewer=reviewer, by=_signed_in(request), request=request
        )
        return f"Review assigned to {reviewer.get_username()}."

    return _acted(request, person, forms.AssignForm(request.POST), act)


@require_POST
def open_review(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)

    def act(data: dict[str, Any]) -> str:
        services.review_open(
            person_id=person.pk, by=_signed_in(request), reason=data["reason"], request=request
        )
        return "The person is now awaiting review."

    return _acted(request, person, forms.ReasonForm(request.POST), act)


@require_POST
def close(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(user=request.user, person_id=person_id, request=request)

    def act(data: dict[str, Any]) -> str:
        services.review_close(
            person_id=person.pk, by=_signed_in(request), note=data["reason"], request=request
        )
        return "Review closed."

    return _acted(request, person, forms.ReasonForm(request.POST), act)


def review_form(request: HttpRequest, person_id: int) -> HttpResponse:
    opened = _opened(request, person_id)
    if isinstance(opened, HttpResponse):
        return opened
    person = opened
    review = selectors.review_for(person.pk)
    if request.method == "POST":
        form = forms.CaseReviewForm(request.POST)
        if form.is_valid():
            try:
                services.case_review_submit(
                    person_id=person.pk, author=_signed_in(request), request=request, **form.cleaned_data
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your review has been sent to a supervisor for approval.")
                return redirect("reviews:case", person_id=person.pk)
    else:
        form = forms.CaseReviewForm(initial=selectors.review_form_initial(person.pk))
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "person": Person.objects.get(pk=person.pk),
            "review": review,
            "score": score_for(person.pk),
            "spread": selectors.incident_spread(person.pk),
            "returned": selectors.last_return(person.pk),
            "timeline": selectors.person_timeline(
                person.pk, allegations_visible=allegations_visible_q(request.user)
            ),
        },
    )


def decide(request: HttpRequest, person_id: int) -> HttpResponse:
    opened = _opened(request, person_id)
    if isinstance(opened, HttpResponse):
        return opened
    person = opened
    user = _signed_in(request)
    review = selectors.review_for(person.pk)
    latest = selectors.latest_case_review(person.pk)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                services.review_approve(
                    person_id=person.pk, by=user, comment=form.cleaned_data["comment"], request=request
                )
                done = "Review approved: the route is decided."
            elif decision == "return":
                services.review_return(
                    person_id=person.pk, by=user, comment=form.cleaned_data["comment"], request=request
                )
                done = "Review returned to the reviewer."
            else:
                raise ReviewError("Choose to approve or to return the review.")
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("reviews:case", person_id=person.pk)
    return render(
        request,
        "reviews/decide.html",
        {
            "form": form,
            "person": Person.objects.get(pk=person.pk),
            "review": review,
            "latest": latest,
            "allowed": allowed_actions(user, review, latest),
            "score": score_for(person.pk),
        },
    )


def measure_new(request: HttpRequest, person_id: int) -> HttpResponse:
    opened = _opened(request, person_id)
    if isinstance(opened, HttpResponse):
        return opened
    person = opened
    form = forms.MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_impose(
                person_id=person.pk, by=_signed_in(request), request=request, **form.cleaned_data
            )
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{measure.get_kind_display()} recorded, review by {measure.review_by:%d %B %Y}."
            )
            return redirect("reviews:case", person_id=person.pk)
    return render(
        request,
        "reviews/measure_form.html",
        {
            "form": form,
            "person": Person.objects.get(pk=person.pk),
            "active": selectors.active_measures(person.pk),
        },
    )


def _measure_person(request: HttpRequest, measure_id: int) -> tuple[RiskMeasure, Person]:
    measure = selectors.measure_get(measure_id)
    person = access_person_by_id(user=request.user, person_id=measure.person_id, request=request)
    return measure, person


@require_POST
def measure_review(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure, person = _measure_person(request, measure_id)

    def act(data: dict[str, Any]) -> str:
        kept = services.measure_review(
            measure_id=measure.pk,
            by=_signed_in(request),
            note=data["note"],
            next_review_by=data["next_review_by"],
            request=request,
        )
        return f"{kept.get_kind_display()} kept, next review by {kept.review_by:%d %B %Y}."

    return _acted(request, person, forms.MeasureReviewForm(request.POST), act)


@require_POST
def measure_lift(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure, person = _measure_person(request, measure_id)

    def act(data: dict[str, Any]) -> str:
        lifted = services.measure_lift(
            measure_id=measure.pk, by=_signed_in(request), reason=data["reason"], request=request
        )
        return f"{lifted.get_kind_display()} lifted."

    return _acted(request, person, forms.ReasonForm(request.POST), act)
