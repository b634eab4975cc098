"""The risk-scoring scale benchmark (issue 5): `vigil score` over 300,000 people with 1,000,000
linked allegations (target: under 60 s on this machine), and an incremental update of 1,000 people.

    .venv/bin/python bench/score_scale.py [--workdir bench/out/score-scale] [--people 300000]
        [--allegations 1000000] [--update-people 1000] [--rebuild] [--runs 2]
        [--database-url 'postgresql://USER@%2Fsocket%2Fdir:PORT/postgres']

Steps, each cached in --workdir and reused when present (--rebuild starts again):
(a) the problem: bench/link_world.py's register and allegations (the demo world's machinery at
    300,000 staff and 1,000,000 allegations);
(b) vetting.csv: link_world writes none, so each person's chain of clearances is drawn with the
    demo world's own vetting rules (vigil.demo.world.vetting), from the register link_world drew
    (re-drawn with the same seed, its leaving dates taken from personnel.csv);
(c) a Vigil database, SQLite or (--database-url) PostgreSQL: `vigil init`, `vigil import
    personnel`, `vigil import vetting`, `vigil import allegations` (the real importer, timed for
    information only), then the links. Running the Splink linker only to make links would take
    minutes and is not what is measured, so every allegation gets an AllegationLink row written
    with bulk SQL: to the person truth.csv names, status "auto", match_probability 1.0, model
    NULL, linked_at now, allegation_row_hash the allegation's row_hash. The ~5% of allegations
    whose subject is not on the register are linked to a person drawn at random (seeded), so that
    all 1,000,000 allegations count: the scorer's worst case. This database is kept as the
    pristine copy (SQLite: a file in the world's directory; PostgreSQL: vigil_score_pristine);
(d) each timed run works on a fresh copy of it (PostgreSQL: CREATE DATABASE ... TEMPLATE):
    `vigil score` in a child process (wall time and the peak RSS of its process tree, sampled by
    psutil every 50 ms, as bench/link_scale.py does), --runs times on the same copy: the first run
    also builds the review cohort (`cohort_sync` opens a review for everyone in it), the later
    ones find scores and cohort in place, as a nightly re-score would. Django's system checks are
    skipped (--skip-checks): they are not what is measured;
(e) the incremental update: `scores_compute(person_ids=...)` for --update-people people with
    allegations (drawn at random, seeded), in a child process, timed inside it (and the cohort
    update for them, `cohort_sync(person_ids=...)`, timed on its own).
Closes with the machine and a table of the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from random import Random
from urllib.parse import unquote, urlsplit, urlunsplit

import psutil  # type: ignore[import-untyped]  # no stubs installed; bench/ is outside mypy

# Run as a script, bench/ is on sys.path.
from link_scale import Measured, measure
from link_world import DEFAULT_ALLEGATIONS, DEFAULT_PEOPLE, link_world_files, write_link_world
from machine import cpu_model  # bench/ is the script's directory, on sys.path
from vigil.demo.world import DEFAULT_SEED, VETTING_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VIGIL = str(Path(sys.executable).parent / "vigil")
_LINK_BATCH = 50_000
# Django's system checks (URL configuration, forms, ...) are not what is measured: skipped.
_QUIET = ("--skip-checks",)


def _gb(size: int) -> float:
    return size / 1024**3


def _env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {**os.environ, "VIGIL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings"}
    env.pop("VIGIL_DATABASE_URL", None)  # the default: SQLite in the data directory
    if database_url:
        env["VIGIL_DATABASE_URL"] = database_url
    return env


# ---- (b) vetting ---------------------------------------------------------------------------------


def write_vetting(world_dir: Path, *, people: int, seed: int) -> Path:
    """vetting.csv for link_world's register: the register re-drawn exactly as link_world draws it
    (the same seed, the same first draws), its leaving dates from personnel.csv (link_world ends
    some people's service after drawing them), and each person's clearances drawn by the demo
    world's vetting rules with a generator of their own."""
    from vigil.demo.world.force import _ShoulderNumbers
    from vigil.demo.world.model import FORCE
    from vigil.demo.world.names import _name_bank
    from vigil.demo.world.people import _assign_staff_ids, _ensure_namesakes, _make_person
    from vigil.demo.world.vetting import _vetting

    rng = Random(seed)
    bank = _name_bank()
    numbers = _ShoulderNumbers(people)
    register = [_make_person(rng, bank, numbers) for _ in range(people)]
    _assign_staff_ids(rng, register)
    _ensure_namesakes(rng, register)
    files = link_world_files(world_dir)
    with files.personnel.open(encoding="utf-8", newline="") as handle:
        left_on = {row["staff_id"]: row["left_on"] for row in csv.DictReader(handle)}
    by_staff_id = {person.staff_id: person for person in register}
    if set(by_staff_id) != set(left_on):
        raise SystemExit("the re-drawn register does not match personnel.csv (link_world changed?)")
    path = world_dir / "vetting.csv"
    partial = path.with_suffix(".partial")  # renamed when complete: an interrupted run is not reused
    draws = Random(seed + 1)
    rows = 0
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(VETTING_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for person in register:
            left = left_on[person.staff_id]
            person.left_on = date.fromisoformat(left) if left else None
            for clearance in _vetting(draws, person, None):
                writer.writerow(
                    {
                        "staff_id": person.staff_id,
                        "force": FORCE,
                        "level": clearance.level,
                        "granted_on": clearance.granted_on.isoformat(),
                        "expires_on": clearance.expires_on.isoformat() if clearance.expires_on else "",
                        "outcome": clearance.outcome,
                    }
                )
                rows += 1
    partial.replace(path)
    print(f"    {rows:,} vetting rows for {len(register):,} people")
    return path


# ---- (c) links, (e) the update: run in a child, with Django set up ---------------------------------


def _django() -> None:
    import django

    django.setup()


def child_links(truth: Path, seed: int) -> None:
    """Write one AllegationLink per allegation, from the truth (see the module's docstring)."""
    _django()
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT force, staff_id, id FROM people_person")
        person_id = {(force, staff_id): pk for force, staff_id, pk in cursor.fetchall()}
        everyone = sorted(person_id.values())
        cursor.execute("SELECT source_system, allegation_ref, id, row_hash FROM allegations_allegation")
        allegation = {(source, ref): (pk, row_hash) for source, ref, pk, row_hash in cursor.fetchall()}
    draws = Random(seed)
    linked_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    drawn = 0
    with truth.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pk, row_hash = allegation[(row["source_system"], row["allegation_ref"])]
            person = person_id.get((row["force"], row["staff_id"])) if row["staff_id"] else None
            if person is None:
                person = everyone[draws.randrange(len(everyone))]
                drawn += 1
            rows.append((pk, person, row_hash, linked_at))
    if len(rows) != len(allegation):
        raise SystemExit(f"truth names {len(rows):,} allegations, the database holds {len(allegation):,}")
    columns = (
        "allegation_id, person_id, allegation_row_hash, linked_at, "
        "status, match_probability, evidence, decision_reason"
    )
    copy_sql = "COPY linkage_allegationlink (" + columns + ") FROM STDIN"
    values = "VALUES (%s, %s, %s, %s, 'auto', 1.0, '[]', '')"
    insert_sql = f"INSERT INTO linkage_allegationlink ({columns}) {values}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM linkage_allegationlink")
        if connection.vendor == "postgresql":  # COPY: executemany is several times slower there
            with cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((*row, "auto", 1.0, "[]", ""))
        else:
            for start in range(0, len(rows), _LINK_BATCH):
                cursor.executemany(insert_sql, rows[start : start + _LINK_BATCH])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE linkage_allegationlink")
    print(
        f"{len(rows):,} links written ({drawn:,} of them to a person drawn at random) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def child_update(people: int, seed: int) -> None:
    """Re-score `people` people who have allegations (scores_compute(person_ids=...)), then bring
    their place in the cohort up to date; each timed on its own. Prints one JSON line."""
    _django()
    from django.db import connection, transaction

    from vigil.reviews.services import cohort_sync
    from vigil.risk.services import scores_compute

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT person_id FROM linkage_allegationlink WHERE person_id IS NOT NULL ORDER BY 1"
        )
        candidates = [pk for (pk,) in cursor.fetchall()]
    chosen = Random(seed).sample(candidates, min(people, len(candidates)))
    started = time.perf_counter()
    with transaction.atomic():
        result = scores_compute(person_ids=chosen, trigger="bench update")
        scored = time.perf_counter() - started
        synced = cohort_sync(person_ids=chosen, actor_label="bench update")
    total = time.perf_counter() - started
    assert result.run is not None
    print(
        "UPDATE "
        + json.dumps(
            {
                "people": len(chosen),
                "scored": result.run.people_scored,
                "changes": len(result.changes),
                "stages": result.seconds,
                "score_seconds": round(scored, 2),
                "cohort_seconds": round(total - scored, 2),
                "cohort": synced,
            }
        )
    )


# ---- the run -------------------------------------------------------------------------------------


def _step(command: list[str], env: dict[str, str], name: str) -> Measured:
    done = measure(command, env)
    if done.returncode:
        sys.exit(f"{name} failed (exit {done.returncode})")
    print(f"    {name}: {done.wall_seconds:.1f} s, peak {_gb(done.peak_bytes):.2f} GB")
    return done


class SQLiteDatabase:
    """The pristine database is a file in the world's directory; each run works on a copy."""

    label = "SQLite"

    def __init__(self, world_dir: Path, workdir: Path) -> None:
        self.pristine = world_dir / "vigil-data"
        self.run_dir = workdir / "run"

    def built(self, args: argparse.Namespace) -> bool:
        return (self.pristine / "built.json").exists()

    def pristine_env(self, *, fresh: bool) -> dict[str, str]:
        if fresh:
            shutil.rmtree(self.pristine, ignore_errors=True)
            self.pristine.mkdir(parents=True)
        return _env(self.pristine)

    def mark_built(self, args: argparse.Namespace) -> None:
        (self.pristine / "built.json").write_text(
            json.dumps({"people": args.people, "allegations": args.allegations, "seed": args.seed})
        )

    def copy_env(self) -> dict[str, str]:
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        for name in ("vigil.sqlite3", "secret_key", "seal_keys"):
            if (self.pristine / name).exists():
                shutil.copy2(self.pristine / name, self.run_dir / name)
        return _env(self.run_dir)

    def drop_copy(self) -> None:
        shutil.rmtree(self.run_dir, ignore_errors=True)


class PostgresDatabase:
    """On the server --database-url names: the pristine database is vigil_score_pristine, each
    run a copy made from it as a template (vigil_score_run, dropped afterwards). Secret and seal
    keys are kept in the world's directory, vigil-data-pg."""

    label = "PostgreSQL"
    PRISTINE = "vigil_score_pristine"
    RUN = "vigil_score_run"

    def __init__(self, url: str, world_dir: Path) -> None:
        self.url = url
        self.data_dir = world_dir / "vigil-data-pg"

    def _url(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(_libpq(self.url), autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def built(self, args: argparse.Namespace) -> bool:
        import psycopg

        try:
            with psycopg.connect(_libpq(self._url(self.PRISTINE))) as db:
                row = db.execute("SELECT count(*) FROM linkage_allegationlink").fetchone()
        except psycopg.Error:
            return False
        return row is not None and row[0] == args.allegations

    def pristine_env(self, *, fresh: bool) -> dict[str, str]:
        if fresh:
            self._admin(f"DROP DATABASE IF EXISTS {self.PRISTINE}", f"CREATE DATABASE {self.PRISTINE}")
            self.data_dir.mkdir(parents=True, exist_ok=True)
        return _env(self.data_dir, self._url(self.PRISTINE))

    def mark_built(self, args: argparse.Namespace) -> None:
        pass  # built() counts the links

    def copy_env(self) -> dict[str, str]:
        self._admin(
            f"DROP DATABASE IF EXISTS {self.RUN}", f"CREATE DATABASE {self.RUN} TEMPLATE {self.PRISTINE}"
        )
        return _env(self.data_dir, self._url(self.RUN))

    def drop_copy(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.RUN}")


def _libpq(url: str) -> str:
    """A postgresql:// URL as dj-database-url reads it (the host may be a percent-encoded socket
    directory) in the key=value form libpq takes."""
    parts = urlsplit(url)
    fields = {
        "host": unquote(parts.hostname or ""),
        "port": str(parts.port or ""),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/"),
    }
    return " ".join(f"{key}={value}" for key, value in fields.items() if value)


Database = SQLiteDatabase | PostgresDatabase


def build_database(args: argparse.Namespace, world_dir: Path, database: Database) -> None:
    files = link_world_files(world_dir)
    vetting = world_dir / "vetting.csv"
    if not vetting.exists():
        print("(b) vetting: drawing clearances for the register ...")
        started = time.perf_counter()
        write_vetting(world_dir, people=args.people, seed=args.seed)
        print(f"    written in {time.perf_counter() - started:.1f} s")
    else:
        print(f"(b) vetting: reusing {vetting}")
    print(f"(c) import into a fresh {database.label} database (not part of the measure)")
    env = database.pristine_env(fresh=True)
    _step([VIGIL, "init", *_QUIET], env, "vigil init")
    imports = (("personnel", files.personnel), ("vetting", vetting), ("allegations", files.allegations))
    for kind, path in imports:
        _step([VIGIL, "import", kind, str(path), "--no-progress", *_QUIET], env, f"vigil import {kind}")
    _step(
        [sys.executable, __file__, "_links", str(files.truth), "--seed", str(args.seed)],
        env,
        "links from the truth (bulk SQL)",
    )
    database.mark_built(args)


def _score_lines(output: str) -> list[str]:
    return [line.rstrip() for line in output.splitlines() if line.strip()]


def _stage_seconds(output: str) -> dict[str, float]:
    """The stages `vigil score` prints: "  time: read 6.3s, score 11.8s, write 3.8s"."""
    line = next((line for line in output.splitlines() if line.strip().startswith("time:")), "")
    stages = {}
    for part in line.split(":", 1)[-1].split(","):
        name, _, secs = part.strip().rpartition(" ")
        if name and secs.endswith("s"):
            stages[name] = float(secs[:-1])
    return stages


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_links", "_update"):
        child = argparse.ArgumentParser()
        child.add_argument("mode")
        child.add_argument("value")
        child.add_argument("--seed", type=int, default=DEFAULT_SEED)
        options = child.parse_args()
        if options.mode == "_links":
            child_links(Path(options.value), options.seed)
        else:
            child_update(int(options.value), options.seed)
        return

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=BENCH / "out" / "score-scale")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--allegations", type=int, default=DEFAULT_ALLEGATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--update-people", type=int, default=1_000, help="people in the update (1,000)")
    parser.add_argument("--runs", type=int, default=2, help="`vigil score` runs on the same copy (2)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgresql://USER@HOST:PORT/DB) instead of SQLite: databases "
        f"{PostgresDatabase.PRISTINE} and {PostgresDatabase.RUN} are made on it",
    )
    args = parser.parse_args()

    memory = psutil.virtual_memory().total
    machine = (
        f"{platform.platform()}, {cpu_model()}, {os.cpu_count()} cores, {_gb(memory):.0f} GB, "
        f"Python {platform.python_version()}"
    )
    print(f"machine: {machine}")
    world_dir = args.workdir / f"world-{args.people}x{args.allegations}-seed{args.seed}"
    files = link_world_files(world_dir)
    if files.exist():
        print(f"(a) problem: reusing {world_dir}")
    else:
        print(f"(a) problem: generating {args.people:,} people x {args.allegations:,} allegations ...")
        started = time.perf_counter()
        write_link_world(world_dir, people=args.people, allegations=args.allegations, seed=args.seed)
        print(f"    generated in {time.perf_counter() - started:.1f} s")

    database: Database = (
        PostgresDatabase(args.database_url, world_dir)
        if args.database_url
        else SQLiteDatabase(world_dir, args.workdir)
    )
    if args.rebuild or not database.built(args):
        build_database(args, world_dir, database)
    else:
        print(f"(b, c) database: reusing the {database.label} database built before")

    print(f"(d) `vigil score` on a fresh copy of the database ({database.label})")
    env = database.copy_env()
    runs: list[Measured] = []
    for number in range(1, args.runs + 1):
        print(f"    run {number}:")
        scored = measure([VIGIL, "score", "--no-progress", *_QUIET], env)
        if scored.returncode:
            sys.exit(f"vigil score failed (exit {scored.returncode})")
        runs.append(scored)

    print(f"(e) update: scores_compute(person_ids=...) for {args.update_people:,} people")
    update = measure(
        [sys.executable, __file__, "_update", str(args.update_people), "--seed", str(args.seed)], env
    )
    if update.returncode:
        sys.exit(f"the update failed (exit {update.returncode})")
    figures = json.loads(next(line for line in update.output.splitlines() if line.startswith("UPDATE "))[7:])

    print()
    print(f"machine: {machine}")
    print(
        f"{args.people:,} people x {args.allegations:,} allegations, {database.label} "
        "(target: vigil score < 60 s)"
    )
    print(f"{'run':<34} {'wall s':>8} {'peak GB':>8}")
    for number, run in enumerate(runs, 1):
        name = "vigil score (first: cohort built)" if number == 1 else f"vigil score (run {number})"
        print(f"{name:<34} {run.wall_seconds:>8.1f} {_gb(run.peak_bytes):>8.2f}")
        for line in _score_lines(run.output):
            print(f"    | {line}")
        stages = _stage_seconds(run.output)
        print(
            f"    scores_compute {sum(stages.values()):.1f} s; the rest (start-up, cohort_sync) "
            f"{run.wall_seconds - sum(stages.values()):.1f} s"
        )
    print(
        f"{'update of ' + format(figures['people'], ',') + ' people (child)':<34} "
        f"{update.wall_seconds:>8.1f} {_gb(update.peak_bytes):>8.2f}"
    )
    print(
        f"    | scores_compute {figures['score_seconds']:.2f} s (stages {figures['stages']}), "
        f"{figures['scored']:,} scored, {figures['changes']:,} changed; "
        f"cohort_sync {figures['cohort_seconds']:.2f} s {figures['cohort']}"
    )
    database.drop_copy()


if __name__ == "__main__":
    main()
