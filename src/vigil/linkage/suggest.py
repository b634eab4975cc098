"""The people a subject description could be about, ranked by the linking model itself, for the
call handler while they type. The register is prepared once per server process (and again when
the register or the model changes); each description is then one mention scored by Splink against
it, exactly as `vigil link` scores an allegation.

What comes back is deliberately thin, name, rank and command: the call handler needs to tell two
PC Smiths apart, not to read anyone's history (need-to-know)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from django.db.models import Count, Max

from vigil.linkage.engine import prepare
from vigil.linkage.engine.extract import extract
from vigil.linkage.engine.score import score
from vigil.linkage.models import LinkModel
from vigil.people.models import Person

# Candidates below this match weight (2^-8 against) are noise to a call handler.
SHOWN_WEIGHT = -8.0


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


@dataclass(frozen=True)
class SubjectCandidate:
    person_id: int
    name: str
    rank: str
    command: str
    match_probability: float


class _PreparedRegister:
    """A DuckDB connection holding the prepared register for one (model, register) state."""

    def __init__(self, key: tuple[Any, ...], model: LinkModel) -> None:
        self.key = key
        self.model_json = model.splink_model
        self.places = [(str(place), str(command)) for place, command in model.places]
        data = extract(allegation_ids=[])
        self.mention_schema = data.allegations.schema
        self.con = duckdb.connect()
        data.load_into(self.con)
        prepare.load_reference(self.con)
        prepare.prepare_register(self.con)

    def rank(self, description: SubjectDescription, limit: int) -> list[tuple[int, float]]:
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
        prepare.apply_places(self.con, self.places)
        score(self.con, self.model_json)
        rows = self.con.execute(
            "SELECT person_id, max(match_weight) AS weight FROM pairs WHERE match_weight >= ? "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
            [SHOWN_WEIGHT, limit],
        ).fetchall()
        return [(int(person_id), float(weight)) for person_id, weight in rows]


_lock = threading.Lock()
_prepared: _PreparedRegister | None = None


def _register_key(model: LinkModel) -> tuple[Any, ...]:
    state = Person.objects.aggregate(people=Count("id"), changed=Max("updated_at"))
    return (model.pk, model.version, state["people"], state["changed"])


def subject_candidates(description: SubjectDescription, *, limit: int = 5) -> list[SubjectCandidate]:
    """Up to `limit` people the description could be about, most likely first; none before the
    first `vigil link` (there is no model yet) or for a description without a name or number."""
    global _prepared
    if description.is_empty():
        return []
    model = LinkModel.objects.first()
    if model is None:
        return []
    key = _register_key(model)
    # One search at a time per process: the prepared connection is shared and DuckDB temp tables
    # are per connection. A search takes a fraction of a second.
    with _lock:
        if _prepared is None or _prepared.key != key:
            _prepared = None
            _prepared = _PreparedRegister(key, model)
        ranked = _prepared.rank(description, limit)
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
