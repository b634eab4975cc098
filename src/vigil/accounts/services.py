"""Writes for accounts: role groups and users."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from vigil.accounts.roles import Role


def role_groups_sync(*, using: str = "default") -> None:
    """Create one group per role (idempotent)."""
    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)


def role_groups_sync_on_migrate(**kwargs: Any) -> None:
    role_groups_sync(using=kwargs.get("using", "default"))


@transaction.atomic
def user_create(*, username: str, password: str, roles: Iterable[Role], email: str = "") -> User:
    """Create a user holding the given roles. Administrators get Django admin access."""
    role_set = set(roles)
    user = User(username=username, email=email, is_staff=Role.ADMINISTRATOR in role_set)
    user.set_password(password)
    user.full_clean()
    user.save()
    if Role.ADMINISTRATOR in role_set:
        # Admin access to users, groups and reference data; no case content is registered there.
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    user.groups.set(Group.objects.filter(name__in=[role.value for role in role_set]))
    return user


def random_password() -> str:
    return secrets.token_urlsafe(12)
