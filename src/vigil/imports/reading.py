"""Reading contract files: CSV (UTF-8, header row) or XLSX, as rows of text cells with the line
number a person would see in a spreadsheet or editor."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vigil.core.tabular import verbatim_csv_writer

# Bytes that are not valid UTF-8 survive decoding as lone surrogates (U+DC80..U+DCFF), so the bad
# cell can be reported by line and column and written back untouched to a rejects file.
UNDECODABLE = "surrogateescape"


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (not CSV/XLSX, empty, no header)."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (line number, cells). Line numbers count the header as line 1.
    rows: list[tuple[int, list[str]]]
    sha256: str
    has_undecodable_bytes: bool


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path) -> Table:
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        return _read_spreadsheet(path)
    return _read_csv(path)


def _read_csv(path: Path) -> Table:
    sha256 = file_sha256(path)
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        has_undecodable = False
    except UnicodeDecodeError:
        has_undecodable = True
    del raw
    # Stream the records rather than holding the decoded text twice: files reach 1M rows.
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise UnreadableFile("the file is empty: a header row is required") from None
        except csv.Error as error:
            raise UnreadableFile(f"not a CSV file ({error})") from None
        rows: list[tuple[int, list[str]]] = []
        next_line = reader.line_num + 1
        try:
            for cells in reader:
                # A quoted cell may span lines: report the line the record starts on.
                if cells and any(cells):
                    rows.append((next_line, cells))
                next_line = reader.line_num + 1
        except csv.Error as error:
            raise UnreadableFile(f"line {next_line}: not valid CSV ({error})") from None
    return Table(header=header, rows=rows, sha256=sha256, has_undecodable_bytes=has_undecodable)


def _spreadsheet_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # staff numbers typed into Excel come back as 12345.0
    return str(value)


def _read_spreadsheet(path: Path) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for corrupt files
        raise UnreadableFile(f"not a readable spreadsheet ({error})") from None
    if not data:
        raise UnreadableFile("the sheet is empty: a header row is required")
    header = [_spreadsheet_cell_text(cell).strip() for cell in data[0]]
    while header and not header[-1]:
        header.pop()
    rows = []
    for index, values in enumerate(data[1:], start=2):
        cells = [_spreadsheet_cell_text(cell) for cell in values]
        if any(cell.strip() for cell in cells):
            rows.append((index, cells))
    return Table(header=header, rows=rows, sha256=file_sha256(path), has_undecodable_bytes=False)


def has_undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def write_rejects(path: Path, header: list[str], rows: Iterator[list[str]]) -> None:
    """Write rejected rows exactly as they came (undecodable bytes restored). Not guarded against
    formula injection, by design: the contract hands a producer back their own rows untouched, to
    fix and send again; nothing read from Vigil is added, so a formula in it was in their file."""
    with path.open("w", encoding="utf-8", errors=UNDECODABLE, newline="") as handle:
        writer = verbatim_csv_writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
