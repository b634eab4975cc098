"""The oversight dashboard benchmark (issue 7): the dashboard must answer in under 500 ms with
1,000,000 allegations on PostgreSQL.

    .venv/bin/python bench/oversight_dashboard.py [--database-url 'postgresql://USER@%2Fsocket%2Fdir:PORT/postgres']
        [--workdir bench/out/score-scale] [--people 300000] [--allegations 1000000]
        [--reports 3000] [--decided 0.4] [--runs 20]

The world is bench/score_scale.py's, built the same way and cached in the same --workdir (300,000
staff, 1,000,000 allegations linked from the ground truth with bulk SQL; see that file). Without
--database-url a throwaway PostgreSQL 15 cluster is started on a Unix socket (bench/intake_surge.py's,
fsync off: this bench reads) and stopped at the end. Then, on a fresh copy of the pristine database:
`vigil score` once (scores, bands, and a review opened for everyone in the cohort); --decided of the
cohort's reviews decided with a route drawn at random, over the last 26 weeks (bulk SQL, as a
year of review work would leave them); --reports hotline reports filed through `report_file`, a
third naming a register person as the call handler's pick, and four in five triaged through
`triage_decide` by an assessor. Last, in a child process with Django set up, an analyst signs in
and GET /oversight/ is timed through Django's test client (the whole middleware stack, template
rendered; no network): the first view with no counted figures (it counts them), then --runs
times after one more warm-up, with each part of the figures timed on its own beside it (the
recount too: what the first view after a change, at most every VIGIL_OVERSIGHT_RECOUNT_MINUTES,
costs). Disclosure control (vigil.oversight.disclosure, cached per distinct count in the worker) is
timed on its own too: cold (its caches emptied, as the first view after a recount that changed
the figures pays it) and cached, and one more view right after a recount with the caches emptied.
Prints the figures; exits 1 if the p95 is 500 ms or more.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from random import Random

from intake_surge import postgres_start, postgres_version  # bench/ is on sys.path
from link_world import DEFAULT_ALLEGATIONS, DEFAULT_PEOPLE, link_world_files, write_link_world
from machine import cpu_model, ram_gb
from score_scale import _QUIET, VIGIL, PostgresDatabase, build_database, measure
from vigil.demo.world import DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 500.0


def _django() -> None:
    import django

    django.setup()


def child_prepare(reports: int, decided: float, seed: int) -> None:
    """Decide some of the cohort's reviews (bulk SQL) and file and triage hotline reports."""
    _django()
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from vigil.accounts.roles import Role
    from vigil.accounts.services import access_grant, team_ensure, user_create
    from vigil.allegations.vocabularies import CATEGORIES
    from vigil.intake.models import Channel, TriageRoute
    from vigil.intake.services import ReportInput, report_file, triage_decide
    from vigil.reviews.models import ReviewStatus, Route

    rng = Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id FROM reviews_personreview WHERE in_cohort ORDER BY 1")
        cohort = [pk for (pk,) in cursor.fetchall()]
        chosen = rng.sample(cohort, int(len(cohort) * decided))
        routes = [code for code, _label in Route.choices]
        rows = [
            (rng.choice(routes), now - dt.timedelta(seconds=rng.randrange(26 * 7 * 86400)), pk)
            for pk in chosen
        ]
        with transaction.atomic():
            cursor.executemany(
                "UPDATE reviews_personreview SET status = %s, route = %s, decided_at = %s, status_since = %s"
                " WHERE person_id = %s",
                [(ReviewStatus.DECIDED, route, at, at, pk) for route, at, pk in rows],
            )
        cursor.execute("SELECT id FROM people_person WHERE left_on IS NULL ORDER BY id")
        serving = [pk for (pk,) in cursor.fetchall()]
    print(
        f"    {len(chosen):,} of {len(cohort):,} cohort reviews decided "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    handler = user_create(username="bench-oversight-handler", password="x" * 20, roles=[Role.CALL_HANDLER])
    assessor = user_create(username="bench-oversight-assessor", password="x" * 20, roles=[Role.ASSESSOR])
    team = team_ensure(name="Bench oversight assessment", members=[assessor])
    access_grant(granted_by=None, reason="oversight benchmark", team=team, caseload=True)
    categories = CATEGORIES.codes()
    triage_routes = [code for code, _label in TriageRoute.choices if code != TriageRoute.NO_FURTHER_ACTION]
    filed = []
    for start in range(0, reports, 200):
        with transaction.atomic():
            for _ in range(min(200, reports - start)):
                data = ReportInput(
                    caller_type="colleague",
                    narrative="He follows her to the car park after shifts and sends messages at night.",
                    category=rng.choice(categories),
                    subject_name="PC Smith",
                    handler_candidate_id=rng.choice(serving) if rng.random() < 1 / 3 else None,
                    received_at=now - dt.timedelta(seconds=rng.randrange(60 * 86400)),
                )
                report, _created = report_file(data=data, channel=Channel.FORM, call_handler=handler)
                filed.append(report.pk)
    for report_id in filed:
        if rng.random() < 0.8:
            triage_decide(
                report_id=report_id,
                by=assessor,
                route=rng.choice(triage_routes),
                reasons="Benchmark triage: the pattern described needs looking at.",
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"    {reports:,} hotline reports filed, ~80% triaged, in {time.perf_counter() - started:.1f} s")


def _disclosure_caches_clear() -> None:
    """Empty disclosure control's per-worker caches, as a count with new figures finds them."""
    from vigil.oversight import disclosure

    disclosure._cached_group_figures.cache_clear()
    disclosure._WITHHELD_CACHE.clear()


def _cold(part: Callable[[], object]) -> Callable[[], object]:
    """`part` with disclosure control's caches emptied first (not timed: emptying is instant)."""

    def run() -> object:
        _disclosure_caches_clear()
        return part()

    return run


def child_measure(runs: int) -> None:
    """Time GET /oversight/ as an analyst, and each part of the figures; one JSON line."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from vigil.accounts.roles import Role
    from vigil.accounts.services import user_create
    from vigil.oversight import disclosure, progress, selectors, services
    from vigil.oversight.models import CountedFigures

    analyst = user_create(username="bench-oversight-analyst", password="x" * 20, roles=[Role.ANALYST])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(analyst)
    CountedFigures.objects.all().delete()  # the first view counts, as after a change
    started = time.perf_counter()
    first = client.get("/oversight/")
    first_ms = (time.perf_counter() - started) * 1000
    warm = client.get("/oversight/")
    if first.status_code != 200 or warm.status_code != 200:
        raise SystemExit(f"GET /oversight/ answered {first.status_code}, {warm.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/oversight/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    counted = services.counted_figures_current()
    figures = selectors.oversight_figures(counted)
    parts = {}
    for name, part in (
        ("progress (live)", lambda: progress.progress(outcome_median_days=counted.outcome_median_days)),
        ("every figure, from the counted ones", lambda: selectors.oversight_figures(counted)),
        # Cached first (the chart too): the views above have filled the caches; the cold parts
        # empty them.
        ("disclosure control, cached", lambda: disclosure.control(figures)),
        ("released_figures, cached (view's)", lambda: disclosure.released_figures(counted)),
        ("chart image stages-ethnicity", lambda: client.get("/oversight/charts/stages-ethnicity.svg")),
        ("disclosure control, cold (all)", _cold(lambda: disclosure.control(figures))),
        ("... figures by group, cold", _cold(lambda: disclosure.control_group_figures(counted))),
        ("... progress figures, cold", _cold(lambda: disclosure.control_progress(figures.progress))),
        ("count: allegation groups", selectors.allegation_groups),
        ("count: risk bands", selectors.risk_band_groups),
        ("count: hotline referrals", selectors.hotline_referral_groups),
        ("count: review routes", selectors.review_route_groups),
        ("count: time to an outcome", lambda: progress.outcome_median_days_count(timezone.localdate())),
        ("recount, all (a view after a change)", services.counted_figures_recount),
    ):
        started = time.perf_counter()
        for _ in range(3):
            part()
        parts[name] = (time.perf_counter() - started) * 1000 / 3
    # The first view after a recount (figures changed, so the control's caches miss), the
    # recount itself not included: it is timed above.
    services.counted_figures_recount()
    _disclosure_caches_clear()
    started = time.perf_counter()
    after_recount = client.get("/oversight/")
    after_recount_ms = (time.perf_counter() - started) * 1000
    assert after_recount.status_code == 200
    systems = [
        {"atoms": len(system.atoms), "figures": len(system.figures), "withheld": len(hidden)}
        for system, hidden in disclosure.control(figures).systems
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM allegations_allegation")
        allegations = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM linkage_allegationlink WHERE person_id IS NOT NULL")
        links = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM reviews_personreview WHERE in_cohort")
        cohort = cursor.fetchone()[0]
    ordered = sorted(times)
    print(
        "MEASURE "
        + json.dumps(
            {
                "runs": runs,
                "p50_ms": statistics.median(ordered),
                "p95_ms": ordered[max(0, round(0.95 * len(ordered)) - 1)],
                "max_ms": ordered[-1],
                "first_view_ms": first_ms,
                "after_recount_view_ms": after_recount_ms,
                "disclosure_systems": systems,
                "bytes": len(warm.content),
                "parts_ms": parts,
                "allegations": allegations,
                "links": links,
                "cohort": cohort,
                "server": postgres_version(),
            }
        )
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_prepare", "_measure"):
        child = argparse.ArgumentParser()
        child.add_argument("mode")
        child.add_argument("--reports", type=int, default=0)
        child.add_argument("--decided", type=float, default=0.0)
        child.add_argument("--runs", type=int, default=0)
        child.add_argument("--seed", type=int, default=DEFAULT_SEED)
        options = child.parse_args()
        if options.mode == "_prepare":
            child_prepare(options.reports, options.decided, options.seed)
        else:
            child_measure(options.runs)
        return 0

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL server; default: a throwaway one")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "score-scale")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--allegations", type=int, default=DEFAULT_ALLEGATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reports", type=int, default=3_000, help="hotline reports filed (3,000)")
    parser.add_argument("--decided", type=float, default=0.4, help="share of the cohort decided (0.4)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests (20)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the measured copy (vigil_score_run) to look into"
    )
    args = parser.parse_args()

    machine = (
        f"{platform.platform()}, {cpu_model()}, {os.cpu_count()} cores, {ram_gb():.0f} GB, "
        f"Python {platform.python_version()}"
    )
    print(f"machine: {machine}")
    server = None if args.database_url else postgres_start(fsync=False)
    url = args.database_url or (server.url if server else "")
    try:
        world_dir = args.workdir / f"world-{args.people}x{args.allegations}-seed{args.seed}"
        if link_world_files(world_dir).exist():
            print(f"(a) problem: reusing {world_dir}")
        else:
            print(f"(a) problem: generating {args.people:,} people x {args.allegations:,} allegations ...")
            write_link_world(world_dir, people=args.people, allegations=args.allegations, seed=args.seed)
        database = PostgresDatabase(url, world_dir)
        if not database.built(args):
            build_database(args, world_dir, database)
        else:
            print("(b, c) database: reusing the PostgreSQL database built before")
        env = database.copy_env()
        print("(d) vigil score (scores, bands, the review cohort)")
        scored = measure([VIGIL, "score", "--no-progress", *_QUIET], env)
        if scored.returncode:
            sys.exit(f"vigil score failed (exit {scored.returncode})")
        print(f"    {scored.wall_seconds:.1f} s")
        print("(e) reviews decided, hotline reports filed and triaged")
        prepared = measure(
            [
                sys.executable,
                __file__,
                "_prepare",
                f"--reports={args.reports}",
                f"--decided={args.decided}",
                f"--seed={args.seed}",
            ],
            env,
        )
        print(prepared.output)
        if prepared.returncode:
            sys.exit("preparing failed")
        print(f"(f) GET /oversight/ as an analyst, {args.runs} times after one warm-up")
        done = measure([sys.executable, __file__, "_measure", f"--runs={args.runs}"], env)
        if done.returncode:
            print(done.output)
            sys.exit("measuring failed")
        figures = json.loads(
            next(line for line in done.output.splitlines() if line.startswith("MEASURE "))[8:]
        )
        if args.keep:
            print(
                f"kept: VIGIL_DATABASE_URL={env['VIGIL_DATABASE_URL']} VIGIL_DATA_DIR={env['VIGIL_DATA_DIR']}"
            )
        else:
            database.drop_copy()
    finally:
        if server is not None:
            server.stop()

    print()
    print(f"machine: {machine}")
    print(
        f"{figures['server']}; {figures['allegations']:,} allegations, "
        f"{figures['links']:,} linked to a person, "
        f"{figures['cohort']:,} people in the cohort"
    )
    print(
        f"GET /oversight/: p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
        f"max {figures['max_ms']:.0f} ms over {figures['runs']} requests; "
        f"{figures['bytes']:,} bytes (target: < {TARGET_MS:.0f} ms)"
    )
    print(f"first view, counting the figures: {figures['first_view_ms']:.0f} ms")
    print(
        "first view after a recount (disclosure control cold, recount not included): "
        f"{figures['after_recount_view_ms']:.0f} ms"
    )
    print(
        "disclosure systems (atoms/figures/withheld): "
        + ", ".join(f"{s['atoms']}/{s['figures']}/{s['withheld']}" for s in figures["disclosure_systems"])
    )
    for name, ms in figures["parts_ms"].items():
        print(f"    {name:<34} {ms:>7.0f} ms")
    return 0 if figures["p95_ms"] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
