"""Writes for risk: compute and store scores. `scores_compute()` scores everyone (`vigil score`);
`scores_compute(person_ids=...)` re-scores only the people a link or an import touched, against
the peer cut-points of the latest full run, so an update costs what it touches."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.core.bulk import chunked, collector_paused, sqlite_indexes_rebuilt
from vigil.imports.engine import Progress
from vigil.risk import selectors
from vigil.risk.models import RiskScore, ScoreRun
from vigil.risk.policy import Policy, current_policy
from vigil.risk.scoring import PeerCutpoints, Score, exposure_rate, peer_cutpoints, score_person
from vigil.risk.signals import scores_replaced

_WRITE_BATCH = 5_000
# A full run replacing or writing at least this many scores on SQLite rebuilds the indexes.
_REBUILD_MIN = 50_000


@dataclass(frozen=True)
class ScoreChange:
    """A person's score before and after one run (None: no score before, or none now)."""

    person_id: int
    before: int | None
    band_before: str
    after: Score | None


@dataclass
class ScoreResult:
    run: ScoreRun | None
    changes: dict[int, ScoreChange]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def scores_compute(
    *,
    person_ids: Collection[int] | None = None,
    trigger: str = "vigil score",
    today: date | None = None,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> ScoreResult:
    """Score everyone (person_ids None: a full run, the peer baseline) or just these people.

    An update (person_ids given) needs a baseline: before the first full run there is nothing to
    keep up to date, so it does nothing and returns run None (`vigil score` makes the baseline).
    Runs inside the caller's transaction when there is one (a link's: the scores and the tasks
    they raise commit or roll back with it)."""
    with collector_paused():
        return _scores_compute(
            person_ids=person_ids, trigger=trigger, today=today, policy=policy, progress=progress
        )


def _scores_compute(
    *,
    person_ids: Collection[int] | None,
    trigger: str,
    today: date | None,
    policy: Policy | None,
    progress: Progress | None,
) -> ScoreResult:
    today = selectors.today_default(today)
    policy = policy or current_policy()
    progress = progress or Progress(enabled=False)
    full = person_ids is None
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    baseline = selectors.latest_full_run()
    if not full and baseline is None:
        return ScoreResult(run=None, changes={})
    if not full and not person_ids:
        return ScoreResult(run=None, changes={})
    started_at = timezone.now()
    facts = selectors.person_facts(person_ids=person_ids)
    seconds["read"] = round(time.perf_counter() - started, 2)
    mark = time.perf_counter()
    if full:
        rates = (exposure_rate(person, policy, today=today) for person in facts.values())
        cutpoints = peer_cutpoints((rate for rate in rates if rate is not None), policy)
    else:
        assert baseline is not None
        cutpoints = PeerCutpoints.from_dict(baseline.peer_cutpoints)
    scores: dict[int, Score] = {}
    for person in progress.wrap(facts.values(), total=len(facts), description="scoring", unit="people"):
        score = score_person(person, policy, today=today, peers=cutpoints)
        if score.allegations:
            scores[person.person_id] = score
    seconds["score"] = round(time.perf_counter() - mark, 2)
    mark = time.perf_counter()
    with transaction.atomic():
        before = _current_scores(None if full else list(facts))
        run = ScoreRun.objects.create(
            started_at=started_at,
            full=full,
            trigger=trigger[:100],
            policy_version=policy.version,
            policy_sha256=policy.sha256,
            peer_cutpoints=cutpoints.as_dict(),
        )
        replaced_ids = None if full else sorted(facts)
        _scores_replace(replaced_ids, scores, policy=policy, run=run, replaced=len(before))
        scores_replaced.send(sender=RiskScore, person_ids=replaced_ids)
        counts = dict(Counter(score.band for score in scores.values()))
        run.people_scored = len(scores)
        run.counts = counts
        run.finished_at = timezone.now()
        run.save(update_fields=["people_scored", "counts", "finished_at"])
        audit_record(
            action=Action.RISK_SCORED,
            actor=None,
            actor_label=trigger[:150],
            record_type="score_run",
            record_id=run.pk,
            record_label=str(run),
            detail={
                "full": full,
                "policy": policy.label,
                "policy_sha256": policy.sha256,
                "people_considered": len(facts),
                "people_scored": len(scores),
                "bands": counts,
            },
        )
    seconds["write"] = round(time.perf_counter() - mark, 2)
    changes = {}
    for person_id in facts if not full else set(before) | set(scores):
        old = before.get(person_id)
        new = scores.get(person_id)
        if old is None and new is None:
            continue
        changes[person_id] = ScoreChange(
            person_id=person_id,
            before=old[0] if old else None,
            band_before=old[1] if old else "",
            after=new,
        )
    return ScoreResult(run=run, changes=changes, counts=counts, seconds=seconds)


def _current_scores(person_ids: list[int] | None) -> dict[int, tuple[int, str]]:
    rows = RiskScore.objects.all()
    if person_ids is None:
        return {pk: (score, band) for pk, score, band in rows.values_list("person_id", "score", "band")}
    found: dict[int, tuple[int, str]] = {}
    for chunk in chunked(person_ids):
        found.update(
            (pk, (score, band))
            for pk, score, band in rows.filter(person_id__in=chunk).values_list("person_id", "score", "band")
        )
    return found


# The RiskScore columns written, in order, and how each row gets them (see _score_rows).
_SCORE_COLUMNS = (
    "person_id",
    "score",
    "band",
    "reasons",
    "allegations",
    "distinct_complainants",
    "exposure_rate",
    "policy_version",
    "computed_at",
    "run_id",
)


def _score_rows(scores: dict[int, Score], *, policy: Policy, run: ScoreRun) -> Iterator[tuple[Any, ...]]:
    """One row per score, as the ORM would write a RiskScore (the reasons as JSONField's JSON)."""
    computed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    version, run_id, dumps = policy.version, run.pk, json.dumps
    for person_id, score in scores.items():
        yield (
            person_id,
            score.points,
            score.band,
            dumps([reason.as_dict() for reason in score.reasons]),
            score.allegations,
            score.distinct_complainants,
            round(score.exposure_rate, 4),
            version,
            computed_at,
            run_id,
        )


def _scores_replace(
    person_ids: list[int] | None, scores: dict[int, Score], *, policy: Policy, run: ScoreRun, replaced: int
) -> None:
    """Delete the scores of these people (None: everyone's, `replaced` rows) and insert `scores` in
    bulk, inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite. On SQLite a
    full run drops the table's secondary indexes first and builds them again from the loaded rows
    (faster than keeping them up to date row by row, for the delete and for the insert)."""
    table = connection.ops.quote_name(RiskScore._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _SCORE_COLUMNS)
    rows = _score_rows(scores, policy=policy, run=run)
    rebuild = (
        person_ids is None and connection.vendor == "sqlite" and max(replaced, len(scores)) >= _REBUILD_MIN
    )
    with (
        connection.cursor() as cursor,
        sqlite_indexes_rebuilt(cursor, [RiskScore._meta.db_table]) if rebuild else nullcontext(),
    ):
        if person_ids is None:
            RiskScore.objects.all().delete()
        else:
            for chunk in chunked(person_ids):
                RiskScore.objects.filter(person_id__in=chunk).delete()
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(_SCORE_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names, not values)
        while batch := list(itertools.islice(rows, _WRITE_BATCH)):
            cursor.executemany(sql, batch)
