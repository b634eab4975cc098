"""Read what linking needs from the database into Arrow tables. Dates travel as ISO text: the
same on SQLite and PostgreSQL, and comparable as strings.

A million allegations must not become a million Python tuples (that alone takes seconds): the
database itself renders each chunk of rows as newline-delimited JSON, one string per chunk, and
pyarrow parses it in C, in a worker thread while the database renders the next chunk."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.json as pa_json  # type: ignore[import-untyped]
from django.db import connection
from django.db.models import Model

from vigil.allegations.models import Allegation
from vigil.core.bulk import chunked
from vigil.linkage.models import HUMAN_STATUSES, AllegationLink, LinkStatus, RejectedPair
from vigil.people.models import FormerStaffNumber, Person, PersonName, RoleRecord, ShoulderNumber

# Rows per round trip: one JSON text of some tens of megabytes.
_CHUNK_ROWS = 100_000
_JSON_BLOCK = 1 << 24


@dataclass(frozen=True)
class Extract:
    people: pa.Table
    person_names: pa.Table
    shoulder_numbers: pa.Table
    roles: pa.Table
    former_staff_numbers: pa.Table
    allegations: pa.Table
    rejected_pairs: pa.Table
    links: pa.Table
    complainant_links: pa.Table

    def as_duckdb_tables(self) -> dict[str, pa.Table]:
        return {f"src_{name}": getattr(self, name) for name in self.__dataclass_fields__}

    def load_into(self, con: duckdb.DuckDBPyConnection) -> None:
        """Copy every table into DuckDB as src_<name>: the Arrow data can then be freed."""
        for name, table in self.as_duckdb_tables().items():
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
            con.unregister(f"{name}_arrow")


def _arrow_type(column: str) -> pa.DataType:
    """Explicit types: an empty table must still have them (keys are integers, the rest text)."""
    is_key = column == "id" or (column.endswith("_id") and not column.endswith("staff_id"))
    return pa.int64() if is_key else pa.string()


def _json_rows(columns: Sequence[str]) -> str:
    """SQL aggregating the rows of `chunk` (columns c0, c1, ...) into newline-delimited JSON."""
    pairs = ", ".join(f"'{name}', c{index}" for index, name in enumerate(columns))
    if connection.vendor == "sqlite":
        return f"CAST(group_concat(json_object({pairs}), char(10)) AS BLOB)"
    if connection.vendor == "postgresql":
        return f"string_agg(json_build_object({pairs})::text, E'\\n')"
    raise NotImplementedError(f"linking reads from SQLite or PostgreSQL, not {connection.vendor}")


def _parse(text: bytes | str, schema: pa.Schema) -> pa.Table:
    data = text.encode() if isinstance(text, str) else text
    return pa_json.read_json(
        io.BytesIO(data),
        read_options=pa_json.ReadOptions(block_size=_JSON_BLOCK),
        parse_options=pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
    )


def _table(
    source: str, key: str, columns: Sequence[tuple[str, str]], where: str = "", params: Iterable[Any] = ()
) -> pa.Table:
    """SELECT (name, SQL expression) `columns` FROM `source` [WHERE `where`], in chunks of rows
    ordered by the integer column `key` (a primary key: each chunk starts past the last)."""
    names = [name for name, _ in columns]
    schema = pa.schema([(name, _arrow_type(name)) for name in names])
    selected = ", ".join(f"{expression} AS c{index}" for index, (_, expression) in enumerate(columns))
    condition = f"({where}) AND " if where else ""
    sql = (
        f"SELECT {_json_rows(names)}, max(k), count(*) FROM "
        f"(SELECT {key} AS k, {selected} FROM {source} WHERE {condition}{key} > %s "
        f"ORDER BY {key} LIMIT {_CHUNK_ROWS}) chunk"
    )
    parts: list[Future[pa.Table]] = []
    after = -(2**63)
    with ThreadPoolExecutor(max_workers=1) as parser, connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [*params, after])
            text, last, count = cursor.fetchall()[0]
            if count:
                parts.append(parser.submit(_parse, text, schema))
            if count < _CHUNK_ROWS:
                break
            after = last
        tables = [part.result() for part in parts]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _read(
    model: type[Model], columns: Sequence[str], where: str = "", params: Iterable[Any] = ()
) -> pa.Table:
    """The named columns of `model`'s table; those ending in '::date' are cast to ISO text."""
    selected = []
    for column in columns:
        name, _, cast = column.partition("::")
        selected.append((name, f"CAST({name} AS TEXT)" if cast == "date" else name))
    return _table(model._meta.db_table, model._meta.pk.column, selected, where, params)


ALLEGATION_COLUMNS = (
    "id",
    "source_system",
    "allegation_ref",
    "received_on::date",
    "incident_date::date",
    "subject_name",
    "subject_staff_id",
    "subject_shoulder_number",
    "subject_rank",
    "subject_command",
    "subject_force",
    "subject_dob::date",
    "subject_dob_precision",
    "subject_details",
    "complainant_ref",
    "row_hash",
)


def extract(*, allegation_ids: Sequence[int] | None = None) -> Extract:
    """Everything about the register (linking always compares against all of it), and either every
    allegation or only those named.

    Links: a run replaces every machine link of the allegations it links, so a full run reads only
    the human decisions (and, for complainant context, only the confirmed links); an incremental
    run reads them all."""
    full = allegation_ids is None
    if allegation_ids is None:
        allegations = _read(Allegation, ALLEGATION_COLUMNS)
    else:
        chunks = [
            _read(Allegation, ALLEGATION_COLUMNS, f"id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            for chunk in chunked(list(allegation_ids))
        ]
        allegations = pa.concat_tables(chunks) if chunks else _read(Allegation, ALLEGATION_COLUMNS, "1 = 0")
    human = [str(status) for status in HUMAN_STATUSES]
    return Extract(
        people=_read(
            Person,
            (
                "id",
                "force",
                "staff_id",
                "surname",
                "forenames",
                "date_of_birth::date",
                "date_of_birth_precision",
                "rank_or_grade",
                "role",
                "command",
                "joined_on::date",
                "left_on::date",
                "row_hash",
            ),
        ),
        person_names=_read(PersonName, ("person_id", "kind", "full_name", "surname", "forenames")),
        shoulder_numbers=_read(ShoulderNumber, ("person_id", "number")),
        roles=_read(RoleRecord, ("person_id", "rank_or_grade", "role", "command")),
        former_staff_numbers=_read(FormerStaffNumber, ("person_id", "force", "staff_id")),
        allegations=allegations,
        rejected_pairs=_read(RejectedPair, ("allegation_id", "person_id")),
        links=_read(
            AllegationLink,
            ("allegation_id", "status", "allegation_row_hash"),
            f"status IN ({', '.join(['%s'] * len(human))})" if full else "",
            human if full else (),
        ),
        complainant_links=_complainant_links(full=full),
    )


def _complainant_links(*, full: bool) -> pa.Table:
    """(complainant_ref, allegation_id, person_id) of the allegations already linked for sure
    (confirmed, or auto-linked at a probability of at least CONFIDENT): what a complainant's
    other reports say about who they are about (engine.context). A full run re-links every
    auto link itself, so it needs only the confirmed ones."""
    from vigil.linkage.engine.context import CONFIDENT

    link_table = AllegationLink._meta.db_table
    allegation_table = Allegation._meta.db_table
    sure = "l.status = %s" if full else "(l.status = %s OR (l.status = %s AND l.match_probability >= %s))"
    params: list[Any] = [LinkStatus.CONFIRMED.value]
    if not full:
        params += [LinkStatus.AUTO.value, CONFIDENT]
    return _table(
        f"{link_table} l JOIN {allegation_table} a ON a.id = l.allegation_id",
        "l.allegation_id",
        (
            ("complainant_ref", "a.complainant_ref"),
            ("allegation_id", "l.allegation_id"),
            ("person_id", "l.person_id"),
        ),
        f"a.complainant_ref <> '' AND l.person_id IS NOT NULL AND {sure}",
        params,
    )
