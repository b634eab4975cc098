"""`vigil link` end to end on a small synthetic force: decisions, human decisions kept, incremental
runs, the export contract, the Spark engine."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from vigil.allegations.models import Allegation
from vigil.demo.services import demo_world_load
from vigil.linkage.exports import LINKS_EXPORT_COLUMNS
from vigil.linkage.models import AllegationLink, LinkCandidate, LinkModel, LinkRun, LinkStatus, RejectedPair
from vigil.linkage.runs import link_allegations
from vigil.linkage.services import link_confirm, link_reject
from vigil.people.models import Person

SMALL_FORCE = 3_000


@pytest.fixture
def small_force(db: None, tmp_path: Path) -> Path:
    demo_world_load(directory=tmp_path, staff=SMALL_FORCE)
    return tmp_path


@pytest.fixture
def reviewer(make_user: object) -> User:
    from tests.access import grant_caseload
    from vigil.accounts.roles import Role

    user: User = make_user(Role.ASSESSOR)  # type: ignore[operator]
    grant_caseload(user)  # a human link needs sight of both records
    return user


def test_full_run_links_every_allegation_and_saves_a_versioned_model(small_force: Path) -> None:
    result = link_allegations(full=True)
    assert AllegationLink.objects.count() == Allegation.objects.count() == sum(result.counts.values())
    assert LinkModel.objects.get().version == 1
    assert set(AllegationLink.objects.values_list("model__version", flat=True)) == {1}
    # A staff number with the same surname is the strongest evidence there is.
    with_number = AllegationLink.objects.filter(
        allegation__subject_staff_id__isnull=False, status=LinkStatus.AUTO
    ).exclude(allegation__subject_staff_id="")
    assert with_number.count() > 0
    link = with_number.first()
    assert (
        link is not None and link.evidence and {"field", "label", "agrees", "weight"} <= set(link.evidence[0])
    )
    # needs_review keeps its candidates, best first.
    review = AllegationLink.objects.filter(status=LinkStatus.NEEDS_REVIEW).first()
    if review is not None:
        candidates = list(LinkCandidate.objects.filter(allegation=review.allegation).order_by("rank"))
        assert candidates and candidates[0].person_id == review.person_id


def test_auto_links_are_right_on_the_small_force(small_force: Path) -> None:
    link_allegations(full=True)
    with (small_force / "truth.csv").open() as handle:
        truth = {
            (row["source_system"], row["allegation_ref"]): row["staff_id"] for row in csv.DictReader(handle)
        }
    outcomes: Counter[str] = Counter()
    for link in AllegationLink.objects.filter(status=LinkStatus.AUTO).select_related("allegation", "person"):
        expected = truth[(link.allegation.source_system_id, link.allegation.allegation_ref)]
        outcomes["right" if link.person and link.person.staff_id == expected else "wrong"] += 1
    assert outcomes["right"] / max(sum(outcomes.values()), 1) >= 0.98


def test_human_decisions_survive_a_full_run_and_a_rejected_pair_is_never_proposed(
    small_force: Path, reviewer: User
) -> None:
    link_allegations(full=True)
    auto = AllegationLink.objects.filter(status=LinkStatus.AUTO).select_related("person")
    confirmed_link, rejected_link = auto[0], auto[1]
    other_person = Person.objects.exclude(pk=confirmed_link.person_id).first()
    assert other_person is not None
    # The reviewer knows better than the machine: a different person, and a rejected pair.
    link_confirm(
        allegation_id=confirmed_link.allegation_id,
        person_id=other_person.pk,
        user=reviewer,
        reason="Confirmed against the duty roster for that night",
    )
    rejected_person = rejected_link.person_id
    link_reject(
        allegation_id=rejected_link.allegation_id,
        person_id=rejected_person,
        user=reviewer,
        reason="Same name, but this officer was on leave abroad that week",
    )

    link_allegations(full=True)

    kept = AllegationLink.objects.get(pk=confirmed_link.allegation_id)
    assert (kept.status, kept.person_id) == (LinkStatus.CONFIRMED, other_person.pk)
    rejected = AllegationLink.objects.get(pk=rejected_link.allegation_id)
    assert (rejected.status, rejected.person_id) == (LinkStatus.REJECTED, None)
    assert RejectedPair.objects.filter(allegation_id=rejected_link.allegation_id, person_id=rejected_person)
    assert not LinkCandidate.objects.filter(
        allegation_id=rejected_link.allegation_id, person_id=rejected_person
    )
    assert LinkModel.objects.count() == 2


def test_an_incremental_run_links_only_new_allegations(small_force: Path) -> None:
    link_allegations(full=True)
    before = dict(AllegationLink.objects.values_list("allegation_id", "linked_at"))
    source = Allegation.objects.first()
    assert source is not None
    source.pk = None
    source.allegation_ref = "NEW/0001"
    source.save()

    result = link_allegations()

    assert not result.run.full and result.run.allegations_considered == 1
    assert AllegationLink.objects.filter(pk=source.pk).exists()
    after = dict(AllegationLink.objects.exclude(pk=source.pk).values_list("allegation_id", "linked_at"))
    assert after == before  # nothing else touched
    assert LinkModel.objects.count() == 1 and LinkRun.objects.count() == 2


def test_export_links_writes_the_contract_columns(small_force: Path, tmp_path: Path) -> None:
    link_allegations(full=True)
    out = tmp_path / "links.csv"
    call_command("export", "links", str(out))
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == LINKS_EXPORT_COLUMNS
    assert len(rows) == Allegation.objects.count()
    statuses = {row["link_status"] for row in rows}
    assert statuses <= {status.value for status in LinkStatus}
    for row in rows:
        if row["link_status"] == LinkStatus.UNMATCHED:
            assert row["staff_id"] == row["force"] == ""


def test_evaluate_links_prints_the_figures(small_force: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("link", "--full", "--no-progress")
    call_command("evaluate", "links", "--truth", str(small_force / "truth.csv"))
    printed = capsys.readouterr().out
    assert "precision (auto links)" in printed and "review load" in printed


@pytest.mark.skipif(shutil.which("java") is None, reason="the Spark engine needs Java")
def test_the_spark_engine_runs_the_same_model(small_force: Path) -> None:
    link_allegations(full=True)
    on_duckdb = dict(AllegationLink.objects.values_list("allegation_id", "status"))
    AllegationLink.objects.all().delete()
    LinkCandidate.objects.all().delete()

    link_allegations(engine="spark")

    on_spark = dict(AllegationLink.objects.values_list("allegation_id", "status"))
    assert on_spark == on_duckdb
