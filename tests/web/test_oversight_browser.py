"""The oversight dashboard in a real browser, on the demo world: an analyst lands on it and no
person is named anywhere on the page, and its charts load; a supervisor reaches it from the
navigation and downloads the board pack after saying why and for whom. The pages pass axe-core."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.web.harness import assert_accessible
from tests.web.test_review_browser import sign_in
from vigil.accounts.roles import Role
from vigil.demo.services import demo_world_load
from vigil.linkage.runs import link_allegations
from vigil.people.models import Person
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # vigil-oversight-*.png


def test_analyst_and_supervisor_read_the_dashboard(
    page: Page, make_user: Callable[..., User], tmp_path: Path
) -> None:
    demo_world_load(directory=tmp_path, staff=3_000)
    link_allegations(full=True)
    scores_compute()

    sign_in(page, make_user(Role.ANALYST, username="analyst1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight")
    expect(page.get_by_role("heading", name="From allegation to dismissal")).to_be_visible()
    expect(page.get_by_role("table", name="Allegations at each stage by ethnicity")).to_be_visible()
    text = page.locator("body").inner_text()
    named = [
        f"{forenames} {surname}"
        for forenames, surname in Person.objects.values_list("forenames", "surname")
        if f"{forenames} {surname}" in text
    ]
    assert not named, named[:5]
    chart = page.locator("img[src$='/stages-ethnicity.svg']")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("image => image.naturalWidth") > 100
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-oversight-analyst.png"), full_page=True)

    sign_in(page, make_user(Role.SUPERVISOR, username="supervisor1"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Oversight").click()
    expect(page.get_by_role("heading", name="Risk-score fairness")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Download the board pack").click()
    page.get_by_role("button", name="Download").click()  # no reason yet: refused, nothing logged
    expect(page.get_by_text("Say who receives the report.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Explain in your own words").fill("Board pack for the December PSD board")
    page.get_by_label("Who receives the report?").fill("PSD board")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    pack = Path(download.value.path())
    assert pack.read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.startswith("vigil-oversight-")
