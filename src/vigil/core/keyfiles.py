"""Key files (seal keys, digest keys) kept beside the laptop install's data: read again only when
the file changes, so a running server follows `vigil keys rotate` (key-file mode) without a restart
and never seals or digests under a removed key."""

from __future__ import annotations

from pathlib import Path

from django.core import exceptions


def read_key_file(path: Path) -> list[str]:
    """The keys in a key file, one a line, first one first."""
    return path.read_text(encoding="ascii").split()


class CachedKeyFile:
    """The keys of one kind of key file, cached on the file's (path, mtime, size, inode)."""

    def __init__(self, *, what: str, needed_for: str) -> None:
        self.what = what  # "seal key", "digest key": for the error when the file is gone
        self.needed_for = needed_for
        self._cache: tuple[tuple[str, int, int, int], tuple[str, ...]] | None = None

    def keys(self, path: Path) -> tuple[str, ...]:
        try:
            info = path.stat()
        except FileNotFoundError:
            raise exceptions.ImproperlyConfigured(
                f"the {self.what} file {path} is missing: {self.needed_for}"
            ) from None
        signature = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
        if self._cache is not None and self._cache[0] == signature:
            return self._cache[1]
        keys = tuple(read_key_file(path))
        self._cache = (signature, keys)
        return keys
