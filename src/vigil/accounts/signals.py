"""Sign-ins, sign-outs, failures and lock-outs go into the audit trail.

Connected in AccountsConfig.ready(). The attempted password is never read: Django masks it in the
failure signal's credentials, and only the username is taken from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from vigil.audit.actions import Action

OIDC_BACKEND = "vigil.accounts.oidc.VigilOIDCBackend"


def _sign_in_method(user: AbstractBaseUser) -> str:
    return "single_sign_on" if getattr(user, "backend", "") == OIDC_BACKEND else "password"


def on_user_logged_in(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    from vigil.audit.services import audit_record  # lazily: the audit app imports accounts

    audit_record(
        action=Action.LOGIN,
        actor=user,
        detail={"method": _sign_in_method(user)},
        request=request,
    )


def on_user_logged_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is None:  # signing out with no session: nothing happened
        return
    from vigil.audit.services import audit_record

    audit_record(action=Action.LOGOUT, actor=user, request=request)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from vigil.audit.services import audit_record

    username = credentials.get("username")
    detail: dict[str, Any] = {}
    # Set by axes' receiver, which runs first (INSTALLED_APPS order): failures for this
    # username+address within the cool-off, counting this one.
    failures = getattr(request, "axes_failures_since_start", None)
    if isinstance(failures, int):
        detail["failures"] = failures
    if "nonce" in credentials:  # the single sign-on callback: there is no username to report
        detail["method"] = "single_sign_on"
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=None,
        actor_label=username if isinstance(username, str) and username else "unknown",
        detail=detail or None,
        request=request,
    )


def on_user_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """axes' user_locked_out: sent when a failure reaches the limit, and for each attempt refused
    during the lock-out."""
    from vigil.audit.services import audit_record

    audit_record(
        action=Action.LOCKED_OUT,
        actor=None,
        actor_label=username or "unknown",
        detail={
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        request=request,
    )


def connect() -> None:
    from axes.signals import user_locked_out  # type: ignore[import-untyped]
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_user_logged_in, dispatch_uid="vigil.audit.login")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="vigil.audit.logout")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="vigil.audit.login_failed")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="vigil.audit.locked_out")
