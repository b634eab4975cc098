"""Benchmark: what an audit write costs a request, and how fast the chain verifies. Prints figures;
not a test.

    .venv/bin/python bench/audit_cost.py [--calls 2000] [--existing 100000] [--verify-entries 100000]
    .venv/bin/python bench/audit_cost.py --database-url postgresql://USER@HOST/NAME

Each `audit_record` call is timed on its own, outside any transaction, so it pays for its own
commit as a page does: the append lock, one SELECT of the head, one INSERT. It records a
consultation by a logged-in reviewer (roles already loaded, as the permission middleware leaves
them) with a justification, a request and a small detail. Timed on an empty trail, then with
--existing entries before it (loaded in bulk, correctly chained). Then `audit_verify` is timed over
--verify-entries entries, and run again under tracemalloc to show its memory stays flat.

SQLite: a fresh database file in a temporary directory. PostgreSQL (--database-url): the bench
creates and afterwards drops test_NAME on that server (Django's test-database machinery), so the
database named is never touched."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

from machine import cpu_model  # bench/ is the script's directory, on sys.path

ROOT = Path(__file__).resolve().parent.parent
FILL_BATCH = 5_000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fill(target: int) -> float:
    """Bring the trail up to `target` entries with bulk INSERTs of correctly chained rows (the
    chain's own hashing, without audit_record's per-call lock and commit). Returns seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vigil.audit.actions import Action
    from vigil.audit.chain import audit_head, canonical_detail, content_hash
    from vigil.audit.models import GENESIS_HASH, AuditEntry

    started = time.perf_counter()
    head = audit_head()
    next_id, previous = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    actions = [Action.PERSON_CONSULTED, Action.ALLEGATION_CONSULTED, Action.RECORD_CHANGED, Action.LOGIN]
    start_time = timezone.now() - dt.timedelta(seconds=target)
    while next_id <= target:
        batch = []
        for entry_id in range(next_id, min(target, next_id + FILL_BATCH - 1) + 1):
            action = actions[entry_id % len(actions)]
            consulted = action.category.value == "consultation"
            values: dict[str, Any] = {
                "id": entry_id,
                "occurred_at": start_time + dt.timedelta(seconds=entry_id),
                "actor_id": entry_id % 50 + 1,
                "actor_label": f"officer{entry_id % 50 + 1}",
                "actor_roles": "reviewer",
                "action": action.value,
                "record_type": "person",
                "record_id": str(entry_id % 20_000),
                "record_label": f"Person {entry_id % 20_000}",
                "justification_reason": "assigned_case" if consulted else "",
                "justification_text": "Reviewing the case I was assigned" if consulted else "",
                "recipient": "",
                "detail": canonical_detail({"fields": ["surname"], "n": entry_id}),
                "ip_address": "10.0.0.1",
                "request_id": f"00000000-0000-4000-8000-{entry_id:012d}",
                "previous_hash": previous,
            }
            previous = content_hash(values)
            batch.append(AuditEntry(**values, entry_hash=previous))
        with transaction.atomic():
            AuditEntry.objects.bulk_create(batch)
        next_id += len(batch)
    if connection.vendor == "sqlite":
        # Fold the bulk load's write-ahead log into the database now, not during the timed calls.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_auditentry")
    return time.perf_counter() - started


def time_writes(calls: int, user: Any) -> tuple[float, float, float, int]:
    """(mean µs, p50 µs, p95 µs, queries per call) over `calls` audit_record calls after 20 warm-ups."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from vigil.audit.actions import Action
    from vigil.audit.justification import Justification
    from vigil.audit.services import audit_record

    why = Justification("assigned_case", "Reviewing the case I was assigned")
    request = RequestFactory().get("/people/1/", REMOTE_ADDR="10.0.0.1")
    request.vigil_request_id = "00000000-0000-4000-8000-000000000000"  # type: ignore[attr-defined]

    def one(n: int) -> None:
        audit_record(
            action=Action.PERSON_CONSULTED,
            actor=user,
            record_type="person",
            record_id=n,
            record_label=f"Person {n}",
            justification=why,
            detail={"tab": "vetting"},
            request=request,
        )

    for n in range(20):
        one(n)
    samples = []
    for n in range(calls):
        started = time.perf_counter()
        one(n)
        samples.append((time.perf_counter() - started) * 1e6)
    with CaptureQueriesContext(connection) as captured:
        one(0)
    return statistics.mean(samples), statistics.median(samples), percentile(samples, 0.95), len(captured)


def time_verify() -> tuple[int, float, float]:
    """(entries, seconds, peak MB traced by tracemalloc in a second run)."""
    from vigil.audit.chain import audit_verify

    started = time.perf_counter()
    result = audit_verify()
    seconds = time.perf_counter() - started
    assert result.ok, result.problem
    tracemalloc.start()
    audit_verify()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result.entries, seconds, peak / 1e6


def report(args: argparse.Namespace) -> None:
    from django.db import connection

    from vigil.accounts.roles import Role
    from vigil.accounts.selectors import user_roles
    from vigil.accounts.services import random_password, user_create

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        (db_version,) = cursor.fetchone()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"database: {connection.vendor} {db_version.split(' on ')[0]}")

    user = user_create(username="bench_reviewer", password=random_password(), roles=[Role.REVIEWER])
    user_roles(user)  # loaded once per request by the permission middleware
    print(f"\naudit_record, {args.calls} calls each (after 20 warm-ups), one transaction per call")
    header = ("existing entries", "calls/s", "mean µs", "p50 µs", "p95 µs", "queries")
    print(f"{header[0]:>18}", *(f"{name:>9}" for name in header[1:]))
    for existing in (0, args.existing):
        if existing:
            seconds = fill(existing)
            print(f"  (loaded {existing:,} chained entries in bulk in {seconds:.1f} s)")
        mean, p50, p95, queries = time_writes(args.calls, user)
        figures = (1e6 / mean, mean, p50, p95)
        print(f"{existing:>18,}", *(f"{figure:>9,.0f}" for figure in figures), f"{queries:>9}")

    fill(args.verify_entries)
    entries, seconds, peak = time_verify()
    print(f"\naudit_verify: {entries:,} entries in {seconds:.2f} s = {entries / seconds:,.0f} entries/s")
    print(f"peak Python memory while verifying (tracemalloc, second run): {peak:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=2_000, help="timed audit_record calls per scenario")
    parser.add_argument("--existing", type=int, default=100_000, help="entries already in the trail")
    parser.add_argument("--verify-entries", type=int, default=100_000, help="trail length for verify")
    parser.add_argument("--database-url", help="a PostgreSQL server to bench on (test_NAME is used)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        os.environ["VIGIL_DATA_DIR"] = workdir
        os.environ["VIGIL_DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: STATIC_ROOT never collected
        django.setup()
        from django.core.management import call_command
        from django.db import connection

        original_name = connection.settings_dict["NAME"]
        if connection.vendor == "postgresql":
            connection.creation.create_test_db(verbosity=0, autoclobber=True)
        else:
            call_command("migrate", verbosity=0)
        try:
            report(args)
        finally:
            if connection.vendor == "postgresql":
                connection.creation.destroy_test_db(original_name, verbosity=0)
            connection.close()


if __name__ == "__main__":
    main()
