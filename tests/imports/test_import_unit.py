"""An import is one unit with its audit entries and its rescoring: a `vigil import` process killed
(SIGKILL, no clean-up) after its rows are written but before the rest leaves nothing behind, and the
same file imported again is applied, audited and scored whole.

Run as a user runs it, in separate processes: on SQLite against a file in tmp, on PostgreSQL
against this run's test database (a transactional test, so the rows are visible to the child)."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
from pathlib import Path
from subprocess import CompletedProcess, run

import pytest
from django.db import connection

from tests.imports.test_import_contract import PERSONNEL

TIMEOUT = 120

# Kills its own process (SIGKILL: no atexit, no rollback by Python) at the point named by argv[2]:
# "rows" — right after the rows are written (the engine's own transaction block has ended);
# "rescored" — right after the people touched are re-scored, before the import's audit entries.
KILLING_IMPORT = """
import os, signal, sys
import django
django.setup()
from vigil.imports import services
from vigil.reviews import services as reviews

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] == "rows":
    original = services.run_import
    def run_import(*args, **kwargs):
        report = original(*args, **kwargs)
        die()
    services.run_import = run_import
else:
    original_changed = reviews.people_changed
    def people_changed(*args, **kwargs):
        original_changed(*args, **kwargs)
        die()
    reviews.people_changed = people_changed
from django.core.management import call_command
call_command("import", "personnel", sys.argv[1], "--no-progress")
"""

STATE = """
import json
import django
django.setup()
from vigil.audit.models import AuditEntry
from vigil.imports.models import ImportBatch
from vigil.people.models import Person
print(json.dumps({
    "people": Person.objects.count(),
    "batches": ImportBatch.objects.count(),
    "imported_entries": AuditEntry.objects.filter(action="records.imported").count(),
}))
"""


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
    env |= {"VIGIL_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "vigil.settings"}
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        user = urllib.parse.quote(str(db.get("USER") or ""), safe="")
        password = urllib.parse.quote(str(db.get("PASSWORD") or ""), safe="")
        host = urllib.parse.quote(str(db.get("HOST") or ""), safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@"
        env["VIGIL_DATABASE_URL"] = f"postgresql://{credentials}{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    return env


def python(tmp_path: Path, *args: str) -> CompletedProcess[str]:
    return run(
        [sys.executable, *args],
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def state(tmp_path: Path) -> dict[str, int]:
    result = python(tmp_path, "-c", STATE)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("killed_after", ["rows", "rescored"])
def test_an_import_killed_after_its_rows_leaves_nothing_and_a_rerun_applies_it_whole(
    tmp_path: Path, killed_after: str
) -> None:
    if connection.vendor == "sqlite":
        init = python(tmp_path, "-m", "vigil", "init")
        assert init.returncode == 0, init.stderr
    source = tmp_path / "personnel.csv"
    source.write_text(PERSONNEL, encoding="utf-8")
    before = state(tmp_path)

    killed = python(tmp_path, "-c", KILLING_IMPORT, str(source), killed_after)
    assert killed.returncode == -9, killed.stderr  # SIGKILL: it died where the test said

    assert state(tmp_path) == before, "a killed import left rows without their audit entry"
    verify = python(tmp_path, "-m", "vigil", "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    rerun = python(tmp_path, "-m", "vigil", "import", "personnel", str(source), "--no-progress")
    assert rerun.returncode == 0, rerun.stderr
    assert "2 created" in rerun.stdout
    after = state(tmp_path)
    assert after["people"] == before["people"] + 2
    assert after["batches"] == before["batches"] + 1
    assert after["imported_entries"] == before["imported_entries"] + 1
