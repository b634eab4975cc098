"""The settings' defaults are the safe ones. Read in a fresh process with no VIGIL_* variables:
pytest-django forces DEBUG off and tests/conftest.py swaps the password hasher in this one."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
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
