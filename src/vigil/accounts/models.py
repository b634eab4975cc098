"""Need-to-know: teams, who is assigned to what, restricted records, and each user's own person
record and declared conflicts of interest. The rules that read these are in accounts.access;
which role may use which scope is in accounts.permissions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.allegations.models import Allegation
from vigil.people.models import Person


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="vigil_teams", blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class AccountPerson(models.Model):
    """Ties a user account to the user's own record on the register, so the user can never open a
    record about themselves or a case they complained in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_record")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.user} is {self.person.force} {self.person.staff_id}"


class GrantTarget(models.TextChoices):
    PERSON = "person", "A person record and the allegations that name them"
    ALLEGATION = "allegation", "One allegation"
    CASELOAD = "caseload", "The whole caseload (assessment: every unrestricted record)"


class AccessGrant(models.Model):
    """An assignment: a user or a team may see a person record, one allegation, or (for a team
    whose roles' scope allows it) the whole caseload. Revoked grants are kept, with who and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    target = models.CharField(max_length=12, choices=GrantTarget.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    allegation = models.ForeignKey(
        Allegation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=250)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="accessgrant_one_grantee",
            ),
            models.CheckConstraint(
                condition=(Q(target="person") & Q(person__isnull=False) & Q(allegation__isnull=True))
                | (Q(target="allegation") & Q(allegation__isnull=False) & Q(person__isnull=True))
                | (Q(target="caseload") & Q(person__isnull=True) & Q(allegation__isnull=True)),
                name="accessgrant_target_matches",
            ),
            # A caseload is given to a team (the assessment unit), never to one person.
            models.CheckConstraint(
                condition=~Q(target="caseload") | Q(team__isnull=False), name="accessgrant_caseload_team"
            ),
        ]
        indexes = [
            models.Index(fields=("person",), name="accessgrant_person"),
            models.Index(fields=("allegation",), name="accessgrant_allegation"),
        ]

    def __str__(self) -> str:
        grantee = self.user or self.team
        what = self.person or self.allegation or "caseload"
        return f"{grantee} → {what}"


class RecordRestriction(models.Model):
    """A record (a senior officer as subject, a linked criminal inquiry) that only users granted it
    by name may see: team and caseload assignments no longer reach it."""

    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="restriction"
    )
    allegation = models.OneToOneField(
        Allegation, null=True, blank=True, on_delete=models.CASCADE, related_name="restriction"
    )
    reason = models.CharField(max_length=250)
    restricted_at = models.DateTimeField()
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) ^ Q(allegation__isnull=False),
                name="recordrestriction_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"restricted: {self.person or self.allegation}"


class ConflictDeclaration(models.Model):
    """A user's own declaration: 'I must not work on this colleague' (by staff ID, so declaring
    reveals nothing about what the register or the caseload holds) or 'on this case'."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    staff_id = models.CharField(max_length=32, blank=True)
    allegation = models.ForeignKey(
        Allegation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=250)
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(staff_id="") ^ Q(allegation__isnull=False), name="conflict_one_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} conflicted on {self.staff_id or self.allegation}"
