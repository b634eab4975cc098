"""Allegations from every source, with the subject *as recorded* kept verbatim: which person an
allegation is about is decided by linking (a later step), never by overwriting what was recorded."""

from __future__ import annotations

from django.db import models

from vigil.allegations.vocabularies import DOMAINS, OUTCOME_CLASSES
from vigil.core.partial_dates import precision_field
from vigil.core.sealing import SealedTextField
from vigil.imports.models import ImportBatch


class Category(models.Model):
    """Reference data mirrored from vocabularies.CATEGORIES (edit it there)."""

    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    severity = models.PositiveSmallIntegerField()
    domain = models.CharField(max_length=10, choices=DOMAINS)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.label


class Source(models.Model):
    """Reference data mirrored from vocabularies.SOURCES."""

    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return self.label


class Relationship(models.Model):
    """Reference data mirrored from vocabularies.RELATIONSHIPS."""

    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return self.label


class Outcome(models.Model):
    """Reference data mirrored from vocabularies.OUTCOMES."""

    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    outcome_class = models.CharField(max_length=12, choices=OUTCOME_CLASSES)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return self.label


class Allegation(models.Model):
    # (source_system, allegation_ref) is the import key.
    # Foreign keys to reference data get no index of their own: the composite indexes below lead
    # with them, and every index costs time on million-row imports.
    source_system = models.ForeignKey(
        Source, on_delete=models.PROTECT, db_column="source_system", db_index=False
    )
    allegation_ref = models.CharField(max_length=64)
    received_on = models.DateField()
    received_on_precision = precision_field()
    incident_date = models.DateField(null=True, blank=True)
    incident_date_precision = precision_field()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, db_column="category", db_index=False)
    summary = models.TextField(blank=True)
    # The subject as recorded, verbatim.
    subject_name = models.CharField(max_length=250, blank=True)
    subject_staff_id = models.CharField(max_length=32, blank=True)
    subject_shoulder_number = models.CharField(max_length=20, blank=True)
    subject_rank = models.CharField(max_length=100, blank=True)
    subject_command = models.CharField(max_length=200, blank=True)
    subject_force = models.CharField(max_length=64, blank=True)
    subject_dob = models.DateField(null=True, blank=True)
    subject_dob_precision = precision_field()
    subject_details = models.TextField(blank=True)
    complainant_ref = models.CharField(max_length=64, blank=True)
    # Phone, email or address: sealed at rest, opened only through the audited service.
    complainant_contact = SealedTextField(blank=True, default="")
    complainant_relationship = models.ForeignKey(
        Relationship,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="complainant_relationship",
        db_index=False,
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, db_column="outcome", db_index=False
    )
    outcome_on = models.DateField(null=True, blank=True)
    outcome_on_precision = precision_field()
    row_hash = models.CharField(max_length=40, editable=False)
    # No index: batches are never deleted, and each index costs seconds on a million-row import.
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("source_system", "allegation_ref"), name="allegation_source_ref")
        ]
        # The list page orders by (received_on, id) and filters on one vocabulary at a time.
        indexes = [
            models.Index(fields=("received_on", "id"), name="allegation_received"),
            models.Index(fields=("category", "received_on", "id"), name="allegation_category"),
            models.Index(fields=("source_system", "received_on", "id"), name="allegation_source"),
            models.Index(fields=("outcome", "received_on", "id"), name="allegation_outcome"),
            models.Index(fields=("subject_staff_id",), name="allegation_subject_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.source_system_id} {self.allegation_ref}"
