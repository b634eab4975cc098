"""Helpers for the bulk jobs (imports, linking, scoring) that write hundreds of thousands of rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
# Values in one `IN (...)` list: SQLite caps the parameters of a statement (999 in older builds,
# 32,766 now), PostgreSQL at 65,535.
IN_CHUNK = 900


def chunked(items: list[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`items` a slice at a time (by default small enough for an `IN (...)` list)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a bulk job allocates millions of acyclic objects, and
    the collector's repeated full scans of them can take longer than the job itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def sqlite_indexes_rebuilt(cursor: Any, tables: Sequence[str]) -> Iterator[None]:
    """On SQLite, drop the tables' secondary indexes for the block and build them again after it,
    from the sorted data: for a rewrite of most of a big table, several times faster than updating
    them row by row. Within the caller's transaction: on failure the rollback brings them back."""
    marks = ", ".join(["%s"] * len(tables))
    cursor.execute(
        "SELECT name, sql FROM sqlite_master "  # noqa: S608 (placeholders only)
        f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        list(tables),
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        cursor.execute(sql)
