"""`vigil serve` — serve the web app with waitress (static assets included, through WhiteNoise)."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from vigil.core.serving import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_THREADS,
    describe_database,
    schema_problem,
    serve,
    serving_message,
)


class Command(BaseCommand):
    help = "Serve Vigil over HTTP with waitress. Refuses to start until `vigil init` has built the schema."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
        )
        parser.add_argument(
            "--threads", type=int, default=DEFAULT_THREADS, help=f"worker threads (default {DEFAULT_THREADS})"
        )
        parser.add_argument(
            "--trusted-proxy",
            default=os.environ.get("VIGIL_TRUSTED_PROXY") or None,
            help="address of the TLS proxy in front of Vigil, whose X-Forwarded-Proto/-For are believed "
            "(default $VIGIL_TRUSTED_PROXY)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["port"] <= 65535:
            raise CommandError(f"--port must be between 0 and 65535, not {options['port']}")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1")
        try:
            problem = schema_problem()
        except DatabaseError as error:
            raise CommandError(f"cannot reach {describe_database()}: {error}".strip()) from error
        if problem is not None:
            raise CommandError(f"{problem}. Run `vigil init` first.")
        host: str = options["host"]
        allowed = settings.ALLOWED_HOSTS
        if host not in allowed and "*" not in allowed and host not in {"0.0.0.0", "::"}:  # noqa: S104
            # Django answers 400 to a Host header it does not allow: say so now, not per request.
            self.stderr.write(
                f"warning: {host} is not in VIGIL_ALLOWED_HOSTS ({', '.join(allowed)}); "
                "requests using that name will be refused"
            )
        serve(
            host,
            options["port"],
            options["threads"],
            trusted_proxy=options["trusted_proxy"],
            on_ready=self._announce,
        )

    def _announce(self, url: str) -> None:
        self.stdout.write(serving_message(url))
        self.stdout.flush()  # a pipe would hold the line back, and whoever waits for it hangs
