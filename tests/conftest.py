"""Shared fixtures. The database under test is whatever VIGIL_DATABASE_URL names (SQLite by
default; scripts/test runs the suite a second time against a PostgreSQL server it starts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.contrib.auth.models import User

from vigil.accounts.roles import Role
from vigil.accounts.services import user_create


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is the production hasher (tests/accounts checks it); tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _two_factor_off(settings: pytest.FixtureRequest) -> None:
    # Supervisors, administrators and auditors need a TOTP code in production; tests of other
    # features sign them in with force_login. tests/accounts/test_login_security.py turns it back on.
    settings.TWO_FACTOR_REQUIRED = False  # type: ignore[attr-defined]


TEST_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """make_user(Role.REVIEWER) -> a saved user holding that role, password TEST_PASSWORD."""
    counter = iter(range(1, 1_000_000))

    def make(*roles: Role, username: str | None = None) -> User:
        name = username or f"user{next(counter)}_{'_'.join(role.value for role in roles) or 'none'}"
        return user_create(username=name, password=TEST_PASSWORD, roles=roles)

    return make


@pytest.fixture
def client_for(client: object, make_user: Callable[..., User]) -> Callable[[Iterable[Role]], object]:
    """client_for([Role.REVIEWER]) -> the test client, logged in as a new user with those roles."""

    def login(roles: Iterable[Role]) -> object:
        user = make_user(*roles)
        client.force_login(user)  # type: ignore[attr-defined]
        return client

    return login
