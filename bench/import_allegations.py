"""Benchmark: import 1,000,000 allegation rows into a fresh SQLite database (issue target: < 60 s),
then re-import the same file (must report 0 changes). Prints figures; not a timed test.

    .venv/bin/python bench/import_allegations.py [--rows 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "allegation_ref", "source_system", "received_on", "incident_date", "category", "summary", "subject_name",
    "subject_staff_id", "subject_shoulder_number", "subject_rank", "subject_command", "subject_force",
    "subject_dob", "subject_details", "complainant_ref", "complainant_relationship", "outcome", "outcome_on",
]  # fmt: skip
SOURCES = [
    "public_complaint",
    "colleague_report",
    "hotline",
    "other_force",
    "criminal_investigation",
    "intelligence",
]
CATEGORIES = [
    "rape",
    "sexual_assault",
    "stalking",
    "coercive_control",
    "sexual_harassment",
    "inappropriate_behaviour",
]
OUTCOMES = ["", "open", "no_further_action", "complainant_withdrew", "no_case_to_answer", "misconduct_proven"]
RELATIONSHIPS = ["partner", "ex_partner", "colleague", "member_of_public", "online_contact", ""]
NAMES = ["David Smith", "SMITH, Dave", "PC Smith", "Mohammed Khan", "Grace Okafor", "J. Murphy", "Anna Nowak"]


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(1633)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            year = rng.randint(2016, 2025)  # dates in the future are refused (docs/data-contract.md)
            received = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            writer.writerow(
                [
                    f"A{number:08d}",
                    rng.choice(SOURCES),
                    received,
                    received[:7] if number % 3 else "",
                    rng.choice(CATEGORIES),
                    "Complainant reports that the officer contacted her repeatedly after attending a call.",
                    rng.choice(NAMES),
                    str(100000 + rng.randrange(300000)) if number % 4 == 0 else "",
                    f"{rng.randrange(9999)}CW" if number % 5 == 0 else "",
                    "PC" if number % 2 else "",
                    "Central West BCU" if number % 2 else "",
                    "",
                    str(rng.randint(1960, 2000)) if number % 10 == 0 else "",
                    "PC, Central West BCU, based at Charing Cross" if number % 2 else "",
                    f"C{rng.randrange(10**7):07d}",
                    rng.choice(RELATIONSHIPS),
                    rng.choice(OUTCOMES),
                    f"{year + 1}-06-30" if number % 2 else "",  # never before received_on
                ]
            )


def run(command: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    """Run a `vigil` command; return wall seconds, output and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{command} failed:\n{result.stderr[-3000:]}")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, result.stdout.strip(), max(peak, before) // 1024


@contextmanager
def fresh_database(server_url: str | None, workdir: str) -> Iterator[str]:
    """A new empty database: a SQLite file in workdir, or a scratch database created on the
    PostgreSQL server that server_url names (dropped afterwards)."""
    if not server_url:
        yield f"sqlite:///{workdir}/bench.sqlite3"
        return
    import psycopg

    parts = urlsplit(server_url)
    scratch = f"vigil_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {scratch}")
    try:
        yield urlunsplit(parts._replace(path=f"/{scratch}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {scratch}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to bench on (a scratch database is made); default SQLite"
    )
    args = parser.parse_args()

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    data = out / f"allegations-{args.rows}.csv"
    if not data.exists():
        print(f"writing {data} ...", flush=True)
        write_file(data, args.rows)
    vigil = str(Path(sys.executable).parent / "vigil")
    with tempfile.TemporaryDirectory() as workdir, fresh_database(args.database_url, workdir) as url:
        env = {**os.environ, "VIGIL_DATA_DIR": workdir, "VIGIL_DATABASE_URL": url}
        subprocess.run([vigil, "init"], env=env, check=True, capture_output=True)
        first, first_out, first_rss = run([vigil, "import", "allegations", str(data), "--no-progress"], env)
        again, again_out, _ = run([vigil, "import", "allegations", str(data), "--no-progress"], env)
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"file: {args.rows:,} rows, {data.stat().st_size / 1e6:.0f} MB")
    print(f"first import:  {first:6.1f} s  ({args.rows / first:,.0f} rows/s), peak RSS {first_rss:,} MB")
    print(f"               {first_out}")
    print(f"re-import:     {again:6.1f} s  — {again_out}")


if __name__ == "__main__":
    main()
