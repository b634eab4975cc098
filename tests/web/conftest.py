"""Browser test harness: Playwright (sync API) driving Debian's headless Chromium against
pytest-django's live_server, with axe-core accessibility checks (tests/web/harness.py).

A later page's browser test needs only:

    pytestmark = pytest.mark.browser

    def test_my_page(page: Page, login_as: LoginAs) -> None:
        login_as(Role.SUPERVISOR)               # signs in through the login form
        page.goto(reverse("reviews:queue"))     # relative URLs go to the live server
        expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
        assert_accessible(page)                 # from tests.web.harness

Fixtures: `browser` (one Chromium per session), `page` (a fresh context, i.e. a fresh profile
with no cookies, per test; base URL = live server), `login_as(*roles) -> User`. Requests that
leave the live server are blocked and fail the test (no CDN, nothing external), as do static
assets that fail to load and JavaScript errors."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, Request, Response, Route, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.conftest import TEST_PASSWORD
from tests.web.harness import CHROMIUM, CHROMIUM_ARGS
from vigil.accounts.roles import Role

# Playwright's sync API runs an asyncio event loop in this thread; the ORM calls the tests make
# from here (factories, make_user) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

LoginAs = Callable[..., User]


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time. On SQLite its threads share the test's
    one in-memory connection, so two requests at once (the dashboard's lazy chart images) would
    interleave their session saves on it: "cannot start a transaction within a transaction".
    Each response is produced and closed (request_finished sent) under the lock."""

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(serial)


LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A new page in a new browser context (fresh profile) pointed at the live server."""
    base_url = live_server.url
    origin = urlsplit(base_url).netloc
    context = browser.new_context(
        base_url=base_url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    problems: list[str] = []

    def only_the_live_server(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc == origin or request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request outside the app: {request.url}")
            route.abort()

    def asset_loaded(response: Response) -> None:
        if response.request.resource_type in {"stylesheet", "script", "image", "font"} and not response.ok:
            problems.append(f"asset failed to load ({response.status}): {response.url}")

    context.route("**/*", only_the_live_server)
    new_page = context.new_page()
    new_page.on("response", asset_loaded)
    new_page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield new_page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def login_as(page: Page, make_user: Callable[..., User]) -> LoginAs:
    """login_as(Role.REVIEWER, ...) -> a new user with those roles, signed in through the form."""

    def login(*roles: Role) -> User:
        user = make_user(*roles)
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return user

    return login
