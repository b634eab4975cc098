"""`vigil audit verify [--head HASH]` and `vigil audit head`: check the audit trail's hash chain,
and print its head so it can be written down somewhere the database's administrators cannot
reach (a notebook, a ticket, another system). `head` verifies the chain first: a head noted from
a broken chain would vouch for the tampering, so it prints nothing and exits 1 instead."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from vigil.audit.chain import VerifyResult, audit_head, audit_verify, canonical_time
from vigil.audit.models import GENESIS_HASH, AuditEntry

PROGRESS_FROM = 50_000  # entries: a smaller trail verifies in well under a second


class Command(BaseCommand):
    help = "Check the audit trail's hash chain (verify) or print its current head hash (head)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,head}")
        verify = commands.add_parser(
            "verify", help="recompute every entry's hash and link; exit 1 naming the first bad entry"
        )
        verify.add_argument(
            "--head",
            metavar="HASH",
            help="a head hash written down earlier: fail unless it is still in the chain",
        )
        verify.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
        head = commands.add_parser(
            "head", help="verify the chain, then print its head hash (alone, on stdout); exit 1 if broken"
        )
        head.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            self._head(show_progress=not options["no_progress"])
        else:
            self._verify(head=options["head"], show_progress=not options["no_progress"])

    def _head(self, *, show_progress: bool) -> None:
        result = self._checked(head=None, show_progress=show_progress)
        if result.head_id is None:
            self.stdout.write(GENESIS_HASH)
            self.stderr.write("the audit trail is empty: this is the genesis hash")
            return
        # The head verified, not a newer one appended meanwhile (that one is noted tomorrow).
        occurred_at = AuditEntry.objects.values_list("occurred_at", flat=True).get(pk=result.head_id)
        self.stdout.write(result.head_hash)
        self.stderr.write(f"entry #{result.head_id}, {canonical_time(occurred_at)}; chain verified")

    def _verify(self, *, head: str | None, show_progress: bool) -> None:
        result = self._checked(head=head, show_progress=show_progress)
        message = f"audit trail intact: {result.entries} entries, head {result.head_hash}"
        if head is not None:
            where = "the start" if result.noted_head_id is None else f"entry #{result.noted_head_id}"
            message += f"; {head.strip().lower()} found at {where}"
        self.stdout.write(message)

    def _checked(self, *, head: str | None, show_progress: bool) -> VerifyResult:
        """The verified chain; CommandError (exit 1, naming the first bad entry) if it is broken."""
        last = audit_head()
        total = last[0] if last else 0  # ids are gapless from 1, so the last id is the count
        bar = None
        if show_progress and sys.stderr.isatty() and total >= PROGRESS_FROM:
            bar = tqdm(total=total, desc="verifying", unit=" entries", unit_scale=True, leave=False)
        try:
            result = audit_verify(head=head, progress=bar.update if bar else None)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        finally:
            if bar is not None:
                bar.close()
        if not result.ok:
            if result.bad_entry_id is not None and result.entries:
                self.stderr.write(f"{result.entries} entries checked before it, up to #{result.head_id}")
            elif result.bad_entry_id is None:
                self.stderr.write(f"{result.entries} entries checked, each consistent with the one before")
            raise CommandError(result.problem, returncode=1)
        return result
