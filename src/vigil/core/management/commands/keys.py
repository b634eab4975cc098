"""`vigil keys new|rotate|verify` — the keys that seal contact details at rest (vigil.core.sealing)
and the keys of the digests over sealed content (vigil.core.digests).

    vigil keys new      print a fresh key (a seal key or a digest key: use a different one for each)
    vigil keys rotate   re-seal every sealed value under a new seal key, move the digests to a new
                        digest key, then check the old keys are unneeded
    vigil keys verify   check that every sealed value opens with the first seal key alone and every
                        stored digest is under the first digest key

With VIGIL_SEAL_KEYS (a server): make a key with `vigil keys new`, set VIGIL_SEAL_KEYS="NEW,OLD" for
every Vigil process and restart them (so nothing is sealed under OLD any more), run
`vigil keys rotate`, then remove OLD. With the key file (a laptop), `vigil keys rotate` does it all:
it writes "NEW, OLD" to the file, re-seals, checks, and leaves NEW alone in it; a running server
re-reads the file when it changes.

Digest keys go the same way (VIGIL_DIGEST_KEYS="NEW,OLD", or the file digest_keys). A stored digest
cannot be made again under NEW, because what it was made from is not kept (that is the point): the
rotation erases every digest made under another key, so the old key confirms nothing any more. For
the intake API's payload digests this means a provider's retry of a report filed before the
rotation is answered 409 ("cannot be compared") instead of 200: the first filing stands. To avoid
even that, leave VIGIL_DIGEST_KEYS="NEW,OLD" in place for a day (retries are checked under OLD)
before running the rotation."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigil.core import digests, sealing
from vigil.core.keyfiles import read_key_file


class Command(BaseCommand):
    help = (
        "Seal and digest keys: `new` prints a fresh key, `rotate` re-seals everything under a new seal key "
        "and moves the digests to a new digest key, `verify` checks."
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
            self._verify_digests()
            self.stdout.write("every sealed value opens with the first key alone")
            self.stdout.write("every stored digest is under the first digest key")
        else:
            self._rotate_all(progress)

    def _rotate_all(self, progress: bool) -> None:
        """Seal keys, then digest keys, each in its own mode (environment or key file). From the
        environment, a kind holding one key is left as it is; both holding one is an error."""
        seal_file: Path | None = settings.SEAL_KEYS_FILE
        digest_file: Path | None = getattr(settings, "DIGEST_KEYS_FILE", None)
        seal_from_env, digest_from_env = seal_file is None, digest_file is None
        seal_ready = not seal_from_env or len(sealing.configured_keys()) >= 2
        digest_ready = not digest_from_env or len(digests.configured_keys()) >= 2
        if not (seal_ready or digest_ready):
            raise CommandError(
                "VIGIL_SEAL_KEYS holds one key and VIGIL_DIGEST_KEYS holds one key: make a new one with "
                '`vigil keys new`, set VIGIL_SEAL_KEYS="NEW,OLD" (and/or VIGIL_DIGEST_KEYS="NEW,OLD") '
                "for every Vigil process, restart them, then run this again"
            )
        if not seal_ready:
            self.stdout.write("VIGIL_SEAL_KEYS holds one key: seal keys left as they are")
        elif seal_file is None:
            self._rotate_env(progress)
        else:
            self._rotate_file(Path(seal_file), progress)
        if not digest_ready:
            self.stdout.write("VIGIL_DIGEST_KEYS holds one key: digest keys left as they are")
        elif digest_file is None:
            self._rotate_digests_env()
        else:
            self._rotate_digests_file(Path(digest_file))

    def _rotate_digests_env(self) -> None:
        keys = digests.configured_keys()
        report = self._retire_digests()
        self._record_digests(report, mode="VIGIL_DIGEST_KEYS")
        self.stdout.write(
            f"every stored digest is under the first digest key: you may now remove the old key(s) "
            f"({len(keys) - 1}) from VIGIL_DIGEST_KEYS"
        )

    def _rotate_digests_file(self, key_file: Path) -> None:
        old = read_key_file(key_file)
        new = digests.new_key()
        # NEW first, OLD kept while the digests under OLD are erased: a running server makes its
        # digests under NEW from the moment the file changes.
        sealing.write_key_file(key_file, [new, *old])
        settings.DIGEST_KEYS = [new, *old]
        report = self._retire_digests()
        sealing.write_key_file(key_file, [new])
        settings.DIGEST_KEYS = [new]
        self._record_digests(report, mode=str(key_file))
        self.stdout.write(
            f"{key_file} now holds the new digest key only; the old key(s) ({len(old)}) are gone"
        )

    def _retire_digests(self) -> digests.DigestRotationReport:
        report = digests.digests_retire()
        for label, count in report.erased.items():
            self.stdout.write(f"{label}: {count} digest(s) under an old key erased (they cannot be re-made)")
        return report

    def _verify_digests(self) -> None:
        stale = {label: count for label, count in digests.digests_under_other_keys().items() if count}
        if stale:
            shown = ", ".join(f"{label}: {count}" for label, count in stale.items())
            raise CommandError(
                f"stored digests under a key other than the first ({shown}): keep the old digest key(s) "
                "and run `vigil keys rotate`"
            )

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
        old = read_key_file(key_file)
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

    def _record_digests(self, report: digests.DigestRotationReport, *, mode: str) -> None:
        from vigil.audit.actions import Action
        from vigil.audit.services import audit_record

        audit_record(
            action=Action.KEYS_ROTATED,
            actor=None,
            actor_label="system: vigil keys rotate",
            detail={"digests_erased": report.erased, "total": report.total, "digest_keys": mode},
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
