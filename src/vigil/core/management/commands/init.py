"""`vigil init` — create or upgrade the database schema. Safe to run again at any time: it
applies only what is missing. Reference data and role groups are synced by post_migrate handlers
(vigil.allegations.apps, vigil.accounts.apps), which Django's migrate runs on every call."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from vigil.core.serving import describe_database, unapplied_migrations


class Command(BaseCommand):
    help = "Create or upgrade the database schema (idempotent); syncs reference data and role groups."

    def handle(self, *args: Any, **options: Any) -> None:
        database = describe_database(DEFAULT_DB_ALIAS)
        try:
            pending = unapplied_migrations(DEFAULT_DB_ALIAS)
            # migrate's own per-migration lines only with -v 2 and up: the default is one line.
            call_command(
                "migrate",
                database=DEFAULT_DB_ALIAS,
                interactive=False,
                verbosity=max(0, options["verbosity"] - 1),
                stdout=self.stdout,
                stderr=self.stderr,
            )
            left = unapplied_migrations(DEFAULT_DB_ALIAS)
        except DatabaseError as error:
            raise CommandError(f"{database}: {error}".strip()) from error
        if left:  # cannot happen unless migrate itself misbehaves; say so rather than claim success
            raise CommandError(f"{database}: {len(left)} migration(s) still not applied: {', '.join(left)}")
        if pending:
            status = f"applied {len(pending)} migration(s), schema up to date"
        else:
            status = "schema up to date, no migrations to apply"
        self.stdout.write(f"vigil init: {database}: {status}")
