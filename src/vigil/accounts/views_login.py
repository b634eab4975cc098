"""Sign-in pages beyond Django's own: the lock-out page and the two-factor steps."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from vigil.accounts.two_factor import (
    TwoFactorCodeForm,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_pending,
    totp_device_verify,
    totp_locked_until,
    totp_secret_base32,
    two_factor_pending,
)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failures for this username from this address.
    A failure during the lock-out starts the cool-off again, so it ends one cool-off from now."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "try_again_at": timezone.localtime(timezone.now() + cool_off),
        "cool_off_minutes": int(cool_off.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def _safe_next(request: HttpRequest) -> str:
    """The page asked for before the two-factor step, if it is one of ours; else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_url(request: HttpRequest) -> str:
    return _safe_next(request) or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(route: str, request: HttpRequest) -> HttpResponseRedirect:
    url = reverse(route)
    if next_url := _safe_next(request):
        url += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(url)


def _time_text(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S")


@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask a user whose roles need two-factor for the current code from their authenticator."""
    if not two_factor_pending(request):
        return redirect(_next_url(request))
    user = request.user
    assert isinstance(user, User)
    device = totp_device_confirmed(user=user)
    if device is None:
        return _with_next("two_factor_enrol", request)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        locked_until = totp_locked_until(device)
        if locked_until is not None:
            form.add_error(
                "code", f"Too many wrong codes. Wait until {_time_text(locked_until)}, then try again"
            )
        elif totp_device_verify(request=request, device=device, token=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        else:
            form.add_error("code", "That code is not right. Enter the code your app shows now")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


def _qr_svg(data: str) -> str:
    """Inline SVG markup (no image request, no script, no style) for the otpauth:// URI."""
    qr = segno.make(data, error="m")
    svg: str = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", title="QR code for your app")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)


@never_cache
@sensitive_post_parameters("code")
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the secret as a QR code and as text, confirm with one code.
    Only while the user has no enrolled device: replacing one is the administrator's job, so a
    stolen password cannot enrol the thief's phone."""
    if not two_factor_pending(request):
        return redirect(_next_url(request))
    user = request.user
    assert isinstance(user, User)
    if totp_device_confirmed(user=user) is not None:
        return _with_next("two_factor_verify", request)
    device = totp_device_pending(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        locked_until = totp_locked_until(device)
        if locked_until is not None:
            form.add_error(
                "code", f"Too many wrong codes. Wait until {_time_text(locked_until)}, then try again"
            )
        elif totp_device_confirm(request=request, device=device, token=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        else:
            form.add_error("code", "That code is not right. Enter the code your app shows now")
    context = {
        "form": form,
        "next": _safe_next(request),
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - segno's own markup, no user text
        "secret": totp_secret_base32(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "accounts/two_factor_enrol.html", context)
