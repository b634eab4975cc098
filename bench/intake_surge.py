"""The hotline intake surge benchmark: the intake API and the call-handler form must each sustain
>= 50 submissions/s for 60 s with 0 errors, and the assessor's triage queue must answer in under
200 ms at the 95th percentile with 50,000 reports, against a production server (gunicorn,
PostgreSQL) on this machine, loaded by locust (bench/intake_locustfile.py).

    .venv/bin/pip install -e '.[bench]'   # locust, once
    .venv/bin/python bench/intake_surge.py [--database-url 'postgresql://USER@%2Fsocket%2Fdir:PORT/DB']
        [--workers 4] [--worker-class sync] [--rate 60] [--seconds 60] [--reports 50000]
        [--queue-users 10] [--queue-rate 1] [--fsync-off] [--out bench/out/intake-surge]

Without --database-url it starts a throwaway PostgreSQL 15 cluster owned by the `postgres` user on a
Unix socket (as scripts/test does, but with the server's production defaults: fsync and
synchronous_commit on, unless --fsync-off) and stops it at the end. An empty database is expected.

Steps: `vigil init`; a call handler, an assessor whose team holds the caseload (need-to-know: without
it the queue is empty), an API client with a rate limit far above the load; 2,000 register people
with risk scores; --reports hotline reports filed through `report_file` (the service the form and
the API call; 200 to a transaction, audited as each filing is), received over the last 60 days, 2%
urgent, 30% naming a register person as the handler's pick, so the queue's ordering by subject risk
has work to do. Then gunicorn serves `vigil.wsgi:application` on 127.0.0.1 (DEBUG off) and locust
runs headless three times: the triage queue with --reports waiting (--queue-users assessors, each
reloading the first page --queue-rate times a second), then the API and then the form, each at
--rate submissions/s (constant throughput: users x per-user rate) for --seconds. Locust's statistics
are reset 15 s in, once every user has started and signed in, so ramp-up is not measured. A form
submission is GET /hotline/new/ then POST (302 to the reference page, not followed). Locust and
gunicorn share the machine's cores.

Prints a table (requests, failures, achieved rate, p50/p95/p99) and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from random import Random

from machine import cpu_model, ram_gb  # bench/ is the script's directory, on sys.path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "bench-surge-password-" + secrets.token_hex(8)
REGISTER_PEOPLE = 2_000
SEED_BATCH = 200
RAMP_SECONDS = 15  # users start in ~1 s, sign-ins (Argon2) take several more; then the statistics start

TARGET_RATE = 50.0
TARGET_P95_MS = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- PostgreSQL ------------------------------------------------------------------------------------


@dataclass
class Postgres:
    directory: Path
    url: str

    def stop(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "fast",
                "stop",
            ],
            cwd=self.directory,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_start(*, fsync: bool) -> Postgres:
    """A throwaway cluster owned by `postgres`, Unix socket only (the short /tmp path fits a socket)."""
    directory = Path(tempfile.mkdtemp(prefix="vigil-surge-", dir="/tmp"))
    shutil.chown(directory, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(directory / "data"),
            "-A",
            "trust",
            "-U",
            "vigil",
            "-E",
            "UTF8",
        ],
        cwd=directory,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = 54331
    options = f"-k {directory} -p {port} -c listen_addresses='' -c max_connections=100"
    if not fsync:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(directory / "data"),
            "-l",
            str(directory / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        cwd=directory,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    url = f"postgresql://vigil@{str(directory).replace('/', '%2F')}:{port}/postgres"
    return Postgres(directory, url)


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return f"PostgreSQL {version} (fsync={fsync}, synchronous_commit={sync})"


# ---- the database: actors, register, reports -------------------------------------------------------


def actors() -> dict[str, str]:
    """A call handler, an assessor with the caseload, an API client; their names and the token."""
    from vigil.accounts.roles import Role
    from vigil.accounts.services import access_grant, team_ensure, user_create
    from vigil.intake.services import intake_client_create

    suffix = secrets.token_hex(3)
    handler = user_create(username=f"bench-handler-{suffix}", password=PASSWORD, roles=[Role.CALL_HANDLER])
    assessor = user_create(username=f"bench-assessor-{suffix}", password=PASSWORD, roles=[Role.ASSESSOR])
    team = team_ensure(name=f"Bench Assessment {suffix}", members=[assessor])
    access_grant(granted_by=None, reason="intake surge benchmark", team=team, caseload=True)
    _client, token = intake_client_create(name=f"bench-{suffix}", rate_per_minute=1_000_000)
    return {
        "call_handler": handler.username,
        "assessor": assessor.username,
        "password": PASSWORD,
        "token": token,
    }


def register(rng: Random) -> list[int]:
    """REGISTER_PEOPLE people with risk scores (bulk rows: what `vigil score` would leave)."""
    from django.utils import timezone

    from vigil.people.models import Person
    from vigil.risk.models import RiskBand, RiskScore, ScoreRun

    now = timezone.now()
    surnames = ("Smith", "Khan", "Evans", "Morris", "Lee", "Patel", "Jones", "Brown", "Taylor", "Wilson")
    forenames = ("John", "Sarah", "David", "Mark", "Aisha", "Tom", "Priya", "James", "Emma", "Paul")
    people = Person.objects.bulk_create(
        Person(
            force="BENCH",
            staff_id=f"S{index:06d}",
            surname=rng.choice(surnames),
            forenames=rng.choice(forenames),
            row_hash="0" * 40,
        )
        for index in range(REGISTER_PEOPLE)
    )
    run = ScoreRun.objects.create(
        started_at=now, finished_at=now, full=True, trigger="bench", policy_version=1, policy_sha256="0" * 64
    )
    scores = []
    for person in people:
        score = rng.randrange(0, 100)
        band = RiskBand.HIGH if score >= 70 else RiskBand.MEDIUM if score >= 40 else RiskBand.LOW
        scores.append(
            RiskScore(
                person=person,
                score=score,
                band=band,
                reasons=[],
                allegations=1,
                distinct_complainants=1,
                policy_version=1,
                computed_at=now,
                run=run,
            )
        )
    RiskScore.objects.bulk_create(scores)
    return [person.pk for person in people]


def seed(count: int, handler_username: str, rng: Random) -> float:
    """File `count` reports through report_file (form channel, by the bench's call handler)."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from vigil.allegations.vocabularies import CATEGORIES
    from vigil.intake.models import Channel
    from vigil.intake.services import ReportInput, report_file

    sys.path.insert(0, str(BENCH))
    from intake_words import CALLERS, NAMES, NARRATIVES, STATIONS

    handler = User.objects.get(username=handler_username)
    people = register(rng)
    categories = CATEGORIES.codes()
    now = timezone.now()
    started = time.perf_counter()
    with tqdm(total=count, unit="report", desc="seeding") as progress:
        for start in range(0, count, SEED_BATCH):
            with transaction.atomic():
                for _ in range(min(SEED_BATCH, count - start)):
                    station = rng.choice(STATIONS)
                    urgent = rng.random() < 0.02
                    data = ReportInput(
                        caller_type=rng.choice(CALLERS),
                        narrative=rng.choice(NARRATIVES).format(station=station)
                        + f" It happened about {rng.randrange(1, 60)} days ago.",
                        category=rng.choice(categories),
                        subject_name=rng.choice(NAMES),
                        subject_station=station,
                        contact=f"07700 9{rng.randrange(100000):05d}" if rng.random() < 0.5 else "",
                        immediate_risk=urgent,
                        immediate_risk_detail="She is in the house with him now." if urgent else "",
                        handler_candidate_id=rng.choice(people) if rng.random() < 0.3 else None,
                        received_at=now - dt.timedelta(seconds=rng.randrange(60 * 24 * 3600)),
                    )
                    report_file(data=data, channel=Channel.FORM, call_handler=handler)
            progress.update(min(SEED_BATCH, count - start))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def hotline_counts() -> dict[str, int]:
    from vigil.intake.models import Channel, HotlineReport, TriageStatus

    return {
        "all": HotlineReport.objects.count(),
        "awaiting": HotlineReport.objects.filter(status=TriageStatus.AWAITING_TRIAGE).count(),
        "api": HotlineReport.objects.filter(channel=Channel.API).count(),
        "form": HotlineReport.objects.filter(channel=Channel.FORM).count(),
    }


# ---- the server and the load -----------------------------------------------------------------------


def gunicorn_start(
    *, port: int, workers: int, worker_class: str, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "vigil.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


@dataclass(frozen=True)
class Figures:
    label: str
    name: str
    requests: int
    failures: int
    rate: float
    p50: float
    p95: float
    p99: float
    max: float


def run_locust(
    *, user_class: str, users: int, per_user: float, seconds: int, host: str, prefix: Path, config: Path
) -> dict[str, dict[str, str]]:
    """One headless locust run; its statistics rows by request name."""
    env = {
        **os.environ,
        "VIGIL_BENCH_CONFIG": str(config),
        "VIGIL_BENCH_PER_USER": str(per_user),
        "VIGIL_BENCH_WARMUP": str(RAMP_SECONDS),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "intake_locustfile.py"),
        user_class,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds + RAMP_SECONDS}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    print(f"\n$ locust {user_class}: {users} users x {per_user:g}/s for {seconds} s (+{RAMP_SECONDS} s ramp)")
    subprocess.run(command, env=env, cwd=ROOT, check=False)
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def figures(label: str, rows: dict[str, dict[str, str]], name: str, seconds: float) -> Figures:
    row = rows.get(name)
    if row is None:
        return Figures(label, name, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    count = int(row["Request Count"])

    def num(column: str) -> float:
        value = row[column]
        return float(value) if value not in ("", "N/A") else 0.0

    return Figures(
        label=label,
        name=name,
        requests=count,
        failures=int(row["Failure Count"]),
        rate=num("Requests/s"),
        p50=num("50%"),
        p95=num("95%"),
        p99=num("99%"),
        max=num("Max Response Time"),
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| measured | requests | failures | rate (req/s) | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in rows:
        lines.append(
            f"| {f.label} | {f.requests:,} | {f.failures} | {f.rate:.1f} | {f.p50:.0f} | {f.p95:.0f} | "
            f"{f.p99:.0f} | {f.max:.0f} |"
        )
    return "\n".join(lines)


# ---- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="", help="an empty PostgreSQL database (default: a throwaway one)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument(
        "--rate", type=float, default=60.0, help="offered submissions/s for the API and the form"
    )
    parser.add_argument("--users", type=int, default=30, help="locust users for the API and the form runs")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds of each surge run")
    parser.add_argument("--reports", type=int, default=50_000, help="reports waiting in the queue")
    parser.add_argument("--queue-users", type=int, default=10, help="assessors loading the queue")
    parser.add_argument("--queue-rate", type=float, default=1.0, help="page loads/s per assessor")
    parser.add_argument("--queue-seconds", type=int, default=60, help="measured seconds of the queue run")
    parser.add_argument("--fsync-off", action="store_true", help="throwaway cluster with fsync off")
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "intake-surge")
    args = parser.parse_args()

    if not (BIN / "locust").exists():
        raise SystemExit(f"locust is not installed: {BIN / 'pip'} install -e '.[bench]'")
    out: Path = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    postgres = None if args.database_url else postgres_start(fsync=not args.fsync_off)
    server: subprocess.Popen[bytes] | None = None
    try:
        os.environ.update(
            {
                "VIGIL_DATABASE_URL": args.database_url or (postgres.url if postgres else ""),
                "VIGIL_DATA_DIR": str(out / "data"),
                "DJANGO_SETTINGS_MODULE": "vigil.settings",
                "VIGIL_DEBUG": "0",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("init")
        database = postgres_version()
        config = actors()
        config_path = out / "config.json"
        config_path.touch(mode=0o600)
        config_path.write_text(json.dumps(config))
        rng = Random(20261205)
        seeded = seed(args.reports, config["call_handler"], rng)
        before = hotline_counts()
        print(f"{args.reports:,} reports filed in {seeded:.0f} s ({args.reports / seeded:.0f}/s, in-process)")
        connections.close_all()

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        server = gunicorn_start(
            port=port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
            log=out / "gunicorn.log",
        )
        queue = run_locust(
            user_class="QueueUser",
            users=args.queue_users,
            per_user=args.queue_rate,
            seconds=args.queue_seconds,
            host=host,
            prefix=out / "queue",
            config=config_path,
        )
        per_user = args.rate / args.users
        common = {
            "users": args.users,
            "per_user": per_user,
            "seconds": args.seconds,
            "host": host,
            "config": config_path,
        }
        api = run_locust(user_class="ApiUser", prefix=out / "api", **common)  # type: ignore[arg-type]
        form = run_locust(user_class="FormUser", prefix=out / "form", **common)  # type: ignore[arg-type]
        after = hotline_counts()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if postgres is not None:
            postgres.stop()

    results = [
        figures(
            f"triage queue, {before['awaiting']:,} waiting (GET)",
            queue,
            "queue GET /hotline/triage/",
            args.queue_seconds,
        ),
        figures("API: POST /api/intake/v1/reports", api, "API POST /api/intake/v1/reports", args.seconds),
        figures("form: GET /hotline/new/", form, "form GET /hotline/new/", args.seconds),
        figures("form: POST /hotline/new/ (302)", form, "form POST /hotline/new/", args.seconds),
    ]
    print()
    print(
        f"Machine: {os.cpu_count()} cores ({cpu_model()}), {ram_gb():.0f} GB RAM, "
        f"Python {platform.python_version()}"
    )
    print(
        f"Database: {database}; gunicorn {args.workers} x {args.worker_class} worker(s), "
        f"{args.threads} thread(s)"
    )
    print(
        f"Load: queue {args.queue_users} users x {args.queue_rate:g}/s; "
        f"API and form {args.users} users x {per_user:g}/s"
    )
    print(
        f"Reports: {before['all']:,} before the surges, {after['all']:,} after "
        f"(API +{after['api'] - before['api']:,}, form +{after['form'] - before['form']:,})"
    )
    print()
    print(table(results))

    queue_f, api_f, form_get, form_f = results
    missed = []
    if queue_f.failures or queue_f.requests == 0 or queue_f.p95 >= TARGET_P95_MS:
        missed.append(
            f"queue: p95 {queue_f.p95:.0f} ms (target < {TARGET_P95_MS:.0f}), {queue_f.failures} failures"
        )
    for f, created in ((api_f, after["api"] - before["api"]), (form_f, after["form"] - before["form"])):
        if f.failures or f.rate < TARGET_RATE or f.requests < TARGET_RATE * args.seconds:
            missed.append(f"{f.label}: {f.rate:.1f}/s, {f.requests:,} requests, {f.failures} failures")
        if created < f.requests - f.failures:
            missed.append(f"{f.label}: only {created:,} reports in the database")
    if form_get.failures:
        missed.append(f"form GET: {form_get.failures} failures")
    print()
    if missed:
        print("TARGET MISSED:\n  " + "\n  ".join(missed))
        return 1
    print(
        f"All targets met: >= {TARGET_RATE:.0f}/s with 0 errors (API, form); "
        f"queue p95 < {TARGET_P95_MS:.0f} ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
