"""`vigil demo` — build the synthetic force (if the database is empty), create one login per role,
print them, and serve the web UI. Part of the public command contract."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from vigil.core.serving import DEFAULT_HOST, DEFAULT_PORT, describe_database, serve, serving_message
from vigil.demo.services import (
    DEMO_SEED,
    DEMO_STAFF,
    demo_access_ensure,
    demo_hotline_ensure,
    demo_logins_ensure,
    demo_reviews_ensure,
    demo_world_load,
)
from vigil.imports.engine import Progress
from vigil.linkage.runs import link_allegations
from vigil.reviews.services import cohort_sync
from vigil.risk.services import scores_compute


class Command(BaseCommand):
    help = (
        "Build a synthetic force (if the database is empty), print one login per role and serve the web UI."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="build the database and exit (for scripts)"
        )
        parser.add_argument("--host", default=DEFAULT_HOST)
        parser.add_argument("--port", type=int, default=DEFAULT_PORT)
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="seed of the synthetic world")
        parser.add_argument("--staff", type=int, default=DEMO_STAFF, help="size of the synthetic workforce")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database: {describe_database()}")
        reports = demo_world_load(
            directory=settings.DATA_DIR / "demo-world",
            seed=options["seed"],
            staff=options["staff"],
            progress=Progress.auto(),
        )
        if reports:
            for report in reports:
                self.stdout.write(f"  imported {report.kind}: {report.counts.created:,} rows")
            self.stdout.write(f"Synthetic force built in {time.perf_counter() - started:.1f} s.")
            # Link every allegation to the register (vigil link --full), so the review queue and
            # each person's linked allegations are there from the start.
            linked = link_allegations(full=True)
            self.stdout.write(
                "  linked: "
                + ", ".join(f"{count:,} {status}" for status, count in sorted(linked.counts.items()))
                + f" (vigil link, model v{linked.run.model.version})"
            )
            # Score everyone and fill the review cohort (vigil score): the baseline that later
            # links and imports update, raising reconsider tasks.
            scored = scores_compute(trigger="vigil demo")
            synced = cohort_sync(actor_label="vigil demo")
            bands = ", ".join(f"{scored.counts.get(band, 0):,} {band}" for band in ("high", "medium", "low"))
            self.stdout.write(
                f"  scored: {bands}; review cohort: {synced['entered']:,} awaiting review (vigil score)"
            )
        else:
            self.stdout.write("The register already holds people: the synthetic force was not rebuilt.")
        logins_file = settings.DATA_DIR / "demo-logins.txt"
        logins = demo_logins_ensure(logins_file=logins_file)
        self.stdout.write(f"\nLogins (synthetic data only; also in {logins_file}):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.password}   ({login.role.label})")
        self.stdout.write(
            "  supervisor, auditor and administrator also need an authenticator app (TOTP): "
            "at first sign-in Vigil shows a QR code to scan."
        )
        access = demo_access_ensure()
        if access is not None:
            self.stdout.write(
                "\nNeed-to-know: each login sees only what it is assigned.\n"
                f"  assessor, supervisor  {access.caseload_team}: the whole caseload\n"
                f"  reviewer              {access.review_team}: "
                f"{access.review_cohort} people named by two or more allegations\n"
                f"  investigator          one subject by name: {access.investigator_subject}\n"
                f"  restricted record     {access.restricted_subject}: only the supervisor\n"
                f"  reviewer's own record {access.reviewer_own_record}; declared conflict on staff ID "
                f"{access.reviewer_conflict} (both refused; any attempt shows in the auditor's viewer)"
            )
        reviews = demo_reviews_ensure()
        if reviews is not None:
            confirmed = (
                f"a reconsider task: link {reviews.reconsider} confirmed"
                if reviews.reconsider
                else "no waiting link to confirm"
            )
            self.stdout.write(
                "\nReview work in progress (Review queue, Tasks):\n"
                f"  reviewer              assigned {', '.join(reviews.assigned)}\n"
                f"  supervisor            {reviews.restricted} restricted, its review date passed "
                f"(overdue); {confirmed}"
            )
        hotline = demo_hotline_ensure()
        if hotline is not None:
            self.stdout.write(
                "\nHotline (New hotline report, Hotline triage):\n"
                f"  assessor              {hotline.waiting} reports awaiting triage, {hotline.urgent} "
                f"urgent; two calls about one incident ({hotline.repeats_about}) for the repeat check\n"
                f"  supervisor            {hotline.awaiting_approval} no-further-action decision on a "
                "sexual-offence report to approve or return\n"
                f"  intake API            client {hotline.client_name!r}, token (shown once): "
                f"{hotline.client_token}\n"
                "                        POST /api/intake/v1/reports; the schema is /api/openapi.json"
            )
        if options["no_serve"]:
            return
        serve(
            options["host"],
            options["port"],
            on_ready=lambda url: self.stdout.write(f"\nOpen {url} and sign in.\n{serving_message(url)}"),
        )
