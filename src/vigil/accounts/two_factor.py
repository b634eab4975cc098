"""Two-factor sign-in: a TOTP code after the password for the roles in TWO_FACTOR_ROLES.

django-otp's OTPMiddleware marks `request.user.is_verified()` once a device has accepted a code in
this session; TwoFactorRequiredMiddleware keeps such users on the enrol/verify pages until then.
Each TOTPDevice throttles wrong codes itself (OTP_TOTP_THROTTLE_FACTOR) and refuses a code twice."""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django_otp import login as otp_login  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from vigil.accounts.roles import TWO_FACTOR_ROLES
from vigil.accounts.selectors import user_roles
from vigil.audit.actions import Action
from vigil.core.api import api_error

# Where a half-signed-in user may still go: the two-factor pages themselves and signing out.
EXEMPT_ROUTES: frozenset[str] = frozenset({"two_factor_verify", "two_factor_enrol", "logout", "oidc_logout"})
OIDC_BACKEND = "vigil.accounts.oidc.VigilOIDCBackend"
DEVICE_NAME = "Authenticator app"


def two_factor_needed(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this user's roles call for a TOTP code (when two-factor is switched on)."""
    return bool(
        settings.TWO_FACTOR_REQUIRED and user.is_authenticated and user_roles(user) & TWO_FACTOR_ROLES
    )


def two_factor_pending(request: HttpRequest) -> bool:
    """Signed in with a password, but still owing the TOTP code their roles need."""
    user = request.user
    if not two_factor_needed(user):
        return False
    if user.is_verified():  # type: ignore[union-attr]
        return False
    # Signed in through an identity provider that itself enforces multi-factor (set by the force).
    trusted = settings.VIGIL_OIDC_TRUSTS_MFA and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND
    return not trusted


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    """The user's enrolled authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same one on every visit until it is confirmed,
    so a QR code already scanned stays good if the page is reloaded."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_locked_until(device: TOTPDevice) -> dt.datetime | None:
    """When the device will next accept a code, if wrong codes have made it wait."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until: dt.datetime | None = (info or {}).get("locked_until")
    return locked_until


def _audit(action: Action, request: HttpRequest, detail: dict[str, str]) -> None:
    from vigil.audit.services import audit_record  # the audit app imports accounts

    audit_record(action=action, actor=request.user, detail=detail, request=request)


def totp_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Enrolment: the first code from the new device confirms it and verifies this session."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if locked is None or not locked.verify_token(token):
            accepted = False
        else:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=locked.user_id, confirmed=False).delete()
            accepted = True
    if not accepted:
        _audit(Action.TWO_FACTOR_FAILED, request, {"stage": "enrol"})
        return False
    otp_login(request, locked)
    _audit(Action.TWO_FACTOR_ENROLLED, request, {"device": "totp"})
    return True


def totp_device_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Sign-in: a code from the enrolled device verifies this session."""
    with transaction.atomic():
        # Locked for the check, so two requests racing cannot both use one code or dodge the throttle.
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=True).first()
        accepted = locked is not None and bool(locked.verify_token(token))
    if not accepted:
        _audit(Action.TWO_FACTOR_FAILED, request, {"stage": "verify"})
        return False
    otp_login(request, locked)
    return True


class TwoFactorCodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\d{6}$",
        min_length=6,
        max_length=6,
        strip=True,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the code as 6 digits, without spaces",
            "min_length": "Enter the code as 6 digits, without spaces",
            "max_length": "Enter the code as 6 digits, without spaces",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "input--code"}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        return code


class TwoFactorRequiredMiddleware:
    """After django_otp's OTPMiddleware: a user whose roles need two-factor and whose session is not
    yet verified is sent to enrol an authenticator (none yet) or to enter a code, whatever they ask for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not two_factor_pending(request):
            return self.get_response(request)
        try:
            route = resolve(request.path_info).view_name
        except Resolver404:
            route = ""
        if route in EXEMPT_ROUTES:
            return self.get_response(request)
        if route.startswith("api:"):
            # A program gets a status it can act on, not the code page.
            return api_error(401, "This account needs its two-factor code: sign in through the web first.")
        user = request.user
        assert isinstance(user, User)
        target = reverse("two_factor_verify" if totp_device_confirmed(user=user) else "two_factor_enrol")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
