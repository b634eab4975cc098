"""The one writer of every CSV and XLSX file Vigil produces, guarded against formula injection.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula (and some drop a
leading tab or carriage return and read what follows), so a name such as `+SUM(1+1)` or a reference
such as `=HYPERLINK("http://…","click")` written raw runs when the file is opened. Following OWASP's
CSV-injection rule, such a text cell is written with a leading apostrophe, which spreadsheets read as
"this is text"; numbers, and text that is only a number (`-3`, `-0.25`), are left as they are.

`tests/core/test_tabular.py` fails if any other module writes CSV or XLSX itself: a new export
cannot forget the guard. The single exception is `verbatim_csv_writer`, for a file that hands back
the very rows a person gave Vigil (the import's rejects file, the demo's contract input files),
where the contract is "untouched, byte for byte"."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def safe_cell(value: object) -> object:
    """The value as a spreadsheet may be given it: text a spreadsheet would run as a formula is
    prefixed with an apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class GuardedCsvWriter:
    """csv.writer's writerow/writerows, with every cell through safe_cell."""

    def __init__(self, handle: IO[str] | Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: IO[str] | Any, **fmtparams: Any) -> GuardedCsvWriter:
    """A guarded writer on an open text handle (opened with newline="")."""
    return GuardedCsvWriter(handle, **fmtparams)


class _Echo:
    """A file-like object a csv writer writes one row to, handing the text back."""

    def write(self, value: str) -> str:
        return value


def csv_line_writer(**fmtparams: Any) -> GuardedCsvWriter:
    """A guarded writer whose writerow returns the row's text, for streaming responses."""
    return GuardedCsvWriter(_Echo(), **fmtparams)


def verbatim_csv_writer(handle: IO[str] | Any, **fmtparams: Any) -> Any:
    """An unguarded csv writer, ONLY for rows a person supplied handed back to them unchanged
    (an import's rejects file) or for contract input files Vigil generates: guarding them would
    alter the rows the contract promises to return untouched. Never for data read from Vigil."""
    return csv.writer(handle, **fmtparams)


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence[object]]]) -> bytes:
    """A workbook with one sheet per entry (title cut to Excel's 31 characters), its rows as given,
    every text cell guarded and stored as text (openpyxl would otherwise store `=…` as a formula)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
