"""`vigil keys new|rotate|verify` — the keys that seal contact details at rest (vigil.core.sealing).

    vigil keys new      print a fresh key
    vigil keys rotate   re-seal every sealed value under a new key, then check the old one is unneeded
    vigil keys verify   check that every sealed value opens with the first key alone

With VIGIL_SEAL_KEYS (a server): make a key with `vigil keys new`, set VIGIL_SEAL_KEYS="NEW,OLD" for
every Vigil process and restart them (so nothing is sealed under OLD any more), run
`vigil keys rotate`, then remove OLD. With the key file (a laptop), `vigil keys rotate` does it all:
it writes "NEW, OLD" to the file, re-seals, checks, and leaves NEW alone in it; a running server
re-reads the file when it changes."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigil.core import sealing


class Command(BaseCommand):
    help = (
        "Seal keys: `new` prints a fresh key, `rotate` re-seals everything under a new key, `verify` checks."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["new", "rotate", "verify"])
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = not options["no_progress"] and self.stderr.isatty()
        if options["action"] == "new":
            self.stdout.write(sealing.new_key())
        elif options["action"] == "verify":
            self._verify(sealing.configured_keys()[0], progress)
            self.stdout.write("every sealed value opens with the first key alone")
        elif settings.SEAL_KEYS_FILE is None:
            self._rotate_env(progress)
        else:
            self._rotate_file(Path(settings.SEAL_KEYS_FILE), progress)

    def _rotate_env(self, progress: bool) -> None:
        keys = sealing.configured_keys()
        if len(keys) < 2:
            raise CommandError(
                "VIGIL_SEAL_KEYS holds one key: make a new one with `vigil keys new`, set "
                'VIGIL_SEAL_KEYS="NEW,OLD" for every Vigil process, restart them, then run this again'
            )
        report = self._rotate(progress)
        self._verify(keys[0], progress)
        self._record(report, mode="VIGIL_SEAL_KEYS")
        self.stdout.write(
            f"every sealed value opens with the first key alone: you may now remove the old key(s) "
            f"({len(keys) - 1}) from VIGIL_SEAL_KEYS"
        )

    def _rotate_file(self, key_file: Path, progress: bool) -> None:
        old = sealing.read_key_file(key_file)
        new = sealing.new_key()
        # NEW first, OLD kept: if anything below fails, every value still opens.
        sealing.write_key_file(key_file, [new, *old])
        settings.SEAL_KEYS = [new, *old]
        report = self._rotate(progress)
        self._verify(new, progress)
        sealing.write_key_file(key_file, [new])
        settings.SEAL_KEYS = [new]
        self._record(report, mode=str(key_file))
        self.stdout.write(f"{key_file} now holds the new key only; the old key(s) ({len(old)}) are gone")

    def _rotate(self, progress: bool) -> sealing.RotationReport:
        try:
            report = sealing.keys_rotate(progress=progress)
        except sealing.SealError as error:
            raise CommandError(f"{error} (keep every old key until this succeeds)") from None
        for label, count in report.rotated.items():
            self.stdout.write(f"{label}: {count} value(s) re-sealed")
        self.stdout.write(f"{report.total} value(s) re-sealed in {report.seconds:.1f} s")
        return report

    def _verify(self, key: str, progress: bool) -> None:
        report = sealing.keys_verify(key=key, progress=progress)
        if not report.ok:
            failed = sum(report.failed.values())
            raise CommandError(
                f"{failed} sealed value(s) do not open with the first key alone (e.g. "
                f"{', '.join(report.examples)}): keep the old key(s); was a value sealed by a process "
                "still running with the old keys only? Run `vigil keys rotate` again."
            )

    def _record(self, report: sealing.RotationReport, *, mode: str) -> None:
        from vigil.audit.actions import Action
        from vigil.audit.services import audit_record

        audit_record(
            action=Action.KEYS_ROTATED,
            actor=None,
            actor_label="system: vigil keys rotate",
            detail={"rotated": report.rotated, "total": report.total, "keys": mode},
        )
