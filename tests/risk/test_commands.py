"""`vigil score` and `vigil export queue FILE`, part of the public command contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import person_create
from tests.risk.data import linked_allegation, years_ago
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.reviews.models import PersonReview, ReviewStatus
from vigil.risk.exports import QUEUE_EXPORT_COLUMNS
from vigil.risk.models import RiskScore

pytestmark = pytest.mark.django_db

CONTRACT_HEADER = (
    "rank,staff_id,force,name,risk_score,risk_band,reasons,allegations,distinct_complainants,review_status"
)


def small_register() -> dict[str, int]:
    """Four people with allegations (a high, a medium and two low scores) and one without."""
    recent = years_ago(1)
    serial = person_create(surname="Serial", role="Public protection")
    for number, category in enumerate(["sexual_harassment", "sexual_assault", "rape", "rape", "stalking"]):
        linked_allegation(
            person=serial,
            category=category,
            source=["public_complaint", "hotline", "colleague_report"][number % 3],
            complainant_ref=f"S-{number}",
            received_on=recent - dt.timedelta(days=400 * (5 - number)),
            outcome="no_further_action",
            outcome_on=recent - dt.timedelta(days=400 * (5 - number) - 90),
        )
    medium = person_create(surname="Medium")
    for number in range(3):
        linked_allegation(
            person=medium,
            category="domestic_violence",
            complainant_ref=f"M-{number}",
            received_on=recent - dt.timedelta(days=100 * number),
        )
    # Two with the same low score: the tie is broken by the register's order.
    low_a, low_b = person_create(surname="Lowa"), person_create(surname="Lowb")
    for person in (low_b, low_a):
        linked_allegation(person=person, category="other", received_on=recent)
    person_create(surname="Nothing")
    return {"serial": serial.pk, "medium": medium.pk, "low_a": low_a.pk, "low_b": low_b.pk}


def test_vigil_score_prints_the_bands_and_fills_the_cohort() -> None:
    small_register()
    out = io.StringIO()
    call_command("score", "--no-progress", stdout=out)
    printed = out.getvalue()
    counts = {band: RiskScore.objects.filter(band=band).count() for band in ("high", "medium", "low")}
    assert counts == {"high": 1, "medium": 1, "low": 2}
    assert "4 people scored under Vigil default risk policy v1:" in printed
    for band, count in counts.items():
        assert re.search(rf"^  {band}\s+{count}$", printed, flags=re.MULTILINE), printed
    # The serial subject's allegations are sexual, not proven and recent: the cohort now holds them.
    assert "cohort: 1 entered (awaiting review), 0 left" in printed
    assert PersonReview.objects.get().status == ReviewStatus.AWAITING_REVIEW
    assert AuditEntry.objects.filter(action=Action.RISK_SCORED).count() == 1


def test_export_queue_writes_the_contract_ranked_by_score(tmp_path: Path) -> None:
    ids = small_register()
    call_command("score", "--no-progress", stdout=io.StringIO())
    out = tmp_path / "queue.csv"
    printed = io.StringIO()
    call_command("export", "queue", str(out), "--reason", "Planning next month's reviews", stdout=printed)

    with out.open(newline="", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\r\n")
        handle.seek(0)
        rows = list(csv.DictReader(handle))
    assert header == CONTRACT_HEADER == ",".join(QUEUE_EXPORT_COLUMNS)
    assert "4 rows written" in printed.getvalue()
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4"]
    scores = [int(row["risk_score"]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    staff = {pk: staff_id for pk, staff_id in RiskScore.objects.values_list("person_id", "person__staff_id")}
    ranked = [row["staff_id"] for row in rows]
    assert ranked == [staff[ids["serial"]], staff[ids["medium"]], staff[ids["low_a"]], staff[ids["low_b"]]]

    top = rows[0]
    score = RiskScore.objects.select_related("person").get(person_id=ids["serial"])
    assert (top["force"], top["name"]) == (score.person.force, score.person.display_name)
    assert (top["risk_score"], top["risk_band"]) == (str(score.score), "high")
    assert (top["allegations"], top["distinct_complainants"]) == ("5", "5")
    assert top["reasons"] == "; ".join(f"{r['label']} (+{r['points']})" for r in score.reasons)
    assert top["reasons"].count("; ") == len(score.reasons) - 1 >= 3
    assert top["review_status"] == ReviewStatus.AWAITING_REVIEW
    assert {row["review_status"] for row in rows[1:]} == {ReviewStatus.NOT_IN_COHORT}

    entry = AuditEntry.objects.get(action=Action.RECORDS_EXPORTED)
    assert entry.record_type == "review_queue"
    assert entry.justification_text == "Planning next month's reviews"
    assert entry.recipient == str(out.resolve())
    assert json.loads(entry.detail)["rows"] == 4
    assert entry.occurred_at <= timezone.now()


def test_evaluate_queue_says_whether_serials_rank_above_low_severity_runs(tmp_path: Path) -> None:
    ids = small_register()
    call_command("score", "--no-progress", stdout=io.StringIO())
    staff = dict(RiskScore.objects.values_list("person_id", "person__staff_id"))
    planted = tmp_path / "planted.csv"

    def evaluate(serial: str, low: str) -> str:
        planted.write_text(
            "pattern,staff_id,force,description\n"
            f"serial,{staff[ids[serial]]},Testshire Police,planted serial\n"
            f"low_severity_run,{staff[ids[low]]},Testshire Police,planted run\n",
            encoding="utf-8",
        )
        out = io.StringIO()
        call_command("evaluate", "queue", "--planted", str(planted), stdout=out)
        return out.getvalue()

    assert "every serial subject above every low-severity run: yes" in evaluate("serial", "low_a")
    assert "every serial subject above every low-severity run: NO" in evaluate("low_b", "medium")


@pytest.mark.django_db
def test_vigil_score_on_an_empty_register_scores_nobody() -> None:
    from vigil.risk.models import ScoreRun

    out = io.StringIO()
    call_command("score", "--no-progress", stdout=out)
    assert "0 people scored" in out.getvalue()
    run = ScoreRun.objects.get()
    assert run.peer_cutpoints == {"people": 0, "by_percentile": {}}
