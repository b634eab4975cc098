from __future__ import annotations

from django.db import models


class ImportKind(models.TextChoices):
    PERSONNEL = "personnel", "Personnel"
    VETTING = "vetting", "Vetting"
    ALLEGATIONS = "allegations", "Allegations"


class ImportBatch(models.Model):
    """One applied import of one file. Rows remember the batch that last changed them."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    imported_by = models.CharField(max_length=200, help_text="Who ran it: a user name or 'os-user (cli)'.")

    class Meta:
        ordering = ("-started_at",)
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def rows_changed(self) -> int:
        return self.rows_created + self.rows_updated
