"""The one settings module. Everything that differs between a laptop demo and a force's server
comes from environment variables named VIGIL_*; the defaults are safe ones.

Django settings reference: https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# The only words a VIGIL_* switch may say. Anything else stops the start: a switch that read
# "enabled" as off (or "offf" as on) would fail open without anyone noticing.
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("0", "false", "no", "off")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a switch value: use one of {', '.join(_TRUE_WORDS)} (on) "
        f"or {', '.join(_FALSE_WORDS)} (off)"
    )


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of at least {minimum}")
    return number


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _allowed_hosts() -> list[str]:
    """VIGIL_ALLOWED_HOSTS, refusing "*": answering to any Host header lets a forged one into
    password-reset links and cache keys, and a wildcard in production is always a slip."""
    hosts = _env_list("VIGIL_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    if "*" in hosts:
        raise ImproperlyConfigured(
            "VIGIL_ALLOWED_HOSTS must name the host names Vigil answers to (comma-separated, "
            "e.g. vigil.example.police.uk); '*' (any host) is refused"
        )
    return hosts


# Where a laptop install keeps its SQLite database, secret key and demo logins.
DATA_DIR = Path(os.environ.get("VIGIL_DATA_DIR", Path.cwd() / "vigil-data")).resolve()


def _secret_key() -> str:
    """VIGIL_SECRET_KEY if set; otherwise a random key kept (mode 0600) in DATA_DIR, so a laptop
    install works without configuration yet never ships a hard-coded key."""
    from_env = os.environ.get("VIGIL_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def _seal_keys() -> tuple[list[str], Path | None]:
    """The keys that seal contact details at rest (vigil.core.sealing): VIGIL_SEAL_KEYS, comma-
    separated, the first sealing and every one opening; otherwise a key file in DATA_DIR (mode
    0600, one key a line, a fresh key on first use). Returns the keys and the file (None: from env).
    A malformed key stops the start: a typo would otherwise surface as unreadable data."""
    from cryptography.fernet import Fernet
    from django.core.exceptions import ImproperlyConfigured

    from_env = os.environ.get("VIGIL_SEAL_KEYS", "").strip()
    key_file: Path | None = None
    if from_env:
        keys = [key.strip() for key in from_env.split(",") if key.strip()]
    else:
        key_file = DATA_DIR / "seal_keys"
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(Fernet.generate_key().decode("ascii") + "\n")
        keys = key_file.read_text(encoding="ascii").split()
    where = key_file or "VIGIL_SEAL_KEYS"
    if not keys:
        raise ImproperlyConfigured(f"{where}: no seal key")
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{where}: key {position} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes, as `vigil keys new` prints)"
            ) from None
    return keys, key_file


def _digest_keys() -> tuple[list[str], Path | None]:
    """The keys of the keyed digests over sealed content (vigil.core.digests): VIGIL_DIGEST_KEYS,
    comma-separated, the first making new digests and every one checking them; otherwise a key
    file in DATA_DIR (mode 0600, one key a line, a fresh key on first use). Not the seal keys: those
    encrypt, these only compare. Returns the keys and the file (None: from env)."""
    import base64
    import binascii

    from_env = os.environ.get("VIGIL_DIGEST_KEYS", "").strip()
    key_file: Path | None = None
    if from_env:
        keys = [key.strip() for key in from_env.split(",") if key.strip()]
    else:
        key_file = DATA_DIR / "digest_keys"
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
        keys = key_file.read_text(encoding="ascii").split()
    where = key_file or "VIGIL_DIGEST_KEYS"
    if not keys:
        raise ImproperlyConfigured(f"{where}: no digest key")
    for position, key in enumerate(keys, 1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) < 32:
            raise ImproperlyConfigured(
                f"{where}: key {position} of {len(keys)} is not a digest key "
                "(32 url-safe base64-encoded bytes, as `vigil keys new` prints)"
            )
    return keys, key_file


BASE_DIR = Path(__file__).resolve().parent

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = _secret_key()
# Sealed fields (vigil.core.sealing; Fernet: https://cryptography.io/en/latest/fernet/#using-multifernet):
# the first key seals, all open. In key-file mode SEAL_KEYS_FILE is the file, re-read when it changes
# (so a running server follows `vigil keys rotate`); with VIGIL_SEAL_KEYS it is None.
SEAL_KEYS, SEAL_KEYS_FILE = _seal_keys()
# Keyed digests over sealed content (vigil.core.digests): the first key makes them, all check them;
# DIGEST_KEYS_FILE as SEAL_KEYS_FILE.
DIGEST_KEYS, DIGEST_KEYS_FILE = _digest_keys()
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = _env_bool("VIGIL_DEBUG", False)
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = _allowed_hosts()
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-trusted-origins
CSRF_TRUSTED_ORIGINS = _env_list("VIGIL_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Sign-in hardening: lock-out (axes), two-factor (django_otp), Content-Security-Policy (csp).
    # Before the vigil apps: axes's login-failure receiver then runs before vigil.accounts's, so the
    # audit entry for a failure knows whether it locked the account.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "vigil.core",
    "vigil.accounts",
    "vigil.audit",
    "vigil.imports",
    "vigil.people",
    "vigil.allegations",
    "vigil.linkage",
    "vigil.risk",
    "vigil.reviews",
    "vigil.intake",
    "vigil.oversight",
    "vigil.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # One id per request, so the audit entries one request writes can be read together.
    "vigil.audit.middleware.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Changes to accounts made in this request are audited as the signed-in user's (vigil.accounts.actor).
    "vigil.accounts.actor.ActorMiddleware",
    # Supervisors, administrators and auditors pass a TOTP step before any other page.
    "vigil.accounts.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Control and bidi characters in any page shown as visible [U+202E] markers (vigil.core.text).
    "vigil.core.text.VisibleControlsMiddleware",
    # Deny by default: every route must be in the permission matrix (vigil.accounts.permissions).
    "vigil.accounts.middleware.RoutePermissionMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.accounts.context_processors.roles",
            ],
        },
    },
]

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# VIGIL_DATABASE_URL: sqlite:///ABS/PATH or postgresql://user:pass@host/db (host may be a socket dir).
DATABASE_URL = os.environ.get("VIGIL_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'vigil.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web UI read while an import writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/#using-argon2-with-django
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# ---- Lock-out after repeated sign-in failures (django-axes) -------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Counted per username *and* address together. Per address alone, one colleague mistyping at a
# shared terminal (or every user behind one proxy) would lock everyone out; per username alone,
# anyone could lock a supervisor out by typing their name. Guessing one account from many terminals
# stays bounded (limit x terminals per cool-off), every failure is in the audit trail, passwords
# are long and Argon2-hashed, and the roles worth most to an attacker also need a TOTP code.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = _env_int("VIGIL_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("VIGIL_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True  # a correct password clears that username+address's failures
AXES_LOCKOUT_CALLABLE = "vigil.accounts.views_login.locked_out"  # HTTP 429 and a plain page
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail; no second, unchained copy
# Behind a reverse proxy every request comes from the proxy's address, so the lock-out is then
# effectively per username: the safe way round (a forged X-Forwarded-For would dodge it).

# ---- Two-factor sign-in (django-otp, TOTP) --------------------------------------------------------
# Supervisors, administrators and auditors (vigil.accounts.roles.TWO_FACTOR_ROLES) must pass a
# TOTP code after their password; VIGIL_TWO_FACTOR=0 switches that off (tests, demos).
TWO_FACTOR_REQUIRED = _env_bool("VIGIL_TWO_FACTOR", True)
OTP_TOTP_ISSUER = os.environ.get("VIGIL_TOTP_ISSUER", "Vigil")
OTP_TOTP_THROTTLE_FACTOR = 1  # wrong codes back off 1, 2, 4, 8... seconds per device (0 = off)
# The admin never shows a device's secret (vigil.accounts.admin also forbids adding or editing one).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The oversight figures that count every allegation are recounted at most this often once
# something they count has changed (vigil.oversight.models.CountedFigures).
VIGIL_OVERSIGHT_RECOUNT_MINUTES = int(os.environ.get("VIGIL_OVERSIGHT_RECOUNT_MINUTES", 5))

# Sessions end when idle (police workstations are shared) and with the browser.
SESSION_COOKIE_AGE = _env_int("VIGIL_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"

# Secure headers. HTTPS-only settings switch on with VIGIL_HTTPS=1 (behind TLS in production);
# the laptop demo is plain http on 127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# https://django-csp.readthedocs.io/en/latest/configuration.html
# Only the app's own files: no inline script or style anywhere (the QR code is inline SVG markup).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
_HTTPS = _env_bool("VIGIL_HTTPS", False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
if _HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# ---- Single sign-on through OpenID Connect (optional; mozilla-django-oidc) -----------------------
# On when any of these is set; then all must be (docs/security.md, "Single sign-on").
_OIDC_ENV = {
    "OIDC_RP_CLIENT_ID": "VIGIL_OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "VIGIL_OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "VIGIL_OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "VIGIL_OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "VIGIL_OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "VIGIL_OIDC_OP_JWKS_ENDPOINT",
}
_oidc = {setting: os.environ.get(env, "").strip() for setting, env in _OIDC_ENV.items()}
VIGIL_OIDC_ISSUER = os.environ.get("VIGIL_OIDC_ISSUER", "").strip()
VIGIL_OIDC_ENABLED = bool(VIGIL_OIDC_ISSUER) or any(_oidc.values())
if VIGIL_OIDC_ENABLED:
    _missing = [env for setting, env in _OIDC_ENV.items() if not _oidc[setting]]
    if _missing:
        raise ImproperlyConfigured(f"single sign-on is half configured: set {', '.join(_missing)}")
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("vigil.accounts.oidc.VigilOIDCBackend")
    OIDC_RP_CLIENT_ID = _oidc["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = _oidc["OIDC_RP_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = _oidc["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = _oidc["OIDC_OP_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = os.environ.get("VIGIL_OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("VIGIL_OIDC_RP_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 15
    LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
    # The identity provider's redirect back to /oidc/callback/ is a cross-site navigation: a Strict
    # session cookie would not come with it and the sign-in state would be lost. Lax still keeps
    # the cookie off cross-site POSTs (and every POST needs a CSRF token anyway).
    SESSION_COOKIE_SAMESITE = "Lax"
# Claim holding the Vigil username, claim holding the groups, and "group=role,..." (unmapped groups
# give nothing; administrator only if a group maps to it by name).
VIGIL_OIDC_USERNAME_CLAIM = os.environ.get("VIGIL_OIDC_USERNAME_CLAIM", "preferred_username")
VIGIL_OIDC_GROUPS_CLAIM = os.environ.get("VIGIL_OIDC_GROUPS_CLAIM", "groups")
VIGIL_OIDC_ROLE_MAP = os.environ.get("VIGIL_OIDC_ROLE_MAP", "")
VIGIL_OIDC_CREATE_USERS = _env_bool("VIGIL_OIDC_CREATE_USERS", True)
# Set only if the identity provider itself enforces multi-factor sign-in for every Vigil user.
VIGIL_OIDC_TRUSTS_MFA = _env_bool("VIGIL_OIDC_TRUSTS_MFA", False)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Assets are served from the installed package (WhiteNoise with finders); set VIGIL_STATIC_ROOT only
# to serve a `collectstatic` copy instead.
STATIC_ROOT = os.environ.get("VIGIL_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Every asset is served by the app itself: police networks are closed, so no CDN.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG


class _RefusalWithoutTraceback:
    """A 403 is a refusal working as designed (and already in the audit trail), not an error:
    Django logs it with the PermissionDenied's traceback, so every refused request wrote a dozen
    lines and walking the routes buried real errors. Keep one line, with the refusal's reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.core.exceptions import PermissionDenied

        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            reason = str(record.exc_info[1])
            if reason:
                record.msg, record.args = f"{record.getMessage()} ({reason})", ()
            record.exc_info = record.exc_text = None
        return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": _RefusalWithoutTraceback}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # On the logger, not a handler: every handler (and pytest's caplog) sees the short line.
    "loggers": {"django.request": {"filters": ["refusal_without_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("VIGIL_LOG_LEVEL", "WARNING")},
}

# Need-to-know (vigil.accounts.access). With VIGIL_CONFLICT_SAME_COMMAND=1, nobody sees records about
# people in their own command (their tied person record's command) — for forces small enough that
# everyone in a command knows everyone.
CONFLICT_SAME_COMMAND = _env_bool("VIGIL_CONFLICT_SAME_COMMAND", False)

# Identity linking (vigil.linkage). An allegation is linked automatically when the best candidate's
# probability (after its rivals are counted: several David Smiths share it) reaches AUTO; from REVIEW
# up it goes to clerical review with its candidates; below, it is left unmatched. ON_REGISTER is
# the share of allegations expected to be about someone on the register (the rest are not).
LINK_AUTO_THRESHOLD = float(os.environ.get("VIGIL_LINK_AUTO_THRESHOLD", "0.8"))
LINK_REVIEW_THRESHOLD = float(os.environ.get("VIGIL_LINK_REVIEW_THRESHOLD", "0.02"))
LINK_ON_REGISTER_SHARE = float(os.environ.get("VIGIL_LINK_ON_REGISTER_SHARE", "0.9"))
LINK_CANDIDATES_KEPT = 5

# Risk scores (vigil.risk): the policy file (default: the one shipped, vigil/risk/data/policy.toml;
# docs/risk-policy.md) and the default review-by period of a restriction or suspension.
RISK_POLICY_PATH = os.environ.get("VIGIL_RISK_POLICY", "")
MEASURE_REVIEW_DAYS = int(os.environ.get("VIGIL_MEASURE_REVIEW_DAYS", "28"))
