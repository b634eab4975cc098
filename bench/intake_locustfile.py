"""Locust users for bench/intake_surge.py (not meant to be run on its own): the intake API, the
call-handler form and the assessor's triage queue, each a user class chosen on locust's command
line. The bench writes a JSON file (the API token, the usernames and password) and passes its path
in VIGIL_BENCH_CONFIG; VIGIL_BENCH_PER_USER is each user's requests (iterations) per second, so
that users x per-user rate is the offered load (constant throughput, not as fast as possible).

A response counts as a failure unless it is exactly what the page or API answers on success: 201
for a new API report, 302 to /hotline/filed/<id>/ for a filed form (redirects are not followed),
200 with queue rows for the triage queue. Sign-ins are named "login" and reported apart.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant_throughput, events, task
from locust.env import Environment

from intake_words import CALLERS, CATEGORIES, NAMES, NARRATIVES, STATIONS

CONFIG: dict[str, Any] = (
    json.loads(Path(os.environ["VIGIL_BENCH_CONFIG"]).read_text())
    if "VIGIL_BENCH_CONFIG" in os.environ
    else {}
)
PER_USER = float(os.environ.get("VIGIL_BENCH_PER_USER", "1"))
# Seconds before the statistics start: every user has signed in (Argon2 sign-ins load the server's
# CPU for several seconds) and every server worker has served a page. locust's own --reset-stats
# resets when spawning completes, ~1 s in, which would count the sign-in storm.
WARMUP_SECONDS = float(os.environ.get("VIGIL_BENCH_WARMUP", "10"))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_SERIAL = itertools.count()


@events.init.add_listener
def _measure_after_warmup(environment: Environment, **_kwargs: Any) -> None:
    gevent.spawn_later(WARMUP_SECONDS, environment.stats.reset_all)


def _narrative() -> str:
    return random.choice(NARRATIVES).format(station=random.choice(STATIONS))


def _sign_in(user: FastHttpUser, username: str) -> None:
    """Sign in once per locust user (Argon2 makes a sign-in ~0.1 s of CPU)."""
    page = user.client.get("/login/", name="login")
    found = _CSRF.search(page.text or "")
    if not found:
        raise RuntimeError("no CSRF token on /login/")
    body = urlencode(
        {"csrfmiddlewaretoken": found.group(1), "username": username, "password": CONFIG["password"]}
    )
    with user.client.post(
        "/login/", data=body, headers=_FORM, name="login", allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in answered {response.status_code}")
            raise RuntimeError(f"{username} could not sign in ({response.status_code})")


class ApiUser(FastHttpUser):
    """The provider's system: one new report per iteration."""

    wait_time = constant_throughput(PER_USER)

    @task
    def file_report(self) -> None:
        payload = {
            "client_report_id": f"surge-{uuid.uuid4().hex}",
            "caller_type": random.choice(CALLERS),
            "narrative": _narrative(),
            "category": random.choice(CATEGORIES),
            "subject": {"name": random.choice(NAMES), "station": random.choice(STATIONS)},
            "immediate_risk": False,
        }
        with self.client.post(
            "/api/intake/v1/reports",
            json=payload,
            headers={"Authorization": f"Bearer {CONFIG['token']}"},
            name="API POST /api/intake/v1/reports",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


class FormUser(FastHttpUser):
    """A call handler: open the blank form, file it; the redirect to the reference is not followed."""

    wait_time = constant_throughput(PER_USER)

    def on_start(self) -> None:
        _sign_in(self, CONFIG["call_handler"])

    @task
    def file_report(self) -> None:
        page = self.client.get("/hotline/new/", name="form GET /hotline/new/")
        found = _CSRF.search(page.text or "")
        if not found:
            return  # the GET is already counted (a failure if it was not a 200)
        body = urlencode(
            {
                "csrfmiddlewaretoken": found.group(1),
                "action": "file",
                "caller_type": random.choice(CALLERS),
                "narrative": _narrative(),
                "category": random.choice(CATEGORIES),
                "subject_name": random.choice(NAMES),
                "contact": f"07700 9{next(_SERIAL) % 100000:05d}",
            }
        )
        with self.client.post(
            "/hotline/new/",
            data=body,
            headers=_FORM,
            name="form POST /hotline/new/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "/hotline/filed/" not in location:
                response.failure(f"{response.status_code} {location!r}: {(response.text or '')[:200]}")


class QueueUser(FastHttpUser):
    """An assessor reloading the triage queue's first page (urgent first, then by subject risk)."""

    wait_time = constant_throughput(PER_USER)

    def on_start(self) -> None:
        _sign_in(self, CONFIG["assessor"])

    @task
    def queue(self) -> None:
        with self.client.get(
            "/hotline/triage/", name="queue GET /hotline/triage/", catch_response=True
        ) as page:
            if page.status_code != 200 or "HL-" not in (page.text or ""):
                page.failure(f"{page.status_code}, {'rows' if 'HL-' in (page.text or '') else 'no rows'}")
