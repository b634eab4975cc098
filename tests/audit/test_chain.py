"""The audit trail's hash chain: what audit_record writes, and that audit_verify finds every kind
of tampering done behind the application's back (direct SQL, as a database administrator could).

On PostgreSQL the table refuses UPDATE and DELETE, so tampering goes through
`session_replication_role = replica`, which skips triggers, as a superuser attacker would."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import DatabaseError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.chain import (
    CANONICAL_FIELDS,
    audit_head,
    audit_verify,
    canonical_content,
    canonical_detail,
    content_hash,
    entry_content_hash,
)
from vigil.audit.justification import Justification
from vigil.audit.middleware import RequestIdMiddleware
from vigil.audit.models import GENESIS_HASH, AuditEntry
from vigil.audit.services import audit_record

pytestmark = pytest.mark.django_db

WHY = Justification("audit", "checking the audit trail itself")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def append(count: int) -> list[AuditEntry]:
    return [
        audit_record(
            action=Action.RECORD_CHANGED, actor=None, record_type="person", record_id=n, detail={"n": n}
        )
        for n in range(1, count + 1)
    ]


@contextmanager
def tampering() -> Iterator[Any]:
    """A raw cursor that gets past the append-only trigger (PostgreSQL) as a superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def sql_time(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def row_values(entry_id: int) -> dict[str, Any]:
    return dict(AuditEntry.objects.values(*CANONICAL_FIELDS, "entry_hash").get(pk=entry_id))


def insert_row(values: dict[str, Any]) -> None:
    """Insert a forged row with exactly these columns, through SQL."""
    names = [*CANONICAL_FIELDS, "entry_hash"]
    params = [sql_time(values[n]) if n == "occurred_at" else values[n] for n in names]
    with tampering() as cursor:
        cursor.execute(
            f"INSERT INTO audit_auditentry ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
            params,
        )


def rewrite_row(entry_id: int, values: dict[str, Any]) -> None:
    """Overwrite every column but the id of one row, through SQL."""
    names = [n for n in (*CANONICAL_FIELDS, "entry_hash") if n != "id"]
    params = [sql_time(values[n]) if n == "occurred_at" else values[n] for n in names]
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE audit_auditentry SET {', '.join(f'{n} = %s' for n in names)} WHERE id = %s",  # noqa: S608
            [*params, entry_id],
        )


# --- writing -------------------------------------------------------------------------------------


def test_entries_link_to_the_one_before_from_the_genesis_hash() -> None:
    first, second, third = append(3)
    assert [first.pk, second.pk, third.pk] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert audit_head() == (3, third.entry_hash)
    for entry in (first, second, third):
        entry.refresh_from_db()  # the hash covers the columns as the database gives them back
        assert entry_content_hash(entry) == entry.entry_hash


def test_the_hash_is_sha256_of_compact_sorted_json_of_every_column_but_itself() -> None:
    entry = audit_record(
        action=Action.PERSON_CONSULTED,
        actor=None,
        record_type="person",
        record_id=42,
        record_label="Zoë O'Brien",
        justification=WHY,
        detail={"b": dt.date(2024, 2, 29), "a": ["x", 1]},
    )
    entry.refresh_from_db()
    expected = {name: getattr(entry, name) for name in CANONICAL_FIELDS}
    expected["occurred_at"] = entry.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.entry_hash == hashlib.sha256(text.encode()).hexdigest()
    assert '"record_label":"Zoë O\'Brien"' in text
    assert entry.detail == '{"a":["x",1],"b":"2024-02-29"}'
    assert entry.record_id == "42"


def test_canonical_fields_are_every_column_but_the_hash() -> None:
    columns = {field.attname for field in AuditEntry._meta.concrete_fields}
    assert set(CANONICAL_FIELDS) == columns - {"entry_hash"}
    assert len(CANONICAL_FIELDS) == len(set(CANONICAL_FIELDS))


def test_canonical_time_is_utc_with_microseconds_whatever_the_zone() -> None:
    london = dt.timezone(dt.timedelta(hours=1))
    values = {name: "" for name in CANONICAL_FIELDS} | {
        "id": 1,
        "actor_id": None,
        "occurred_at": dt.datetime(2024, 6, 1, 13, 0, tzinfo=london),
    }
    text = canonical_content(values)
    assert '"occurred_at":"2024-06-01T12:00:00.000000+00:00"' in text
    assert '"actor_id":null' in text
    assert content_hash(values) == hashlib.sha256(text.encode()).hexdigest()


def test_canonical_detail_refuses_what_json_cannot_say() -> None:
    assert canonical_detail({"when": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)}) == (
        '{"when":"2024-01-02T03:04:05+00:00"}'
    )
    assert canonical_detail({"roles": frozenset({"b", "a"})}) == '{"roles":["a","b"]}'
    with pytest.raises(TypeError, match="object cannot be written"):
        canonical_detail({"thing": object()})
    with pytest.raises(ValueError, match="Out of range float"):
        canonical_detail({"n": float("nan")})


def test_who_when_and_from_where_are_taken_from_the_actor_and_request(make_user: Callable[..., User]) -> None:
    user = make_user(Role.REVIEWER, Role.ANALYST, username="r.kaur")
    request = RequestFactory().get("/people/1/", REMOTE_ADDR="10.1.2.3")
    RequestIdMiddleware(lambda r: HttpResponse())(request)
    one = audit_record(
        action=Action.PERSON_CONSULTED,
        actor=user,
        record_type="person",
        record_id=1,
        justification=WHY,
        request=request,
    )
    two = audit_record(action=Action.RECORD_CHANGED, actor=user, request=request)
    assert (one.actor_id, one.actor_label, one.actor_roles) == (user.pk, "r.kaur", "analyst,reviewer")
    assert one.ip_address == "10.1.2.3"
    assert one.request_id == two.request_id == request.vigil_request_id  # type: ignore[attr-defined]
    assert (one.justification_reason, one.justification_text) == ("audit", WHY.text)


def test_without_a_user_the_label_says_who_and_each_call_gets_its_own_request_id() -> None:
    system = audit_record(action=Action.KEYS_ROTATED, actor=None)
    failed = audit_record(action=Action.LOGIN_FAILED, actor=AnonymousUser(), actor_label="n.jones")
    anonymous = audit_record(action=Action.LOGIN_FAILED, actor=AnonymousUser())
    assert (system.actor_id, system.actor_label, system.actor_roles) == (None, "system", "")
    assert failed.actor_label == "n.jones"
    assert anonymous.actor_label == "anonymous"
    assert len({system.request_id, failed.request_id, anonymous.request_id}) == 3
    assert system.ip_address == ""


def test_the_middleware_gives_each_request_a_new_id() -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.vigil_request_id)  # type: ignore[attr-defined]
        return HttpResponse()

    middleware = RequestIdMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="chosen-by-client"))
    assert len(set(seen)) == 2
    assert "chosen-by-client" not in seen


def test_values_are_kept_as_the_columns_will_hold_them() -> None:
    cut = audit_record(action=Action.RECORD_CHANGED, actor=None, record_label="x" * 300)
    nul = audit_record(action=Action.RECORD_CHANGED, actor=None, record_label="a\x00b")
    assert cut.record_label == "x" * 250  # PostgreSQL would refuse a longer one
    assert nul.record_label == "a\ufffdb"  # PostgreSQL refuses NUL in text
    assert audit_verify().ok  # what was hashed is what the database kept


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"action": "person.sneezed"}, "not a registered audit action"),
        ({"action": Action.PERSON_CONSULTED}, "needs a justification"),
        ({"action": Action.SEALED_FIELD_OPENED}, "needs a justification"),
        ({"action": Action.RECORDS_EXPORTED, "recipient": "IOPC"}, "needs a justification"),
        ({"action": Action.RECORDS_EXPORTED, "justification": WHY}, "needs the recipient"),
        ({"action": Action.API_READ, "justification": WHY, "recipient": "   "}, "needs the recipient"),
    ],
)
def test_missing_what_the_law_asks_for_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        audit_record(actor=None, **kwargs)
    assert not AuditEntry.objects.exists()


def test_a_disclosure_with_justification_and_recipient_is_recorded() -> None:
    entry = audit_record(
        action=Action.RECORDS_EXPORTED, actor=None, justification=WHY, recipient=" IOPC casework team "
    )
    assert entry.recipient == "IOPC casework team"
    assert audit_record(action="auth.logout", actor=None).action == "auth.logout"  # type: ignore[arg-type]


# --- verifying -----------------------------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    entries = append(5)
    result = audit_verify()
    assert result.ok
    assert (result.entries, result.head_id, result.head_hash) == (5, 5, entries[-1].entry_hash)


def test_an_empty_trail_verifies_with_the_genesis_head() -> None:
    result = audit_verify()
    assert result.ok
    assert (result.entries, result.head_id, result.head_hash) == (0, None, GENESIS_HASH)
    assert audit_head() is None
    assert audit_verify(head=GENESIS_HASH).ok


def test_verify_streams_in_chunks_and_reports_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vigil.audit.chain.VERIFY_CHUNK", 3)
    append(7)
    steps: list[int] = []
    assert audit_verify(progress=steps.append).ok
    assert steps == [3, 3, 1]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_label", "someone.else"),
        ("actor_roles", "administrator"),
        ("actor_id", 999),
        ("actor_id", 0),  # not the same as no one
        ("action", "auth.logout"),
        ("record_id", "3"),
        ("record_label", "person 2 "),  # a trailing space is enough
        ("justification_reason", "vetting"),
        ("justification_text", "something else entirely"),
        ("recipient", "a journalist"),
        ("detail", '{"n":99}'),
        ("ip_address", "192.0.2.1"),
        ("request_id", "00000000-0000-0000-0000-000000000000"),
        ("occurred_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("previous_hash", "f" * 64),
        ("entry_hash", "e" * 64),
    ],
)
def test_an_edited_column_is_named(column: str, value: Any) -> None:
    append(4)
    with tampering() as cursor:
        param = sql_time(value) if isinstance(value, dt.datetime) else value
        cursor.execute(f"UPDATE audit_auditentry SET {column} = %s WHERE id = 2", [param])  # noqa: S608
    result = audit_verify()
    assert not result.ok
    assert result.bad_entry_id == 2
    assert result.problem == "entry #2 was altered: its content no longer matches its hash"
    assert (result.entries, result.head_id) == (1, 1)


def test_a_moved_occurred_at_by_one_microsecond_is_found() -> None:
    entries = append(3)
    moved = entries[1].occurred_at + dt.timedelta(microseconds=1)
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET occurred_at = %s WHERE id = 2", [sql_time(moved)])
    assert audit_verify().bad_entry_id == 2


def test_the_first_bad_entry_is_the_one_named() -> None:
    append(6)
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_label = 'x' WHERE id IN (3, 5)")
    assert audit_verify().bad_entry_id == 3


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link() -> None:
    append(4)
    forged = row_values(2) | {"record_label": "nothing to see"}
    forged["entry_hash"] = content_hash(forged)
    rewrite_row(2, forged)
    result = audit_verify()
    assert result.bad_entry_id == 3
    assert result.problem == (
        "entry #3 does not follow #2: an entry before it was deleted, inserted, reordered or rewritten"
    )


def test_a_deleted_entry_is_found_at_the_next_one() -> None:
    append(5)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 3")
    result = audit_verify()
    assert result.bad_entry_id == 4
    assert result.problem.startswith("entry #4 does not follow #2:")


def test_a_deleted_first_entry_is_found() -> None:
    append(3)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 1")
    result = audit_verify()
    assert result.bad_entry_id == 2
    assert result.problem.startswith("entry #2 does not follow the start of the trail:")


def test_a_forged_entry_with_a_made_up_hash_is_found() -> None:
    append(3)
    insert_row(
        row_values(3) | {"id": 4, "previous_hash": row_values(3)["entry_hash"], "entry_hash": "a" * 64}
    )
    assert audit_verify().problem == "entry #4 was altered: its content no longer matches its hash"


def test_a_forged_entry_hashed_correctly_but_not_on_the_head_is_found() -> None:
    append(3)
    forged = row_values(2) | {"id": 4, "record_label": "forged"}  # links to #1, not to #3
    forged["entry_hash"] = content_hash(forged)
    insert_row(forged)
    result = audit_verify()
    assert result.bad_entry_id == 4
    assert result.problem.startswith("entry #4 does not follow #3:")


def test_an_entry_inserted_in_the_middle_is_found() -> None:
    append(4)
    with tampering() as cursor:
        # Make room at id 3 (two steps: a unique id must not collide half-way).
        cursor.execute("UPDATE audit_auditentry SET id = id + 1000 WHERE id >= 3")
        cursor.execute("UPDATE audit_auditentry SET id = id - 999 WHERE id >= 1000")
    forged = row_values(2) | {"id": 3, "record_label": "forged", "previous_hash": row_values(2)["entry_hash"]}
    forged["entry_hash"] = content_hash(forged)
    insert_row(forged)
    result = audit_verify()
    # The forged #3 links correctly; the entry moved from #3 to #4 no longer matches its hash.
    assert result.bad_entry_id == 4
    assert "altered" in result.problem


def test_two_entries_swapped_are_found() -> None:
    append(4)
    second, third = row_values(2), row_values(3)
    rewrite_row(2, third | {"entry_hash": "1" * 64})  # entry_hash is unique: out of the way first
    rewrite_row(3, second)
    rewrite_row(2, third)
    assert audit_verify().problem == "entry #2 was altered: its content no longer matches its hash"


def test_two_entries_swapped_and_rehashed_are_found() -> None:
    append(4)
    second, third = row_values(2), row_values(3)
    moved_up, moved_down = third | {"id": 2}, second | {"id": 3}
    moved_up["entry_hash"], moved_down["entry_hash"] = content_hash(moved_up), content_hash(moved_down)
    rewrite_row(2, moved_up)
    rewrite_row(3, moved_down)
    result = audit_verify()
    assert result.bad_entry_id == 2
    assert result.problem.startswith("entry #2 does not follow #1:")


def test_a_deleted_last_entry_is_found_only_against_a_noted_head() -> None:
    entries = append(4)
    noted = entries[-1].entry_hash
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 4")
    assert audit_verify().ok  # what is left is a consistent chain
    result = audit_verify(head=noted)
    assert not result.ok
    assert result.bad_entry_id is None
    assert result.problem == f"head {noted} is not in the chain: entries up to it were rewritten or removed"


def test_an_emptied_trail_is_found_against_a_noted_head() -> None:
    entries = append(3)
    with tampering() as cursor:
        # TRUNCATE on PostgreSQL: no trigger refuses it (the test runner needs it), verify does.
        cursor.execute(
            "TRUNCATE audit_auditentry"
            if connection.vendor == "postgresql"
            else "DELETE FROM audit_auditentry"
        )
    assert audit_verify().ok
    assert "is not in the chain" in audit_verify(head=entries[-1].entry_hash).problem


def test_a_noted_head_still_in_the_chain_verifies_and_says_where() -> None:
    entries = append(5)
    result = audit_verify(head=entries[1].entry_hash.upper() + "\n")
    assert result.ok
    assert result.noted_head_id == 2
    assert result.entries == 5


def test_a_rewritten_chain_is_found_against_a_noted_head() -> None:
    entries = append(3)
    noted = entries[1].entry_hash
    # Rewrite everything from #2 on, re-hashed and re-linked: consistent, but the noted head is gone.
    previous = entries[0].entry_hash
    for entry_id in (2, 3):
        forged = row_values(entry_id) | {"actor_label": "rewritten", "previous_hash": previous}
        forged["entry_hash"] = previous = content_hash(forged)
        rewrite_row(entry_id, forged)
    assert audit_verify().ok
    assert "is not in the chain" in audit_verify(head=noted).problem


def test_a_head_that_is_not_a_hash_is_refused() -> None:
    with pytest.raises(ValueError, match="not a SHA-256 hash"):
        audit_verify(head="abc123")


# --- PostgreSQL: the table itself refuses changes ---------------------------------------------------


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET actor_label = 'x' WHERE id = 1",
        "DELETE FROM audit_auditentry WHERE id = 2",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgresql_refuses_update_and_delete(statement: str) -> None:
    append(2)
    with pytest.raises(DatabaseError, match="audit entries are append-only"), transaction.atomic():  # noqa: SIM117
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert audit_verify().entries == 2


@on_postgresql
def test_postgresql_refuses_orm_updates_and_deletes() -> None:
    (entry,) = append(1)
    with pytest.raises(DatabaseError, match="UPDATE refused"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="x")
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        entry.delete()
    assert audit_verify().ok


@on_postgresql
def test_postgresql_tampering_that_bypasses_the_trigger_is_found() -> None:
    append(3)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute("UPDATE audit_auditentry SET detail = '{}' WHERE id = 2")
            cursor.execute("DELETE FROM audit_auditentry WHERE id = 3")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    assert audit_verify().bad_entry_id == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_concurrent_appends_never_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(15):
                audit_record(action=Action.LOGIN, actor=None)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_verify()
    assert result.ok
    assert result.entries == 90
    assert list(AuditEntry.objects.values_list("id", flat=True)) == list(range(1, 91))
