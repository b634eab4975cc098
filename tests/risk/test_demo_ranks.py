"""On the demo world (built, linked and scored as `vigil demo --no-serve` does), every planted
serial subject ranks above every planted run of low-severity reports from one complainant.
Builds the full 20,000-person force: about 20 seconds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from vigil.demo.services import demo_world_load
from vigil.linkage.runs import link_allegations
from vigil.risk.evaluation import LOW_SEVERITY_RUN, SERIAL, evaluate_queue, read_planted
from vigil.risk.services import scores_compute


@pytest.mark.django_db
def test_serial_subjects_rank_above_low_severity_runs_on_the_demo_world(tmp_path: Path) -> None:
    demo_world_load(directory=tmp_path)
    link_allegations(full=True)
    scores_compute(trigger="vigil demo")

    evaluation = evaluate_queue(read_planted(tmp_path / "planted.csv"))

    serials, runs = evaluation.of(SERIAL), evaluation.of(LOW_SEVERITY_RUN)
    assert len(serials) >= 5 and len(runs) >= 4
    assert all(rank.rank is not None for rank in serials), serials
    assert evaluation.serial_above_low_runs, "\n".join(evaluation.lines())

    out = io.StringIO()
    call_command("evaluate", "queue", "--planted", str(tmp_path / "planted.csv"), stdout=out)
    assert "every serial subject above every low-severity run: yes" in out.getvalue()
