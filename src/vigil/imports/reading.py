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
from vigil.core.text import bytes_may_hold_control_characters

# Bytes that are not valid UTF-8 survive decoding as lone surrogates (U+DC80..U+DCFF), so the bad
# cell can be reported by line and column and written back untouched to a rejects file.
UNDECODABLE = "surrogateescape"


# A cell may be as long as the file: a 200 kB summary is a summary, not an error (the csv module's
# default limit is 128 KiB). The limit is the csv module's, for the whole process.
csv.field_size_limit(2**31 - 1)


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (not CSV/XLSX, empty, no header, broken quoting);
    where it breaks, if known: the line and the column."""

    def __init__(self, message: str, *, line: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (line number, cells). Line numbers count the header as line 1.
    rows: list[tuple[int, list[str]]]
    sha256: str
    has_undecodable_bytes: bool
    # False when the file surely holds no control or bidi character (vigil.core.text): the cells
    # then need no search.
    may_hold_control_characters: bool = True


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
    may_hold_controls = bytes_may_hold_control_characters(raw)
    del raw
    # Stream the records rather than holding the decoded text twice: files reach 1M rows.
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE, newline="") as handle:
        # Strict: a quote left open (or text after a closing quote) is an error at its line, not a
        # cell that silently swallows the rest of the file.
        reader = csv.reader(handle, strict=True)
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
            column = _broken_quote_column(path, next_line, header)
            where = f"line {next_line}" + (f", column {column}" if column else "")
            raise UnreadableFile(
                f"{where}: not valid CSV ({error}): a quoted cell must end with a quote followed by "
                "a comma or the end of the line (a quote inside a cell is written twice)",
                line=next_line,
                column=column,
            ) from None
    return Table(
        header=header,
        rows=rows,
        sha256=sha256,
        has_undecodable_bytes=has_undecodable,
        may_hold_control_characters=may_hold_controls,
    )


def _broken_quote_column(path: Path, line: int, header: list[str]) -> str:
    """The header name of the cell whose quoting breaks the record starting at `line` ('' if not
    found): the cell whose quote never closes, or that has text after its closing quote."""
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE, newline="") as handle:
        for _ in range(line - 1):
            handle.readline()
        text = handle.read()
    field, in_quotes, at_field_start, opened_in = 0, False, True, 0
    index = 0
    while index < len(text):
        char = text[index]
        if in_quotes:
            if char == '"':
                following = text[index + 1 : index + 2]
                if following == '"':
                    index += 1
                elif following not in {",", "\r", "\n", ""}:
                    return _header_name(header, field)
                else:
                    in_quotes = False
        elif char == '"' and at_field_start:
            in_quotes, opened_in = True, field
        elif char == ",":
            field += 1
            at_field_start = True
            index += 1
            continue
        elif char in "\r\n":
            break
        at_field_start = False
        index += 1
    return _header_name(header, opened_in) if in_quotes else ""


def _header_name(header: list[str], index: int) -> str:
    return header[index] if 0 <= index < len(header) and header[index] else f"{index + 1}"


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
