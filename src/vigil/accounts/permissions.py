"""The permission matrix: which roles may use which route. One place, deny by default.

Every URL pattern's name (with namespace) must appear here; RoutePermissionMiddleware refuses any
route that does not, and tests/accounts/test_permission_matrix.py walks every route x role against
this table. `docs/security.md` reproduces it."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.conf import settings

from vigil.accounts.roles import CASE_ROLES, Role

PUBLIC: Final = "public"  # no login needed (the login page itself)
ANY_USER: Final = "any_user"  # any signed-in user, whatever their roles
# Another organisation's system with its own bearer token (vigil.intake.api authenticates it):
# no session, whatever its roles, gets in.
API_CLIENT: Final = "api_client"
API_CLIENT_OR_USER: Final = "api_client_or_user"  # ... or any signed-in user (the API's document)
TOKEN_RULES: Final = (API_CLIENT, API_CLIENT_OR_USER)

RouteRule = frozenset[Role] | str

# Who may open a sealed field (a complainant's or reporter's contact details): those who contact people.
SEALED_FIELD_ROLES: frozenset[Role] = frozenset({Role.ASSESSOR, Role.SUPERVISOR, Role.INVESTIGATOR})

# Who may assign records, restrict them and grant restricted ones (on records they can see).
ALLOCATING_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR})

# Who reviews the links the model was unsure of, and decides which person an allegation is about:
# the assessors who triage what comes in, and their supervisors.
LINK_REVIEW_ROLES: frozenset[Role] = frozenset({Role.ASSESSOR, Role.SUPERVISOR})

# Who works the review of people (issue: the queue, the cohort, each person's review): assessors,
# review officers and their supervisors. Supervisors decide: approve, assign, restrict, close tasks.
REVIEW_ROLES: frozenset[Role] = frozenset({Role.ASSESSOR, Role.REVIEWER, Role.SUPERVISOR})
DECIDING_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR})

# Who triages hotline reports (assessors, and supervisors who also approve no further action on a
# sexual-offence report). Call handlers file reports and never see them again.
TRIAGE_ROLES: frozenset[Role] = frozenset({Role.ASSESSOR, Role.SUPERVISOR})

# Who reads the oversight figures (aggregates, never names): analysts, and the supervisors who
# answer for the process.
OVERSIGHT_ROLES: frozenset[Role] = frozenset({Role.ANALYST, Role.SUPERVISOR})

ROUTE_RULES: dict[str, RouteRule] = {
    "login": PUBLIC,
    "logout": ANY_USER,
    "home": ANY_USER,
    # The two-factor steps (vigil.accounts.two_factor): reachable while a session still owes its code.
    "two_factor_verify": ANY_USER,
    "two_factor_enrol": ANY_USER,
    # Single sign-on's round trip to the identity provider, routed only when OIDC is configured.
    **(
        {"oidc_authentication_init": PUBLIC, "oidc_authentication_callback": PUBLIC, "oidc_logout": PUBLIC}
        if settings.VIGIL_OIDC_ENABLED
        else {}
    ),
    "conflicts": CASE_ROLES,
    "people:person_search": CASE_ROLES,
    "people:person_detail": CASE_ROLES,
    "people:person_allocation": ALLOCATING_ROLES,
    "people:person_disclose": CASE_ROLES,
    "allegations:allegation_list": CASE_ROLES,
    "allegations:allegation_detail": CASE_ROLES,
    "allegations:allegation_contact": SEALED_FIELD_ROLES,
    "allegations:allegation_allocation": ALLOCATING_ROLES,
    "allegations:allegation_disclose": CASE_ROLES,
    "allegations:allegation_conflict": CASE_ROLES,
    "linkage:review_queue": LINK_REVIEW_ROLES,
    "linkage:review_item": LINK_REVIEW_ROLES,
    "linkage:review_candidate": LINK_REVIEW_ROLES,
    "linkage:review_another": LINK_REVIEW_ROLES,
    "linkage:review_not_on_register": LINK_REVIEW_ROLES,
    "reviews:queue": REVIEW_ROLES,
    "reviews:cohort": REVIEW_ROLES,
    "reviews:cohort_edit": DECIDING_ROLES,
    "reviews:tasks": DECIDING_ROLES,
    "reviews:task_done": DECIDING_ROLES,
    "reviews:measures": REVIEW_ROLES,
    "reviews:measure_review": DECIDING_ROLES,
    "reviews:measure_lift": DECIDING_ROLES,
    "reviews:case": CASE_ROLES,
    "reviews:assign": DECIDING_ROLES,
    "reviews:open": DECIDING_ROLES,
    "reviews:close": DECIDING_ROLES,
    "reviews:review_form": frozenset({Role.REVIEWER}),
    "reviews:decide": DECIDING_ROLES,
    "reviews:measure_new": DECIDING_ROLES,
    "api:person_read": CASE_ROLES,
    "api:allegation_read": CASE_ROLES,
    "intake:report_new": frozenset({Role.CALL_HANDLER}),
    "intake:report_filed": frozenset({Role.CALL_HANDLER}),
    "intake:suggestions": frozenset({Role.CALL_HANDLER}),
    "intake:triage_queue": TRIAGE_ROLES,
    "intake:report_detail": TRIAGE_ROLES,
    "intake:report_decide": TRIAGE_ROLES,
    "intake:repeat_decide": TRIAGE_ROLES,
    "intake:approvals": DECIDING_ROLES,
    "intake:approval_decide": DECIDING_ROLES,
    "intake_api:report_file": API_CLIENT,
    "intake_api:report_status": API_CLIENT,
    "intake_api:openapi-json": API_CLIENT_OR_USER,
    # django-ninja's root, which only locates the API's paths: it answers 404 to everyone.
    "intake_api:api-root": API_CLIENT,
    "oversight:dashboard": OVERSIGHT_ROLES,
    "oversight:export": OVERSIGHT_ROLES,
    "oversight:chart": OVERSIGHT_ROLES,
    "audit:entry_list": frozenset({Role.AUDITOR}),
    "audit:entry_detail": frozenset({Role.AUDITOR}),
    "audit:export": frozenset({Role.AUDITOR}),
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
    if rule in (ANY_USER, API_CLIENT_OR_USER):
        return True
    if rule == API_CLIENT:
        return False
    assert isinstance(rule, frozenset)
    return bool(rule & roles)


# ---- Need-to-know: what a case role sees inside the pages it may open ----------------------------


class Scope(StrEnum):
    OWN = "own"  # records assigned to the user by name
    TEAM = "team"  # ... and records assigned to one of the user's teams
    CASELOAD = "caseload"  # ... and, in a team holding the caseload, every unrestricted record


RECORD_SCOPES: dict[Role, Scope] = {
    # Assessors and their supervisors triage everything that comes in, so a caseload team reaches them.
    Role.ASSESSOR: Scope.CASELOAD,
    Role.SUPERVISOR: Scope.CASELOAD,
    # Reviewers work the cases given to them or to their review team.
    Role.REVIEWER: Scope.TEAM,
    # Investigations are the most sensitive work: only cases assigned by name.
    Role.INVESTIGATOR: Scope.OWN,
}


def record_scope(roles: frozenset[Role]) -> Scope | None:
    """The widest scope any of the roles gives, or None for roles without case content."""
    scopes = {RECORD_SCOPES[role] for role in roles if role in RECORD_SCOPES}
    for scope in (Scope.CASELOAD, Scope.TEAM, Scope.OWN):
        if scope in scopes:
            return scope
    return None


def matrix_markdown() -> str:
    """The route x role matrix as a Markdown table: docs/security.md holds this text, and a test
    fails when the two differ."""
    roles = list(Role)
    header = "| route | " + " | ".join(role.value for role in roles) + " |"
    lines = [header, "|---|" + "---|" * len(roles)]
    rules = [
        *sorted(ROUTE_RULES.items()),
        *((f"{name}:*", rule) for name, rule in sorted(NAMESPACE_RULES.items())),
    ]
    for route, rule in rules:
        if rule == PUBLIC:
            cells = ["public"] * len(roles)
        elif rule == ANY_USER:
            cells = ["yes"] * len(roles)
        elif rule == API_CLIENT:
            cells = ["token only"] * len(roles)
        elif rule == API_CLIENT_OR_USER:
            cells = ["yes, or token"] * len(roles)
        else:
            assert isinstance(rule, frozenset)
            cells = ["yes" if role in rule else "—" for role in roles]
        lines.append(f"| `{route}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
