"""Writes for allegations: reference data sync. The import of allegation files is in
vigil.imports (one engine for every contract file)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vigil.allegations.models import Category, Outcome, Relationship, Source
from vigil.allegations.vocabularies import CATEGORIES, OUTCOMES, RELATIONSHIPS, SOURCES


def reference_data_sync(*, using: str = "default") -> None:
    """Make the reference tables match vocabularies.py (codes are never deleted: rows point at them)."""
    with transaction.atomic(using=using):
        for position, category in enumerate(CATEGORIES):
            Category.objects.using(using).update_or_create(
                code=category.code,
                defaults={
                    "label": category.label,
                    "severity": category.severity,
                    "domain": category.domain,
                    "position": position,
                },
            )
        for position, source in enumerate(SOURCES):
            Source.objects.using(using).update_or_create(
                code=source.code, defaults={"label": source.label, "position": position}
            )
        for position, relationship in enumerate(RELATIONSHIPS):
            Relationship.objects.using(using).update_or_create(
                code=relationship.code, defaults={"label": relationship.label, "position": position}
            )
        for position, outcome in enumerate(OUTCOMES):
            Outcome.objects.using(using).update_or_create(
                code=outcome.code,
                defaults={
                    "label": outcome.label,
                    "outcome_class": outcome.outcome_class,
                    "position": position,
                },
            )


def reference_data_sync_on_migrate(**kwargs: Any) -> None:
    reference_data_sync(using=kwargs.get("using", "default"))
