"""The call handler's subject candidates (`/hotline/new/suggestions/`, vigil.linkage.suggest) must
not slow the server (issue 17, finding 8): the register is prepared once per process and again
only when it or the model changes, a search scores only the people the model's blocking rules
find (with exactly the weights Splink gives), each search's work is bounded, and each user is
rate-limited, with the count shared by every server process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest.mock import patch

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import person_create
from vigil.accounts.roles import Role
from vigil.allegations.models import Allegation
from vigil.demo.services import demo_world_load
from vigil.intake import ratelimit
from vigil.intake.models import UserRateWindow
from vigil.intake.ratelimit import Limit, rate_limit_take_user
from vigil.linkage import suggest
from vigil.linkage.engine.score import score
from vigil.linkage.models import LinkModel
from vigil.linkage.runs import link_allegations
from vigil.linkage.suggest import SubjectDescription, subject_candidates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new server process would: nothing prepared; and checks for a change
    to the register at every search (a server checks every few seconds)."""
    monkeypatch.setattr(suggest, "KEY_CHECK_SECONDS", 0.0)
    suggest._prepared = None
    yield
    suggest._prepared = None


@pytest.fixture
def linked_force(db: None, tmp_path: Path) -> None:
    demo_world_load(directory=tmp_path, staff=1_000)
    link_allegations(full=True)


def _descriptions(count: int) -> list[SubjectDescription]:
    rows = Allegation.objects.exclude(subject_name="").order_by("id")[:count]
    return [
        SubjectDescription(
            name=row.subject_name,
            staff_id=row.subject_staff_id or "",
            shoulder_number=row.subject_shoulder_number or "",
            rank=row.subject_rank or "",
            command=row.subject_command or "",
            details=row.subject_details or "",
        )
        for row in rows
    ]


def test_a_search_gives_the_people_and_weights_splink_itself_gives(linked_force: None) -> None:
    model = LinkModel.objects.get()
    prepared = suggest._PreparedRegister(suggest._register_key(model), model)
    compared = 0
    for description in _descriptions(8):
        ours = prepared.rank(description, 10)
        # Splink's own linker over the same prepared mention and register, as `vigil link` scores.
        score(prepared.con, model.splink_model)
        splinks = prepared.con.execute(
            "SELECT person_id, max(match_weight) FROM pairs WHERE match_weight >= ? "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
            [suggest.SHOWN_WEIGHT],
        ).fetchall()
        assert [(p, round(w, 9)) for p, w in ours] == [(int(p), round(float(w), 9)) for p, w in splinks]
        compared += bool(ours)
    assert compared >= 6


def test_the_register_is_prepared_once_and_again_when_a_person_is_added(linked_force: None) -> None:
    before = suggest.preparations
    first = subject_candidates(SubjectDescription(name="Zebedee Quockerwodger"))
    for description in _descriptions(5):
        subject_candidates(description)
    assert suggest.preparations == before + 1
    assert first == []
    person_create(surname="Quockerwodger", forenames="Zebedee", staff_id="Z999999")
    found = subject_candidates(SubjectDescription(name="Zebedee Quockerwodger"))
    assert suggest.preparations == before + 2
    assert [candidate.name for candidate in found] == ["Zebedee Quockerwodger"]
    subject_candidates(SubjectDescription(name="Zebedee Quockerwodger"))
    assert suggest.preparations == before + 2
    # A server checks for changes every few seconds, not at every keystroke.
    with patch.object(suggest, "KEY_CHECK_SECONDS", 3600.0), patch.object(suggest, "_register_key") as key:
        subject_candidates(SubjectDescription(name="Zebedee Quockerwodger"))
        assert key.call_count == 0

    # What one search does is bounded, whatever is sent (same world: building one takes a while).
    huge = SubjectDescription(name="Smith " * 50_000, details="Sutton " * 50_000, staff_id="1" * 10_000)
    bounded = huge.bounded()
    assert len(bounded.name) == 250 and len(bounded.details) == 1_200 and len(bounded.staff_id) == 32
    assert len(subject_candidates(huge, limit=1_000)) <= suggest.MAX_LIMIT
    assert suggest.preparations == before + 2


def _suggest(client: Client) -> int:
    return client.get(reverse("intake:suggestions"), {"subject_name": "Gary"}).status_code


def test_suggestions_answer_429_past_the_limit_per_user_and_not_to_another_user(
    client: Client, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One window that cannot end during the test: the count, not the clock, is what is tested.
    monkeypatch.setattr("vigil.intake.views.SUGGESTIONS_LIMITS", (Limit(requests=3, seconds=10**9),))
    client.force_login(make_user(Role.CALL_HANDLER))
    assert [_suggest(client) for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(reverse("intake:suggestions"), {"subject_name": "Gary"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.content == b"Too many searches: wait a moment."
    other = Client()
    other.force_login(make_user(Role.CALL_HANDLER))
    assert _suggest(other) == 200


def test_the_limits_count_per_second_and_per_minute(make_user: Callable[..., User]) -> None:
    user = make_user(Role.CALL_HANDLER)
    start = dt.datetime(2026, 12, 7, 3, 0, 0, tzinfo=dt.UTC)
    limits = ratelimit.SUGGESTIONS_LIMITS
    per_second, per_minute = limits[0].requests, limits[1].requests

    def take(seconds: float) -> int | None:
        return rate_limit_take_user(user, "suggestions", limits, now=start + dt.timedelta(seconds=seconds))

    # A burst: the per-second limit, then refused until the next second.
    assert [take(0.1 * i) for i in range(per_second)] == [None] * per_second
    assert take(0.9) == 1
    # Steady typing, two a second: the minute's limit is what refuses it, until the minute ends.
    moment = 1.0
    allowed = per_second + 1  # the burst's refused request counts too
    while allowed < per_minute:
        assert take(moment) is None
        allowed += 1
        moment += 0.5 if moment % 1 else 0.4
    assert moment < 60
    assert take(moment) == 60 - int(moment)
    assert take(60.0) is None
    # Spent windows are cleared as new ones open: a handful of rows per user, not one per second.
    assert UserRateWindow.objects.filter(user=user).count() == 2
