"""The settings' defaults are the safe ones. Read in a fresh process with no VIGIL_* variables:
pytest-django forces DEBUG off and tests/conftest.py swaps the password hasher in this one."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponseServerError
from django.test import Client
from django.urls import reverse

from vigil.accounts.roles import Role

READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "PASSWORD_HASHERS": settings.PASSWORD_HASHERS,
    "SECRET_KEY": settings.SECRET_KEY,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "X_FRAME_OPTIONS": settings.X_FRAME_OPTIONS,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
}))
"""


def read_settings(data_dir: Path, **extra_env: str) -> dict[str, Any]:
    # Without VIGIL_* and without what the browser tests set in this process (Playwright's sync API
    # needs DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check rightly refuses).
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("VIGIL_") and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env |= {"VIGIL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings", **extra_env}
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    values: dict[str, Any] = json.loads(result.stdout)
    return values


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("data")
    return data_dir, read_settings(data_dir)


def test_debug_is_off_by_default(defaults: tuple[Path, dict[str, Any]]) -> None:
    assert defaults[1]["DEBUG"] is False


def test_debug_is_on_only_when_asked(tmp_path: Path) -> None:
    assert read_settings(tmp_path, VIGIL_DEBUG="1")["DEBUG"] is True


def test_argon2_is_the_password_hasher(defaults: tuple[Path, dict[str, Any]]) -> None:
    assert defaults[1]["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_other_safe_defaults(defaults: tuple[Path, dict[str, Any]]) -> None:
    values = defaults[1]
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_secret_key_is_generated_private_and_kept(defaults: tuple[Path, dict[str, Any]]) -> None:
    data_dir, values = defaults
    key_file = data_dir / "secret_key"
    assert len(values["SECRET_KEY"]) >= 50
    assert key_file.read_text().strip() == values["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) & 0o077 == 0, "readable by others"
    assert read_settings(data_dir)["SECRET_KEY"] == values["SECRET_KEY"], "a new key logs everyone out"


# ---- Sign-in hardening: production check, lock-out and two-factor settings, single sign-on ---------


def run_python(data_dir: Path, code: str, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """`python -c code` (or `python -m django ...` with code="") in a fresh process whose only
    VIGIL_* variables are VIGIL_DATA_DIR and extra_env."""
    # Without VIGIL_* and without what the browser tests set in this process (Playwright's sync API
    # needs DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check rightly refuses).
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("VIGIL_") and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env |= {"VIGIL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings", **extra_env}
    command = [sys.executable, "-c", code] if code else [sys.executable, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


PRODUCTION = {
    "VIGIL_HTTPS": "1",
    "VIGIL_SECRET_KEY": "k3Vq9-production-key-for-the-check-only-x7Lw2Rt8Pz4Nb6Mc1Yd5Hf0Gs3Ja9Ue",
    "VIGIL_DEBUG": "0",
    "VIGIL_ALLOWED_HOSTS": "vigil.example.police.uk",
}

OIDC = {
    "VIGIL_OIDC_ISSUER": "https://idp.example.police.uk/realms/force",
    "VIGIL_OIDC_RP_CLIENT_ID": "vigil",
    "VIGIL_OIDC_RP_CLIENT_SECRET": "not-a-real-secret",
    "VIGIL_OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.police.uk/realms/force/auth",
    "VIGIL_OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.police.uk/realms/force/token",
    "VIGIL_OIDC_OP_USER_ENDPOINT": "https://idp.example.police.uk/realms/force/userinfo",
    "VIGIL_OIDC_OP_JWKS_ENDPOINT": "https://idp.example.police.uk/realms/force/certs",
    "VIGIL_OIDC_ROLE_MAP": "psd-reviewers=reviewer,psd-supervisors=supervisor",
}


def test_production_settings_pass_the_deployment_check(tmp_path: Path) -> None:
    assert len(PRODUCTION["VIGIL_SECRET_KEY"]) >= 50
    result = run_python(
        tmp_path, "", "-m", "django", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_notices_plain_http(tmp_path: Path) -> None:
    """The check above is not vacuous: without VIGIL_HTTPS it fails."""
    env = {**PRODUCTION, "VIGIL_HTTPS": "0"}
    result = run_python(tmp_path, "", "-m", "django", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0 and "security.W008" in result.stderr + result.stdout


READ_SIGN_IN_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_MINUTES": settings.AXES_COOLOFF_TIME.total_seconds() / 60,
    "AXES_LOCKOUT_PARAMETERS": settings.AXES_LOCKOUT_PARAMETERS,
    "AUTHENTICATION_BACKENDS": settings.AUTHENTICATION_BACKENDS,
    "MIDDLEWARE": settings.MIDDLEWARE,
    "SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE,
    "SESSION_SAVE_EVERY_REQUEST": settings.SESSION_SAVE_EVERY_REQUEST,
    "SESSION_COOKIE_SAMESITE": settings.SESSION_COOKIE_SAMESITE,
    "TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED,
    "OTP_TOTP_THROTTLE_FACTOR": settings.OTP_TOTP_THROTTLE_FACTOR,
    "VIGIL_OIDC_ENABLED": settings.VIGIL_OIDC_ENABLED,
}))
"""


def sign_in_settings(data_dir: Path, **extra_env: str) -> dict[str, Any]:
    result = run_python(data_dir, READ_SIGN_IN_SETTINGS, **extra_env)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def test_sign_in_defaults(tmp_path: Path) -> None:
    values = sign_in_settings(tmp_path)
    assert values["AXES_FAILURE_LIMIT"] == 5 and values["AXES_COOLOFF_MINUTES"] == 15
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    otp = values["MIDDLEWARE"].index("django_otp.middleware.OTPMiddleware")
    two_factor = values["MIDDLEWARE"].index("vigil.accounts.two_factor.TwoFactorRequiredMiddleware")
    # After OTP's (it reads the verified device), before anything that serves or refuses a page.
    assert (
        otp < two_factor < values["MIDDLEWARE"].index("vigil.accounts.middleware.RoutePermissionMiddleware")
    )
    assert values["MIDDLEWARE"][otp + 1 : two_factor] in ([], ["vigil.accounts.actor.ActorMiddleware"])
    assert "django.middleware.csrf.CsrfViewMiddleware" in values["MIDDLEWARE"]
    assert values["SESSION_COOKIE_AGE"] == 30 * 60 and values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert values["TWO_FACTOR_REQUIRED"] is True and values["OTP_TOTP_THROTTLE_FACTOR"] > 0
    assert values["VIGIL_OIDC_ENABLED"] is False


def test_sign_in_settings_follow_the_environment(tmp_path: Path) -> None:
    values = sign_in_settings(
        tmp_path,
        VIGIL_LOGIN_FAILURE_LIMIT="3",
        VIGIL_LOGIN_COOLOFF_MINUTES="60",
        VIGIL_SESSION_IDLE_SECONDS="600",
        VIGIL_TWO_FACTOR="0",
    )
    assert values["AXES_FAILURE_LIMIT"] == 3 and values["AXES_COOLOFF_MINUTES"] == 60
    assert values["SESSION_COOKIE_AGE"] == 600
    assert values["TWO_FACTOR_REQUIRED"] is False


CHECK_SINGLE_SIGN_ON = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse
from vigil.accounts.permissions import rule_for
from tests.accounts.test_permission_matrix import walk
login_page = Client().get("/login/", HTTP_HOST="localhost").content.decode()
print(json.dumps({
    "apps": settings.INSTALLED_APPS,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "samesite": settings.SESSION_COOKIE_SAMESITE,
    "algo": settings.OIDC_RP_SIGN_ALGO,
    "init": reverse("oidc_authentication_init"),
    "callback": reverse("oidc_authentication_callback"),
    "routes_without_rule": [name for name, _ in walk(get_resolver()) if rule_for(name) is None],
    "sso_link": 'href="/oidc/authenticate/"' in login_page and "Sign in with single sign-on" in login_page,
}))
"""


def test_single_sign_on_settings_load_when_configured(tmp_path: Path) -> None:
    result = run_python(tmp_path, CHECK_SINGLE_SIGN_ON, **OIDC)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert "mozilla_django_oidc" in values["apps"]
    assert values["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["backends"][-1] == "vigil.accounts.oidc.VigilOIDCBackend"
    assert values["samesite"] == "Lax", "the provider's redirect back must carry the session cookie"
    assert values["algo"] == "RS256"
    assert (values["init"], values["callback"]) == ("/oidc/authenticate/", "/oidc/callback/")
    assert values["routes_without_rule"] == []
    assert values["sso_link"] is True
    # And without it, no trace of single sign-on.
    plain = sign_in_settings(tmp_path)
    assert plain["VIGIL_OIDC_ENABLED"] is False
    assert "vigil.accounts.oidc.VigilOIDCBackend" not in plain["AUTHENTICATION_BACKENDS"]


def test_half_configured_single_sign_on_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in OIDC.items() if k != "VIGIL_OIDC_OP_JWKS_ENDPOINT"}
    result = run_python(tmp_path, READ_SIGN_IN_SETTINGS, **env)
    assert result.returncode != 0 and "VIGIL_OIDC_OP_JWKS_ENDPOINT" in result.stderr


def test_a_bad_role_map_refuses_to_start(tmp_path: Path) -> None:
    result = run_python(tmp_path, READ_SIGN_IN_SETTINGS, **{**OIDC, "VIGIL_OIDC_ROLE_MAP": "psd=superuser"})
    assert result.returncode != 0 and "'superuser' is not a role" in result.stderr


# ---- Switches never fail open (issue 17, finding 9) -------------------------------------------------

READ_SWITCHES = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "DEBUG": settings.DEBUG,
    "CONFLICT_SAME_COMMAND": settings.CONFLICT_SAME_COMMAND,
}))
"""

SWITCHES = {
    "VIGIL_TWO_FACTOR": "TWO_FACTOR_REQUIRED",
    "VIGIL_HTTPS": "SESSION_COOKIE_SECURE",
    "VIGIL_DEBUG": "DEBUG",
    "VIGIL_CONFLICT_SAME_COMMAND": "CONFLICT_SAME_COMMAND",
}


@pytest.mark.parametrize(
    "variable", ["VIGIL_TWO_FACTOR", "VIGIL_HTTPS", "VIGIL_DEBUG", "VIGIL_OIDC_TRUSTS_MFA"]
)
@pytest.mark.parametrize("value", ["enabled", "disable", "offf", "2", "y"])
def test_a_switch_with_an_unrecognised_value_refuses_to_start(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_python(tmp_path, READ_SWITCHES, **{variable: value})
    assert result.returncode != 0, f"{variable}={value} started: {result.stdout}"
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}={value!r} is not a switch value" in result.stderr
    assert "1, true, yes, on (on) or 0, false, no, off (off)" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_every_accepted_switch_value_means_what_it_says(tmp_path: Path, value: str, expected: bool) -> None:
    env = dict.fromkeys(SWITCHES, value)
    result = run_python(tmp_path, READ_SWITCHES, **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert {variable: values[setting] for variable, setting in SWITCHES.items()} == dict.fromkeys(
        SWITCHES, expected
    )
    assert values["CSRF_COOKIE_SECURE"] is expected


def test_the_reported_switches_no_longer_fail_open(tmp_path: Path) -> None:
    """Issue 17: VIGIL_TWO_FACTOR=enabled turned two-factor off, VIGIL_HTTPS=enabled left cookies
    insecure. Both now stop the start instead."""
    for variable in ("VIGIL_TWO_FACTOR", "VIGIL_HTTPS"):
        result = run_python(tmp_path, READ_SWITCHES, **{variable: "enabled"})
        assert result.returncode != 0 and variable in result.stderr


@pytest.mark.parametrize("hosts", ["*", "vigil.example.police.uk,*", " * "])
def test_allowed_hosts_refuses_any_host(tmp_path: Path, hosts: str) -> None:
    result = run_python(tmp_path, READ_SWITCHES, VIGIL_ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "VIGIL_ALLOWED_HOSTS" in result.stderr and "'*' (any host) is refused" in result.stderr


def test_the_deployment_check_fails_with_any_host(tmp_path: Path) -> None:
    env = {**PRODUCTION, "VIGIL_ALLOWED_HOSTS": "*"}
    result = run_python(tmp_path, "", "-m", "django", "check", "--deploy", **env)
    assert result.returncode != 0 and "VIGIL_ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("value", ["five", "-1", "0", "1.5"])
def test_a_lock_out_limit_that_is_not_a_number_refuses_to_start(tmp_path: Path, value: str) -> None:
    result = run_python(tmp_path, READ_SWITCHES, VIGIL_LOGIN_FAILURE_LIMIT=value)
    assert result.returncode != 0
    assert f"VIGIL_LOGIN_FAILURE_LIMIT={value!r} is not a whole number of at least 1" in result.stderr


# ---- A refusal is one line in the log (issue 17, finding 12) -----------------------------------------


@pytest.mark.django_db
def test_a_403_logs_one_line_without_a_traceback(
    client_for: Callable[[Iterable[Role]], Client], caplog: pytest.LogCaptureFixture
) -> None:
    """Every 403 used to write the PermissionDenied's whole traceback: noise that buries real
    errors and fills disks when someone walks the routes. The audit trail records the refusal."""
    client = client_for([Role.REVIEWER])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("oversight:dashboard")).status_code == 403
    records = [record for record in caplog.records if record.name == "django.request"]
    assert len(records) == 1
    (record,) = records
    assert record.levelno == logging.WARNING and record.exc_info is None and record.exc_text is None
    assert record.getMessage() == "Forbidden (Permission denied): /oversight/"
    assert "Traceback" not in caplog.text and "\n" not in caplog.text.strip()


@pytest.mark.django_db
def test_other_errors_still_log_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Only the expected refusal is shortened: an error keeps everything needed to fix it."""
    from django.utils.log import log_response

    try:
        raise RuntimeError("broken")
    except RuntimeError as error:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            log_response(
                "Internal Server Error: %s", "/x/", response=HttpResponseServerError(), exception=error
            )
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.exc_info is not None
