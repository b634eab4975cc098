"""Every CSV and XLSX file Vigil writes is guarded against formula injection, through one writer
(vigil.core.tabular); no other module writes CSV or XLSX itself."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook  # type: ignore[import-untyped]

import vigil
from tests.factories import person_create
from tests.risk.data import linked_allegation
from vigil.core.tabular import csv_writer, safe_cell, xlsx_bytes

SOURCE = Path(vigil.__file__).parent
GUARDED_MODULE = SOURCE / "core" / "tabular.py"
# Writing CSV or XLSX directly: the csv module's writers, spreadsheet libraries, dataframes.
DIRECT_WRITERS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|\bopenpyxl\b|\bxlsxwriter\b|\bWorkbook\(|\.to_csv\(|\.to_excel\("
    r"|\bwrite_csv\("
)
# The unguarded writer is for a person's own rows handed back untouched, and nothing else.
VERBATIM_USERS = {SOURCE / "imports" / "reading.py", SOURCE / "demo" / "world" / "files.py"}
# Not a file anyone opens: rows streamed into PostgreSQL's COPY inside the database's transaction.
NOT_A_FILE = {SOURCE / "linkage" / "runs.py": "pa_csv.write_csv(batch, buffer"}

FORMULAS = ["+SUM(1+1)", '=HYPERLINK("http://evil.example","click")', "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1"]


def test_no_module_writes_csv_or_xlsx_but_the_guarded_one() -> None:
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == GUARDED_MODULE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if not DIRECT_WRITERS.search(code):
                continue
            allowed = NOT_A_FILE.get(path)
            if allowed and allowed in code:
                continue
            offenders.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert not offenders, "write CSV/XLSX through vigil.core.tabular:\n" + "\n".join(offenders)


def test_the_unguarded_writer_is_used_only_for_rows_handed_back_untouched() -> None:
    users = {
        path
        for path in SOURCE.rglob("*.py")
        if path != GUARDED_MODULE and "verbatim_csv_writer" in path.read_text(encoding="utf-8")
    }
    assert users == VERBATIM_USERS


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula
    out = io.StringIO()
    csv_writer(out).writerow([formula, 1])
    (row,) = csv.reader(io.StringIO(out.getvalue()))
    assert row == ["'" + formula, "1"]


@pytest.mark.parametrize("value", [-3, -0.25, "-3", "-0.25", "1e-5", "plain = fine", "", None, 42])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_a_workbook_stores_formulas_as_guarded_text() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes({"Sheet": [["name", "score"], [FORMULAS[1], -4]]})))
    name, score = book["Sheet"]["A2"], book["Sheet"]["B2"]
    assert (name.value, name.data_type) == ("'" + FORMULAS[1], "s")
    assert (score.value, score.data_type) == (-4, "n")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_export_queue_writes_a_formula_name_as_text(tmp_path: Path) -> None:
    person = person_create(forenames="+SUM(1+1)", surname='=HYPERLINK("http://evil.example")')
    linked_allegation(person=person, category="rape", ref='=HYPERLINK("http://evil.example")')
    call_command("score", "--no-progress", stdout=io.StringIO())
    out = tmp_path / "queue.csv"
    call_command("export", "queue", str(out), stdout=io.StringIO())
    (row,) = read_rows(out)
    assert row["name"] == '\'+SUM(1+1) =HYPERLINK("http://evil.example")'
    assert int(row["risk_score"]) > 0


@pytest.mark.django_db
def test_export_links_writes_a_formula_reference_as_text(tmp_path: Path) -> None:
    person = person_create(staff_id="@1234")
    linked_allegation(person=person, ref='=HYPERLINK("http://evil.example","click")')
    out = tmp_path / "links.csv"
    call_command("export", "links", str(out), stdout=io.StringIO())
    (row,) = read_rows(out)
    assert row["allegation_ref"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["staff_id"] == "'@1234"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
