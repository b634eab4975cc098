"""Writes for the demo: load the synthetic force through the import contract and create one
login per role. Synthetic data only: no real person is in it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from vigil.accounts.roles import Role
from vigil.accounts.services import random_password, user_create
from vigil.imports.engine import ImportReport, Progress
from vigil.imports.models import ImportKind
from vigil.imports.services import contract_file_import
from vigil.people.models import Person

DEMO_SEED = 1633
DEMO_STAFF = 20_000
IMPORTED_BY = "vigil demo"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


def demo_world_load(
    *, directory: Path, seed: int = DEMO_SEED, staff: int = DEMO_STAFF, progress: Progress | None = None
) -> list[ImportReport]:
    """Build the synthetic force, write it as contract CSVs in `directory` and import them.
    Does nothing (returns []) when the register already holds people."""
    from vigil.demo.world import build_world, write_world

    if Person.objects.exists():
        return []
    files = write_world(build_world(seed=seed, staff=staff), directory)
    reports = []
    with transaction.atomic():
        for kind, path in (
            (ImportKind.PERSONNEL, files.personnel),
            (ImportKind.VETTING, files.vetting),
            (ImportKind.ALLEGATIONS, files.allegations),
        ):
            reports.append(
                contract_file_import(kind=kind, path=path, imported_by=IMPORTED_BY, progress=progress)
            )
    return reports


def demo_logins_ensure(*, logins_file: Path) -> list[DemoLogin]:
    """One login per role, named after the role, with a random password kept (mode 0600) in
    `logins_file` so the demo can print it again. A login whose password is not on file gets a
    new one."""
    known: dict[str, str] = {}
    if logins_file.exists():
        for line in logins_file.read_text().splitlines():
            username, _, password = line.partition(" ")
            if username and password:
                known[username] = password
    logins = []
    for role in Role:
        username = role.value
        user = User.objects.filter(username=username).first()
        password = known.get(username) or random_password()
        if user is None:
            user_create(username=username, password=password, roles=[role])
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(DemoLogin(role, username, password))
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.touch(mode=0o600)
    os.chmod(logins_file, 0o600)
    logins_file.write_text("".join(f"{login.username} {login.password}\n" for login in logins))
    return logins
