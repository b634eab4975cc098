"""Reference data in the admin, read-only: the tables are synced from vocabularies.py on every
migrate, so a change made here would be silently undone. Allegations themselves are not registered:
the administrator role must not see case content."""

from __future__ import annotations

from django.contrib import admin

from vigil.allegations.models import Category, Outcome, Relationship, Source
from vigil.core.admin_mixins import ReadOnlyAdminMixin

admin.site.site_header = "Vigil administration"
admin.site.site_title = "Vigil administration"
admin.site.index_title = "Users, roles and reference data"


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable, never added to, changed or deleted through the admin."""


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
