"""The first pages in a real browser: a review officer's journey, keyboard use and axe-core
accessibility checks on every page (no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.access import grant_caseload
from tests.factories import allegation_create, allegation_naming, person_create, vetting_create
from tests.web.conftest import LoginAs
from tests.web.harness import assert_accessible
from vigil.accounts.roles import Role
from vigil.people.models import Person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp: vigil-allegation-list.png, vigil-person.png
CATEGORIES = ["rape", "stalking", "coercive_control", "sexual_harassment", "inappropriate_behaviour", "other"]
SOURCES = ["public_complaint", "colleague_report", "hotline", "intelligence"]
SUBJECTS = ["PC Dave Smith", "SMITH, David", "DC A. Nowak", "Sgt J. Murphy", "", "PCSO Lee"]


def seed() -> Person:
    """A small synthetic force: one officer with history, allegations naming her and others."""
    person = person_create(
        surname="Okafor",
        forenames="Grace",
        staff_id="512345",
        date_of_birth=dt.date(1979, 1, 1),
        date_of_birth_precision="Y",
        sex="F",
        ethnicity="Black",
        ethnicity_code="B2",
        rank_or_grade="Sergeant",
        role="Custody sergeant",
        command="Central BCU",
        joined_on=dt.date(2006, 4, 1),
        aliases=["Gracie Okafor"],
        former_names=["Grace Adeyemi"],
        shoulder_numbers=["1234CW", "77NE"],
        roles=[
            {
                "rank_or_grade": "Constable",
                "role": "Response officer",
                "command": "North BCU",
                "recorded_from": dt.date(2016, 1, 1),
            }
        ],
    )
    vetting_create(
        person=person, level="RV", granted_on=dt.date(2006, 1, 10), expires_on=dt.date(2016, 1, 10)
    )
    vetting_create(person=person, level="MV", granted_on=dt.date(2019, 3, 1), expires_on=dt.date(2099, 3, 1))
    allegation_naming(
        person=person,
        ref="PC-2024-0107",
        category="rape",
        source="hotline",
        received_on=dt.date(2024, 2, 11),
        outcome="open",
        complainant_relationship="ex_partner",
        summary="Synthetic: former partner reports an assault after a night out.",
    )
    allegation_naming(
        person=person,
        ref="CR-2021-3310",
        category="coercive_control",
        source="colleague_report",
        received_on=dt.date(2021, 8, 30),
        outcome="no_case_to_answer",
        subject_force="",
    )
    allegation_naming(
        person=person,
        ref="PC-2018-0042",
        category="stalking",
        received_on=dt.date(2018, 5, 1),
        outcome="dismissed",
    )
    person_create(
        surname="Okafor",
        forenames="Daniel",
        rank_or_grade="Police staff investigator",
        employment_type="staff",
        left_on=dt.date(2022, 3, 31),
    )
    for number in range(40):
        allegation_create(
            ref=f"GEN-{number:04d}",
            category=CATEGORIES[number % len(CATEGORIES)],
            source=SOURCES[number % len(SOURCES)],
            received_on=dt.date(2023, 1, 1) + dt.timedelta(days=9 * number),
            subject_name=SUBJECTS[number % len(SUBJECTS)],
            subject_staff_id=str(200000 + number * 7) if number % 3 else "",
            outcome=["open", "no_further_action", None, "management_action"][number % 4],
        )
    return person


def justify(page: Page) -> None:
    reason = page.get_by_label("Why do you need to see this?")
    reason.select_option(label="Working an assigned case or review")
    page.get_by_label("Explain in your own words").fill("Assessing the new hotline report.")
    page.get_by_role("button", name="Continue").click()


def test_review_officer_journey(page: Page, login_as: LoginAs) -> None:
    person = seed()

    # Sign in through the form.
    page.goto("/login/")
    expect(page).to_have_title("Sign in \u2013 Vigil")
    assert_accessible(page)
    user = login_as(Role.ASSESSOR)
    grant_caseload(user)  # need-to-know: the assessment unit holds the caseload
    page.reload()

    # Lands on the allegation list.
    expect(page).to_have_url(re.compile(r"/allegations/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Allegations")
    expect(page.get_by_text(f"Signed in as {user.username}")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Allegations")
    ).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-allegation-list.png"), full_page=True)

    # Filter by category.
    page.get_by_label("Category").select_option(label="Rape")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"category=rape"))
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    for category in rows.locator("td:nth-child(4)").all_inner_texts():
        assert category == "Rape"
    expect(page.get_by_label("Category")).to_have_value("rape")
    assert_accessible(page)

    # Open the allegation.
    page.get_by_role("link", name="PC-2024-0107").click()
    # Opening a record asks why, once per record per session (the reason is audited).
    expect(page.get_by_role("heading", level=1)).to_contain_text("Why do you need to see")
    assert_accessible(page)
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Allegation PC-2024-0107")
    expect(page.get_by_text("Former partner reports an assault", exact=False)).to_be_visible()
    assert_accessible(page)

    # Follow the staff-number match to the person page.
    page.get_by_role("link", name=re.compile(r"Grace Okafor \(Testshire Police, staff ID 512345\)")).click()
    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/$"))
    justify(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")
    allegations = page.get_by_role("table", name=re.compile("Allegations naming staff ID 512345"))
    expect(allegations.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("table", name=re.compile("Every name recorded"))).to_contain_text("Grace Adeyemi")
    expect(page.get_by_text("Expired")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Black")  # ethnicity is never shown
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "vigil-person.png"), full_page=True)

    # Search for a person by an alias.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    assert_accessible(page)
    page.get_by_label("Name, staff ID or shoulder number").fill("Okafor")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name=re.compile("People matching"))
    expect(results.locator("tbody tr")).to_have_count(2)
    expect(results).to_contain_text("Serving")
    expect(results).to_contain_text("Left")
    assert_accessible(page)
    page.get_by_label("Name, staff ID or shoulder number").fill("1234cw")
    page.get_by_role("button", name="Search").click()
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("Shoulder number 1234CW")
    results.get_by_role("link", name="Okafor, Grace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")


def test_keyboard_skip_link_focus_style_and_sign_out(page: Page, login_as: LoginAs) -> None:
    login_as(Role.REVIEWER)
    page.goto("/people/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    # Focus is visible: the focused nav link gets the yellow focus background.
    page.goto("/people/")
    for _ in range(3):  # skip link, product name, first nav link
        page.keyboard.press("Tab")
    focused = page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue")
    expect(focused).to_be_focused()
    expect(focused).to_have_css("background-color", "rgb(255, 221, 0)")

    # Sign out is a POST form; afterwards case pages need a login again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/allegations/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/allegations/"))


def test_login_error_and_filter_error_pages_are_accessible(page: Page, login_as: LoginAs) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    login_as(Role.INVESTIGATOR)
    page.goto("/allegations/?category=nonsense&received_from=2024-05-01&received_to=2024-01-01")
    expect(page.get_by_role("heading", name="There is a problem with the filters")).to_be_visible()
    expect(page.get_by_label("Category")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_account_without_a_role_sees_the_home_message(page: Page, login_as: LoginAs) -> None:
    login_as()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Vigil")
    expect(page.get_by_text("your account has no role yet")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_count(0)
    assert_accessible(page)
    page.goto("/allegations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    assert_accessible(page)


def test_analyst_lands_on_the_oversight_figures_and_cannot_open_cases(page: Page, login_as: LoginAs) -> None:
    login_as(Role.ANALYST)
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight")
    page.goto("/allegations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
