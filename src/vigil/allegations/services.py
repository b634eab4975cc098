"""Writes for allegations: reference data sync, and opening a sealed contact (audited). The
import of allegation files is in vigil.imports (one engine for every contract file)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest

from vigil.allegations.models import Allegation, Category, Outcome, Relationship, Source
from vigil.allegations.vocabularies import CATEGORIES, OUTCOMES, RELATIONSHIPS, SOURCES
from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.core.sealing import unseal_value


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


def allegation_contact_open(
    *,
    allegation: Allegation,
    user: AbstractBaseUser | AnonymousUser,
    justification: Justification,
    request: HttpRequest | None = None,
) -> str:
    """The complainant's contact details in plain text, written to the audit trail first (a sealed
    field is opened only through here). The caller has checked the user's role and need-to-know."""
    from vigil.audit.services import audit_record

    audit_record(
        action=Action.SEALED_FIELD_OPENED,
        actor=user,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=f"{allegation.source_system_id} {allegation.allegation_ref}",
        justification=justification,
        detail={"field": "complainant_contact"},
        request=request,
    )
    return unseal_value(allegation.complainant_contact) if allegation.complainant_contact else ""
