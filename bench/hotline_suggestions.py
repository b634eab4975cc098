"""Benchmark: the call handler's subject candidates (GET /hotline/new/suggestions/) on a
60,000-person register (issue 17, finding 8: target p95 < 300 ms). Prints figures; not a test.

    .venv/bin/python bench/hotline_suggestions.py [--people 60000] [--allegations 30000]
        [--requests 200] [--database-url URL] [--workdir bench/out/hotline-suggestions]

The register and its allegations come from bench/link_world.py (the demo world's machinery at any
size); they are imported through `vigil import` and linked with `vigil link` (which estimates the
model the suggestions rank with) into a SQLite database in --workdir, or into --database-url (an
empty PostgreSQL database). That takes a few minutes once; a second run reuses the SQLite
database. Then, in this process, a call handler asks through Django's test Client (middleware,
the rate limit's database upsert, need-to-know, scoring and rendering included):

  - the first request: it prepares the register (what a fresh server process does once, and
    again after the register or the model changes);
  - --requests requests, each describing the subject of an allegation drawn from the world as it
    was recorded (name, staff and shoulder number, rank, command, details), about 1 in 5 with
    the name only, as a handler types it.

The per-user rate limit would refuse a bench that asks as fast as it can: it is raised for this
process only (the limit's own cost, one upsert per window, is still paid on every request)."""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from random import Random

from machine import cpu_model, ram_gb  # bench/ is the script's directory, on sys.path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WATCHED = ("subject_name", "subject_staff_id", "subject_shoulder_number", "subject_rank", "subject_command")


def build(workdir: Path, people: int, allegations: int, database_url: str | None) -> Path:
    """The world's files, imported and linked; returns the allegations file (for descriptions)."""
    world = workdir / "world"
    files = world / "allegations.csv"
    if not files.exists():
        subprocess.run(
            [
                str(BIN / "python"),
                str(ROOT / "bench" / "link_world.py"),
                str(world),
                "--people",
                str(people),
                "--allegations",
                str(allegations),
                "--no-progress",
            ],
            check=True,
        )
    marker = workdir / "data" / "linked"
    env = {**os.environ, "VIGIL_DATA_DIR": str(workdir / "data")}
    if database_url is None and marker.exists():
        print(f"reusing the linked database in {workdir / 'data'}")
        subprocess.run([str(BIN / "vigil"), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        return files
    if database_url:
        env["VIGIL_DATABASE_URL"] = database_url
    else:
        (workdir / "data" / "vigil.sqlite3").unlink(missing_ok=True)
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    for step in (
        ["init"],
        ["import", "personnel", str(world / "personnel.csv"), "--no-progress"],
        ["import", "allegations", str(files), "--no-progress"],
        ["link"],
    ):
        started = time.perf_counter()
        subprocess.run([str(BIN / "vigil"), *step], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"vigil {' '.join(step[:2])}: {time.perf_counter() - started:.1f} s")
    if database_url is None:
        marker.touch()
    return files


def descriptions(files: Path, count: int, seed: int = 1633) -> list[dict[str, str]]:
    with files.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["subject_name"] or row["subject_staff_id"]]
    rng = Random(seed)
    chosen = []
    for row in rng.sample(rows, count):
        if rng.random() < 0.2:
            chosen.append({"subject_name": row["subject_name"]})
            continue
        query = {field: row.get(field, "") for field in WATCHED if row.get(field)}
        if row.get("subject_details"):
            query["subject_station"] = row["subject_details"][:200]
        chosen.append(query)
    return chosen


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--allegations", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "hotline-suggestions")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = build(args.workdir, args.people, args.allegations, args.database_url)

    os.environ["VIGIL_DATA_DIR"] = str(args.workdir / "data")
    if args.database_url:
        os.environ["VIGIL_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
    import django

    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: STATIC_ROOT not collected
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from vigil.accounts.roles import Role
    from vigil.accounts.services import random_password, user_create
    from vigil.intake import views
    from vigil.intake.ratelimit import Limit
    from vigil.linkage import suggest
    from vigil.people.models import Person

    views.SUGGESTIONS_LIMITS = (Limit(requests=10**9, seconds=1),)
    handler = User.objects.filter(username="bench-call-handler").first() or user_create(
        username="bench-call-handler", password=random_password(), roles=[Role.CALL_HANDLER]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(handler)
    url = reverse("intake:suggestions")
    queries = descriptions(files, args.requests)

    started = time.perf_counter()
    first = client.get(url, queries[0])
    cold_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200, first.status_code
    timings, shown = [], []
    for query in queries:
        started = time.perf_counter()
        response = client.get(url, query)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        shown.append(response.json()["candidates_html"].count('class="choice"'))
    assert suggest.preparations == 1, suggest.preparations

    print(
        f"\nmachine: {cpu_model()}, {os.cpu_count()} cores, {ram_gb():.0f} GB, "
        f"Python {platform.python_version()}, {connection.vendor}; "
        f"load average before timing {os.getloadavg()[0]:.2f}"
    )
    print(f"register: {Person.objects.count():,} people; {len(queries)} requests, one call handler")
    print(f"first request (prepares the register): {cold_ms:,.0f} ms")
    print(
        f"then: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
        f"max {max(timings):.0f} ms, mean {statistics.mean(timings):.0f} ms; "
        f"choices shown per answer: mean {statistics.mean(shown):.1f}"
    )


if __name__ == "__main__":
    main()
