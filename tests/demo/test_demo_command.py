"""`vigil demo --no-serve`: builds the synthetic force through the import contract, once, and
prints working logins for every role."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.allegations.models import Allegation
from vigil.imports.models import ImportBatch
from vigil.people.models import Person, VettingClearance

pytestmark = pytest.mark.django_db


def run_demo(data_dir: Path) -> str:
    out = io.StringIO()
    with override_settings(DATA_DIR=data_dir):
        call_command("demo", "--no-serve", "--staff", "1500", stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+)\s+(\S+)\s+\(", output, flags=re.MULTILINE))


def test_demo_builds_the_force_once_and_prints_a_working_login_per_role(tmp_path: Path) -> None:
    output = run_demo(tmp_path)
    assert Person.objects.count() == 1500
    assert Allegation.objects.count() > 100 and VettingClearance.objects.count() > 1500
    assert set(ImportBatch.objects.values_list("kind", flat=True)) == {"personnel", "vetting", "allegations"}
    logins = printed_logins(output)
    assert set(logins) == {role.value for role in Role}
    for username, password in logins.items():
        # A request, as django-axes needs one to count failures by address.
        user = authenticate(RequestFactory().post("/login/"), username=username, password=password)
        assert user is not None, username
        assert user_roles(user) == frozenset({Role(username)})
    logins_file = tmp_path / "demo-logins.txt"
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    assert (tmp_path / "demo-world" / "truth.csv").exists()

    again = run_demo(tmp_path)
    assert "was not rebuilt" in again
    assert Person.objects.count() == 1500 and ImportBatch.objects.count() == 3
    assert printed_logins(again) == logins


def test_demo_sets_up_need_to_know_once(tmp_path: Path) -> None:
    from vigil.accounts.models import AccessGrant, AccountPerson, ConflictDeclaration, RecordRestriction
    from vigil.audit.models import AuditEntry

    output = run_demo(tmp_path)
    assert "Need-to-know: each login sees only what it is assigned." in output
    assert AccessGrant.objects.filter(target="caseload", team__name="Assessment Unit").count() == 1
    assert AccessGrant.objects.filter(team__name="Review Team 1", target="person").count() >= 5
    assert AccessGrant.objects.filter(user__username="investigator").count() == 1
    assert RecordRestriction.objects.count() == 1
    assert AccountPerson.objects.filter(user__username="reviewer").count() == 1
    assert ConflictDeclaration.objects.filter(user__username="reviewer").count() == 1
    counts = (AccessGrant.objects.count(), AuditEntry.objects.count())
    run_demo(tmp_path)
    assert (AccessGrant.objects.count(), AuditEntry.objects.count()) == counts


def test_demo_output_fills_in_every_placeholder(tmp_path: Path) -> None:
    """Issue 17: the hotline lines printed a literal `{hotline.repeats_about}` (an f missing)."""
    output = run_demo(tmp_path)
    assert re.findall(r"\{[\w.]+\}", output) == []
    repeats = re.search(r"two calls about one incident \((\S+) (\S+)\)", output)
    assert repeats is not None, output
    force, staff_id = repeats.groups()
    assert Person.objects.filter(force=force, staff_id=staff_id).exists()
