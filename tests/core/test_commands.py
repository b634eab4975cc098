"""`vigil init` and `vigil serve`, run as a user runs them: as separate processes on a SQLite file in
tmp (whatever database this pytest run uses), plus the schema check in-process on the test database."""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from vigil.accounts.roles import Role
from vigil.allegations.models import Category
from vigil.allegations.vocabularies import CATEGORIES
from vigil.core.serving import schema_problem, unapplied_migrations

TIMEOUT = 60  # seconds: generous for a loaded 2-core CI machine, finite so a hang fails the test


def vigil_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh install in data_dir: no VIGIL_* from this run (the PostgreSQL run
    sets VIGIL_DATABASE_URL), so the database is data_dir/vigil.sqlite3."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIL_")}
    env["VIGIL_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def vigil(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigil", *args],
        env=vigil_env(data_dir),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_init_twice_applies_everything_then_nothing(tmp_path: Path) -> None:
    first = vigil(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    assert re.search(r"applied [1-9]\d* migration\(s\), schema up to date", first.stdout), first.stdout
    assert str(tmp_path / "vigil.sqlite3") in first.stdout

    with sqlite3.connect(tmp_path / "vigil.sqlite3") as db:
        migrations_after_first = db.execute("SELECT count(*) FROM django_migrations").fetchone()[0]

    second = vigil(tmp_path, "init")
    assert second.returncode == 0, second.stderr
    assert "schema up to date, no migrations to apply" in second.stdout
    assert second.stdout.count("\n") == 1, "one status line, not migrate's chatter"

    with sqlite3.connect(tmp_path / "vigil.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] == migrations_after_first
        groups = [row[0] for row in db.execute("SELECT name FROM auth_group")]
        categories = {row[0] for row in db.execute(f"SELECT code FROM {Category._meta.db_table}")}  # noqa: S608
    assert sorted(groups) == sorted(role.value for role in Role)
    assert len(groups) == 8
    assert categories == {category.code for category in CATEGORIES}


@pytest.mark.django_db
def test_init_on_a_migrated_database_reports_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    # The test database (SQLite or PostgreSQL, per run) is migrated by pytest-django already.
    call_command("init")
    out = capsys.readouterr().out
    assert "schema up to date, no migrations to apply" in out
    assert connection.display_name in out


@pytest.mark.django_db
def test_schema_check_passes_on_a_migrated_database() -> None:
    assert unapplied_migrations() == []
    assert schema_problem() is None


@pytest.mark.parametrize("state", ["no file", "empty file"])
def test_serve_refuses_a_database_without_the_schema(tmp_path: Path, state: str) -> None:
    database = tmp_path / "vigil.sqlite3"
    if state == "empty file":
        sqlite3.connect(database).close()
    result = vigil(tmp_path, "serve", "--port", "0")
    assert result.returncode != 0
    assert "Run `vigil init` first" in result.stderr
    assert "serving on" not in result.stdout
    # Checking must not leave an empty database behind that would look like an install.
    assert database.exists() == (state == "empty file")


@contextmanager
def running_serve(data_dir: Path, *args: str, **env: str) -> Iterator[str]:
    """`vigil serve` on a free port (port 0; the URL is read back from its first line); yields the
    base URL, then stops it as a service manager does. SIGTERM, not SIGINT: a test run started as
    a background job inherits SIGINT ignored."""
    stderr_path = data_dir / "serve.stderr"
    with (
        stderr_path.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "vigil", "serve", "--port", "0", "--threads", "2", *args],
            env=vigil_env(data_dir) | env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as process,
    ):
        try:
            assert process.stdout is not None
            deadline = time.monotonic() + TIMEOUT
            line = ""
            while not line and process.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([process.stdout], [], [], 0.5)
                if ready:
                    line = process.stdout.readline()
            match = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
            assert match, f"no URL from vigil serve: {line!r}; stderr: {stderr_path.read_text()}"
            yield match.group(1)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                returncode = process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    assert returncode == 0, f"vigil serve did not stop cleanly on SIGTERM: {stderr_path.read_text()}"


@pytest.fixture
def initialised(tmp_path: Path) -> Path:
    """A data dir holding a freshly initialised SQLite database."""
    init = vigil(tmp_path, "init")
    assert init.returncode == 0, init.stderr
    return tmp_path


@pytest.fixture
def served(initialised: Path) -> Iterator[str]:
    with running_serve(initialised) as url:
        yield url


def get(url: str) -> tuple[int, Message, bytes]:
    """(status, headers, body), errors included: a 500's headers and body explain a failure."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (our own http URL)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def test_serve_answers_the_login_page_with_secure_headers(served: str) -> None:
    status, headers, body = get(served + "login/")
    assert status == 200, body[:2000]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert b"csrfmiddlewaretoken" in body


def test_serve_serves_static_assets_itself(served: str) -> None:
    # Police networks are closed: every asset comes from the app (WhiteNoise), never a CDN.
    status, headers, body = get(served + "static/admin/css/base.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body


class _StylesheetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "stylesheet" and attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))


def stylesheet_links(html: str) -> list[str]:
    parser = _StylesheetLinks()
    parser.feed(html)
    return parser.hrefs


def test_serve_serves_the_stylesheets_the_login_page_links(served: str) -> None:
    _, _, body = get(served + "login/")
    stylesheets = stylesheet_links(body.decode())
    assert stylesheets, "the login page links no stylesheet"
    for href in stylesheets:
        assert href.startswith("/static/"), f"{href}: assets must come from the app itself"
        status, headers, _ = get(served + href.removeprefix("/"))
        assert status == 200, f"{href} is not served by `vigil serve`"
        assert headers["Content-Type"].startswith("text/css")


def status_behind_tls_proxy(url: str) -> tuple[int, str | None]:
    """GET url as a TLS proxy forwards it (X-Forwarded-Proto: https), not following redirects."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT)
    try:
        connection.request("GET", parts.path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def test_serve_believes_the_forwarded_scheme_only_from_the_trusted_proxy(initialised: Path) -> None:
    # With VIGIL_HTTPS on, a request that Django believes came over plain http is redirected to
    # https: behind a proxy that never stops, unless the proxy's X-Forwarded-Proto is believed.
    with running_serve(initialised, VIGIL_HTTPS="1") as url:
        status, location = status_behind_tls_proxy(url + "login/")
        assert status == 301
        assert location is not None and location.startswith("https://")
    with running_serve(initialised, "--trusted-proxy", "127.0.0.1", VIGIL_HTTPS="1") as url:
        assert status_behind_tls_proxy(url + "login/") == (200, None)
