from __future__ import annotations

from django.http import HttpRequest

from vigil.accounts.roles import CASE_ROLES, Role
from vigil.accounts.selectors import user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    held = user_roles(request.user)
    return {
        "user_roles": sorted(role.label for role in held),
        "can_see_cases": bool(held & CASE_ROLES),
        "is_administrator": Role.ADMINISTRATOR in held,
    }
