"""The risk policy file: the shipped one parses; a broken one is refused naming every problem;
VIGIL_RISK_POLICY (settings.RISK_POLICY_PATH) pointing at another file changes the scores."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import person_create
from tests.risk.data import TODAY, linked_allegation
from vigil.risk.models import RiskScore, ScoreRun
from vigil.risk.policy import DEFAULT_POLICY_PATH, PolicyError, current_policy, policy_parse
from vigil.risk.services import scores_compute

SHIPPED = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_the_shipped_policy_parses(settings: object) -> None:
    settings.RISK_POLICY_PATH = ""  # type: ignore[attr-defined]
    policy = current_policy()
    assert policy.version >= 1 and policy.label == f"{policy.name} v{policy.version}"
    assert 0 < policy.band_medium < policy.band_high
    assert policy.abuse_categories == {"abuse_of_position_sexual"}
    assert {sign.label for sign in policy.abuse_signs} >= {"on duty", "through dating apps"}
    assert [band.percentile for band in policy.peer_bands] == sorted(
        (band.percentile for band in policy.peer_bands), reverse=True
    )
    assert len(policy.sha256) == 64


def test_a_broken_policy_is_refused_naming_every_problem() -> None:
    broken = edited(
        SHIPPED,
        ("half_life_years = 5.0\n", ""),  # missing
        ("points_per_additional = 6\n", 'points_per_additional = "six"\n'),  # wrong type
        ("medium = 25\n", "medium = 60\n"),  # not below high
        ('categories = ["abuse_of_position_sexual"]', 'categories = ["abuse_of_position_sexual", "bribery"]'),
    )
    with pytest.raises(PolicyError) as raised:
        policy_parse(broken, source="broken.toml")
    message = str(raised.value)
    assert message.startswith("broken.toml: ")
    assert "allegations.half_life_years: missing" in message
    assert "complainants.points_per_additional: expected a whole number, found 'six'" in message
    assert "bands: medium must be below high" in message
    assert "abuse_of_position.categories: unknown categories bribery" in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("high = 60", "high = true"), "bands.high: expected a whole number, found True"),
        (("floor = 0.3", "floor = 1.5"), "allegations.floor: must be at most 1"),
        (("max_points = 36", "max_points = -1"), "complainants.max_points: must be at least 0"),
        (('label = "firearms"', 'label = ""'), "role_exposure.roles[0].label: expected a non-empty string"),
        (("percentile = 99.5", "percentile = 120"), "peers.bands[0].percentile: expected a number between"),
        (("version = 1", 'version = "one"'), "version: expected a whole number"),
        (
            ('categories = ["abuse_of_position_sexual"]', 'categories = [1, "rape", { code = "x" }]'),
            "abuse_of_position.categories: expected a list of codes (strings)",
        ),
    ],
)
def test_each_kind_of_problem_is_named(change: tuple[str, str], problem: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(problem)):
        policy_parse(edited(SHIPPED, change))


def test_a_missing_value_is_named_once_as_missing() -> None:
    with pytest.raises(PolicyError) as raised:
        policy_parse(edited(SHIPPED, ("high = 60\n", ""), ("min_years = 1.0\n", "")), source="p")
    assert str(raised.value) == "p: bands.high: missing; peers.min_years: missing"


def test_a_file_that_is_not_toml_is_refused() -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        policy_parse("version = = 1", source="x.toml")


def _person_with_three_complainants() -> int:
    person = person_create()
    for number in range(3):
        linked_allegation(
            person=person,
            category="sexual_harassment",
            received_on=dt.date(2023, 1 + number, 1),
            complainant_ref=f"CMP-{number}",
        )
    return person.pk


@pytest.mark.django_db
def test_vigil_risk_policy_pointing_at_another_file_changes_the_scores(
    settings: object, tmp_path: Path
) -> None:
    person_id = _person_with_three_complainants()
    settings.RISK_POLICY_PATH = ""  # type: ignore[attr-defined]
    scores_compute(today=TODAY)
    shipped = RiskScore.objects.get(person_id=person_id)

    copy = tmp_path / "policy.toml"
    copy.write_text(
        edited(
            SHIPPED,
            ("version = 1", "version = 2"),
            ("points_per_additional = 6\nmax_points = 36", "points_per_additional = 20\nmax_points = 40"),
        ),
        encoding="utf-8",
    )
    settings.RISK_POLICY_PATH = str(copy)  # type: ignore[attr-defined]
    assert current_policy().version == 2
    scores_compute(today=TODAY)
    other = RiskScore.objects.get(person_id=person_id)

    complainants = {reason["code"]: reason["points"] for reason in other.reasons}["complainants"]
    assert complainants == 40
    assert other.score == shipped.score - 12 + 40
    assert (shipped.policy_version, other.policy_version) == (1, 2)
    runs = list(ScoreRun.objects.order_by("id").values_list("policy_version", "policy_sha256"))
    assert runs[0][0] == 1 and runs[1][0] == 2 and runs[0][1] != runs[1][1]


@pytest.mark.django_db
def test_vigil_score_refuses_a_broken_policy_and_changes_nothing(settings: object, tmp_path: Path) -> None:
    _person_with_three_complainants()
    copy = tmp_path / "policy.toml"
    copy.write_text(edited(SHIPPED, ("medium = 25\n", "")), encoding="utf-8")
    settings.RISK_POLICY_PATH = str(copy)  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match=re.escape("bands.medium: missing")):
        call_command("score", "--no-progress", stdout=io.StringIO())
    settings.RISK_POLICY_PATH = str(tmp_path / "nowhere.toml")  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="cannot read the risk policy"):
        call_command("score", "--no-progress", stdout=io.StringIO())
    assert not ScoreRun.objects.exists() and not RiskScore.objects.exists()


READ_SETTING = """
import django
django.setup()
from django.conf import settings
from vigil.risk.policy import policy_path
print(settings.RISK_POLICY_PATH + "|" + str(policy_path()))
"""


def test_the_setting_is_read_from_vigil_risk_policy(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
    env |= {
        "VIGIL_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "vigil.settings",
        "VIGIL_RISK_POLICY": str(tmp_path / "ours.toml"),
    }
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTING], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == f"{tmp_path / 'ours.toml'}|{tmp_path / 'ours.toml'}"
