"""vigil intake-client add NAME [--rate N] | list | revoke NAME: the intake API's clients."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.intake.models import IntakeClient
from vigil.intake.services import IntakeError, intake_client_create, intake_client_revoke


class Command(BaseCommand):
    help = "Add, list or revoke the systems allowed to push reports to the intake API."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="a new client; prints its token once")
        add.add_argument("name")
        add.add_argument("--rate", type=int, default=6000, help="requests a minute (default 6000)")
        actions.add_parser("list", help="every client, active or revoked")
        revoke = actions.add_parser("revoke", help="refuse the client's token from now on")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "add":
                client, token = intake_client_create(name=options["name"], rate_per_minute=options["rate"])
                self.stdout.write(
                    f"Client {client.name!r} added ({client.rate_per_minute} requests a minute)."
                )
                self.stdout.write("Its token, shown this once (Authorization: Bearer <token>):")
                self.stdout.write(token)
            elif options["action"] == "revoke":
                client = intake_client_revoke(name=options["name"])
                self.stdout.write(f"Client {client.name!r} revoked: its token is refused from now on.")
            else:
                for client in IntakeClient.objects.order_by("name"):
                    state = "active" if client.active else f"revoked {client.revoked_at:%Y-%m-%d}"
                    self.stdout.write(
                        f"{client.name}\t{client.token_prefix}…\t{client.rate_per_minute}/min\t{state}"
                    )
        except IntakeError as error:
            raise CommandError(str(error)) from None
