"""`vigil link`: one run of the machine linker, from the database and back.

A full run re-estimates the model (saved as a new LinkModel version) and re-links every
allegation; an incremental run loads the latest model and links only what is new or changed:
allegations never linked, allegations whose recorded subject changed since they were linked, and,
when people on the register changed, the allegations left unmatched or pointing at them.

A human decision (confirmed, rejected) is never touched by a run, and a rejected pair is never
proposed again (engine.decide drops it before ranking)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import splink
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.linkage.engine import context, prepare
from vigil.linkage.engine.decide import Thresholds, decide
from vigil.linkage.engine.extract import extract
from vigil.linkage.engine.score import estimate, score
from vigil.linkage.models import (
    HUMAN_STATUSES,
    AllegationLink,
    LinkCandidate,
    LinkModel,
    LinkRun,
    LinkStatus,
)
from vigil.people.models import Person

_WRITE_CHUNK = 5_000


@dataclass
class LinkResult:
    run: LinkRun
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def thresholds_from_settings() -> Thresholds:
    return Thresholds(
        auto=settings.LINK_AUTO_THRESHOLD,
        review=settings.LINK_REVIEW_THRESHOLD,
        on_register_share=settings.LINK_ON_REGISTER_SHARE,
        candidates_kept=settings.LINK_CANDIDATES_KEPT,
    )


def link_allegations(
    *,
    full: bool = False,
    engine: str = "duckdb",
    thresholds: Thresholds | None = None,
    step: Callable[[str], None] | None = None,
) -> LinkResult:
    """Run the linker. `step` is told the name of each stage as it starts (for a progress bar)."""
    thresholds = thresholds or thresholds_from_settings()
    seconds: dict[str, float] = {}
    current_name, current_since = "", time.perf_counter()

    def stage(name: str) -> None:
        """Close the running stage's timer and start the next."""
        nonlocal current_name, current_since
        now = time.perf_counter()
        if current_name:
            seconds[current_name] = round(now - current_since, 2)
        current_name, current_since = name, now
        if step and name != "done":
            step(name)

    started_at = timezone.now()
    latest = LinkModel.objects.first()
    full = full or latest is None
    scope = None if full else _incremental_scope()
    stage("read")
    data = extract(allegation_ids=scope)
    # DuckDB spills to disk under a big join: into the system's temp directory, not the caller's.
    con = duckdb.connect(config={"temp_directory": str(Path(tempfile.gettempdir()) / "vigil-duckdb")})
    try:
        for name, table in data.as_duckdb_tables().items():
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
            con.unregister(f"{name}_arrow")
        del data
        stage("prepare")
        prepare.load_reference(con)
        prepare.prepare_register(con)
        prepare.prepare_mentions(con)
        prepare.mention_places(con)
        if full:
            places = prepare.learn_places(con)
        else:
            assert latest is not None
            places = [(place, command) for place, command in latest.places]
        prepare.apply_places(con, places)
        # Allegations a person has decided are left exactly as they are.
        con.execute(
            "DELETE FROM mentions WHERE unique_id IN (SELECT allegation_id FROM src_links WHERE status IN "
            f"({', '.join(repr(str(status)) for status in HUMAN_STATUSES)}))"
        )
        if full:
            stage("estimate")
            model_json = estimate(con, on_register_share=thresholds.on_register_share)
            model = _save_model(model_json, places=places, engine=engine, con=con)
        else:
            assert latest is not None
            model, model_json = latest, latest.splink_model
        stage("score")
        score(con, model_json, engine=engine)
        stage("decide")
        decide(con, model_json, thresholds)
        if context.build_context(con):
            if full:
                model_json = context.estimate_complainant(con, model_json)
                model.splink_model = model_json
                model.save(update_fields=["splink_model"])
            if context.second_pass_mentions(con):
                score(con, model_json, engine=engine)
                decide(con, model_json, thresholds)
                context.merge_second_pass(con)
            else:
                context.restore_first_pass(con)
        stage("write")
        with transaction.atomic():
            run = LinkRun.objects.create(
                started_at=started_at, full=full, engine=engine, model=model, allegations_considered=0
            )
            counts = _write(con, model=model, run_at=started_at)
            run.allegations_considered = sum(counts.values())
            run.people_considered = con.execute("SELECT count(*) FROM register").fetchall()[0][0]
            run.counts = counts
            run.finished_at = timezone.now()
            run.save()
            audit_record(
                action=Action.RECORDS_LINKED,
                actor=None,
                actor_label="vigil link",
                record_type="link_run",
                record_id=run.pk,
                record_label=str(run),
                detail={"full": full, "engine": engine, "model_version": model.version, "counts": counts},
            )
        stage("done")
    finally:
        con.close()
    return LinkResult(run=run, counts=counts, seconds=seconds)


def _incremental_scope() -> list[int]:
    """Allegations an incremental run must (re)link."""
    machine = ~Q(link__status__in=HUMAN_STATUSES)
    new = Q(link__isnull=True)
    changed = Q(link__isnull=False) & ~Q(link__allegation_row_hash=F("row_hash"))
    last_run = LinkRun.objects.aggregate(latest=Max("started_at"))["latest"]
    people_changed = Person.objects.filter(updated_at__gte=last_run) if last_run else Person.objects.none()
    wanted = new | changed
    if people_changed.exists():
        # A changed name or number may now match what was left unmatched, or undo a match.
        wanted |= (
            Q(link__status=LinkStatus.UNMATCHED)
            | Q(link__person__in=people_changed)
            | Q(link_candidates__person__in=people_changed)
        )
    return list(Allegation.objects.filter(machine & wanted).values_list("id", flat=True).distinct())


def _save_model(
    model_json: dict[str, Any], *, places: list[tuple[str, str]], engine: str, con: duckdb.DuckDBPyConnection
) -> LinkModel:
    latest = LinkModel.objects.aggregate(latest=Max("version"))["latest"] or 0
    return LinkModel.objects.create(
        version=latest + 1,
        created_at=timezone.now(),
        engine=engine,
        splink_version=splink.__version__,
        splink_model=model_json,
        places=[list(pair) for pair in places],
        people_count=con.execute("SELECT count(*) FROM register").fetchall()[0][0],
        allegations_count=con.execute("SELECT count(*) FROM mentions").fetchall()[0][0],
    )


def _write(con: duckdb.DuckDBPyConnection, *, model: LinkModel, run_at: Any) -> dict[str, int]:
    """Replace the machine's links and candidates for the allegations in `mentions`."""
    link_table = AllegationLink._meta.db_table
    candidate_table = LinkCandidate._meta.db_table
    ids = [row[0] for row in con.execute("SELECT unique_id FROM mentions ORDER BY 1").fetchall()]
    human = [str(status) for status in HUMAN_STATUSES]
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {candidate_table} WHERE allegation_id IN ({marks})",
                chunk,
            )
            cursor.execute(
                f"DELETE FROM {link_table} WHERE allegation_id IN ({marks}) "
                f"AND status NOT IN ({', '.join(['%s'] * len(human))})",
                [*chunk, *human],
            )
        rows = con.execute(
            """SELECT d.allegation_id, d.status, d.person_id, d.match_probability, coalesce(d.evidence, '[]'),
                      a.row_hash
               FROM decisions d JOIN src_allegations a ON a.id = d.allegation_id"""
        ).fetchall()
        _insert(
            cursor,
            link_table,
            (
                "allegation_id",
                "status",
                "person_id",
                "match_probability",
                "evidence",
                "allegation_row_hash",
                "model_id",
                "linked_at",
                "decision_reason",
            ),
            ((*row, model.pk, run_at, "") for row in rows),
        )
        candidates = con.execute(
            """SELECT allegation_id, person_id, rank, match_probability, match_weight,
                      coalesce(evidence, '[]')
               FROM candidates"""
        ).fetchall()
        _insert(
            cursor,
            candidate_table,
            ("allegation_id", "person_id", "rank", "match_probability", "match_weight", "evidence"),
            candidates,
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[1]] = counts.get(row[1], 0) + 1
    return counts


def _insert(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _WRITE_CHUNK:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
