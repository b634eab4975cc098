from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from vigil.accounts.roles import Role


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The roles a user holds (their groups that are Vigil roles); cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_vigil_roles", None)
    if cached is None:
        known = {role.value for role in Role}
        names = user.groups.values_list("name", flat=True)  # type: ignore[attr-defined]
        cached = frozenset(Role(name) for name in names if name in known)
        user._vigil_roles = cached  # type: ignore[attr-defined]
    return cached
