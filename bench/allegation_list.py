"""Benchmark: the allegation list page over 1,000,000 allegations in SQLite. Prints figures; not a
test. Rows go in through the real importer (the file bench/import_allegations.py generates); the
page is fetched through Django's test Client, so the figures include middleware, need-to-know, the
query and rendering. Two users, as need-to-know shapes what each list holds:
  - an assessor in the team holding the caseload: sees every row;
  - a reviewer whose team is assigned 500 people (the allegations naming them) and 2,000 single
    allegations: sees ~0.3% of the rows, so the page query must skip past the rest.

    .venv/bin/python bench/allegation_list.py [--rows 1000000] [--requests 20]

Each scenario is timed twice: on the freshly loaded database, then after ANALYZE (so SQLite's
planner has statistics)."""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load(rows: int) -> float:
    """Import the same generated file as bench/import_allegations.py, through the real importer."""
    from import_allegations import write_file  # beside this script
    from vigil.imports.services import contract_file_import

    data = ROOT / "bench" / "out" / f"allegations-{rows}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        write_file(data, rows)
    started = time.perf_counter()
    contract_file_import(kind="allegations", path=data, imported_by="bench")
    return time.perf_counter() - started


def assign(*, assessor: Any, reviewer: Any) -> int:
    """Need-to-know for the two bench users (bulk, not through the audited services: set-up only).
    Returns how many allegations the reviewer's team sees."""
    import random

    from django.utils import timezone

    from vigil.accounts.access import allegations_visible_q
    from vigil.accounts.models import AccessGrant, GrantTarget, Team
    from vigil.allegations.models import Allegation
    from vigil.people.models import Person

    now = timezone.now()
    unit = Team.objects.create(name="Assessment Unit")
    unit.members.add(assessor)
    AccessGrant.objects.create(team=unit, target=GrantTarget.CASELOAD, reason="bench", granted_at=now)
    review = Team.objects.create(name="Review Team")
    review.members.add(reviewer)
    rng = random.Random(62)
    people = Person.objects.bulk_create(
        Person(force="BENCH", staff_id=str(staff_id), surname="Bench", forenames="Person", row_hash="")
        for staff_id in rng.sample(range(100000, 400000), 500)
    )
    ids = list(Allegation.objects.values_list("id", flat=True))
    AccessGrant.objects.bulk_create(
        [
            AccessGrant(team=review, target=GrantTarget.PERSON, person=p, reason="bench", granted_at=now)
            for p in people
        ]
        + [
            AccessGrant(
                team=review, target=GrantTarget.ALLEGATION, allegation_id=pk, reason="bench", granted_at=now
            )
            for pk in rng.sample(ids, min(2000, len(ids)))
        ]
    )
    return Allegation.objects.filter(allegations_visible_q(reviewer)).count()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(client: Any, url: str, requests: int) -> tuple[float, float, int, int, str]:
    """(p50 ms, p95 ms, rows shown, queries per request, plan of the page query) over `requests`
    GETs after 2 warm-ups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200
    shown = response.content.count(b'<th scope="row">')
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    page_sql = next(
        q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"] and "LIMIT 51" in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + page_sql)
        # The step that reads allegations (the joins to the reference tables are primary-key lookups);
        # a "USE TEMP B-TREE FOR ORDER BY" step would mean a sort, i.e. reading every matching row.
        steps = [row[-1] for row in cursor.fetchall()]
        plan = "; ".join(step for step in steps if "allegations_allegation" in step or "TEMP" in step)
    return statistics.median(samples), percentile(samples, 0.95), shown, len(captured), plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        os.environ["VIGIL_DATA_DIR"] = workdir
        os.environ["VIGIL_DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        # WhiteNoise warns that STATIC_ROOT was never collected: irrelevant here.
        warnings.filterwarnings("ignore", "No directory at")
        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from vigil.accounts.roles import Role
        from vigil.accounts.services import random_password, user_create

        call_command("migrate", verbosity=0)
        seconds = load(args.rows)
        size = Path(workdir, "bench.sqlite3").stat().st_size / 1e6
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"imported {args.rows:,} allegations in {seconds:.1f} s; database {size:,.0f} MB")

        with connection.cursor() as cursor:
            deep = int(args.rows * 0.9)
            cursor.execute(
                "SELECT received_on, id FROM allegations_allegation ORDER BY received_on DESC, id DESC "
                "LIMIT 1 OFFSET %s",
                [deep],
            )
            received_on, pk = cursor.fetchone()
            cursor.execute(
                "SELECT received_on, id FROM allegations_allegation WHERE category = 'rape' "
                "ORDER BY received_on DESC, id DESC LIMIT 1 OFFSET %s",
                [deep // 6],  # rape is one of the six categories the generated file uses
            )
            rape_on, rape_pk = cursor.fetchone()
        cursor_token = f"{received_on}_{pk}"
        scenarios = [
            ("first page, unfiltered", "/allegations/"),
            ("filtered by category (rape)", "/allegations/?category=rape"),
            (
                "source + date range (hotline, 2019-2020)",
                "/allegations/?source=hotline&received_from=2019-01-01&received_to=2020-12-31",
            ),
            ("outcome (misconduct proven)", "/allegations/?outcome=misconduct_proven"),
            (f"deep page, row ~{deep:,} (Older cursor)", f"/allegations/?before={cursor_token}"),
            (f"deep page, row ~{deep:,} (Newer cursor)", f"/allegations/?after={cursor_token}"),
            (
                "deep page in category (rape, ~90% down)",
                f"/allegations/?category=rape&before={rape_on}_{rape_pk}",
            ),
            (
                "category + source + dates (rare mix)",
                "/allegations/?category=rape&source=intelligence&received_from=2024-01-01&received_to=2024-03-31",
            ),
        ]

        clients = {name: Client(HTTP_HOST="localhost") for name in ("assessor (caseload)", "reviewer (team)")}
        assessor = user_create(username="bench_assessor", password=random_password(), roles=[Role.ASSESSOR])
        reviewer = user_create(username="bench_reviewer", password=random_password(), roles=[Role.REVIEWER])
        visible = assign(assessor=assessor, reviewer=reviewer)
        print(f"the reviewer's team sees {visible:,} of {args.rows:,} allegations")
        clients["assessor (caseload)"].force_login(assessor)
        clients["reviewer (team)"].force_login(reviewer)

        for (label, analyse), (who, client) in itertools.product(
            (("fresh load (no ANALYZE)", False), ("after ANALYZE", True)), clients.items()
        ):
            if analyse and who.startswith("assessor"):
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                print(f"\nANALYZE took {time.perf_counter() - started:.1f} s")
            print(f"\n{label}, as the {who}: {args.requests} requests each (after 2 warm-ups), ms")
            print(f"{'scenario':48} {'p50':>8} {'p95':>8} {'rows':>5} {'queries':>8}")
            plans = []
            for name, url in scenarios:
                p50, p95, shown, queries, plan = measure(client, url, args.requests)
                print(f"{name:48} {p50:8.1f} {p95:8.1f} {shown:5d} {queries:8d}")
                plans.append(f"  {name}: {plan}")
            print("query plans (page query):", *plans, sep="\n")

        connection.close()


if __name__ == "__main__":
    main()
