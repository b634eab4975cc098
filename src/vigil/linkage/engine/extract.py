"""Read what linking needs from the database into Arrow tables, in chunks (a million allegations
must not become a million model instances). Dates travel as ISO text: the same on SQLite and
PostgreSQL, and comparable as strings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from django.db import connection
from django.db.models import Model

from vigil.allegations.models import Allegation
from vigil.linkage.models import AllegationLink, RejectedPair
from vigil.people.models import FormerStaffNumber, Person, PersonName, RoleRecord, ShoulderNumber

_FETCH = 50_000


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


def _table(sql: str, names: Sequence[str], params: Iterable[Any] = ()) -> pa.Table:
    columns: list[list[object]] = [[] for _ in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(_FETCH):
            for index, column in enumerate(zip(*rows, strict=True)):
                columns[index].extend(column)
    return pa.table(
        {name: pa.array(values, type=_arrow_type(name)) for name, values in zip(names, columns, strict=True)}
    )


def _arrow_type(column: str) -> pa.DataType:
    """Explicit types: an empty table must still have them (keys are integers, the rest text)."""
    is_key = column == "id" or (column.endswith("_id") and not column.endswith("staff_id"))
    return pa.int64() if is_key else pa.string()


def _select(model: type[Model], columns: Sequence[str], where: str = "") -> tuple[str, list[str]]:
    """SELECT the named columns; those ending in '::date' are cast to ISO text."""
    table = model._meta.db_table
    expressions, names = [], []
    for column in columns:
        name, _, cast = column.partition("::")
        names.append(name)
        expressions.append(f"CAST({name} AS TEXT)" if cast == "date" else name)
    return f"SELECT {', '.join(expressions)} FROM {table} {where}", names


def _read(
    model: type[Model], columns: Sequence[str], where: str = "", params: Iterable[Any] = ()
) -> pa.Table:
    sql, names = _select(model, columns, where)
    return _table(sql, names, params)


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
    allegation or only those named."""
    if allegation_ids is None:
        allegations = _read(Allegation, ALLEGATION_COLUMNS)
    elif not allegation_ids:
        allegations = _read(Allegation, ALLEGATION_COLUMNS, "WHERE 1 = 0")
    else:
        chunks = [
            _read(
                Allegation,
                ALLEGATION_COLUMNS,
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for chunk in _chunks(list(allegation_ids), 900)
        ]
        allegations = pa.concat_tables(chunks)
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
        links=_read(AllegationLink, ("allegation_id", "status", "allegation_row_hash")),
        complainant_links=_complainant_links(),
    )


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _complainant_links() -> pa.Table:
    """(complainant_ref, allegation_id, person_id) of the allegations already linked for sure
    (confirmed, or auto-linked at a probability of at least CONFIDENT): what a complainant's
    other reports say about who they are about (engine.context)."""
    from vigil.linkage.engine.context import CONFIDENT
    from vigil.linkage.models import LinkStatus

    link_table = AllegationLink._meta.db_table
    allegation_table = Allegation._meta.db_table
    return _table(
        f"SELECT a.complainant_ref, l.allegation_id, l.person_id FROM {link_table} l "
        f"JOIN {allegation_table} a ON a.id = l.allegation_id "
        "WHERE a.complainant_ref <> '' AND l.person_id IS NOT NULL "
        "AND (l.status = %s OR (l.status = %s AND l.match_probability >= %s))",
        ("complainant_ref", "allegation_id", "person_id"),
        [LinkStatus.CONFIRMED.value, LinkStatus.AUTO.value, CONFIDENT],
    )
