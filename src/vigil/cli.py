"""The `vigil` console command: each sub-command is a Django management command
(`vigil init`, `vigil import personnel FILE`, `vigil demo`, `vigil serve`, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["vigil", *args])


if __name__ == "__main__":
    main()
