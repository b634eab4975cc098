from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from vigil.oversight import charts, disclosure
from vigil.oversight.forms import OversightExportForm
from vigil.oversight.services import counted_figures_current, oversight_report_export


def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures only: no page of this app names a person (the analyst role sees nothing else), and
    only figures that came through disclosure control."""
    figures = disclosure.released_figures(counted_figures_current())
    recount_from = figures.counted.counted_at + dt.timedelta(minutes=settings.VIGIL_OVERSIGHT_RECOUNT_MINUTES)
    context = {"figures": figures, "recount_from": recount_from}
    return render(request, "oversight/dashboard.html", context)


def export(request: HttpRequest) -> HttpResponse:
    """The board pack as a download, once the user has said why and for whom (audited)."""
    form = OversightExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = oversight_report_export(
            fmt=form.cleaned_data["fmt"],
            justification=form.justification(),
            recipient=form.cleaned_data["recipient"],
            actor=request.user,
            request=request,
        )
        stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        response = HttpResponse(report.content, content_type=report.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="vigil-oversight-{stamp}-export-{report.audit_entry_id}.{report.fmt}"'
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "oversight/export.html", {"form": form})


@require_GET
def chart(request: HttpRequest, name: str) -> HttpResponse:
    """One chart of the dashboard as SVG (an image: the table beside it has the same numbers)."""
    spec = charts.dashboard_chart_spec(name, counted_figures_current())
    if spec is None:
        raise Http404("no such chart")
    response = HttpResponse(charts.svg(spec), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-cache"
    return response
