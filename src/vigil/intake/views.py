"""The hotline pages: the call-handler form (with subject candidates and a category suggestion
while typing), the triage queue, one report (its subject, likely repeats, decisions), and the
decisions waiting for a supervisor. Every change goes through vigil.intake.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from vigil.accounts.access import (
    access_report_by_id,
    allegations_visible_q,
    people_visible_among,
    record_label_allegation,
    reports_visible_q,
)
from vigil.accounts.models import AccountPerson
from vigil.accounts.permissions import SEALED_FIELD_ROLES
from vigil.accounts.selectors import user_roles
from vigil.audit.actions import Action
from vigil.audit.consultation import consultation_justified, justification_remembered
from vigil.audit.services import audit_record
from vigil.intake import forms, selectors, services
from vigil.intake.categories import suggest_category
from vigil.intake.models import Channel, HotlineReport, TriageStatus
from vigil.intake.ratelimit import SUGGESTIONS_LIMITS, rate_limit_take_user
from vigil.intake.repeats import RepeatCandidate, repeat_candidates
from vigil.intake.services import IntakeError
from vigil.linkage.models import LinkCandidate
from vigil.linkage.suggest import SubjectCandidate, subject_candidates
from vigil.people.models import Person

QUEUE_PAGE_SIZE = 50
NARRATIVE_MAX_LENGTH = 20_000


def _signed_in(request: HttpRequest) -> User:
    # The permission matrix lets no anonymous request reach these views.
    assert isinstance(request.user, User)
    return request.user


def _candidates(request: HttpRequest, form: forms.HotlineReportForm) -> list[SubjectCandidate]:
    """The register's likeliest people for the description, never the handler's own record."""
    own = set(AccountPerson.objects.filter(user=_signed_in(request)).values_list("person_id", flat=True))
    found = subject_candidates(form.description(), limit=5 + len(own))
    return [candidate for candidate in found if candidate.person_id not in own][:5]


def _candidate_choices(candidates: list[SubjectCandidate]) -> list[tuple[int, str]]:
    return [
        (c.person_id, " · ".join(part for part in (c.name, c.rank, c.command) if part)) for c in candidates
    ]


def report_new(request: HttpRequest) -> HttpResponse:
    """The call-handler form. "Find possible subjects" re-renders it with the candidates and the
    category suggestion (the script does the same while the handler types)."""
    bound = request.method == "POST"
    form = forms.HotlineReportForm(request.POST if bound else None)
    candidates: list[SubjectCandidate] = []
    if bound and request.POST.get("action") == "find":
        candidates = _candidates(request, form)
        form = forms.HotlineReportForm(request.POST, candidates=_candidate_choices(candidates))
        form.errors.clear()  # a search is not a submission: no errors yet
    elif bound and form.is_valid():
        try:
            report, _ = services.report_file(
                data=form.report_input(),
                channel=Channel.FORM,
                call_handler=_signed_in(request),
                request=request,
            )
        except IntakeError as error:
            form.add_error(None, str(error))
        else:
            return redirect("intake:report_filed", report_id=report.pk)
    narrative = str(form.data.get("narrative", "")) if bound else ""
    return render(
        request,
        "intake/report_new.html",
        {
            "form": form,
            "searched": bound and request.POST.get("action") == "find",
            "suggestion": suggest_category(narrative) if narrative else None,
        },
    )


def suggestions(request: HttpRequest) -> HttpResponse:
    """What the form's script asks while the handler types: the candidates fieldset (name, rank,
    command only) and the category the account points to. Limited per user (intake.ratelimit):
    each answer scores the description against the register."""
    retry_after = rate_limit_take_user(_signed_in(request), "suggestions", SUGGESTIONS_LIMITS)
    if retry_after is not None:
        refused = HttpResponse(
            "Too many searches: wait a moment.", status=429, content_type="text/plain; charset=utf-8"
        )
        refused["Retry-After"] = str(retry_after)
        return refused
    form = forms.HotlineReportForm(request.GET)
    candidates = _candidates(request, form)
    candidate_form = forms.HotlineReportForm(request.GET, candidates=_candidate_choices(candidates))
    # The form takes no longer account than this; the category needs no more of it.
    suggestion = suggest_category(request.GET.get("narrative", "")[:NARRATIVE_MAX_LENGTH])
    html = render_to_string(
        "intake/_candidates.html",
        {
            "field": candidate_form["subject_candidate"],
            "searched": True,
            "described": not form.description().is_empty(),
        },
        request=request,
    )
    return JsonResponse(
        {
            "candidates_html": html,
            "category": {
                "code": suggestion.code,
                "label": suggestion.label,
                "matched": list(suggestion.matched),
            }
            if suggestion
            else None,
        }
    )


def report_filed(request: HttpRequest, report_id: int) -> HttpResponse:
    """The reference to give the caller: only to the handler who filed it, and nothing else of it."""
    report = (
        HotlineReport.objects.select_related("allegation")
        .filter(pk=report_id, call_handler=_signed_in(request))
        .first()
    )
    if report is None:
        raise Http404("No such report of yours.")
    return render(request, "intake/report_filed.html", {"report": report})


def triage_queue(request: HttpRequest) -> HttpResponse:
    form = forms.TriageFilterForm(request.GET or None)
    filters = selectors.TriageFilters()
    if form.is_valid():
        filters = selectors.TriageFilters(
            status=form.cleaned_data["status"] or TriageStatus.AWAITING_TRIAGE,
            urgent_only=form.cleaned_data["urgent_only"],
        )
    rows = selectors.triage_queue(visible=allegations_visible_q(request.user), filters=filters)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    reports = list(page.object_list)
    # A subject the user may not open is neither named nor scored to them.
    subjects = people_visible_among(request.user, (selectors.report_subject_id(row) for row in reports))
    page.object_list = selectors.with_subject_risk(reports, people=subjects)
    return render(request, "intake/triage_queue.html", {"form": form, "page": page, "filters": filters})


def _opened(request: HttpRequest, report_id: int) -> HotlineReport | HttpResponse:
    """The report, once the user has justified consulting its allegation; else the prompt."""
    allegation = access_report_by_id(user=request.user, report_id=report_id, request=request)
    label = record_label_allegation(allegation)
    prompt = consultation_justified(
        request,
        action=Action.ALLEGATION_CONSULTED,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=label,
        what=f"hotline report {allegation.allegation_ref}",
    )
    if prompt is not None:
        return prompt
    found = selectors.report_get(report_id=report_id, visible=allegations_visible_q(request.user))
    if found is None:
        raise Http404("No such report.")
    return found


def _subjects(report: HotlineReport, user: User) -> list[tuple[int, str]]:
    """Whom the assessor may confirm: the handler's pick, the link, then the model's candidates,
    each only if the assessor may see that person (accounts.access): nobody is offered, or can be
    chosen, whose record would be a 404 to them."""
    link = getattr(report.allegation, "link", None)
    offered: list[tuple[Person, str]] = []
    if report.handler_candidate is not None:
        offered.append((report.handler_candidate, "the call handler's pick"))
    if link is not None and link.person is not None:
        offered.append((link.person, link.get_status_display().lower()))
    for candidate in LinkCandidate.objects.filter(allegation_id=report.allegation_id).select_related(
        "person"
    )[:5]:
        offered.append((candidate.person, f"model: {candidate.match_probability:.0%}"))
    visible = people_visible_among(user, (person.pk for person, _ in offered))
    seen: dict[int, str] = {}
    for person, why in offered:
        if person.pk in visible and person.pk not in seen:
            seen[person.pk] = f"{person} ({why})"
    return list(seen.items())


def _link_person_id(report: HotlineReport) -> int | None:
    link = getattr(report.allegation, "link", None)
    return link.person_id if link is not None else None


def _repeats_shown(request: HttpRequest, report: HotlineReport) -> list[RepeatCandidate]:
    """The likely repeats the user may see. Each shown is a consultation of that report (its
    account is on the page), audited with the justification given for the report opened."""
    repeats = repeat_candidates(report, visible=reports_visible_q(request.user))
    justification = justification_remembered(request, record_key=f"allegation:{report.allegation_id}")
    for candidate in repeats:
        allegation = candidate.report.allegation
        audit_record(
            action=Action.ALLEGATION_CONSULTED,
            actor=request.user,
            record_type="allegation",
            record_id=allegation.pk,
            record_label=record_label_allegation(allegation),
            justification=justification,
            detail={"shown_as": f"likely repeat of {report.allegation.allegation_ref}"},
            request=request,
        )
    return repeats


def _detail_page(
    request: HttpRequest,
    report: HotlineReport,
    decision_form: forms.TriageDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    subjects = _subjects(report, _signed_in(request))
    if decision_form is None:
        initial = {"category": report.allegation.category_id}
        if report.handler_candidate_id:
            initial["subject"] = str(report.handler_candidate_id)
        decision_form = forms.TriageDecisionForm(initial=initial, subjects=subjects)
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "allegation": report.allegation,
            "decision_form": decision_form,
            "decisions": selectors.decisions_for(report),
            "repeats": _repeats_shown(request, report),
            "incident_reports": selectors.incident_reports(report, visible=reports_visible_q(request.user)),
            # The person the link names (whatever its status), not the report's subject: a link
            # waiting for review names someone other than the handler's pick.
            "link_person_visible": bool(people_visible_among(request.user, [_link_person_id(report)])),
            "can_open_sealed": bool(user_roles(request.user) & SEALED_FIELD_ROLES),
            "needs_approval_if_nfa": services.needs_approval(
                "no_further_action", report.allegation.category_id
            ),
        },
        status=status,
    )


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    opened = _opened(request, report_id)
    if isinstance(opened, HttpResponse):
        return opened
    return _detail_page(request, opened)


@require_POST
def report_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    opened = _opened(request, report_id)
    if isinstance(opened, HttpResponse):
        return opened
    form = forms.TriageDecisionForm(request.POST, subjects=_subjects(opened, _signed_in(request)))
    if form.is_valid():
        try:
            decision = services.triage_decide(
                report_id=opened.pk,
                by=_signed_in(request),
                route=form.cleaned_data["route"],
                reasons=form.cleaned_data["reasons"],
                reason_codes=form.cleaned_data["reason_codes"],
                category=form.cleaned_data["category"],
                subject_person_id=form.cleaned_data["subject"],
                request=request,
            )
        except IntakeError as error:
            form.add_error(None, str(error))
        else:
            if decision.approval == decision.Approval.PENDING:
                messages.success(
                    request,
                    "Decision recorded. No further action on a sexual-offence report waits for a "
                    "supervisor's approval.",
                )
            else:
                messages.success(request, f"Decision recorded: {decision.get_route_display()}.")
            return redirect("intake:triage_queue")
    return _detail_page(request, opened, form, status=400)


@require_POST
def repeat_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    opened = _opened(request, report_id)
    if isinstance(opened, HttpResponse):
        return opened
    form = forms.RepeatDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose same incident or separate.")
        return redirect("intake:report_detail", report_id=opened.pk)
    try:
        services.repeat_decide(
            report_id=opened.pk,
            other_id=form.cleaned_data["other"],
            same_incident=form.cleaned_data["verdict"] == "same",
            similarity=form.cleaned_data["similarity"],
            by=_signed_in(request),
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except IntakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Recorded.")
    return redirect("intake:report_detail", report_id=opened.pk)


def approvals(request: HttpRequest) -> HttpResponse:
    rows = selectors.decisions_awaiting_approval(visible=allegations_visible_q(request.user))
    return render(request, "intake/approvals.html", {"decisions": rows, "form": forms.ApprovalForm()})


@require_POST
def approval_decide(request: HttpRequest, decision_id: int) -> HttpResponse:
    form = forms.ApprovalForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("intake:approvals")
    try:
        services.triage_approve(
            decision_id=decision_id,
            by=_signed_in(request),
            comment=form.cleaned_data["comment"],
            approve=form.cleaned_data["approve"] == "approve",
            request=request,
        )
    except IntakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Approved." if form.cleaned_data["approve"] == "approve" else "Returned to triage."
        )
    return redirect(reverse("intake:approvals"))
