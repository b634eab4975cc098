"""The board pack: CSV and workbook columns are a contract, counts of 1 to 9 never leave Vigil (nor
the totals and rates that would give them back; tests/oversight/test_disclosure.py proves none can
be worked out), the PDF's pages render, and every export is an audited disclosure."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook  # type: ignore[import-untyped]

from vigil.audit.justification import Justification
from vigil.audit.models import AuditEntry
from vigil.oversight import exports
from vigil.oversight.disclosure import released_figures
from vigil.oversight.services import counted_figures_recount, oversight_report_export

pytestmark = pytest.mark.django_db

REASON = Justification(reason="oversight", text="Weekly board pack for the PSD board")


def csv_rows() -> list[dict[str, str]]:
    content = exports.render(released_figures(counted_figures_recount()), "csv").decode("utf-8")
    reader = csv.DictReader(io.StringIO(content))
    assert tuple(reader.fieldnames or ()) == exports.EXPORT_COLUMNS
    return list(reader)


def test_the_csv_has_the_contract_columns_and_every_section(world_of_hundreds: None) -> None:
    rows = csv_rows()
    assert exports.EXPORT_COLUMNS == (  # the contract: extend it, never change it silently
        "section",
        "dimension",
        "group",
        "reference_group",
        "stage",
        "count",
        "total",
        "rate",
        "rate_low",
        "rate_high",
        "relative_rate",
        "relative_low",
        "relative_high",
        "interval_excludes_1",
        "value",
    )
    assert {row["section"] for row in rows} == {
        "progress",
        "sexual_case_to_answer",
        "allegation_stages",
        "hotline_referral",
        "review_routes",
        "risk_bands",
    }
    investigated = next(
        row
        for row in rows
        if row["section"] == "allegation_stages"
        and row["dimension"] == "Ethnicity"
        and row["group"].startswith("Black")
        and row["stage"].startswith("Investigated")
    )
    # 90 of 100 against the reference group's 80 of 100: a relative rate of 1.125.
    assert (investigated["count"], investigated["total"], investigated["rate"]) == ("90", "100", "0.9000")
    assert investigated["reference_group"] == "White"
    assert investigated["relative_rate"] == "1.1250"
    assert investigated["interval_excludes_1"] == "yes"  # 1.03 to 1.23 on a hundred each


def test_counts_under_ten_are_withheld_with_what_would_reveal_them(world: None) -> None:
    rows = csv_rows()
    proven = next(
        row
        for row in rows
        if row["section"] == "allegation_stages"
        and row["group"] == "White"
        and row["dimension"] == "Ethnicity"
        and row["stage"].startswith("Proven")
    )
    # 2 of 4: the count, the total, the rate and its interval all withheld.
    assert [proven[column] for column in exports.EXPORT_COLUMNS[5:10]] == ["[c]"] * 5
    for row in rows:
        for column in ("count", "total"):
            value = row[column]
            assert value in ("", "[c]") or value == "0" or int(value) >= 10, (column, row)


def test_the_workbook_holds_the_same_rows_a_sheet_per_section(world: None) -> None:
    figures = released_figures(counted_figures_recount())
    workbook = load_workbook(io.BytesIO(exports.render(figures, "xlsx")), read_only=True)
    rows_in_sheets = 0
    for sheet in workbook.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == exports.EXPORT_COLUMNS
        assert {value[0] for value in values[1:]} == {sheet.title}
        rows_in_sheets += len(values) - 1
    assert rows_in_sheets == len(list(exports.export_rows(figures)))


def test_an_export_is_an_audited_disclosure(world: None) -> None:
    report = oversight_report_export(fmt="csv", justification=REASON, recipient="PSD board", actor=None)
    entry = AuditEntry.objects.get(pk=report.audit_entry_id)
    assert entry.action == "oversight.exported"
    assert (entry.justification_reason, entry.recipient) == ("oversight", "PSD board")
    assert '"format":"csv"' in entry.detail.replace(" ", "")
    assert hashlib.sha256(report.content).hexdigest() in entry.detail  # which file left, provably
    assert report.content_type.startswith("text/csv")


def test_a_bad_format_fails_before_anything_is_logged(world: None) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError, match="format must be one of"):
        oversight_report_export(fmt="docx", justification=REASON, recipient="PSD board", actor=None)
    assert AuditEntry.objects.count() == before


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_command_writes_a_pdf_whose_pages_render(world: None, tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    call_command("report", "oversight", "--format", "pdf", "--out", str(out), "--recipient", "PSD board")
    assert out.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # progress and the check, then a page or more per section
    assert all(page.stat().st_size > 1_000 for page in pages)
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert "Oversight report" in text and "Allegations at each stage" in text
    for name in ("Unrecorded",):  # the world's surnames: White and Black are also group names
        assert name not in text
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.recipient) == ("oversight.exported", "PSD board")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_command_writes_each_format(world: None, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"board.{fmt}"
    call_command("report", "oversight", "--format", fmt, "--out", str(out))
    assert out.stat().st_size > 1_000
    entry = AuditEntry.objects.latest("pk")
    assert entry.recipient == str(out.resolve())  # no recipient given: the file is named


def test_the_command_refuses_a_reason_too_short_to_explain(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="at least 10 characters"):
        call_command(
            "report", "oversight", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--reason", "board"
        )
    assert not (tmp_path / "x.csv").exists()
