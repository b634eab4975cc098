"""The permission matrix: which roles may use which route. One place, deny by default.

Every URL pattern's name (with namespace) must appear here; RoutePermissionMiddleware refuses any
route that does not, and tests/accounts/test_permission_matrix.py walks every route x role against
this table. `docs/security.md` reproduces it."""

from __future__ import annotations

from typing import Final

from vigil.accounts.roles import CASE_ROLES, Role

PUBLIC: Final = "public"  # no login needed (the login page itself)
ANY_USER: Final = "any_user"  # any signed-in user, whatever their roles

RouteRule = frozenset[Role] | str

ROUTE_RULES: dict[str, RouteRule] = {
    "login": PUBLIC,
    "logout": ANY_USER,
    "home": ANY_USER,
    "people:person_search": CASE_ROLES,
    "people:person_detail": CASE_ROLES,
    "allegations:allegation_list": CASE_ROLES,
    "allegations:allegation_detail": CASE_ROLES,
}

# Whole namespaces with one rule. Django's admin also requires is_staff; this adds the role.
NAMESPACE_RULES: dict[str, RouteRule] = {
    "admin": frozenset({Role.ADMINISTRATOR}),
}


def rule_for(route: str) -> RouteRule | None:
    """The rule for a route name such as 'people:person_detail', or None if it has none."""
    if route in ROUTE_RULES:
        return ROUTE_RULES[route]
    namespace = route.split(":", 1)[0] if ":" in route else ""
    return NAMESPACE_RULES.get(namespace)


def is_allowed(rule: RouteRule, roles: frozenset[Role], *, authenticated: bool) -> bool:
    if rule == PUBLIC:
        return True
    if not authenticated:
        return False
    if rule == ANY_USER:
        return True
    assert isinstance(rule, frozenset)
    return bool(rule & roles)
