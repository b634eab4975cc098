from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from vigil.accounts.roles import CASE_ROLES, Role
from vigil.accounts.selectors import user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    # Static-file 404s are rendered before AuthenticationMiddleware has set request.user.
    held = user_roles(getattr(request, "user", AnonymousUser()))
    return {
        "user_roles": sorted(role.label for role in held),
        "can_see_cases": bool(held & CASE_ROLES),
        "is_administrator": Role.ADMINISTRATOR in held,
    }
