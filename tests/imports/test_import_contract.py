"""The import contract: whole-or-nothing, every bad row reported, idempotent re-import, history kept."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.imports.engine import ImportRefused
from vigil.imports.models import ImportBatch
from vigil.imports.services import contract_file_import
from vigil.people.models import NameKind, Person, RoleRecord, ShoulderNumber, VettingClearance

pytestmark = pytest.mark.django_db

PERSONNEL_HEADER = (
    "staff_id,force,surname,forenames,known_as,date_of_birth,sex,ethnicity,rank_or_grade,role,command,"
    "joined_on,left_on,employment_type,shoulder_numbers\n"
)
PERSONNEL = PERSONNEL_HEADER + (
    "100001,CCP,Smith,David,Dave;Davey,1971,M,W1,Constable,Response,Central West BCU,2005-03-01,,officer,"
    "4521CW;231NE\n"
    "100002,CCP,Okafor,Grace,,1985-06,F,Black,Band D,Call handling,Command and Control,2012,,Police staff,\n"
)
ALLEGATIONS_HEADER = (
    "allegation_ref,source_system,received_on,incident_date,category,summary,subject_name,subject_staff_id,"
    "subject_shoulder_number,subject_rank,subject_command,subject_force,subject_dob,subject_details,"
    "complainant_ref,complainant_relationship,outcome,outcome_on\n"
)
ALLEGATIONS = ALLEGATIONS_HEADER + (
    'A1,Public complaint,2019-05-02,2019-04,Sexual assault,"Two\nlines","SMITH, Dave",,4521CW,PC,,,,'
    '"PC, Central West BCU",C1,member of public,NFA,2019-09-01\n'
    "A2,hotline,2020-01-01,,Coercive control,,PC Smith,100001,,,,,,,C2,ex-partner,,\n"
    "A3,other_force,2003,,Abuse of position for a sexual purpose,,David Smith,,,,,WSX,1971-09-14,,C3,,open,\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_import(kind: str, path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", kind, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Allegation.objects.count(),
        VettingClearance.objects.count(),
        ImportBatch.objects.count(),
    )


def test_allegations_import_keeps_subject_as_recorded_and_reads_labels_and_partial_dates(
    tmp_path: Path,
) -> None:
    out, _ = run_import("allegations", write(tmp_path, "a.csv", ALLEGATIONS))
    assert "3 created" in out
    first = Allegation.objects.get(allegation_ref="A1")
    assert first.category_id == "sexual_assault"
    assert first.source_system_id == "public_complaint"
    assert first.outcome_id == "no_further_action"
    assert first.complainant_relationship_id == "member_of_public"
    assert first.subject_name == "SMITH, Dave"
    assert first.summary == "Two\nlines"
    assert (first.incident_date, first.incident_date_precision) == (dt.date(2019, 4, 1), "M")
    third = Allegation.objects.get(allegation_ref="A3")
    assert third.category_id == "abuse_of_position_sexual"
    assert (third.received_on, third.received_on_precision) == (dt.date(2003, 1, 1), "Y")
    assert third.subject_force == "WSX"
    assert third.subject_dob == dt.date(1971, 9, 14)
    batch = ImportBatch.objects.get()
    assert batch.rows_created == 3 and batch.kind == "allegations" and len(batch.sha256) == 64
    assert set(Allegation.objects.values_list("import_batch", flat=True)) == {batch.pk}


def test_five_kinds_of_bad_input_are_all_reported_and_nothing_is_written(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.csv",
        b"allegation_ref,source_system,incident_date,category,summary\n"
        b"B1,hotline,2019-13-01,rape,bad date\n"
        b"B2,hotline,2019-01-01,burglary,unknown category\n"
        b"B3,hotline,,rape,first\n"
        b"B3,hotline,,rape,duplicate key\n"
        b"B4,hotline,,rape,caf\xe9\n",
    )
    before = snapshot()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import", "allegations", str(bad), stdout=out, stderr=err)
    assert refused.value.returncode == 1
    report = err.getvalue()
    assert "line 1, column received_on: required column is missing" in report
    assert "line 2, column incident_date: not a real date" in report
    assert "line 3, column category: unknown category" in report
    assert "line 5, column source_system,allegation_ref: duplicate key: same as line 4" in report
    assert "line 6, column summary: not valid UTF-8" in report
    assert snapshot() == before


def test_skip_invalid_imports_good_rows_and_writes_bad_rows_untouched(tmp_path: Path) -> None:
    source = (
        b"allegation_ref,source_system,received_on,category,summary\n"
        b"G1,hotline,2020-01-01,rape,good\n"
        b"B1,hotline,2020-02-30,rape,bad date\n"
        b"B2,hotline,2020-01-01,burglary,unknown category\n"
        b"G2,hotline,2020-01-01,stalking,good\n"
        b"G2,hotline,2020-01-01,stalking,duplicate\n"
        b"B4,hotline,2020-01-01,rape,caf\xe9\n"
    )
    path = write(tmp_path, "mixed.csv", source)
    out, _ = run_import("allegations", path, "--skip-invalid")
    assert sorted(Allegation.objects.values_list("allegation_ref", flat=True)) == ["G1", "G2"]
    assert "4 rejected" in out
    rejects = (tmp_path / "mixed.rejects.csv").read_bytes().splitlines()
    assert rejects == [source.splitlines()[line - 1] for line in (1, 3, 4, 6, 7)]
    reasons = (tmp_path / "mixed.rejects.errors.csv").read_text()
    assert "not a real date" in reasons and "caf\\xe9" in reasons
    assert ImportBatch.objects.get().rows_rejected == 4


def test_skip_invalid_with_a_header_problem_rejects_every_row_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", "allegation_ref,source_system,category\nA,hotline,rape\n")
    with pytest.raises(CommandError):
        run_import("allegations", path, "--skip-invalid")
    assert Allegation.objects.count() == 0
    assert (tmp_path / "nohead.rejects.csv").read_text().splitlines() == [
        "allegation_ref,source_system,category",
        "A,hotline,rape",
    ]


def test_reimport_reports_zero_changes_and_one_edited_row_reports_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", ALLEGATIONS)
    run_import("allegations", path)
    first_batch = ImportBatch.objects.get()
    out, _ = run_import("allegations", path)
    assert "0 created, 0 updated, 3 unchanged" in out and "0 change(s)" in out
    write(tmp_path, "a.csv", ALLEGATIONS.replace("C2,ex-partner", "C9,ex-partner"))
    out, _ = run_import("allegations", path)
    assert "0 created, 1 updated, 2 unchanged" in out and "1 change(s)" in out
    latest = ImportBatch.objects.order_by("-pk").first()
    assert latest is not None and latest.rows_updated == 1
    edited = Allegation.objects.get(allegation_ref="A2")
    assert edited.complainant_ref == "C9" and edited.import_batch_id == latest.pk
    assert Allegation.objects.get(allegation_ref="A1").import_batch_id == first_batch.pk


def test_a_file_without_a_column_leaves_that_column_alone(tmp_path: Path) -> None:
    run_import("allegations", write(tmp_path, "a.csv", ALLEGATIONS))
    slim = (
        "allegation_ref,source_system,received_on,category\nA1,public_complaint,2019-05-02,sexual_assault\n"
    )
    out, _ = run_import("allegations", write(tmp_path, "slim.csv", slim))
    assert "0 updated, 1 unchanged" in out
    assert Allegation.objects.get(allegation_ref="A1").subject_name == "SMITH, Dave"
    out, _ = run_import("allegations", write(tmp_path, "slim2.csv", slim.replace("sexual_assault", "rape")))
    assert "1 updated" in out
    changed = Allegation.objects.get(allegation_ref="A1")
    assert changed.category_id == "rape" and changed.subject_name == "SMITH, Dave"


def test_unknown_columns_are_an_error_unless_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extra.csv",
        "allegation_ref,source_system,received_on,category,colour\nA,hotline,2020,rape,x\n",
    )
    with pytest.raises(ImportRefused) as refused:
        contract_file_import(kind="allegations", path=path, imported_by="test")
    assert [error.column for error in refused.value.report.errors] == ["colour"]
    report = contract_file_import(kind="allegations", path=path, imported_by="test", ignore_extra=True)
    assert report.counts.created == 1


def test_personnel_import_builds_identity_history(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", PERSONNEL)
    run_import("personnel", path)
    david = Person.objects.get(staff_id="100001")
    assert (david.date_of_birth, david.date_of_birth_precision) == (dt.date(1971, 1, 1), "Y")
    assert (david.ethnicity, david.ethnicity_code, david.sex) == ("White", "W1", "M")
    grace = Person.objects.get(staff_id="100002")
    assert grace.employment_type == "staff" and grace.ethnicity == "Black" and grace.ethnicity_code == ""
    assert list(david.shoulder_numbers.values_list("number", "is_current")) == [
        ("4521CW", True),
        ("231NE", False),
    ]
    assert set(david.names.values_list("kind", "full_name")) == {
        (NameKind.LEGAL, "David Smith"),
        (NameKind.ALIAS, "Dave"),
        (NameKind.ALIAS, "Davey"),
    }

    renamed = PERSONNEL.replace("Smith,David,Dave;Davey", "Smith-Jones,David,Dave").replace(
        "Constable,Response,Central West BCU", "Sergeant,Response,North East BCU"
    )
    renamed = renamed.replace("4521CW;231NE", "77NE;4521CW;231NE")
    first_updated_at = david.updated_at
    out, _ = run_import("personnel", write(tmp_path, "p.csv", renamed))
    assert "1 updated, 1 unchanged" in out
    david.refresh_from_db()
    assert david.updated_at > first_updated_at
    assert david.surname == "Smith-Jones" and david.rank_or_grade == "Sergeant"
    names = {(name.kind, name.full_name): name.recorded_until for name in david.names.all()}
    assert names[(NameKind.LEGAL, "David Smith-Jones")] is None
    assert names[(NameKind.FORMER, "David Smith")] is not None
    assert names[(NameKind.ALIAS, "Davey")] is not None  # no longer listed, kept as history
    roles = list(
        RoleRecord.objects.filter(person=david).order_by("pk").values_list("rank_or_grade", "recorded_until")
    )
    assert roles[0][0] == "Constable" and roles[0][1] is not None
    assert roles[1] == ("Sergeant", None)
    assert list(
        ShoulderNumber.objects.filter(person=david, is_current=True).values_list("number", flat=True)
    ) == ["77NE"]
    out, _ = run_import("personnel", write(tmp_path, "p.csv", renamed))
    assert "0 change(s)" in out
    # The alteration is in the audit trail, field by field.
    altered = AuditEntry.objects.get(action=Action.RECORD_CHANGED)
    changes = json.loads(altered.detail)["changes"]
    assert changes["surname"] == ["Smith", "Smith-Jones"]
    assert changes["rank_or_grade"] == ["Constable", "Sergeant"]
    assert "names" in changes and "shoulder_numbers" in changes
    assert altered.record_label == f"{david.force} {david.staff_id}"


def test_vetting_needs_the_person_on_the_register_and_is_idempotent(tmp_path: Path) -> None:
    run_import("personnel", write(tmp_path, "p.csv", PERSONNEL))
    vetting = (
        "staff_id,force,level,granted_on,expires_on,outcome\n"
        "100001,CCP,RV,2005-01-10,2015-01-10,granted\n"
        "100001,CCP,MV,2016-02,2026-02,Granted\n"
        "999999,CCP,RV,2005-01-10,,granted\n"
    )
    path = write(tmp_path, "v.csv", vetting)
    with pytest.raises(ImportRefused) as refused:
        contract_file_import(kind="vetting", path=path, imported_by="test")
    assert [(error.line, error.column) for error in refused.value.report.errors] == [(4, "staff_id")]
    path = write(tmp_path, "v.csv", vetting.rsplit("999999", 1)[0])
    assert contract_file_import(kind="vetting", path=path, imported_by="test").counts.created == 2
    assert contract_file_import(kind="vetting", path=path, imported_by="test").changes == 0
    clearance = VettingClearance.objects.get(level="MV")
    assert (clearance.granted_on, clearance.granted_on_precision, clearance.outcome) == (
        dt.date(2016, 2, 1),
        "M",
        "granted",
    )


def test_xlsx_files_import_like_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["allegation_ref", "source_system", "received_on", "category", "subject_staff_id"])
    naive = dt.datetime(2021, 3, 4)  # noqa: DTZ001 (spreadsheet cells carry no time zone)
    sheet.append(["X1", "Hotline", naive, "Stalking", 100001])
    sheet.append(["X2", "hotline", "2021-05", "rape", None])
    path = tmp_path / "allegations.xlsx"
    workbook.save(path)
    report = contract_file_import(kind="allegations", path=path, imported_by="test")
    assert report.counts.created == 2
    first = Allegation.objects.get(allegation_ref="X1")
    assert first.received_on == dt.date(2021, 3, 4) and first.subject_staff_id == "100001"
    assert contract_file_import(kind="allegations", path=path, imported_by="test").changes == 0


def test_a_bad_row_in_a_big_file_names_its_line(tmp_path: Path) -> None:
    rows = [f"R{number},hotline,2020-01-01,rape\n" for number in range(2_000)]
    rows[1_234] = "R1234,hotline,2020-01-01,arson\n"
    path = write(tmp_path, "big.csv", "allegation_ref,source_system,received_on,category\n" + "".join(rows))
    with pytest.raises(ImportRefused) as refused:
        contract_file_import(kind="allegations", path=path, imported_by="test")
    assert [(error.line, error.value) for error in refused.value.report.errors] == [(1_236, "arson")]


def test_a_bulk_load_rebuilds_the_indexes_it_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    from vigil.imports import sql

    monkeypatch.setattr(sql, "BULK_LOAD_ROWS", 10)
    table = Allegation._meta.db_table
    with connection.cursor() as cursor:
        before = {
            name
            for name, spec in connection.introspection.get_constraints(cursor, table).items()
            if spec["index"]
        }
    rows = "".join(f"R{number},hotline,2020-01-{1 + number % 28:02d},rape\n" for number in range(50))
    path = write(tmp_path, "bulk.csv", "allegation_ref,source_system,received_on,category\n" + rows)
    assert contract_file_import(kind="allegations", path=path, imported_by="test").counts.created == 50
    with connection.cursor() as cursor:
        after = {
            name
            for name, spec in connection.introspection.get_constraints(cursor, table).items()
            if spec["index"]
        }
    assert after == before and "allegation_received" in after
    assert Allegation.objects.filter(received_on__year=2020).count() == 50


# ---- the audit trail: collection and alteration -------------------------------------------------


def test_an_import_is_audited_and_each_altered_record_with_before_and_after(tmp_path: Path) -> None:
    path = tmp_path / "allegations.csv"
    header = "allegation_ref,source_system,received_on,category,outcome,complainant_contact\n"
    path.write_text(
        header
        + "A-1,public_complaint,2024-01-01,other,open,07700 900001\nA-2,hotline,2024-01-02,other,open,\n"
    )
    contract_file_import(kind="allegations", path=path, imported_by="test")
    collected = AuditEntry.objects.get(action=Action.RECORDS_IMPORTED)
    assert json.loads(collected.detail)["created"] == 2
    assert not AuditEntry.objects.filter(action=Action.RECORD_CHANGED).exists()

    changed = "A-1,public_complaint,2024-01-01,other,no_case_to_answer,07700 900002\n"
    path.write_text(header + changed + "A-2,hotline,2024-01-02,other,open,\n")
    contract_file_import(kind="allegations", path=path, imported_by="test")
    altered = AuditEntry.objects.get(action=Action.RECORD_CHANGED)
    changes = json.loads(altered.detail)["changes"]
    assert changes["outcome"] == ["open", "no_case_to_answer"]
    assert changes["complainant_contact"] == ["(sealed; rewritten, value not shown)"] * 2
    assert "07700" not in altered.detail
    assert (altered.record_type, altered.record_label) == ("allegation", "public_complaint A-1")
