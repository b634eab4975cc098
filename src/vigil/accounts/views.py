from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.accounts.roles import CASE_ROLES, Role
from vigil.accounts.selectors import user_roles


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their role works; roles without pages yet see what they may do."""
    held = user_roles(request.user)
    if held & CASE_ROLES:
        return redirect("allegations:allegation_list")
    if Role.AUDITOR in held:
        return redirect("audit:entry_list")
    if Role.ANALYST in held:
        return redirect("oversight:dashboard")
    if Role.ADMINISTRATOR in held:
        return redirect("admin:index")
    return render(request, "accounts/home.html")
