"""The import contract, declared as data: each file kind is a list of typed columns with a key.

A column turns a cell (stripped, non-empty text) into a value or raises ValueError with a reason a
person can act on; it also says which database columns the value fills. docs/data-contract.md
describes the same contract for the people who produce the files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.core.partial_dates import PartialDate, PartialDateError, not_in_future, parse_partial_date
from vigil.core.sealing import fingerprint, seal
from vigil.core.vocabulary import Term, Vocabulary


@dataclass(frozen=True)
class Column:
    """A free-text column stored in a text database column of the same name."""

    name: str
    required: bool = False
    max_length: int | None = None
    # Columns whose cells repeat a lot (codes, dates) memoise their parsing: imports reach millions of rows.
    repetitive = False

    def parse(self, cell: str) -> Any:
        if self.max_length is not None and len(cell) > self.max_length:
            raise ValueError(f"longer than {self.max_length} characters")
        return cell

    def db_columns(self) -> tuple[str, ...]:
        return (self.name,)

    def db_values(self, value: Any) -> tuple[Any, ...]:
        return ("" if value is None else value,)

    def canonical(self, value: Any) -> str:
        """The text a value is hashed as (to notice changed rows)."""
        return "" if value is None else str(value)


@dataclass(frozen=True)
class DateColumn(Column):
    """An ISO date, possibly partial (YYYY or YYYY-MM); stored as <name> + <name>_precision.
    A date in the future is refused unless the column is one that looks ahead (an expiry)."""

    future_allowed: bool = False
    repetitive = True

    def parse(self, cell: str) -> PartialDate:
        try:
            date = parse_partial_date(cell)
            return date if self.future_allowed else not_in_future(date)
        except PartialDateError as error:
            raise ValueError(str(error)) from None

    def db_columns(self) -> tuple[str, ...]:
        return (self.name, f"{self.name}_precision")

    def db_values(self, value: PartialDate | None) -> tuple[Any, ...]:
        return (None, "") if value is None else (value.earliest, value.precision)


@dataclass(frozen=True)
class CodeColumn(Column):
    """A term of a closed vocabulary, stored as its code (a foreign key, or a choice)."""

    vocabulary: Vocabulary[Any] = field(default_factory=lambda: Vocabulary("empty", ()))
    # Foreign keys are NULL when unknown; plain choice columns hold ''.
    nullable: bool = True
    repetitive = True

    def parse(self, cell: str) -> str:
        term: Term | None = self.vocabulary.match(cell)
        if term is None:
            expected = ", ".join(self.vocabulary.codes())
            raise ValueError(f"unknown {self.vocabulary.name}; expected one of: {expected}")
        return term.code

    def db_values(self, value: Any) -> tuple[Any, ...]:
        if value is None:
            return (None if self.nullable else "",)
        return (value,)


@dataclass(frozen=True)
class ListColumn(Column):
    """Several values in one cell separated by ';' (order kept). Not a database column itself:
    the importer turns it into history rows (names, shoulder numbers)."""

    item_max_length: int = 250

    def parse(self, cell: str) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(item.strip() for item in cell.split(";") if item.strip()))
        for item in items:
            if len(item) > self.item_max_length:
                raise ValueError(f"'{item[:30]}…' is longer than {self.item_max_length} characters")
        return items

    def db_columns(self) -> tuple[str, ...]:
        return ()

    def db_values(self, value: Any) -> tuple[Any, ...]:
        return ()

    def canonical(self, value: Any) -> str:
        return "" if value is None else ";".join(value)


@dataclass(frozen=True)
class SealedColumn(Column):
    """Free text sealed at rest (vigil.core.sealing), such as a complainant's phone number. Stored as
    a Fernet token; hashed (to notice changed rows) as an HMAC under the digest key
    (vigil.core.digests), never as the plaintext, which a row hash would let anyone brute-force
    back. Problems report it as "[sealed]".

    A stored seal cannot be compared with a cell (each seal differs), so a row with a value here is
    rewritten (counted as updated) whenever its hash changes for another reason: after
    `vigil keys rotate` (the HMAC key changes) or after an import with other columns. Harmless:
    the stored value is the same plaintext, re-sealed."""

    def db_values(self, value: Any) -> tuple[Any, ...]:
        return (seal(value) if value else "",)

    def canonical(self, value: Any) -> str:
        return fingerprint(value) if value else ""


@dataclass(frozen=True)
class Contract:
    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (later, earlier): date columns whose dates cannot come before another's in the same row,
    # e.g. an outcome before the allegation was received.
    not_before: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


class CellReader:
    """Parses one column's cells fast: a plain text column needs no call; a repetitive column
    remembers each distinct cell's result. A result is (value, canonical text, database values)."""

    def __init__(self, column: Column, adapt_date: Callable[[Any], Any] | None = None) -> None:
        self.column = column
        # Free text needs no parsing; check_table checks its length for a whole column at once.
        self.plain_text = type(column) is Column
        self.adapt_date = adapt_date
        self._memo: dict[str, tuple[Any, str, tuple[Any, ...]]] | None = {} if column.repetitive else None
        self.empty = (None, "", self._db_values(None))

    def _db_values(self, value: Any) -> tuple[Any, ...]:
        result = self.column.db_values(value)
        if self.adapt_date is not None and isinstance(self.column, DateColumn) and result[0] is not None:
            result = (self.adapt_date(result[0]), *result[1:])
        return result

    def read(self, cell: str) -> tuple[Any, str, tuple[Any, ...]]:
        """Raises ValueError with the reason."""
        if self.plain_text:
            return cell, cell, (cell,)
        memo = self._memo
        if memo is not None:
            found = memo.get(cell)
            if found is not None:
                return found
        value = self.column.parse(cell)
        result = (value, self.column.canonical(value), self._db_values(value))
        if memo is not None:
            memo[cell] = result
        return result


def db_row(columns: Sequence[Column], values: dict[str, Any]) -> dict[str, Any]:
    """The database columns and values that some contract columns of a row fill."""
    row: dict[str, Any] = {}
    for column in columns:
        row.update(zip(column.db_columns(), column.db_values(values.get(column.name)), strict=True))
    return row
