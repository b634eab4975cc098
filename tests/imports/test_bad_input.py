"""Bad input in a contract file is refused with its line, column and reason, the same on SQLite and
PostgreSQL: dates in the future, an outcome before the allegation was received, broken quoting,
control and bidi characters. A long cell is not bad input: it is imported verbatim."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.imports.test_import_contract import ALLEGATIONS_HEADER, PERSONNEL_HEADER, snapshot, write
from vigil.allegations.models import Allegation
from vigil.people.models import VettingClearance

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


def allegation_row(ref: str, **cells: str) -> str:
    values = {
        "allegation_ref": ref,
        "source_system": "hotline",
        "received_on": "2020-01-01",
        "category": "rape",
    }
    values |= cells
    columns = ALLEGATIONS_HEADER.strip().split(",")
    return ",".join(values.get(column, "") for column in columns) + "\n"


def refused(kind: str, path: Path, *args: str) -> str:
    """The problems printed for an import that is refused whole; nothing is written."""
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", kind, str(path), *args, stdout=io.StringIO(), stderr=err)
    assert snapshot() == before
    return err.getvalue()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("received_on", "2031-03-01" if NEXT_YEAR <= 2031 else "2099-01-01"),
        ("received_on", "2099"),
        ("incident_date", "2099-05"),
        ("subject_dob", "2090-01-01"),
        ("outcome_on", f"{NEXT_YEAR}-01-01"),
    ],
)
def test_a_date_in_the_future_is_refused(tmp_path: Path, column: str, value: str) -> None:
    cells = {column: value} | ({"outcome": "NFA"} if column == "outcome_on" else {})
    path = write(tmp_path, "a.csv", ALLEGATIONS_HEADER + allegation_row("F1", **cells))
    report = refused("allegations", path)
    assert f"line 2, column {column}: in the future (today is {timezone.localdate().isoformat()})" in report


def test_a_birth_date_in_the_future_is_refused_on_the_register(tmp_path: Path) -> None:
    row = "100009,CCP,Smith,Ann,,2090-01-01,F,,,,,2010,,officer,\n"
    report = refused("personnel", write(tmp_path, "p.csv", PERSONNEL_HEADER + row))
    assert "line 2, column date_of_birth: in the future" in report


def test_a_vetting_expiry_may_be_in_the_future(tmp_path: Path) -> None:
    call_command(
        "import",
        "personnel",
        str(write(tmp_path, "p.csv", PERSONNEL_HEADER + "100009,CCP,Smith,Ann,,1980,F,,,,,2010,,officer,\n")),
        stdout=io.StringIO(),
    )
    vetting = (
        "staff_id,force,level,granted_on,expires_on,outcome\n100009,CCP,MV,2020-01-01,2030-01-01,granted\n"
    )
    call_command("import", "vetting", str(write(tmp_path, "v.csv", vetting)), stdout=io.StringIO())
    assert VettingClearance.objects.get().expires_on == dt.date(2030, 1, 1)


def test_this_years_partial_date_is_not_in_the_future(tmp_path: Path) -> None:
    this_year = str(timezone.localdate().year)
    path = write(tmp_path, "a.csv", ALLEGATIONS_HEADER + allegation_row("F2", received_on=this_year))
    call_command("import", "allegations", str(path), stdout=io.StringIO())
    assert Allegation.objects.get().received_on.year == int(this_year)


def test_an_outcome_before_the_allegation_was_received_is_refused(tmp_path: Path) -> None:
    rows = (
        allegation_row("O1", received_on="2020-05-02", outcome="NFA", outcome_on="2020-04-30")
        # Partial dates conflict only when they must: an outcome "2020-05" may be after 2 May.
        + allegation_row("O2", received_on="2020-05-02", outcome="NFA", outcome_on="2020-05")
    )
    report = refused("allegations", write(tmp_path, "a.csv", ALLEGATIONS_HEADER + rows))
    assert "line 2, column outcome_on: before received_on (2020-05-02) (value: '2020-04-30')" in report
    assert "line 3" not in report


def test_an_unterminated_quote_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    rows = (
        allegation_row("Q1")
        + 'Q2,hotline,2020-01-01,,rape,"The summary never ends,,,,,,,,,,,,\n'
        + allegation_row("Q3")
    )
    report = refused("allegations", write(tmp_path, "a.csv", ALLEGATIONS_HEADER + rows), "--skip-invalid")
    assert "line 3, column summary: not valid CSV (unexpected end of data)" in report


def test_text_after_a_closing_quote_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    rows = allegation_row("Q1") + 'Q2,hotline,2020-01-01,,rape,"quoted" then more,,,,,,,,,,,,\n'
    report = refused("allegations", write(tmp_path, "a.csv", ALLEGATIONS_HEADER + rows))
    assert "line 3, column summary: not valid CSV" in report


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("before\x00after", "U+0000"),
        ("Smith\u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066hidden\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("bell\x07", "U+0007"),
    ],
)
def test_control_and_bidi_characters_are_refused_at_their_line_and_column(
    tmp_path: Path, text: str, shown: str
) -> None:
    rows = allegation_row("C1") + allegation_row("C2", subject_name=text)
    path = write(tmp_path, "a.csv", ALLEGATIONS_HEADER + rows)
    report = refused("allegations", path)
    assert f"line 3, column subject_name: contains the control character {shown}" in report
    assert "\x00" not in report and "\u202e" not in report  # the value is shown escaped


def test_a_nul_byte_with_skip_invalid_rejects_its_row_and_imports_the_rest(tmp_path: Path) -> None:
    source = (ALLEGATIONS_HEADER + allegation_row("N1") + allegation_row("N2", summary="a\x00b")).encode()
    path = write(tmp_path, "a.csv", source)
    err = io.StringIO()
    call_command("import", "allegations", str(path), "--skip-invalid", stdout=io.StringIO(), stderr=err)
    assert "line 3, column summary: contains the control character U+0000" in err.getvalue()
    assert list(Allegation.objects.values_list("allegation_ref", flat=True)) == ["N1"]
    rejects = (tmp_path / "a.rejects.csv").read_bytes()
    assert b"a\x00b" in rejects  # handed back untouched


def test_a_200_kb_summary_is_imported_verbatim(tmp_path: Path) -> None:
    summary = ('A long account, with commas, "quotes" and\nlines. ' * 4000)[:200_000]
    quoted = '"' + summary.replace('"', '""') + '"'
    path = write(tmp_path, "a.csv", ALLEGATIONS_HEADER + allegation_row("L1", summary=quoted))
    call_command("import", "allegations", str(path), stdout=io.StringIO())
    assert Allegation.objects.get().summary == summary.strip()


def test_a_bidi_character_in_a_workbook_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    sheet = workbook.active
    columns = ALLEGATIONS_HEADER.strip().split(",")
    sheet.append(columns)
    for ref, name in (("X1", "Dave"), ("X2", "Smith\u202egnp.exe")):
        row = allegation_row(ref, subject_name=name).rstrip("\n").split(",")
        sheet.append(row)
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    report = refused("allegations", path)
    assert "line 3, column subject_name: contains the control character U+202E" in report
