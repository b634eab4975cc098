"""The `vigil` console command: each sub-command is a Django management command
(`vigil init`, `vigil import personnel FILE`, `vigil demo`, `vigil serve`, ...)."""

from __future__ import annotations

import getpass
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    from django.core.management import execute_from_command_line

    from vigil.accounts.actor import acting_as

    args = list(sys.argv[1:] if argv is None else argv)
    # Account changes a command makes (the demo's logins, `vigil access`) are audited as its own.
    with acting_as(label=f"vigil {args[0] if args else ''} ({getpass.getuser()})"):
        execute_from_command_line(["vigil", *args])


if __name__ == "__main__":
    main()
