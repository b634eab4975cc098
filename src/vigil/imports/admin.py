"""Import batches in the admin, read-only: a record of what was imported, by whom and when."""

from __future__ import annotations

from django.contrib import admin

from vigil.allegations.admin import ReadOnlyAdmin
from vigil.imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "kind",
        "file_name",
        "rows_total",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "imported_by",
    )
    list_filter = ("kind",)
    search_fields = ("file_name", "sha256", "imported_by")
    date_hierarchy = "started_at"
