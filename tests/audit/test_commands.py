"""`vigil audit verify [--head HASH]` and `vigil audit head`: output and exit codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vigil.audit.actions import Action
from vigil.audit.models import GENESIS_HASH, AuditEntry
from vigil.audit.services import audit_record

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def append(count: int) -> list[AuditEntry]:
    return [audit_record(action=Action.LOGIN, actor=None) for _ in range(count)]


def tamper(statement: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # past the append-only trigger
        cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_head_prints_the_hash_alone_on_stdout() -> None:
    entries = append(3)
    out, err = run("head")
    assert out == entries[-1].entry_hash + "\n"
    assert err.startswith("entry #3, ")


def test_head_of_an_empty_trail_is_the_genesis_hash() -> None:
    out, err = run("head")
    assert out == GENESIS_HASH + "\n"
    assert "empty" in err


def test_verify_an_intact_trail() -> None:
    entries = append(3)
    out, _ = run("verify", "--no-progress")
    assert out == f"audit trail intact: 3 entries, head {entries[-1].entry_hash}\n"


def test_verify_an_empty_trail() -> None:
    out, _ = run("verify")
    assert out == f"audit trail intact: 0 entries, head {GENESIS_HASH}\n"


def test_verify_names_the_first_bad_entry_and_exits_1() -> None:
    append(4)
    tamper("UPDATE audit_auditentry SET actor_label = 'someone' WHERE id = 3")
    with pytest.raises(CommandError, match=r"^entry #3 was altered") as raised:
        run("verify")
    assert raised.value.returncode == 1


def test_verify_names_a_deleted_entry_and_exits_1() -> None:
    append(4)
    tamper("DELETE FROM audit_auditentry WHERE id = 2")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^entry #3 does not follow #1") as raised:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert err.getvalue() == "1 entries checked before it, up to #1\n"
    assert out.getvalue() == ""


def test_verify_against_a_head_still_in_the_chain() -> None:
    entries = append(4)
    out, _ = run("verify", "--head", entries[1].entry_hash)
    assert out == (
        f"audit trail intact: 4 entries, head {entries[-1].entry_hash}; "
        f"{entries[1].entry_hash} found at entry #2\n"
    )


def test_verify_against_a_head_that_was_removed_exits_1() -> None:
    entries = append(3)
    noted, _ = run("head")
    tamper("DELETE FROM audit_auditentry WHERE id = 3")
    run("verify")  # the rest is consistent
    err = io.StringIO()
    with pytest.raises(CommandError, match="is not in the chain") as raised:
        call_command("audit", "verify", "--head", noted.strip(), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert err.getvalue() == "2 entries checked, each consistent with the one before\n"
    assert entries[-1].entry_hash in str(raised.value)


def test_verify_refuses_a_head_that_is_not_a_hash() -> None:
    with pytest.raises(CommandError, match="not a SHA-256 hash") as raised:
        run("verify", "--head", "not-a-hash")
    assert raised.value.returncode == 2


def test_verify_shows_progress_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    append(3)
    monkeypatch.setattr("vigil.audit.management.commands.audit.PROGRESS_FROM", 1)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    run("verify")
    assert "verifying" in capsys.readouterr().err
    run("verify", "--no-progress")
    assert capsys.readouterr().err == ""


def test_a_subcommand_is_required() -> None:
    with pytest.raises(CommandError, match=r"required: \{verify,head\}"):
        call_command("audit")


def test_head_refuses_a_broken_chain_naming_the_first_bad_entry() -> None:
    """Issue 17: `vigil audit head` printed the head of a tampered trail and exited 0, so the hash
    written down each day would have vouched for the tampering."""
    append(4)
    tamper("UPDATE audit_auditentry SET actor_label = 'someone' WHERE id = 2")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^entry #2 was altered") as raised:
        call_command("audit", "head", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert out.getvalue() == "", "no head hash is printed for a broken chain"


def test_head_refuses_a_chain_with_a_deleted_entry() -> None:
    append(3)
    tamper("DELETE FROM audit_auditentry WHERE id = 2")
    with pytest.raises(CommandError, match=r"^entry #3 does not follow #1") as raised:
        run("head")
    assert raised.value.returncode == 1
