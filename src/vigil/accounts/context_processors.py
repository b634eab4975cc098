from __future__ import annotations

from django.http import HttpRequest

from vigil.accounts.permissions import (
    ALLOCATING_ROLES,
    DECIDING_ROLES,
    LINK_REVIEW_ROLES,
    OVERSIGHT_ROLES,
    REVIEW_ROLES,
    TRIAGE_ROLES,
)
from vigil.accounts.roles import CASE_ROLES, Role
from vigil.accounts.selectors import user_roles
from vigil.accounts.two_factor import two_factor_pending


def roles(request: HttpRequest) -> dict[str, object]:
    # Static-file 404s are rendered before AuthenticationMiddleware has set request.user.
    user = getattr(request, "user", None)
    # A user still owing their two-factor code sees no navigation: every page would bounce anyway.
    held = frozenset() if user is None or two_factor_pending(request) else user_roles(user)
    return {
        "user_roles": sorted(role.label for role in held),
        "can_see_cases": bool(held & CASE_ROLES),
        "is_administrator": Role.ADMINISTRATOR in held,
        "is_auditor": Role.AUDITOR in held,
        "can_allocate": bool(held & ALLOCATING_ROLES),
        "can_review_links": bool(held & LINK_REVIEW_ROLES),
        "can_review_people": bool(held & REVIEW_ROLES),
        "can_decide_reviews": bool(held & DECIDING_ROLES),
        "can_file_reports": Role.CALL_HANDLER in held,
        "can_triage": bool(held & TRIAGE_ROLES),
        "can_see_oversight": bool(held & OVERSIGHT_ROLES),
        # Urgent hotline reports waiting: on every page for those who triage ("see it at once").
        "urgent_reports_waiting": _urgent_waiting(user) if user is not None and held & TRIAGE_ROLES else 0,
    }


def _urgent_waiting(user: object) -> int:
    from vigil.accounts.access import allegations_visible_q
    from vigil.intake.selectors import urgent_waiting_count

    return urgent_waiting_count(visible=allegations_visible_q(user))  # type: ignore[arg-type]
