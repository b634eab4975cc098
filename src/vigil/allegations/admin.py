"""Reference data in the admin, read-only: the tables are synced from vocabularies.py on every
migrate, so a change made here would be silently undone. Allegations themselves are not registered:
the administrator role must not see case content."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from vigil.allegations.models import Category, Outcome, Relationship, Source

admin.site.site_header = "Vigil administration"
admin.site.site_title = "Vigil administration"
admin.site.index_title = "Users, roles and reference data"


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable, never added to, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "severity", "domain", "position")
    list_filter = ("domain",)


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "position")


@admin.register(Relationship)
class RelationshipAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "position")


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "outcome_class", "position")
    list_filter = ("outcome_class",)
