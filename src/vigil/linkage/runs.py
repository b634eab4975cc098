"""`vigil link`: one run of the machine linker, from the database and back.

A full run re-estimates the model (saved as a new LinkModel version) and re-links every
allegation; an incremental run loads the latest model and links only what is new or changed:
allegations never linked, allegations whose recorded subject changed since they were linked, and,
when people on the register changed, the allegations left unmatched or pointing at them.

A human decision (confirmed, rejected) is never touched by a run, and a rejected pair is never
proposed again (engine.decide drops it before ranking)."""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import splink
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.core.bulk import chunked, sqlite_indexes_rebuilt
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
from vigil.reviews.services import links_changed

_WRITE_CHUNK = 50_000
# DuckDB's buffer budget: the whole run (Python, Arrow, SQLite's cache besides) stays under 6 GB
# for a million allegations against 300,000 people (docs/performance.md).
_DUCKDB_MEMORY_LIMIT = "4GB"
# SQLite's page cache while a full run rewrites the links (negative: KiB), instead of 2 MB.
_SQLITE_WRITE_CACHE_KIB = -262_144


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
    # DuckDB spills to disk under a big join: into the system's temp directory, not the caller's,
    # and past a fixed budget rather than its default of 80% of the machine's memory.
    con = duckdb.connect(
        config={
            "temp_directory": str(Path(tempfile.gettempdir()) / "vigil-duckdb"),
            "memory_limit": _DUCKDB_MEMORY_LIMIT,
        }
    )
    try:
        data.load_into(con)
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
            linked_before = _machine_links(None if full else _mention_ids(con))
            counts = _write(con, model=model, run_at=started_at, full=full)
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
            # New information about a person (re-score, reconsider and vetting tasks) is raised
            # in the same transaction as the links that brought it.
            linked_after = dict(
                con.execute(
                    f"SELECT allegation_id, person_id FROM decisions WHERE status = '{LinkStatus.AUTO}'"
                ).fetchall()
            )
            links_changed(before=linked_before, after=linked_after, raised_by="vigil link")
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


def _mention_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [row[0] for row in con.execute("SELECT unique_id FROM mentions ORDER BY 1").fetchall()]


def _machine_links(allegation_ids: list[int] | None) -> dict[int, int]:
    """allegation id -> person id of the automatic links a run is about to rewrite (None: all)."""
    links = AllegationLink.objects.filter(status=LinkStatus.AUTO, person__isnull=False)
    if allegation_ids is None:
        return dict(links.values_list("allegation_id", "person_id").iterator(chunk_size=50_000))
    found: dict[int, int] = {}
    for chunk in chunked(allegation_ids):
        found.update(links.filter(allegation_id__in=chunk).values_list("allegation_id", "person_id"))
    return found


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


def _write(con: duckdb.DuckDBPyConnection, *, model: LinkModel, run_at: Any, full: bool) -> dict[str, int]:
    """Replace the machine's links and candidates for the allegations in `mentions`."""
    link_table = AllegationLink._meta.db_table
    candidate_table = LinkCandidate._meta.db_table
    human = [str(status) for status in HUMAN_STATUSES]
    human_marks = ", ".join(["%s"] * len(human))
    with connection.cursor() as cursor, _bulk_load(cursor, (link_table, candidate_table), full=full):
        if full:
            # Every allegation but those a person decided is in `mentions`: one statement each.
            cursor.execute(
                f"DELETE FROM {candidate_table} WHERE allegation_id NOT IN "
                f"(SELECT allegation_id FROM {link_table} WHERE status IN ({human_marks}))",
                human,
            )
            cursor.execute(f"DELETE FROM {link_table} WHERE status NOT IN ({human_marks})", human)
        else:
            ids = _mention_ids(con)
            for chunk in chunked(ids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {candidate_table} WHERE allegation_id IN ({marks})", chunk)
                cursor.execute(
                    f"DELETE FROM {link_table} WHERE allegation_id IN ({marks}) "
                    f"AND status NOT IN ({human_marks})",
                    [*chunk, *human],
                )
        # As the ORM would store it (SQLite: UTC text); PostgreSQL reads ISO 8601 with its offset.
        linked_at = connection.ops.adapt_datetimefield_value(run_at)
        linked_at_text = linked_at if isinstance(linked_at, str) else run_at.isoformat()
        # In key order: SQLite appends to the table's B-tree instead of splitting pages at random.
        links = con.execute(
            """SELECT d.allegation_id, d.status, d.person_id, d.match_probability,
                      coalesce(d.evidence, '[]') AS evidence, a.row_hash AS allegation_row_hash,
                      CAST(? AS BIGINT) AS model_id, CAST(? AS VARCHAR) AS linked_at, '' AS decision_reason
               FROM decisions d JOIN src_allegations a ON a.id = d.allegation_id
               ORDER BY d.allegation_id""",
            [model.pk, linked_at_text],
        )
        _insert(cursor, link_table, links)
        candidates = con.execute(
            """SELECT allegation_id, person_id, rank, match_probability, match_weight,
                      coalesce(evidence, '[]') AS evidence
               FROM candidates ORDER BY allegation_id, rank"""
        )
        _insert(cursor, candidate_table, candidates)
    return {
        str(status): int(count)
        for status, count in con.execute("SELECT status, count(*) FROM decisions GROUP BY 1").fetchall()
    }


@contextmanager
def _bulk_load(cursor: Any, tables: Sequence[str], *, full: bool) -> Iterator[None]:
    """On SQLite, a full run rewrites a million rows of each table: dropping the tables' secondary
    indexes and building them again afterwards from the sorted data is several times faster than
    updating them row by row, and a bigger page cache spares the rest. Within the caller's
    transaction: on failure the rollback brings the indexes back."""
    if connection.vendor != "sqlite" or not full:
        yield
        return
    cursor.execute("PRAGMA cache_size")
    cache_size = int(cursor.fetchall()[0][0])
    cursor.execute(f"PRAGMA cache_size = {_SQLITE_WRITE_CACHE_KIB}")
    try:
        with sqlite_indexes_rebuilt(cursor, tables):
            yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {cache_size}")


def _insert(cursor: Any, table: str, result: duckdb.DuckDBPyConnection) -> None:
    """Insert a DuckDB result's rows into `table` (columns named as in the result), a batch at a
    time: COPY on PostgreSQL, executemany on SQLite (inside the caller's transaction)."""
    batches = result.to_arrow_reader(_WRITE_CHUNK)
    columns = ", ".join(batches.schema.names)
    if connection.vendor == "postgresql":
        # CSV: NULL is an empty field, an empty string is "" (pyarrow quotes every string).
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            for batch in batches:
                buffer = io.BytesIO()
                pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False))
                copy.write(buffer.getbuffer())
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(batches.schema.names))})"
    for batch in batches:
        cursor.executemany(sql, zip(*(column.to_pylist() for column in batch.columns), strict=True))
