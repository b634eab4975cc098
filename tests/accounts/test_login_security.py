"""Sign-in hardening: lock-out after repeated failures, the audit of sign-ins, two-factor for the
roles that need it, idle sessions, the Content-Security-Policy header, CSRF on the login form, and
the single sign-on role mapping (no network: the provider's answers are made up here)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.oath import TOTP  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]
from pytest_django.fixtures import Settings as SettingsWrapper

import vigil
from tests.accounts.test_permission_matrix import walk
from tests.conftest import TEST_PASSWORD
from vigil.accounts.roles import TWO_FACTOR_ROLES, Role
from vigil.audit.actions import Action

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not-the-password-42"
OIDC_BACKEND = "vigil.accounts.oidc.VigilOIDCBackend"
LOGIN = "/login/"
LIMIT = settings.AXES_FAILURE_LIMIT

MakeUser = Callable[..., User]


def audit_entries(action: Action) -> list[Any]:
    try:
        from vigil.audit.services import audit_record  # noqa: F401
    except ImportError:
        pytest.xfail("vigil.audit.services.audit_record is not written yet")
    from vigil.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(action=action.value).order_by("id"))


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def totp_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# ---- Lock-out ------------------------------------------------------------------------------------


def test_repeated_failures_lock_the_username_out_with_a_429_page(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER)
    for _ in range(LIMIT - 1):
        response = sign_in(client, user.username, WRONG_PASSWORD)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text

    response = sign_in(client, user.username, WRONG_PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "try again after" in response.text
    assert "call the Vigil administrator" in response.text

    # Now even the right password is refused, before it is checked.
    response = sign_in(client, user.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # axes keeps the attempts (so an administrator can see and clear them), never the password.
    attempt = AccessAttempt.objects.get(username=user.username)
    assert WRONG_PASSWORD not in attempt.post_data and TEST_PASSWORD not in attempt.post_data


def test_the_lock_out_is_per_username_and_address(client: Client, make_user: MakeUser) -> None:
    locked, colleague = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    for _ in range(LIMIT):
        sign_in(client, locked.username, WRONG_PASSWORD)
    assert sign_in(client, locked.username).status_code == 429
    # A colleague at the same terminal is not locked out by someone else's typing...
    assert sign_in(Client(), colleague.username).status_code == 302
    # ...and the locked user can still sign in from their own terminal.
    assert sign_in(Client(), locked.username, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_the_lock_out_ends_after_the_cool_off(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER)
    for _ in range(LIMIT):
        sign_in(client, user.username, WRONG_PASSWORD)
    assert sign_in(client, user.username).status_code == 429
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - dt.timedelta(seconds=5))
    assert sign_in(client, user.username).status_code == 302


def test_a_correct_password_clears_earlier_failures(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER)
    for _ in range(LIMIT - 1):
        sign_in(client, user.username, WRONG_PASSWORD)
    assert sign_in(client, user.username).status_code == 302
    client.post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert sign_in(client, user.username, WRONG_PASSWORD).status_code == 200


def test_the_test_client_can_still_sign_in(client: Client, make_user: MakeUser) -> None:
    """force_login needs nothing; login() must pass a request, which axes needs to count failures."""
    user = make_user(Role.REVIEWER)
    assert client.login(request=HttpRequest(), username=user.username, password=TEST_PASSWORD)
    assert client.get(reverse("allegations:allegation_list")).status_code == 200


# ---- Audit of sign-ins -------------------------------------------------------------------------


def test_failures_and_the_lock_out_are_audited_with_the_attempted_username(
    client: Client, make_user: MakeUser
) -> None:
    user = make_user(Role.REVIEWER)
    for _ in range(LIMIT):
        sign_in(client, user.username, WRONG_PASSWORD)
    sign_in(client, "no-such-user", WRONG_PASSWORD)

    failures = audit_entries(Action.LOGIN_FAILED)
    assert [e.actor_label for e in failures] == [user.username] * LIMIT + ["no-such-user"]
    assert all(e.actor_id is None and e.ip_address == "127.0.0.1" for e in failures)
    assert '"failures":1' in failures[0].detail.replace(" ", "")
    locked = audit_entries(Action.LOCKED_OUT)
    assert [e.actor_label for e in locked] == [user.username]
    assert f'"failure_limit":{LIMIT}' in locked[0].detail.replace(" ", "")

    from vigil.audit.models import AuditEntry

    for entry in AuditEntry.objects.all():
        assert WRONG_PASSWORD not in str(entry.__dict__)


def test_sign_in_and_sign_out_are_audited(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER)
    assert sign_in(client, user.username).status_code == 302
    client.post(reverse("logout"))
    (login,) = audit_entries(Action.LOGIN)
    (logout,) = audit_entries(Action.LOGOUT)
    assert login.actor_id == logout.actor_id == user.pk
    assert login.actor_roles == "reviewer"
    assert '"method":"password"' in login.detail.replace(" ", "")


# ---- Two-factor ----------------------------------------------------------------------------------


@pytest.fixture
def two_factor_on(settings: SettingsWrapper) -> None:
    settings.TWO_FACTOR_REQUIRED = True


@pytest.mark.usefixtures("two_factor_on")
def test_a_supervisor_enrols_an_authenticator_then_gets_in(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.SUPERVISOR)
    assert sign_in(client, user.username).status_code == 302

    # Any page sends them to enrol first, remembering where they were going.
    response = client.get(reverse("allegations:allegation_list"))
    enrol = reverse("two_factor_enrol")
    assert response.status_code == 302
    assert response["Location"] == f"{enrol}?next=%2Fallegations%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    html = page.text
    assert re.search(r"<svg [^>]*role=\"img\"", html), "the QR code is inline SVG"
    assert "<img" not in html and "<script" not in html and "style=" not in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert device.throttling_enabled, "wrong codes must back off"
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret and len(secret.group(1).replace(" ", "")) == 32

    assert client.post(enrol, {"code": "000000", "next": "/allegations/"}).status_code == 200
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # skip the one-second back-off for the test
    device.save()
    response = client.post(enrol, {"code": totp_now(device), "next": "/allegations/"})
    assert response.status_code == 302 and response["Location"] == "/allegations/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("allegations:allegation_list")).status_code == 200
    assert len(audit_entries(Action.TWO_FACTOR_ENROLLED)) == 1
    assert [e.actor_id for e in audit_entries(Action.TWO_FACTOR_FAILED)] == [user.pk]


@pytest.mark.usefixtures("two_factor_on")
def test_an_enrolled_supervisor_must_enter_a_code_and_wrong_codes_are_throttled(
    client: Client, make_user: MakeUser
) -> None:
    user = make_user(Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user.username)
    response = client.get("/")
    verify = reverse("two_factor_verify")
    assert response["Location"] == f"{verify}?next=%2F"
    # No second enrolment: a stolen password must not be able to add the thief's phone.
    assert client.get(reverse("two_factor_enrol"))["Location"] == verify

    assert "That code is not right" in client.post(verify, {"code": "000000"}).text
    # Straight after a wrong code even the right one is refused: the device backs off.
    refused = client.post(verify, {"code": totp_now(device)})
    assert "Too many wrong codes" in refused.text
    assert client.get(reverse("allegations:allegation_list")).status_code == 302

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=5)
    )
    response = client.post(verify, {"code": totp_now(device), "next": "/allegations/"})
    assert response.status_code == 302 and response["Location"] == "/allegations/"
    assert client.get(reverse("allegations:allegation_list")).status_code == 200
    assert len(audit_entries(Action.TWO_FACTOR_FAILED)) == 1  # the throttled try checked nothing


@pytest.mark.usefixtures("two_factor_on")
def test_a_code_cannot_be_used_twice(client: Client, make_user: MakeUser) -> None:
    user = make_user(Role.AUDITOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = totp_now(device)
    sign_in(client, user.username)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    other = Client()
    sign_in(other, user.username)
    assert "That code is not right" in other.post(reverse("two_factor_verify"), {"code": code}).text


@pytest.mark.usefixtures("two_factor_on")
@pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES), ids=str)
def test_every_two_factor_role_is_stopped_until_verified(
    client: Client, make_user: MakeUser, role: Role
) -> None:
    user = make_user(role, Role.REVIEWER)  # a second role does not excuse the first
    client.force_login(user)
    assert client.get("/").status_code == 302
    assert client.get(reverse("two_factor_enrol")).status_code == 200
    # Signing out stays possible.
    assert client.post(reverse("logout"))["Location"] == reverse("login")


@pytest.mark.usefixtures("two_factor_on")
@pytest.mark.parametrize("role", sorted(set(Role) - TWO_FACTOR_ROLES), ids=str)
def test_other_roles_need_no_second_step(client: Client, make_user: MakeUser, role: Role) -> None:
    user = make_user(role)
    assert sign_in(client, user.username).status_code == 302
    response = client.get("/")
    assert "/two-factor/" not in response.get("Location", "")
    assert client.get(reverse("two_factor_verify"))["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_a_reviewer_works_without_any_code(
    settings: SettingsWrapper, client: Client, make_user: MakeUser
) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    sign_in(client, make_user(Role.REVIEWER).username)
    assert client.get(reverse("allegations:allegation_list")).status_code == 200


def test_two_factor_can_be_switched_off(client: Client, make_user: MakeUser) -> None:
    # tests/conftest.py switches it off for the other tests (VIGIL_TWO_FACTOR=0 does the same).
    assert settings.TWO_FACTOR_REQUIRED is False
    sign_in(client, make_user(Role.SUPERVISOR).username)
    assert client.get(reverse("allegations:allegation_list")).status_code == 200


# ---- Idle sessions, CSP, CSRF ------------------------------------------------------------------


def test_an_idle_session_expires(client: Client, make_user: MakeUser) -> None:
    sign_in(client, make_user(Role.REVIEWER).username)
    assert client.get(reverse("allegations:allegation_list")).status_code == 200
    session = Session.objects.get()
    # Every request pushes the expiry on by the idle time (SESSION_SAVE_EVERY_REQUEST)...
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    # ...and once it has passed, the session is gone.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("allegations:allegation_list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get(LOGIN)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }


def test_templates_need_no_inline_script_or_style() -> None:
    """The policy allows no inline script or style, so no template may use either."""
    templates = Path(vigil.__file__).resolve().parent / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", path.read_text())
    ]
    assert offenders == []


def test_the_login_form_refuses_a_post_without_a_csrf_token(make_user: MakeUser) -> None:
    user = make_user(Role.REVIEWER)
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, user.username).status_code == 403
    # With the token from the form it works.
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        LOGIN, {"username": user.username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_no_route_is_exempt_from_csrf() -> None:
    """CsrfViewMiddleware covers every view, the Django admin's and any library's included, except
    the intake API's: another system's bearer token, never a session cookie, authenticates those
    (a browser cannot be tricked into sending a token), so cross-site requests have nothing to ride."""
    from vigil.accounts.permissions import TOKEN_RULES, rule_for

    exempt = [
        name
        for name, pattern in walk(get_resolver())
        if getattr(pattern.callback, "csrf_exempt", False) and rule_for(name) not in TOKEN_RULES
    ]
    assert exempt == []
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_the_lock_out_page_and_the_two_factor_pages_have_the_login_look(
    settings: SettingsWrapper, client: Client, make_user: MakeUser
) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    for _ in range(LIMIT):
        response = sign_in(client, "someone", WRONG_PASSWORD)
    assert 'class="panel panel--narrow"' in response.text
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get(reverse("two_factor_enrol"))
    assert 'class="panel panel--narrow"' in page.text and "Sign out" in page.text


# ---- Single sign-on: mapping the provider's groups to roles ---------------------------------------


def test_role_map_parsing() -> None:
    from vigil.accounts.oidc import oidc_role_map_parse

    assert oidc_role_map_parse(" psd-reviewers=reviewer, psd-sup=supervisor,psd-sup=assessor ,") == {
        "psd-reviewers": frozenset({Role.REVIEWER}),
        "psd-sup": frozenset({Role.SUPERVISOR, Role.ASSESSOR}),
    }
    assert oidc_role_map_parse("") == {}
    # Group names may themselves contain "=": the role is after the last one.
    assert oidc_role_map_parse("cn=psd;ou=x=reviewer") == {"cn=psd;ou=x": frozenset({Role.REVIEWER})}
    for bad in ("psd-reviewers", "psd=superuser", "=reviewer", "psd="):
        with pytest.raises(ImproperlyConfigured):
            oidc_role_map_parse(bad)


def test_groups_give_only_the_mapped_roles_and_never_administrator_by_name() -> None:
    from vigil.accounts.oidc import oidc_role_map_parse, oidc_roles_from_claims

    role_map = oidc_role_map_parse("psd-reviewers=reviewer,psd-sup=supervisor")
    claims = {"groups": ["administrator", "Domain Admins", "psd-sup", "superuser", 7]}
    assert oidc_roles_from_claims(claims, role_map=role_map, groups_claim="groups") == {Role.SUPERVISOR}
    assert oidc_roles_from_claims({"groups": "psd-reviewers"}, role_map=role_map, groups_claim="groups") == {
        Role.REVIEWER
    }
    assert oidc_roles_from_claims({}, role_map=role_map, groups_claim="groups") == frozenset()
    assert oidc_roles_from_claims({"roles": ["psd-sup"]}, role_map=role_map, groups_claim="roles") == {
        Role.SUPERVISOR
    }


@pytest.fixture
def oidc_settings(settings: SettingsWrapper) -> SettingsWrapper:
    """What settings.py sets when VIGIL_OIDC_* is configured (no provider is contacted)."""
    settings.OIDC_RP_CLIENT_ID = "vigil"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.VIGIL_OIDC_ISSUER = "https://idp.example"
    settings.VIGIL_OIDC_ROLE_MAP = "psd-reviewers=reviewer,psd-sup=supervisor,psd-admins=administrator"
    return settings


@pytest.mark.usefixtures("oidc_settings")
def test_sso_creates_accounts_only_for_mapped_groups_and_keeps_roles_in_step(
    monkeypatch: pytest.MonkeyPatch, make_user: MakeUser
) -> None:
    from vigil.accounts.oidc import VigilOIDCBackend
    from vigil.accounts.selectors import user_roles

    claims: dict[str, Any] = {}
    monkeypatch.setattr(VigilOIDCBackend, "get_userinfo", lambda self, *args: claims)
    backend = VigilOIDCBackend()

    claims.update(preferred_username="j.bloggs", email="j@example", groups=["everyone"])
    assert backend.get_or_create_user("access", "id", {}) is None, "no PSD group, no account"
    assert not User.objects.filter(username="j.bloggs").exists()

    claims["groups"] = ["psd-reviewers"]
    user = backend.get_or_create_user("access", "id", {})
    assert user.username == "j.bloggs" and not user.has_usable_password()
    assert user_roles(User.objects.get(pk=user.pk)) == {Role.REVIEWER}

    # Matched by username, never by e-mail; roles follow the groups; Vigil-managed roles stay.
    existing = make_user(Role.ANALYST, username="a.smith")
    claims.update(preferred_username="a.smith", email="j@example", groups=["psd-sup", "psd-admins"])
    assert backend.get_or_create_user("access", "id", {}).pk == existing.pk
    existing = User.objects.get(pk=existing.pk)
    assert user_roles(existing) == {Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}
    assert existing.is_staff and existing.is_superuser
    claims["groups"] = ["psd-sup"]
    backend.get_or_create_user("access", "id", {})
    existing = User.objects.get(pk=existing.pk)
    assert user_roles(existing) == {Role.ANALYST, Role.SUPERVISOR}
    assert not existing.is_staff and not existing.is_superuser


@pytest.mark.usefixtures("oidc_settings")
def test_sso_refuses_tokens_for_another_client_or_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

    from vigil.accounts.oidc import VigilOIDCBackend

    payload: dict[str, Any] = {}
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kwargs: payload)
    backend = VigilOIDCBackend()
    payload.update(aud=["other", "vigil"], iss="https://idp.example")
    assert backend.verify_token("t") == payload
    payload.update(aud="other")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token("t")
    payload.update(aud="vigil", iss="https://evil.example")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token("t")


@pytest.mark.usefixtures("oidc_settings")
def test_a_refused_sso_sign_in_is_a_failed_sign_in_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    from vigil.accounts.oidc import VigilOIDCBackend

    def refuse(self: Any, request: Any, **kwargs: Any) -> None:
        raise next(errors)

    errors = iter([SuspiciousOperation("bad token"), requests.ConnectionError("provider down")])
    monkeypatch.setattr(OIDCAuthenticationBackend, "authenticate", refuse)
    assert VigilOIDCBackend().authenticate(HttpRequest(), nonce="n") is None
    assert VigilOIDCBackend().authenticate(HttpRequest(), nonce="n") is None


@pytest.mark.usefixtures("two_factor_on")
def test_sso_sessions_still_need_the_code_unless_the_provider_is_trusted_for_mfa(
    oidc_settings: SettingsWrapper, client: Client, make_user: MakeUser
) -> None:
    settings = oidc_settings
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    user = make_user(Role.SUPERVISOR)
    client.force_login(user, backend=OIDC_BACKEND)
    assert "/two-factor/" in client.get("/")["Location"]
    settings.VIGIL_OIDC_TRUSTS_MFA = True
    assert client.get(reverse("allegations:allegation_list")).status_code == 200
    # A password sign-in is never excused by that setting.
    password_client = Client()
    sign_in(password_client, user.username)
    assert "/two-factor/" in password_client.get("/")["Location"]


def test_administrators_cannot_read_or_set_an_authenticator_secret(
    client: Client, make_user: Callable[..., User]
) -> None:
    """Whoever knows a device's key can make its codes: the admin shows and edits none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    auditor = make_user(Role.AUDITOR)
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (403, 404)
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in (403, 404)
