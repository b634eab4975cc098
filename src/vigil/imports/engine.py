"""The import engine shared by every contract file: check the whole file first, then apply it
whole (one transaction) or not at all.

What a domain supplies (an `Importer`): its Contract, optional cross-row checks that need the
database (e.g. "no such person on the register"), and `apply`, which writes the new and changed
rows and reports counts."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from vigil.core.bulk import collector_paused
from vigil.core.sealing import MASK
from vigil.core.tabular import csv_writer
from vigil.core.text import control_character_problem, has_control_characters, visible_controls
from vigil.imports.contract import CellReader, CodeColumn, Contract, SealedColumn
from vigil.imports.models import ImportBatch
from vigil.imports.reading import Table, UnreadableFile, has_undecodable, read_table, write_rejects


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = printable(self.value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}" + (f" (value: '{shown}')" if self.value else "")


def printable(text: str) -> str:
    """Undecodable bytes shown as \\xNN rather than as lone surrogates, and control characters as
    [U+NNNN] rather than raw (a NUL or a bidi override in a terminal or a spreadsheet)."""
    shown = text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")
    return visible_controls(shown)


@dataclass(slots=True)
class ValidRow:
    line: int
    key: tuple[Any, ...]
    names: tuple[str, ...]  # the present contract columns (shared by every row of a file)
    parsed: tuple[Any, ...]  # their parsed values, None for an empty cell
    row_hash: str
    # The database values of the present columns, flattened in CheckedTable.db_names order.
    db: tuple[Any, ...] = ()

    @property
    def values(self) -> dict[str, Any]:
        """Parsed values by column name; columns absent from the file are missing."""
        return dict(zip(self.names, self.parsed, strict=True))


@dataclass
class CheckedTable:
    rows: list[ValidRow]
    errors: list[RowError]
    present: tuple[str, ...]  # contract columns in the header, in contract order
    db_names: tuple[str, ...]  # the database columns those fill, the layout of ValidRow.db


@dataclass(frozen=True)
class RecordChange:
    """One stored record an import altered: which fields, from what to what (as text; a sealed or
    sensitive field says only that it changed). Written to the audit trail as an alteration."""

    record_type: str  # "person", "allegation", "vettingclearance"
    record_id: int
    label: str  # e.g. "CCP 204117"
    fields: dict[str, tuple[str | None, str | None]]


# What an alteration entry shows instead of a value that must not be copied into the audit trail.
NOT_SHOWN = "(changed; value not shown)"
# A sealed value is re-sealed whenever its row is rewritten, so its tokens always differ: the entry
# cannot tell whether the plaintext changed, and says so.
SEALED_NOT_SHOWN = "(sealed; rewritten, value not shown)"


@dataclass
class ApplyCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RecordChange] = field(default_factory=list)  # one per updated record


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str
    rows_total: int
    errors: list[RowError] = field(default_factory=list)
    counts: ApplyCounts = field(default_factory=ApplyCounts)
    batch: ImportBatch | None = None  # None until the import is applied
    rejects_path: Path | None = None
    rows_rejected: int = 0

    @property
    def changes(self) -> int:
        return self.counts.created + self.counts.updated


class ImportRefused(Exception):
    """Nothing was written; `report.errors` lists every problem found."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} problem(s) in {report.file_name}")
        self.report = report


class Importer(Protocol):
    contract: Contract

    def check(self, rows: list[ValidRow]) -> list[RowError]:
        """Checks that need the database (run on rows that passed the cell checks)."""
        ...

    def apply(self, rows: list[ValidRow], table: CheckedTable, batch: ImportBatch) -> ApplyCounts:
        """Write new and changed rows (inside the import's transaction)."""
        ...


T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """Progress on a terminal (stderr): bars for long loops and a line for each long step; silent
    when not on a terminal or when disabled."""

    enabled: bool

    @classmethod
    def auto(cls) -> Progress:
        return cls(enabled=sys.stderr.isatty())

    def wrap(
        self,
        items: Iterable[T],
        *,
        total: int,
        description: str,
        unit: str = "rows",
        size: Callable[[T], int] | None = None,
    ) -> Iterator[T]:
        """Yield items with a bar; `size(item)` counts an item as several units (a chunk of rows)."""
        if not self.enabled:
            yield from items
            return
        with tqdm(total=total, desc=description, unit=f" {unit}", unit_scale=True, leave=False) as bar:
            for item in items:
                yield item
                bar.update(size(item) if size else 1)

    def step(self, message: str) -> None:
        """Say what a long step without a bar is doing."""
        if self.enabled:
            tqdm.write(f"{message}…", file=sys.stderr)


def _header_positions(
    contract: Contract, header: list[str], ignore_extra: bool
) -> tuple[dict[str, int], list[RowError]]:
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    known = set(contract.names)
    for index, name in enumerate(header):
        if not name:
            continue
        if name in positions:
            errors.append(RowError(1, name, name, "column appears twice in the header"))
        elif name in known:
            positions[name] = index
        elif not ignore_extra:
            errors.append(RowError(1, name, name, "unknown column (use --ignore-extra to ignore it)"))
    for name in contract.required:
        if name not in positions:
            errors.append(RowError(1, name, "", "required column is missing from the header"))
    return positions, errors


def check_table(
    contract: Contract,
    table: Table,
    *,
    ignore_extra: bool,
    progress: Progress,
    adapt_date: Callable[[Any], Any] | None = None,
) -> CheckedTable:
    """Check every cell of every row; return the good rows and every problem found.

    Works a column at a time: each distinct value of a repetitive column (codes, dates) is parsed
    once, and rows are assembled with zip, so a million rows take seconds, not minutes."""
    positions, errors = _header_positions(contract, table.header, ignore_extra)
    readers = [CellReader(column, adapt_date) for column in contract.columns if column.name in positions]
    present_names = tuple(reader.column.name for reader in readers)
    width = len(table.header)
    lines = [line for line, _ in table.rows]
    problems: dict[int, list[RowError]] = {}  # by row index
    for row_index, (line, cells) in enumerate(table.rows):
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            problems.setdefault(row_index, []).append(
                RowError(line, "", "", f"{len(cells)} cells but the header has {width} columns")
            )
    # Transposed once (rows padded or cut to the header's width): column-wise passes are what is
    # fast at a million rows.
    padding = [""] * width
    transposed = (
        list(zip(*((cells + padding)[:width] for _, cells in table.rows), strict=True)) or [()] * width
    )

    value_columns: list[list[Any]] = []
    canonical_columns: list[list[str]] = []
    db_columns: list[list[Any]] = []
    db_names: list[str] = []
    for reader in progress.wrap(readers, total=len(readers), description="checking", unit="columns"):
        column = reader.column
        position = positions[column.name]
        cells = list(map(str.strip, transposed[position]))
        failures: dict[str, str] = {}
        # Control and bidi characters (vigil.core.text), looked for in the cells as given (strip
        # would drop some at the ends): one search of the whole column, cell by cell only if found.
        raw = transposed[position]
        if table.may_hold_control_characters and has_control_characters("\n".join(raw)):
            for raw_cell in set(raw):
                problem = control_character_problem(raw_cell)
                if problem is not None:
                    failures[raw_cell.strip()] = problem
        if table.has_undecodable_bytes:
            failures.update(
                (cell, "not valid UTF-8 (save the file as UTF-8)")
                for cell in set(cells)
                if has_undecodable(cell)
            )
        results: dict[str, tuple[Any, str, tuple[Any, ...]]] = {"": reader.empty}
        if reader.plain_text:
            values: list[Any] = cells
            canonical = cells
            db_columns.append(cells)
            limit = column.max_length
            if limit is not None and max(map(len, cells), default=0) > limit:
                failures.update(
                    (cell, f"longer than {limit} characters") for cell in cells if len(cell) > limit
                )
        else:
            for cell in set(cells):
                if cell and cell not in failures:
                    try:
                        results[cell] = reader.read(cell)
                    except ValueError as error:
                        failures[cell] = str(error)
            results.update(dict.fromkeys(failures, reader.empty))  # a failed row is dropped anyway
            parsed = list(map(results.__getitem__, cells))
            values = list(map(itemgetter(0), parsed))
            if isinstance(column, CodeColumn):  # a code is its own canonical text and stored value
                canonical = [value or "" for value in values]
                db_columns.append(values if column.nullable else canonical)
            else:
                canonical = list(map(itemgetter(1), parsed))
                if isinstance(column, SealedColumn):
                    # Sealed afresh for every row: equal contacts must not show as equal tokens in a dump.
                    stored = [column.db_values(value) for value in values]
                else:
                    stored = list(map(itemgetter(2), parsed))
                for offset in range(len(column.db_columns())):
                    db_columns.append(list(map(itemgetter(offset), stored)))
        db_names.extend(column.db_columns())
        if failures or (column.required and not all(cells)):
            sealed = isinstance(column, SealedColumn)  # a problem never echoes a sealed value
            for row_index, cell in enumerate(cells):
                if cell in failures:
                    problems.setdefault(row_index, []).append(
                        RowError(lines[row_index], column.name, MASK if sealed else cell, failures[cell])
                    )
                elif not cell and column.required:
                    problems.setdefault(row_index, []).append(
                        RowError(lines[row_index], column.name, "", "required value is empty")
                    )
        value_columns.append(values)
        canonical_columns.append(canonical)

    for later, earlier in contract.not_before:
        if later in present_names and earlier in present_names:
            later_values = value_columns[present_names.index(later)]
            earlier_values = value_columns[present_names.index(earlier)]
            for row_index, (late, early) in enumerate(zip(later_values, earlier_values, strict=True)):
                # Partial dates conflict only when the later one's last possible day comes first
                # (its first day is compared first: `latest` is worked out, and rarely needed).
                if (
                    late is not None
                    and early is not None
                    and late.earliest < early.earliest
                    and late.latest < early.earliest
                ):
                    problems.setdefault(row_index, []).append(
                        RowError(lines[row_index], later, str(late), f"before {earlier} ({early})")
                    )
    for row_problems in problems.values():
        errors.extend(row_problems)
    if not all(name in positions for name in contract.key):
        return CheckedTable([], errors, present_names, tuple(db_names))  # reported in the header errors
    # Assemble rows with comprehensions over zip: per-row Python work is what a million rows cost.
    keys = list(zip(*(value_columns[present_names.index(name)] for name in contract.key), strict=True))
    if len(set(keys)) != len(keys):
        first_line_of_key: dict[tuple[Any, ...], int] = {}
        for row_index, key in enumerate(keys):
            first_line = first_line_of_key.setdefault(key, lines[row_index])
            if first_line != lines[row_index] and row_index not in problems:
                shown = ", ".join(str(part) for part in key)
                problems[row_index] = [
                    RowError(
                        lines[row_index],
                        ",".join(contract.key),
                        shown,
                        f"duplicate key: same as line {first_line}",
                    )
                ]
                errors.extend(problems[row_index])
    prefix = "\x1f".join(present_names) + "\x1e"
    digests = [
        hashlib.sha1(
            (prefix + "\x1f".join(row_canonical)).encode("utf-8", errors="surrogateescape"),
            usedforsecurity=False,
        ).hexdigest()
        for row_canonical in zip(*canonical_columns, strict=True)
    ]
    valid = list(
        map(
            ValidRow,
            lines,
            keys,
            repeat(present_names),
            zip(*value_columns, strict=True),
            digests,
            zip(*db_columns, strict=True),
        )
    )
    if problems:
        valid = [row for row_index, row in enumerate(valid) if row_index not in problems]
    return CheckedTable(valid, errors, present_names, tuple(db_names))


def run_import(
    importer: Importer,
    path: Path,
    *,
    imported_by: str,
    ignore_extra: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one contract file. Raises ImportRefused (nothing written) if any row is bad, unless
    skip_invalid, which imports the good rows and writes the bad ones untouched to rejects_path."""
    progress = progress or Progress(enabled=False)
    with collector_paused():
        return _run_import(importer, path, imported_by, ignore_extra, skip_invalid, rejects_path, progress)


def _run_import(
    importer: Importer,
    path: Path,
    imported_by: str,
    ignore_extra: bool,
    skip_invalid: bool,
    rejects_path: Path | None,
    progress: Progress,
) -> ImportReport:
    started_at = timezone.now()
    contract = importer.contract
    progress.step(f"reading {path.name}")
    try:
        table = read_table(path)
    except UnreadableFile as error:
        problem = RowError(error.line, error.column, "", str(error))
        report = ImportReport(contract.kind, path.name, "", 0, errors=[problem])
        raise ImportRefused(report) from None
    except OSError as error:
        report = ImportReport(contract.kind, path.name, "", 0, errors=[RowError(0, "", "", str(error))])
        raise ImportRefused(report) from None
    report = ImportReport(contract.kind, path.name, table.sha256, len(table.rows))
    checked = check_table(
        contract,
        table,
        ignore_extra=ignore_extra,
        progress=progress,
        adapt_date=connection.ops.adapt_datefield_value,
    )
    valid, errors = checked.rows, checked.errors
    header_errors = [error for error in errors if error.line <= 1]
    if not header_errors:
        errors.extend(importer.check(valid))
    report.errors = sorted(errors)
    if report.errors and skip_invalid:
        # A header problem leaves no row importable: every row goes to the rejects file.
        bad_lines = (
            {line for line, _ in table.rows} if header_errors else {error.line for error in report.errors}
        )
        report.rows_rejected = len(bad_lines)
        report.rejects_path = rejects_path or path.with_name(f"{path.stem}.rejects.csv")
        write_rejects(
            report.rejects_path, table.header, (cells for line, cells in table.rows if line in bad_lines)
        )
        _write_reject_reasons(report.rejects_path.with_suffix(".errors.csv"), report.errors)
        valid = [row for row in valid if row.line not in bad_lines]
    if header_errors or (report.errors and not skip_invalid):
        raise ImportRefused(report)

    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=contract.kind,
            file_name=path.name,
            sha256=table.sha256,
            rows_total=len(table.rows),
            rows_rejected=report.rows_rejected,
            started_at=started_at,
            finished_at=started_at,
            imported_by=imported_by,
        )
        report.counts = importer.apply(valid, checked, batch)
        batch.rows_created = report.counts.created
        batch.rows_updated = report.counts.updated
        batch.rows_unchanged = report.counts.unchanged
        batch.finished_at = timezone.now()
        batch.save()
        progress.step("committing")
    report.batch = batch
    return report


def _write_reject_reasons(path: Path, errors: list[RowError]) -> None:
    """Vigil's report on the rejected rows: guarded, as any file Vigil writes (vigil.core.tabular)."""
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(["line", "column", "value", "reason"])
        writer.writerows((error.line, error.column, printable(error.value), error.reason) for error in errors)
