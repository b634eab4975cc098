"""The auditor's pages: the audit trail, one entry, and the CSV export (itself audited).
Access is enforced by the permission matrix (RoutePermissionMiddleware): auditors only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vigil.audit import selectors
from vigil.audit.actions import Action
from vigil.audit.chain import canonical_time
from vigil.audit.forms import AuditExportForm, AuditFilterForm
from vigil.audit.services import audit_record
from vigil.core.paging import cursor_in_query
from vigil.core.tabular import csv_line_writer

EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor",
    "roles",
    "action",
    "action_label",
    "record_type",
    "record_id",
    "record_label",
    "justification_reason",
    "justification_text",
    "recipient",
    "detail",
    "ip_address",
    "request_id",
    "previous_hash",
    "entry_hash",
)


def _filter_query(request: HttpRequest) -> str:
    """The filters set in the query string (not the page position), to carry to another page."""
    kept = [(key, value) for key, value in request.GET.items() if value and key not in ("before", "after")]
    return urlencode(kept)


def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    cursor, cursor_invalid = cursor_in_query(request, selectors.Cursor.parse)
    page = None
    if form.is_valid():
        page = selectors.audit_entry_page(filters=form.filters(), cursor=cursor)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "cursor": cursor,
            "cursor_invalid": cursor_invalid,
            "filtered": page is not None and form.filters().active,
            "filter_query": _filter_query(request),
        },
    )


def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    row = selectors.audit_entry_get(entry_id=entry_id)
    entry = row.entry
    # The entries of one request are written while it is served, so a day either side holds
    # them all, and keeps the search on an id range (request_id has no index).
    day = row.occurred_local.date()
    links = {
        "same_request": urlencode(
            {
                "request_id": entry.request_id,
                "date_from": (day - dt.timedelta(days=1)).isoformat(),
                "date_to": (day + dt.timedelta(days=1)).isoformat(),
            }
        )
        if entry.request_id
        else "",
        "same_user": urlencode({"user": entry.actor_label, "user_exact": "on"}) if entry.actor_label else "",
        "same_record": urlencode({"record_type": entry.record_type, "record_id": entry.record_id})
        if entry.record_type and entry.record_id
        else "",
    }
    previous_id, next_id = selectors.audit_entry_neighbours(entry_id=entry.id)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "row": row,
            "entry": entry,
            "occurred_utc": canonical_time(entry.occurred_at),
            "links": links,
            "previous_id": previous_id,
            "next_id": next_id,
        },
    )


def _csv_lines(rows: Iterable[selectors.AuditRow]) -> Iterator[str]:
    writer = csv_line_writer()  # guarded against formula injection (vigil.core.tabular)
    yield "\ufeff"  # a byte-order mark, so spreadsheets read the file as UTF-8
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        entry = row.entry
        cells: list[object] = [
            entry.id,
            canonical_time(entry.occurred_at),
            entry.actor_label,
            entry.actor_roles,
            entry.action,
            row.action_label,
            entry.record_type,
            entry.record_id,
            entry.record_label,
            entry.justification_reason,
            entry.justification_text,
            entry.recipient,
            entry.detail,
            entry.ip_address,
            entry.request_id,
            entry.previous_hash,
            entry.entry_hash,
        ]
        yield writer.writerow(cells)


@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """GET: the export form, with the filters carried over. POST: write the export's audit
    entry, then stream the matching entries before it as CSV."""
    data = request.POST if request.method == "POST" else request.GET
    filter_form = AuditFilterForm(data)
    export_form = AuditExportForm(request.POST if request.method == "POST" else None)
    filters_valid = filter_form.is_valid()
    if filters_valid and request.method == "POST" and export_form.is_valid():
        filters = filter_form.filters()
        entry = audit_record(
            action=Action.AUDIT_EXPORTED,
            actor=request.user,
            record_type="audit_trail",
            record_label="Audit trail export",
            justification=export_form.justification(),
            recipient=export_form.cleaned_data["recipient"],
            detail={"filters": filters.as_detail(), "format": "csv"},
            request=request,
        )
        # Everything before the export's own entry: the file is what the trail held then.
        rows = selectors.audit_entries_for_export(filters, before_id=entry.id)
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        stamp = entry.occurred_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="vigil-audit-{stamp}-export-{entry.id}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "audit/export.html",
        {
            "filter_form": filter_form,
            "form": export_form,
            "filters": filter_form.filters() if filters_valid else None,
            "filter_query": _filter_query(request),
        },
    )
