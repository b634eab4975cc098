"""The audit trail: one append-only table, each entry chained to the one before by SHA-256.

No foreign keys: an entry must survive the deletion of the user or record it names, and a foreign
key's ON DELETE would have to alter it. The detail is stored as canonical JSON text (not a JSON
column) so the bytes hashed are the bytes kept, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    occurred_at = models.DateTimeField()
    # Who: the account id and a readable label kept as they were (accounts may be renamed or removed).
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)  # a vigil.audit.actions.Action value
    record_type = models.CharField(max_length=40, blank=True)  # "person", "allegation", ...
    record_id = models.CharField(max_length=64, blank=True)
    record_label = models.CharField(max_length=250, blank=True)  # e.g. "CCP 123456" or "complaints C-1"
    justification_reason = models.CharField(max_length=40, blank=True)
    justification_text = models.TextField(blank=True)
    recipient = models.CharField(max_length=250, blank=True)
    detail = models.TextField(blank=True)  # canonical JSON: changed fields, counts, reasons
    ip_address = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(max_length=36, blank=True)  # groups the entries of one request
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=("actor_id", "id"), name="audit_actor"),
            models.Index(fields=("record_type", "record_id", "id"), name="audit_record"),
            models.Index(fields=("action", "id"), name="audit_action"),
            models.Index(fields=("occurred_at",), name="audit_occurred"),
            # The entry page lists the other entries of the same request.
            models.Index(fields=("request_id", "id"), name="audit_request"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_label or 'system'}"
