from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from vigil.accounts.permissions import PUBLIC, TOKEN_RULES, is_allowed, rule_for
from vigil.accounts.selectors import user_roles
from vigil.core.api import api_error


class RoutePermissionMiddleware:
    """Deny by default: a route not in the permission matrix is refused for everyone; a route
    in it needs a login (unless public) and one of its roles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # a plain 404, after CommonMiddleware's slash handling
        rule = rule_for(match.view_name)
        if rule is None:
            raise PermissionDenied(f"route {match.view_name!r} is not in the permission matrix")
        if rule in TOKEN_RULES:
            # A client's bearer token is checked by the API itself (vigil.intake.api).
            response = self.get_response(request)
            patch_cache_control(response, no_store=True, private=True)
            return response
        user = request.user
        if not is_allowed(rule, user_roles(user), authenticated=user.is_authenticated):
            if match.namespace == "api":
                # A program gets a status it can act on, not a login page.
                if not user.is_authenticated:
                    return api_error(401, "Sign in first.")
                return api_error(403, "Your role may not use this API route.")
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        response = self.get_response(request)
        if rule != PUBLIC:
            # Case content must not stay in a shared workstation's browser cache or history snapshots.
            patch_cache_control(response, no_store=True, private=True)
        return response
