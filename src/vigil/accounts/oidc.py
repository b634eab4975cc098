"""Single sign-on through OpenID Connect (optional: settings switch it on when VIGIL_OIDC_* is set).

The identity provider says who the user is (VIGIL_OIDC_USERNAME_CLAIM, matched exactly against the
Vigil username) and which groups they are in (VIGIL_OIDC_GROUPS_CLAIM). VIGIL_OIDC_ROLE_MAP turns
groups into Vigil roles, "psd-reviewers=reviewer,psd-sup=supervisor": a group not in the map gives
nothing, and no claim ever makes an administrator unless the map names that role for a group.
The roles named in the map are the provider's to give and take away at every sign-in; any other
role an account holds is managed in Vigil and left alone."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

from vigil.accounts.actor import acting_as
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles

RoleMap = dict[str, frozenset[Role]]
logger = logging.getLogger(__name__)


def oidc_role_map_parse(text: str) -> RoleMap:
    """'group=role,group2=role2' -> {group: roles}. A group may appear more than once; an unknown
    role or a malformed entry is a configuration error, not something to skip quietly."""
    mapping: dict[str, set[Role]] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        group, sep, role_name = (piece.strip() for piece in entry.rpartition("="))
        if not sep or not group or not role_name:
            raise ImproperlyConfigured(f"VIGIL_OIDC_ROLE_MAP entry {entry!r} is not group=role")
        try:
            role = Role(role_name)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ImproperlyConfigured(
                f"VIGIL_OIDC_ROLE_MAP entry {entry!r}: {role_name!r} is not a role ({known})"
            ) from None
        mapping.setdefault(group, set()).add(role)
    return {group: frozenset(roles) for group, roles in mapping.items()}


def oidc_roles_from_claims(
    claims: Mapping[str, Any], *, role_map: RoleMap, groups_claim: str
) -> frozenset[Role]:
    """The Vigil roles the provider's groups claim gives, through the map only."""
    raw = claims.get(groups_claim) or []
    groups: Iterable[Any] = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
    roles: set[Role] = set()
    for group in groups:
        if isinstance(group, str):
            roles |= role_map.get(group, frozenset())
    return frozenset(roles)


def oidc_managed_roles(role_map: RoleMap) -> frozenset[Role]:
    """The roles the provider decides (those the map can give)."""
    return frozenset().union(*role_map.values()) if role_map else frozenset()


@transaction.atomic
def user_roles_sync_from_oidc(*, user: User, claimed: frozenset[Role], managed: frozenset[Role]) -> None:
    """Give the user exactly the claimed roles among the managed ones; leave the others as they are.
    Django admin access follows the administrator role only when the provider manages that role.
    The changes are audited as made by single sign-on (vigil.accounts.signals)."""
    with acting_as(label=f"single sign-on ({user.get_username()})"):
        _user_roles_sync(user=user, claimed=claimed, managed=managed)


def _user_roles_sync(*, user: User, claimed: frozenset[Role], managed: frozenset[Role]) -> None:
    held = user_roles(user)
    wanted = (held - managed) | (claimed & managed)
    if wanted != held:
        user.groups.remove(*Group.objects.filter(name__in=[role.value for role in held - wanted]))
        user.groups.add(*Group.objects.filter(name__in=[role.value for role in wanted - held]))
        user._vigil_roles = wanted  # type: ignore[attr-defined]
    if Role.ADMINISTRATOR in managed:
        is_admin = Role.ADMINISTRATOR in wanted
        if user.is_staff != is_admin or user.is_superuser != is_admin:
            user.is_staff = user.is_superuser = is_admin
            user.save(update_fields=["is_staff", "is_superuser"])


class VigilOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching users by username rather than e-mail (an address the
    provider has not verified must never take over an account), checking the ID token's audience
    and issuer, and setting roles from the groups claim."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role_map = oidc_role_map_parse(settings.VIGIL_OIDC_ROLE_MAP)
        self.username_claim: str = settings.VIGIL_OIDC_USERNAME_CLAIM
        self.groups_claim: str = settings.VIGIL_OIDC_GROUPS_CLAIM

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        # A token that fails a check, or a provider that cannot be reached, is a failed sign-in
        # (audited, back to the sign-in page), not a 400 or 500 page.
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            logger.warning("single sign-on refused: %s", error)
            return None
        return user

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # Providers put groups in the ID token, the userinfo response or both: use both.
        userinfo: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        return {**payload, **userinfo}

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is for another client")
        issuer = settings.VIGIL_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token is from another issuer")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        username = claims.get(self.username_claim)
        return isinstance(username, str) and bool(username.strip())

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(username=claims[self.username_claim].strip())

    def create_user(self, claims: dict[str, Any]) -> User | None:
        """A new account only if allowed and the groups give at least one role: someone in the
        force's directory with no Professional Standards group gets no Vigil account."""
        roles = oidc_roles_from_claims(claims, role_map=self.role_map, groups_claim=self.groups_claim)
        if not settings.VIGIL_OIDC_CREATE_USERS or not roles:
            return None
        with transaction.atomic():
            user: User = self.UserModel.objects.create_user(
                claims[self.username_claim].strip(), email=claims.get("email") or ""
            )  # no password: this account signs in through the provider
            user_roles_sync_from_oidc(user=user, claimed=roles, managed=oidc_managed_roles(self.role_map))
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        roles = oidc_roles_from_claims(claims, role_map=self.role_map, groups_claim=self.groups_claim)
        user_roles_sync_from_oidc(user=user, claimed=roles, managed=oidc_managed_roles(self.role_map))
        return user
