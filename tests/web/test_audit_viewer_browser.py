"""The auditor's audit viewer in a real browser: sign in, filter to refusals, open an entry,
export (justified, with a recipient), and axe-core checks on every page."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.web.conftest import LoginAs
from tests.web.harness import assert_accessible
from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.audit.models import AuditEntry
from vigil.audit.services import audit_record

pytestmark = pytest.mark.browser


def seed(make_user: Callable[..., User]) -> dict[str, AuditEntry]:
    reviewer = make_user(Role.REVIEWER, username="rev_rosa")
    why = Justification(reason="assigned_case", text="Reviewing case PSD/2026/0042.")
    entries = {
        "consulted": audit_record(
            action=Action.PERSON_CONSULTED,
            actor=reviewer,
            record_type="person",
            record_id=17,
            record_label="CCP 170017",
            justification=why,
        ),
        "refused": audit_record(
            action=Action.ACCESS_REFUSED,
            actor=reviewer,
            record_type="person",
            record_id=18,
            record_label="CCP 180018",
            detail={"reason": "not assigned"},
        ),
        "blocked": audit_record(
            action=Action.CONFLICT_BLOCKED,
            actor=reviewer,
            record_type="allegation",
            record_id=5,
            record_label="complaints C-5",
            detail={"reason": "the record is about the user"},
        ),
    }
    for number in range(8):
        audit_record(action=Action.LOGIN_FAILED, actor=None, actor_label=f"guess{number}")
    return entries


def test_auditor_filters_to_refusals_opens_one_and_exports(
    page: Page, login_as: LoginAs, make_user: Callable[..., User], tmp_path: Path
) -> None:
    entries = seed(make_user)
    login_as(Role.AUDITOR)

    # The auditor lands on the audit trail.
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_role("table")).to_contain_text("Person record consulted")
    assert_accessible(page)

    # Refusals only: the refused and the conflict-blocked attempts, visibly marked.
    page.get_by_label("Refusals only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"refusals_only=on"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Conflict of interest")
    expect(rows.nth(0)).to_contain_text("Blocked: conflict of interest")
    expect(rows.nth(1)).to_contain_text("Refused")
    expect(rows.nth(1)).to_contain_text("CCP 180018")
    expect(page.get_by_label("Refusals only")).to_be_checked()
    assert_accessible(page)

    # One entry, in full.
    blocked = entries["blocked"]
    page.get_by_role("link", name=f"Entry #{blocked.pk}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit entry #{blocked.pk}")
    expect(page.get_by_label("Detail, as recorded")).to_contain_text(
        '"reason": "the record is about the user"'
    )
    expect(page.get_by_text(blocked.entry_hash)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Every entry of the same request").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.go_back()
    page.go_back()

    # Export the refusals: a justification and a recipient first.
    page.get_by_role("link", name="Export these entries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export audit entries")
    expect(page.locator("main")).to_contain_text("Access refused, and blocked by a conflict of interest")
    assert_accessible(page)
    page.get_by_role("button", name="Export as CSV").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Who receives this export?")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Why are you exporting these entries?").select_option(
        label="Audit, integrity or security check"
    )
    page.get_by_label("Explain in your own words").fill("Monthly check of refused access.")
    page.get_by_label("Who receives this export?").fill("DPS investigation 2026/114")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export as CSV").click()
    saved = tmp_path / "export.csv"
    download_info.value.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [int(row["id"]) for row in exported] == [entries["refused"].pk, blocked.pk]

    # The export is in the trail, with its reason and recipient.
    record = AuditEntry.objects.get(action=Action.AUDIT_EXPORTED)
    assert record.recipient == "DPS investigation 2026/114"
    page.goto("/audit/?action=audit.exported")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("To: DPS investigation 2026/114")
    assert_accessible(page)


def test_filter_errors_are_accessible(page: Page, login_as: LoginAs) -> None:
    login_as(Role.AUDITOR)
    page.goto("/audit/?date_from=2026-05-01&date_to=2026-01-01&record_id=4&action=nonsense")
    expect(page.get_by_role("heading", name="There is a problem with the filters")).to_be_visible()
    expect(page.get_by_label("To date")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Action")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
