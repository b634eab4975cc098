"""Writes for accounts: role groups and users."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from vigil.accounts.access import record_label_allegation, record_label_person
from vigil.accounts.actor import SelfGrantRefused, acting_as
from vigil.accounts.models import (
    AccessGrant,
    AccountPerson,
    ConflictDeclaration,
    GrantTarget,
    RecordRestriction,
    Team,
)
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.people.models import Person


def role_groups_sync(*, using: str = "default") -> None:
    """Create one group per role (idempotent)."""
    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)


def role_groups_sync_on_migrate(**kwargs: Any) -> None:
    role_groups_sync(using=kwargs.get("using", "default"))


@contextmanager
def _changes_by(user: User | None, request: HttpRequest | None) -> Iterator[None]:
    """Account changes below are made by `user` (for the audit signals and the self-grant rule);
    without a user or a request, whoever set the actor already (`vigil access`) stays."""
    with acting_as(user, request=request) if user is not None or request is not None else nullcontext():
        yield


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: Iterable[Role],
    email: str = "",
    created_by: User | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create a user holding the given roles. Administrators get Django admin access. The account
    and its roles are audited (vigil.accounts.signals) as made by `created_by`."""
    role_set = set(roles)
    with _changes_by(created_by, request):
        user = User(username=username, email=email, is_staff=Role.ADMINISTRATOR in role_set)
        user.set_password(password)
        user.full_clean()
        # Admin access to users, teams and reference data; no case content is registered there.
        user.is_superuser = Role.ADMINISTRATOR in role_set
        user.save()
        user.groups.set(Group.objects.filter(name__in=[role.value for role in role_set]))
    return user


def random_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_roles_change(
    *,
    user: User,
    changed_by: User | None,
    add: Iterable[Role] = (),
    remove: Iterable[Role] = (),
    request: HttpRequest | None = None,
) -> frozenset[Role]:
    """Give or take away roles. Nobody gives themselves a role (vigil.accounts.signals refuses it,
    whatever the path); the change is audited with the roles before and after."""
    if changed_by is not None and changed_by.pk == user.pk and set(add):
        raise SelfGrantRefused(
            "Nobody can give themselves a role: another administrator must make this change."
        )
    with _changes_by(changed_by, request):
        user.groups.remove(*Group.objects.filter(name__in=[role.value for role in remove]))
        user.groups.add(*Group.objects.filter(name__in=[role.value for role in add]))
    return user_roles(user)


# ---- need-to-know: assignments, restrictions, conflicts (each audited in the same transaction) ----


def _record_of(*, person: Person | None, allegation: Allegation | None) -> tuple[str, int | str, str]:
    if person is not None:
        return "person", person.pk, record_label_person(person)
    if allegation is not None:
        return "allegation", allegation.pk, record_label_allegation(allegation)
    return "caseload", "", "the whole caseload"


@transaction.atomic
def access_grant(
    *,
    granted_by: User | None,
    reason: str,
    user: User | None = None,
    team: Team | None = None,
    person: Person | None = None,
    allegation: Allegation | None = None,
    caseload: bool = False,
    request: HttpRequest | None = None,
) -> AccessGrant:
    """Assign a record (or, to a team, the caseload) to a user or a team. Granting what is already
    granted returns the existing grant and writes nothing. Nobody assigns a record to themselves:
    another supervisor must (a second pair of eyes on who sees what)."""
    if user is not None and granted_by is not None and user.pk == granted_by.pk:
        raise SelfGrantRefused("You cannot assign a record to yourself: another supervisor must.")
    return _access_grant_write(
        granted_by=granted_by,
        reason=reason,
        user=user,
        team=team,
        person=person,
        allegation=allegation,
        caseload=caseload,
        request=request,
    )


def _access_grant_write(
    *,
    granted_by: User | None,
    reason: str,
    user: User | None,
    team: Team | None,
    person: Person | None,
    allegation: Allegation | None,
    caseload: bool,
    request: HttpRequest | None,
) -> AccessGrant:
    target = GrantTarget.CASELOAD if caseload else GrantTarget.PERSON if person else GrantTarget.ALLEGATION
    existing = AccessGrant.objects.filter(
        user=user, team=team, target=target, person=person, allegation=allegation, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    grant = AccessGrant(
        user=user,
        team=team,
        target=target,
        person=person,
        allegation=allegation,
        reason=reason,
        granted_at=timezone.now(),
        granted_by=granted_by,
    )
    grant.full_clean()
    grant._vigil_audited = True  # type: ignore[attr-defined]  # the entry below says more than the signal's
    grant.save()
    record_type, record_id, label = _record_of(person=person, allegation=allegation)
    audit_record(
        action=Action.ACCESS_GRANTED,
        actor=granted_by,
        record_type=record_type,
        record_id=record_id,
        record_label=label,
        detail={
            "grant": grant.pk,
            "to_user": user.username if user else "",
            "to_team": team.name if team else "",
            "reason": reason,
        },
        request=request,
    )
    return grant


@transaction.atomic
def access_revoke(*, grant: AccessGrant, revoked_by: User | None, request: HttpRequest | None = None) -> None:
    if grant.revoked_at is not None:
        return
    grant.revoked_at = timezone.now()
    grant.revoked_by = revoked_by
    grant._vigil_audited = True  # type: ignore[attr-defined]
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_type, record_id, label = _record_of(person=grant.person, allegation=grant.allegation)
    audit_record(
        action=Action.ACCESS_REVOKED,
        actor=revoked_by,
        record_type=record_type,
        record_id=record_id,
        record_label=label,
        detail={"grant": grant.pk},
        request=request,
    )


@transaction.atomic
def record_restrict(
    *,
    restricted_by: User | None,
    reason: str,
    person: Person | None = None,
    allegation: Allegation | None = None,
    request: HttpRequest | None = None,
) -> RecordRestriction:
    """Restrict a record: from now on only users granted it by name see it. The user restricting
    it keeps access (they are granted it by name) so the record is never orphaned."""
    restriction, created = RecordRestriction.objects.get_or_create(
        person=person,
        allegation=allegation,
        defaults={"reason": reason, "restricted_at": timezone.now(), "restricted_by": restricted_by},
    )
    if created:
        record_type, record_id, label = _record_of(person=person, allegation=allegation)
        audit_record(
            action=Action.RECORD_RESTRICTED,
            actor=restricted_by,
            record_type=record_type,
            record_id=record_id,
            record_label=label,
            detail={"reason": reason},
            request=request,
        )
        if restricted_by is not None:
            # The one assignment to oneself allowed: the supervisor could already see the record
            # (restricting needs that), and keeps it so that it is never orphaned.
            _access_grant_write(
                granted_by=restricted_by,
                reason="restricted the record",
                user=restricted_by,
                team=None,
                person=person,
                allegation=allegation,
                caseload=False,
                request=request,
            )
    return restriction


@transaction.atomic
def conflict_declare(
    *,
    user: User,
    reason: str,
    staff_id: str = "",
    allegation: Allegation | None = None,
    request: HttpRequest | None = None,
) -> ConflictDeclaration:
    """A user declares they must not work on a colleague (by staff ID) or a case. Declarations
    cannot be withdrawn in Vigil: a conflict once declared stays, and is in the audit trail."""
    declaration = ConflictDeclaration(
        user=user, staff_id=staff_id.strip(), allegation=allegation, reason=reason, declared_at=timezone.now()
    )
    declaration.full_clean()
    declaration.save()
    audit_record(
        action=Action.CONFLICT_DECLARED,
        actor=user,
        record_type="allegation" if allegation else "staff_id",
        record_id=allegation.pk if allegation else declaration.staff_id,
        record_label=_record_of(person=None, allegation=allegation)[2]
        if allegation
        else declaration.staff_id,
        detail={"reason": reason},
        request=request,
    )
    user._vigil_access = None  # type: ignore[attr-defined]  # the cached access context is stale
    return declaration


@transaction.atomic
def account_person_link(
    *, user: User, person: Person, linked_by: User | None, request: HttpRequest | None = None
) -> AccountPerson:
    """Tie an account to its holder's own record on the register (replacing any earlier tie)."""
    link, _ = AccountPerson.objects.update_or_create(
        user=user, defaults={"person": person, "linked_at": timezone.now(), "linked_by": linked_by}
    )
    audit_record(
        action=Action.ACCOUNT_PERSON_LINKED,
        actor=linked_by,
        record_type="person",
        record_id=person.pk,
        record_label=record_label_person(person),
        detail={"account": user.username},
        request=request,
    )
    return link


@transaction.atomic
def team_ensure(
    *,
    name: str,
    members: Iterable[User] = (),
    added_by: User | None = None,
    request: HttpRequest | None = None,
) -> Team:
    """Create a team (if new) and add members. Nobody adds themselves to a team (refused by
    vigil.accounts.signals); each member's change is audited with their teams before and after."""
    team, _ = Team.objects.get_or_create(name=name)
    with _changes_by(added_by, request):
        team.members.add(*members)
    return team


@transaction.atomic
def access_grant_unassigned_allegations(
    *, granted_by: User | None, reason: str, user: User | None = None, team: Team | None = None
) -> int:
    """Assign every allegation no one is assigned yet (after an import: route it to the assessment
    team). One audit entry for the batch, with the count and id range: a million entries would
    say no more."""
    if user is not None and granted_by is not None and user.pk == granted_by.pk:
        raise SelfGrantRefused("You cannot assign records to yourself: another supervisor must.")
    assigned = AccessGrant.objects.filter(allegation=OuterRef("pk"), revoked_at__isnull=True)
    ids = list(Allegation.objects.filter(~Exists(assigned)).order_by("id").values_list("id", flat=True))
    now = timezone.now()
    AccessGrant.objects.bulk_create(
        (
            AccessGrant(
                user=user,
                team=team,
                target=GrantTarget.ALLEGATION,
                allegation_id=pk,
                reason=reason,
                granted_at=now,
                granted_by=granted_by,
            )
            for pk in ids
        ),
        batch_size=5000,
    )
    if ids:
        audit_record(
            action=Action.ACCESS_GRANTED,
            actor=granted_by,
            record_type="allegation",
            record_id=f"{ids[0]}-{ids[-1]}",
            record_label=f"{len(ids):,} unassigned allegations",
            detail={
                "count": len(ids),
                "first_id": ids[0],
                "last_id": ids[-1],
                "to_user": user.username if user else "",
                "to_team": team.name if team else "",
                "reason": reason,
            },
        )
    return len(ids)
