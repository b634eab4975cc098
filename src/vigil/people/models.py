"""The personnel register (officers, staff, specials, volunteers) and vetting history.

Identity changes are kept as history, never overwritten: every name a person has been known by
(PersonName), every shoulder number worn (ShoulderNumber), every rank/role/command held
(RoleRecord) and every staff number replaced (FormerStaffNumber)."""

from __future__ import annotations

from django.db import models

from vigil.core.partial_dates import precision_field
from vigil.imports.models import ImportBatch
from vigil.people.vocabularies import EMPLOYMENT_TYPES, ETHNIC_GROUPS, SEXES, VETTING_LEVELS, VETTING_OUTCOMES


class Person(models.Model):
    # (force, staff_id) is the stable warrant/employee number: the import key.
    force = models.CharField(max_length=64)
    staff_id = models.CharField(max_length=32)
    surname = models.CharField(max_length=100)
    forenames = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_precision = precision_field()
    # Protected characteristics: for measuring disproportionality only, never a risk input.
    sex = models.CharField(max_length=1, choices=SEXES.choices(), blank=True)
    ethnicity = models.CharField(max_length=8, choices=ETHNIC_GROUPS, blank=True)
    ethnicity_code = models.CharField(
        max_length=2, blank=True, help_text="2021 census detailed code, if given"
    )
    rank_or_grade = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=200, blank=True)
    command = models.CharField(max_length=200, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    joined_on_precision = precision_field()
    left_on = models.DateField(null=True, blank=True)
    left_on_precision = precision_field()
    employment_type = models.CharField(max_length=16, choices=EMPLOYMENT_TYPES.choices(), blank=True)
    row_hash = models.CharField(max_length=40, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("force", "staff_id"), name="person_force_staff_id")]
        indexes = [models.Index(fields=("surname", "forenames"), name="person_name")]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.forenames} {self.surname} ({self.force} {self.staff_id})"

    @property
    def display_name(self) -> str:
        return f"{self.forenames} {self.surname}"

    @property
    def is_serving(self) -> bool:
        return self.left_on is None


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    FORMER = "former", "Former name"
    ALIAS = "alias", "Also known as"


class PersonName(models.Model):
    """A name the person is or was known by. A legal name that changes becomes FORMER, not lost."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    full_name = models.CharField(max_length=250)
    surname = models.CharField(max_length=100, blank=True)
    forenames = models.CharField(max_length=150, blank=True)
    recorded_from = models.DateField(help_text="First import that recorded this name")
    recorded_until = models.DateField(null=True, blank=True, help_text="When it stopped being current")
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("person", "recorded_until", "kind", "id")
        indexes = [models.Index(fields=("full_name",), name="personname_full")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_kind_display()})"


class ShoulderNumber(models.Model):
    """A collar/shoulder number worn: what the public sees; it changes on promotion or transfer."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shoulder_numbers")
    number = models.CharField(max_length=20)
    is_current = models.BooleanField(default=False)
    # Order as given in the register (0 = current); numbers no longer listed keep their last order.
    sequence = models.PositiveSmallIntegerField(default=0)
    recorded_from = models.DateField()
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("person", "-is_current", "sequence")
        constraints = [
            models.UniqueConstraint(fields=("person", "number"), name="shouldernumber_person_number")
        ]
        indexes = [models.Index(fields=("number",), name="shouldernumber_number")]

    def __str__(self) -> str:
        return self.number


class RoleRecord(models.Model):
    """A rank/role/command the person held, as recorded by successive personnel imports."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_history")
    rank_or_grade = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=200, blank=True)
    command = models.CharField(max_length=200, blank=True)
    employment_type = models.CharField(max_length=16, choices=EMPLOYMENT_TYPES.choices(), blank=True)
    recorded_from = models.DateField()
    recorded_until = models.DateField(null=True, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("person", "-recorded_from", "-id")

    def __str__(self) -> str:
        return f"{self.rank_or_grade} {self.role} {self.command}".strip()


class FormerStaffNumber(models.Model):
    """A staff number the person used to hold (numbers are stable, but forces do renumber)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="former_staff_numbers")
    force = models.CharField(max_length=64)
    staff_id = models.CharField(max_length=32)
    replaced_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("person", "-replaced_on")
        indexes = [models.Index(fields=("force", "staff_id"), name="formerstaffnumber_key")]

    def __str__(self) -> str:
        return f"{self.force} {self.staff_id} (until {self.replaced_on})"


class VettingClearance(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vetting")
    level = models.CharField(max_length=8, choices=VETTING_LEVELS.choices())
    granted_on = models.DateField()
    granted_on_precision = precision_field()
    expires_on = models.DateField(null=True, blank=True)
    expires_on_precision = precision_field()
    outcome = models.CharField(max_length=16, choices=VETTING_OUTCOMES.choices(), blank=True)
    row_hash = models.CharField(max_length=40, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("person", "-granted_on")
        constraints = [
            models.UniqueConstraint(
                fields=("person", "level", "granted_on"), name="vetting_person_level_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} granted {self.granted_on}"
