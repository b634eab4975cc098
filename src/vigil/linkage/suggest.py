"""The people a subject description could be about, ranked by the linking model itself, for the
call handler while they type. The register, its blocking indexes and the model's scoring SQL are
prepared once per server process, and again only when the register or the model changes (a cheap
version check per search); each description is then one mention, whose candidates are found by
the model's own blocking rules and scored by the SQL Splink generates from the saved model: the
same weights `vigil link` gives, in tens of milliseconds instead of seconds.

What comes back is deliberately thin, name, rank and command: the call handler needs to tell two
PC Smiths apart, not to read anyone's history (need-to-know)."""

# The SQL here is assembled from the model's own table and column names and from person ids read
# from the register, never from what the call handler types (that is a bound parameter).
# ruff: noqa: S608

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from django.db.models import Count, Max
from splink import SettingsCreator
from splink.internals.comparison_vector_values import compute_comparison_vector_values_sql
from splink.internals.parse_sql import parse_columns_in_sql
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.settings import Settings

from vigil.linkage.engine import prepare
from vigil.linkage.engine.extract import extract
from vigil.linkage.engine.prepare import MENTION_COLUMNS
from vigil.linkage.engine.score import settings_for_dialect
from vigil.linkage.models import LinkModel
from vigil.people.models import Person

# Candidates below this match weight (2^-8 against) are noise to a call handler.
SHOWN_WEIGHT = -8.0
# Bounds on one search's work, whatever is typed: the people scored, and the keys looked up per
# blocking rule (a mention has a handful; lists multiply them).
MAX_SCORED = 2_000
MAX_KEYS = 50
MAX_LIMIT = 20
# How often a process checks whether the register or the model changed (counting 60,000 people
# and finding their latest change costs tens of milliseconds on SQLite: not for every keystroke).
# A person added is offered at most this many seconds later.
KEY_CHECK_SECONDS = 5.0
# Searches remembered per process, answered again without scoring.
RECENT_SEARCHES = 256


@dataclass(frozen=True)
class SubjectDescription:
    name: str = ""
    staff_id: str = ""
    shoulder_number: str = ""
    rank: str = ""
    command: str = ""
    details: str = ""
    incident_date: str = ""  # ISO date, or empty

    def is_empty(self) -> bool:
        return not any((self.name, self.staff_id, self.shoulder_number))

    def bounded(self) -> SubjectDescription:
        """Each field cut to the length the call-handler form accepts."""
        return SubjectDescription(
            name=self.name[:250],
            staff_id=self.staff_id[:32],
            shoulder_number=self.shoulder_number[:20],
            rank=self.rank[:100],
            command=self.command[:200],
            details=self.details[:1_200],  # five fields of 200 and their line breaks
            incident_date=self.incident_date[:10],
        )


@dataclass(frozen=True)
class SubjectCandidate:
    person_id: int
    name: str
    rank: str
    command: str
    match_probability: float


class _PreparedRegister:
    """Everything a search needs that does not depend on the search, for one (model, register)
    state: a DuckDB connection holding the prepared register (indexed by person), one blocking
    index per blocking rule of the model (the register's side of the rule, lists exploded,
    indexed by its key), and the model's scoring SQL, generated once by Splink from the saved
    model. A search then prepares its one mention, looks its keys up in the indexes and scores
    only the people found, where building a Splink linker for every search took seconds."""

    def __init__(self, key: tuple[Any, ...], model: LinkModel) -> None:
        self.key = key
        self.checked_at = time.monotonic()
        data = extract(allegation_ids=[])
        self.mention_schema = data.allegations.schema
        self.con = duckdb.connect()
        data.load_into(self.con)
        del data
        prepare.load_reference(self.con)
        prepare.prepare_register(self.con)
        self.con.execute("CREATE UNIQUE INDEX register_person ON register (unique_id)")
        prepare.load_places(self.con, [(str(place), str(command)) for place, command in model.places])
        settings = SettingsCreator.from_path_or_dict(
            settings_for_dialect(copy.deepcopy(model.splink_model), "duckdb")
        ).get_settings("duckdb")
        self.blocks = [
            _BlockingIndex.build(self.con, number, rule)
            for number, rule in enumerate(settings._blocking_rules_to_generate_predictions)
        ]
        self.scoring_sql = _scoring_sql(settings)
        # The script asks again whenever any watched field changes, the narrative too: the same
        # description is then answered from here.
        self.recent: OrderedDict[tuple[SubjectDescription, int], list[tuple[int, float]]] = OrderedDict()
        # A search then takes one core at most: the web server's other requests keep the rest.
        self.con.execute("SET threads = 1")

    def rank(self, description: SubjectDescription, limit: int) -> list[tuple[int, float]]:
        cached = self.recent.get((description, limit))
        if cached is not None:
            self.recent.move_to_end((description, limit))
            return cached
        ranked = self._rank(description, limit)
        self.recent[(description, limit)] = ranked
        if len(self.recent) > RECENT_SEARCHES:
            self.recent.popitem(last=False)
        return ranked

    def _rank(self, description: SubjectDescription, limit: int) -> list[tuple[int, float]]:
        row: dict[str, Any] = dict.fromkeys(self.mention_schema.names)
        row.update(
            id=1,
            source_system="hotline",
            allegation_ref="candidate-search",
            received_on=description.incident_date or None,
            incident_date=description.incident_date or None,
            subject_name=description.name,
            subject_staff_id=description.staff_id,
            subject_shoulder_number=description.shoulder_number,
            subject_rank=description.rank,
            subject_command=description.command,
            subject_details=description.details,
            subject_dob_precision="D",
        )
        self.con.register("one_mention", pa.Table.from_pylist([row], schema=self.mention_schema))
        self.con.execute("CREATE OR REPLACE TEMP TABLE src_allegations AS SELECT * FROM one_mention")
        self.con.unregister("one_mention")
        prepare.prepare_mentions(self.con)
        prepare.mention_places(self.con)
        prepare.place_mentions(self.con)
        cursor = self.con.execute("SELECT * FROM mentions")
        names = [column[0] for column in cursor.description]
        mention = dict(zip(names, cursor.fetchone() or (), strict=False))
        found: set[int] = set()
        for block in self.blocks:
            found.update(block.people(self.con, mention))
        if not found:
            return []
        # Person ids are integers read from the register: safe to write into the SQL, which lets
        # DuckDB fetch the candidates through the register's index.
        candidates = ", ".join(str(person_id) for person_id in sorted(found)[:MAX_SCORED])
        rows = self.con.execute(
            f"SELECT person_id, max(match_weight) AS weight "
            f"FROM ({self.scoring_sql.replace('CANDIDATE_IDS', candidates)}) "
            "WHERE match_weight >= ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
            [SHOWN_WEIGHT, limit],
        ).fetchall()
        return [(int(person_id), float(weight)) for person_id, weight in rows]


@dataclass(frozen=True)
class _BlockingIndex:
    """The register's side of one blocking rule (`l.a = r.a AND l.b = r.b`, lists exploded as
    Splink explodes them), indexed on its key so that one mention's keys are point look-ups."""

    table: str
    columns: tuple[str, ...]
    arrays: tuple[str, ...]

    @classmethod
    def build(cls, con: duckdb.DuckDBPyConnection, number: int, rule: Any) -> _BlockingIndex:
        used = parse_columns_in_sql(rule.blocking_rule_sql, sqlglot_dialect=rule.sqlglot_dialect)
        columns = tuple(sorted({str(column.name) for column in used}))
        expected = " AND ".join(f'(l."{column}" = r."{column}")' for column in columns)
        normalised = rule.blocking_rule_sql if len(columns) > 1 else f"({rule.blocking_rule_sql})"
        if sorted(normalised.split(" AND ")) != sorted(expected.split(" AND ")):
            raise ValueError(f"a candidate search needs equality blocking rules: {rule.blocking_rule_sql}")
        arrays = tuple(getattr(rule, "array_columns_to_explode", []))
        table = f"block_register_{number}"
        exploded = f"SELECT unique_id, {', '.join(columns)} FROM register"
        for array in arrays:
            others = [column for column in ("unique_id", *columns) if column != array]
            exploded = f"SELECT {', '.join(others)}, unnest({array}) AS {array} FROM ({exploded})"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT DISTINCT * FROM ({exploded}) "
            f"WHERE {' AND '.join(f'{column} IS NOT NULL' for column in columns)}"
        )
        con.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(columns)})")
        return cls(table=table, columns=columns, arrays=arrays)

    def people(self, con: duckdb.DuckDBPyConnection, mention: dict[str, Any]) -> set[int]:
        """The people the mention meets by this rule (none if one of its keys is missing)."""
        values = [
            list(mention.get(column) or []) if column in self.arrays else [mention.get(column)]
            for column in self.columns
        ]
        found: set[int] = set()
        condition = " AND ".join(f"{column} = ?" for column in self.columns)
        for key in itertools.islice(itertools.product(*values), MAX_KEYS):
            if any(value is None for value in key):
                continue
            rows = con.execute(f"SELECT unique_id FROM {self.table} WHERE {condition}", list(key)).fetchall()
            found.update(int(person_id) for (person_id,) in rows)
        return found


def _scoring_sql(settings: Settings) -> str:
    """Splink's own SQL for the comparison vectors and the match weight, over the pairs of the
    one mention (left) with each candidate (right, CANDIDATE_IDS): the weights `vigil link` gives."""
    pairs = ", ".join(
        [
            "'mentions' AS source_dataset_l",
            "'register' AS source_dataset_r",
            "0 AS match_key",
            *(f"l.{column} AS {column}_l, r.{column} AS {column}_r" for column in MENTION_COLUMNS),
        ]
    )
    steps = [
        (
            "__splink__df_blocked",
            f"SELECT {pairs} FROM mentions AS l CROSS JOIN register AS r "
            "WHERE r.unique_id IN (CANDIDATE_IDS)",
        ),
        (
            "__splink__df_comparison_vectors",
            compute_comparison_vector_values_sql(settings._columns_to_select_for_comparison_vector_values),
        ),
    ]
    steps += [
        (step["output_table_name"], step["sql"])
        for step in predict_from_comparison_vectors_sqls_using_settings(settings)
    ]
    *ctes, (_, final) = steps
    with_clause = ",\n".join(f"{name} AS ({sql})" for name, sql in ctes)
    return f"WITH {with_clause} SELECT unique_id_r AS person_id, match_weight FROM ({final})"


_lock = threading.Lock()
_prepared: _PreparedRegister | None = None
# How many times this process prepared the register (the tests count them).
preparations = 0


def _register_key(model: LinkModel) -> tuple[Any, ...]:
    """What the prepared register depends on, read in one cheap query: the model and its version,
    how many people, and the latest change to any of them."""
    state = Person.objects.aggregate(people=Count("id"), changed=Max("updated_at"))
    return (model.pk, model.version, state["people"], state["changed"])


def subject_candidates(description: SubjectDescription, *, limit: int = 5) -> list[SubjectCandidate]:
    """Up to `limit` (at most MAX_LIMIT) people the description could be about, most likely
    first; none before the first `vigil link` (there is no model yet) or for a description
    without a name or number. Each field is cut to the form's length first: what one search
    costs does not depend on what is sent."""
    global _prepared, preparations
    description = description.bounded()
    if description.is_empty():
        return []
    model = LinkModel.objects.first()
    if model is None:
        return []
    # One search at a time per process: the prepared connection is shared and DuckDB temp tables
    # are per connection. A search takes a few tens of milliseconds.
    with _lock:
        now = time.monotonic()
        if _prepared is None or now - _prepared.checked_at >= KEY_CHECK_SECONDS:
            key = _register_key(model)
            if _prepared is None or _prepared.key != key:
                _prepared = None
                _prepared = _PreparedRegister(key, model)
                preparations += 1
            _prepared.checked_at = now
        ranked = _prepared.rank(description, min(limit, MAX_LIMIT))
    people = Person.objects.in_bulk([person_id for person_id, _ in ranked])
    found = []
    for person_id, weight in ranked:
        person = people.get(person_id)
        if person is None:
            continue
        found.append(
            SubjectCandidate(
                person_id=person.pk,
                name=f"{person.forenames} {person.surname}".strip(),
                rank=person.rank_or_grade,
                command=person.command,
                match_probability=2**weight / (1 + 2**weight),
            )
        )
    return found
