"""The synthetic force: deterministic, valid against the vocabularies and the import contract, and
holding the patterns later work measures linking and ranking against."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from vigil.allegations.vocabularies import CATEGORIES, OUTCOMES, RELATIONSHIPS, SOURCES
from vigil.demo.world import (
    ALLEGATION_COLUMNS,
    CLOSED_WITHOUT_ACTION,
    FORCE,
    LOW_SEVERITY_CATEGORIES,
    LOW_SEVERITY_RUN,
    MIN_STAFF,
    PERSONNEL_COLUMNS,
    PLANTED_COLUMNS,
    REFERENCE_DATE,
    REPEAT_HOTLINE_CALLS,
    SERIAL,
    SERVING_COUPLE,
    TRUTH_COLUMNS,
    VETTING_COLUMNS,
    WINDOW_START,
    World,
    WorldFiles,
    build_world,
    write_world,
)
from vigil.people.vocabularies import EMPLOYMENT_TYPES, ETHNICITIES, SEXES, VETTING_LEVELS, VETTING_OUTCOMES

Row = dict[str, str]
SEVERITY = {term.code: term.severity for term in CATEGORIES}
FILE_NAMES = ("personnel.csv", "vetting.csv", "allegations.csv", "truth.csv", "planted.csv")


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def files(world: World, tmp_path_factory: pytest.TempPathFactory) -> WorldFiles:
    return write_world(world, tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def people(world: World) -> dict[str, Row]:
    return {row["staff_id"]: row for row in world.personnel}


@pytest.fixture(scope="module")
def about(world: World) -> dict[tuple[str, str], str]:
    """(source_system, allegation_ref) -> the staff_id it is really about ('' when not on the register)."""
    return {(row["source_system"], row["allegation_ref"]): row["staff_id"] for row in world.truth}


def allegations_of(world: World, about: dict[tuple[str, str], str], staff_id: str) -> list[Row]:
    rows = [
        row for row in world.allegations if about[(row["source_system"], row["allegation_ref"])] == staff_id
    ]
    return sorted(rows, key=lambda row: row["received_on"])


def planted(world: World, pattern: str) -> list[Row]:
    return [row for row in world.planted if row["pattern"] == pattern]


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in FILE_NAMES}


def first_name_and_surname(row: Row) -> tuple[str, str]:
    return row["forenames"].split()[0], row["surname"]


# --- determinism ------------------------------------------------------------------------------------


def test_the_same_seed_writes_byte_identical_files(files: WorldFiles, tmp_path: Path) -> None:
    again = write_world(build_world(), tmp_path)
    assert digests(again.personnel.parent) == digests(files.personnel.parent)


def test_another_seed_gives_another_world(world: World) -> None:
    other = build_world(seed=7, staff=MIN_STAFF)
    assert other.personnel[:50] != world.personnel[:50]


HASH_SCRIPT = """
import hashlib, sys, tempfile
from pathlib import Path
from vigil.demo.world import build_world, write_world
directory = Path(tempfile.mkdtemp())
write_world(build_world(seed=11, staff=2000), directory)
for name in sorted(path.name for path in directory.iterdir()):
    print(name, hashlib.sha256((directory / name).read_bytes()).hexdigest())
print("django loaded:", "django" in sys.modules)
"""


def test_files_do_not_depend_on_the_hash_seed_and_django_is_not_imported() -> None:
    outputs = []
    for hash_seed in ("0", "4242"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", HASH_SCRIPT], env=environment, capture_output=True, text=True, check=True
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert "django loaded: False" in outputs[0]
    assert outputs[0].count(".csv") == len(FILE_NAMES)


# --- files and codes --------------------------------------------------------------------------------


def test_files_have_the_contract_columns(files: WorldFiles, world: World) -> None:
    expected = {
        files.personnel: (PERSONNEL_COLUMNS, world.personnel),
        files.vetting: (VETTING_COLUMNS, world.vetting),
        files.allegations: (ALLEGATION_COLUMNS, world.allegations),
        files.truth: (TRUTH_COLUMNS, world.truth),
        files.planted: (PLANTED_COLUMNS, world.planted),
    }
    for path, (columns, rows) in expected.items():
        with path.open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == columns
        assert read_csv(path) == rows
    assert PERSONNEL_COLUMNS == (
        "staff_id", "force", "surname", "forenames", "known_as", "date_of_birth", "sex", "ethnicity",
        "rank_or_grade", "role", "command", "joined_on", "left_on", "employment_type", "shoulder_numbers",
    )  # fmt: skip
    assert VETTING_COLUMNS == ("staff_id", "force", "level", "granted_on", "expires_on", "outcome")
    assert ALLEGATION_COLUMNS == (
        "allegation_ref", "source_system", "received_on", "incident_date", "category", "summary",
        "subject_name", "subject_staff_id", "subject_shoulder_number", "subject_rank", "subject_command",
        "subject_force", "subject_dob", "subject_details", "complainant_ref", "complainant_contact",
        "complainant_relationship", "outcome", "outcome_on",
    )  # fmt: skip


def test_every_code_belongs_to_its_vocabulary(world: World) -> None:
    for row in world.allegations:
        assert row["category"] in CATEGORIES.codes()
        assert row["source_system"] in SOURCES.codes()
        assert row["complainant_relationship"] in ["", *RELATIONSHIPS.codes()]
        assert row["outcome"] in OUTCOMES.codes()
    ethnicity_codes = [term.code for term in ETHNICITIES]
    for row in world.personnel:
        assert row["force"] == FORCE
        assert row["employment_type"] in EMPLOYMENT_TYPES.codes()
        assert row["sex"] in SEXES.codes()
        assert row["ethnicity"] in ["", *ethnicity_codes]
    for row in world.vetting:
        assert row["level"] in VETTING_LEVELS.codes()
        assert row["outcome"] in VETTING_OUTCOMES.codes()


def test_every_source_category_and_outcome_class_occurs(world: World) -> None:
    assert {row["source_system"] for row in world.allegations} == set(SOURCES.codes())
    assert {row["category"] for row in world.allegations} == set(CATEGORIES.codes())
    classes = Counter(OUTCOMES[row["outcome"]].outcome_class for row in world.allegations)
    assert classes["not_proven"] > classes["proven"] > 0
    assert classes["open"] > 0 and classes["proceedings"] > 0


def test_keys_are_unique(world: World, people: dict[str, Row]) -> None:
    assert len(people) == len(world.personnel)
    vetting_keys = [(r["force"], r["staff_id"], r["level"], r["granted_on"]) for r in world.vetting]
    assert len(set(vetting_keys)) == len(vetting_keys)
    allegation_keys = [(r["source_system"], r["allegation_ref"]) for r in world.allegations]
    assert len(set(allegation_keys)) == len(allegation_keys)
    assert {row["staff_id"] for row in world.vetting} == set(people)


def test_files_pass_the_import_contract(world: World) -> None:
    """Each cell parses as the importer will parse it (codes, partial dates, lengths)."""
    from vigil.allegations.imports import ALLEGATION_CONTRACT
    from vigil.people.imports import PERSONNEL_CONTRACT, VETTING_CONTRACT

    for contract, rows in (
        (PERSONNEL_CONTRACT, world.personnel),
        (VETTING_CONTRACT, world.vetting),
        (ALLEGATION_CONTRACT, world.allegations),
    ):
        assert contract.names == tuple(rows[0])
        for column in contract.columns:
            for row in rows:
                cell = row[column.name]
                if cell:
                    column.parse(cell)
                else:
                    assert not column.required, (column.name, row)


# --- the register -----------------------------------------------------------------------------------


def test_register_size_and_mix(world: World) -> None:
    rows = world.personnel
    assert len(rows) == 20_000
    share = Counter(row["employment_type"] for row in rows)
    for kind, expected in (("officer", 0.60), ("staff", 0.33), ("special", 0.05), ("volunteer", 0.02)):
        assert abs(share[kind] / len(rows) - expected) < 0.02, kind
    assert 0.07 < sum(1 for row in rows if row["left_on"]) / len(rows) < 0.13
    assert Counter(row["sex"] for row in rows)["X"] > 0
    groups = {term.code: term.group for term in ETHNICITIES}
    stated = [groups[row["ethnicity"]] for row in rows if row["ethnicity"]]
    assert 0.75 < stated.count("White") / len(stated) < 0.85
    assert len(stated) < len(rows)  # some not stated
    assert any(row["ethnicity"] in ("W1", "A2") for row in rows)  # some detailed codes


def test_names_collide_like_real_names(world: World) -> None:
    names = Counter(first_name_and_surname(row) for row in world.personnel)
    assert names[("David", "Smith")] >= 4
    assert names[("John", "Smith")] >= 2
    assert names[("Mohammed", "Khan")] >= 2
    shared = sum(count for count in names.values() if count > 1) / len(world.personnel)
    assert 0.05 < shared < 0.3
    assert len({row["surname"] for row in world.personnel}) > 1500


def test_dates_of_birth_are_sometimes_partial(world: World) -> None:
    lengths = Counter(len(row["date_of_birth"]) for row in world.personnel)
    assert lengths[10] > lengths[7] > 0 and lengths[4] > 0


def test_aliases_hold_nicknames_and_former_names(world: World) -> None:
    with_alias = [row for row in world.personnel if row["known_as"]]
    assert 0.1 < len(with_alias) / len(world.personnel) < 0.6
    assert any(alias.startswith("Dave ") for row in with_alias for alias in row["known_as"].split(";"))
    former_names = [
        row
        for row in with_alias
        if any(alias.split()[-1] != row["surname"] for alias in row["known_as"].split(";"))
    ]
    assert sum(1 for row in former_names if row["sex"] == "F") > 0.8 * len(former_names) > 100


def test_only_officers_and_specials_wear_shoulder_numbers(world: World) -> None:
    current = []
    for row in world.personnel:
        numbered = row["employment_type"] in ("officer", "special")
        assert bool(row["shoulder_numbers"]) == numbered, row
        if numbered:
            current.append(row["shoulder_numbers"].split(";")[0])
            assert all(re.fullmatch(r"\d{2,5}[A-Z]{2}", n) for n in row["shoulder_numbers"].split(";"))
    assert len(set(current)) == len(current)
    assert any(";" in row["shoulder_numbers"] for row in world.personnel)  # numbers change with postings


def test_ranks_grades_roles_and_commands(world: World) -> None:
    ranks = Counter(row["rank_or_grade"] for row in world.personnel if row["employment_type"] == "officer")
    assert ranks["Constable"] > ranks["Sergeant"] > ranks["Inspector"] > ranks["Chief Inspector"] > 0
    assert ranks["Superintendent"] > 0
    grades = {row["rank_or_grade"] for row in world.personnel if row["employment_type"] == "staff"}
    assert "Band D" in grades and all(grade.startswith("Band ") for grade in grades)
    commands = {row["command"] for row in world.personnel}
    assert {
        "Central West BCU",
        "North East BCU",
        "Specialist Firearms Command",
        "Public Protection",
    } <= commands
    roles = {row["role"] for row in world.personnel}
    assert {"Response", "Neighbourhood", "Firearms", "Public Protection", "Custody", "Call handling"} <= roles


def test_vetting_history(world: World, people: dict[str, Row]) -> None:
    by_person: dict[str, list[Row]] = defaultdict(list)
    for row in world.vetting:
        by_person[row["staff_id"]].append(row)
    assert set(by_person) == set(people)
    for staff_id, rows in by_person.items():
        levels = {row["level"] for row in rows}
        if people[staff_id]["employment_type"] in ("officer", "special"):
            assert "RV" in levels
        else:
            assert levels & {"NPPV1", "NPPV2", "NPPV3"}
    outcomes = Counter(row["outcome"] for row in world.vetting)
    assert outcomes["granted"] > outcomes["under_review"] > 0 and outcomes["refused"] > 0
    level_counts = Counter(row["level"] for row in world.vetting)
    assert level_counts["MV"] > level_counts["SC"] > level_counts["DV"] > 0
    renewed = sum(1 for rows in by_person.values() if sum(row["level"] == "RV" for row in rows) > 1)
    assert renewed > 1000
    reference = REFERENCE_DATE.isoformat()
    expired_serving = {
        staff_id
        for staff_id, rows in by_person.items()
        if not people[staff_id]["left_on"]
        and all(row["expires_on"] and row["expires_on"] < reference for row in rows if row["level"] == "RV")
        and any(row["level"] == "RV" for row in rows)
    }
    assert len(expired_serving) > 50


# --- allegations ------------------------------------------------------------------------------------


def test_allegation_counts(world: World, about: dict[tuple[str, str], str]) -> None:
    assert 1_600 <= len(world.allegations) <= 2_000
    subjects = {staff_id for staff_id in about.values() if staff_id}
    assert 850 <= len(subjects) <= 1_200
    per_subject = Counter(staff_id for staff_id in about.values() if staff_id)
    assert Counter(per_subject.values())[1] > len(subjects) / 2  # most subjects have a single allegation


def test_truth_covers_every_allegation(world: World, people: dict[str, Row]) -> None:
    assert [(r["source_system"], r["allegation_ref"]) for r in world.truth] == [
        (r["source_system"], r["allegation_ref"]) for r in world.allegations
    ]
    for row in world.truth:
        assert (row["staff_id"] in people and row["force"] == FORCE) or row["staff_id"] == row["force"] == ""
    not_on_register = sum(1 for row in world.truth if not row["staff_id"])
    assert 0.04 < not_on_register / len(world.truth) < 0.06


def test_allegation_dates(world: World) -> None:
    for row in world.allegations:
        assert WINDOW_START.isoformat() <= row["received_on"] <= REFERENCE_DATE.isoformat()
        if row["incident_date"]:
            assert row["incident_date"] <= row["received_on"]
        assert (row["outcome"] == "open") == (row["outcome_on"] == ""), row
        if row["outcome_on"]:
            assert row["received_on"] <= row["outcome_on"] <= REFERENCE_DATE.isoformat()
    incident_lengths = Counter(len(row["incident_date"]) for row in world.allegations)
    assert incident_lengths[10] > incident_lengths[0] > 0
    years = Counter(row["received_on"][:4] for row in world.allegations)
    assert years["2025"] > years["2017"]  # reporting grows


def test_subjects_are_recorded_the_way_sources_record_them(
    world: World, about: dict[tuple[str, str], str], people: dict[str, Row]
) -> None:
    registered = [row for row in world.allegations if about[(row["source_system"], row["allegation_ref"])]]
    with_id = [row for row in registered if row["subject_staff_id"]]
    right = sum(
        1
        for row in with_id
        if row["subject_staff_id"] == about[(row["source_system"], row["allegation_ref"])]
    )
    assert 0.9 < right / len(with_id) < 1  # mostly right, a few mistyped or someone else's
    for source in ("hotline", "public_complaint"):
        rows = [row for row in registered if row["source_system"] == source]
        assert sum(1 for row in rows if row["subject_staff_id"]) / len(rows) < 0.15
    internal = [row for row in registered if row["source_system"] in ("colleague_report", "self_report")]
    assert sum(1 for row in internal if row["subject_staff_id"]) / len(internal) > 0.6

    names = [row["subject_name"] for row in registered]
    assert any(re.fullmatch(r"[A-Z'\- ]+, \w.*", name) for name in names)  # SMITH, Dave
    assert any(name.startswith(("PC ", "DC ", "Sgt ")) for name in names)
    assert any(re.fullmatch(r"\w\.? [A-Z][\w'\-]+", name) for name in names)  # D. Smith
    assert any(name and " " not in name for name in names)  # first name only
    legal = sum(
        1
        for row in registered
        if row["subject_name"]
        == " ".join(first_name_and_surname(people[about[(row["source_system"], row["allegation_ref"])]]))
    )
    assert 0.1 < legal / len(registered) < 0.5  # most reports do not spell the name as the register does

    assert 0.05 < sum(1 for row in registered if row["subject_shoulder_number"]) / len(registered) < 0.4
    assert 0 < sum(1 for row in registered if row["subject_dob"]) / len(registered) < 0.3
    assert any("based at" in row["subject_details"] for row in registered)


def test_summaries_are_short_narratives(world: World) -> None:
    for row in world.allegations:
        assert 30 < len(row["summary"]) < 400, row["summary"]
        assert "{" not in row["summary"]
    assert len({row["summary"] for row in world.allegations}) > len(world.allegations) / 3


# --- planted patterns -------------------------------------------------------------------------------


def test_serial_subjects(world: World, about: dict[tuple[str, str], str], people: dict[str, Row]) -> None:
    serials = planted(world, SERIAL)
    assert 5 <= len(serials) <= 6
    for serial in serials:
        rows = allegations_of(world, about, serial["staff_id"])
        assert 6 <= len(rows) <= 10
        assert len({row["complainant_ref"] for row in rows if row["complainant_ref"]}) >= 3
        assert SEVERITY[rows[-1]["category"]] > SEVERITY[rows[0]["category"]]
        assert sum(1 for row in rows if row["subject_staff_id"]) < len(rows) / 2
        assert len({row["source_system"] for row in rows}) >= 3
        assert len({row["subject_name"] for row in rows}) >= 3
        assert all(row["outcome"] in CLOSED_WITHOUT_ACTION for row in rows)
        assert not people[serial["staff_id"]]["left_on"]

    def named(serial: Row) -> tuple[str, str]:
        return first_name_and_surname(people[serial["staff_id"]])

    assert any(named(serial) == ("David", "Smith") for serial in serials)
    abuse_of_position = [
        row
        for serial in serials
        for row in allegations_of(world, about, serial["staff_id"])
        if row["category"] == "abuse_of_position_sexual" or "dating app" in row["summary"]
    ]
    assert len(abuse_of_position) >= 3
    assert any("while on duty" in row["summary"] for row in abuse_of_position)


def test_one_serial_subject_was_reported_by_another_force_before_joining(
    world: World, about: dict[tuple[str, str], str], people: dict[str, Row]
) -> None:
    before_joining = []
    for serial in planted(world, SERIAL):
        person = people[serial["staff_id"]]
        for row in allegations_of(world, about, serial["staff_id"]):
            if row["received_on"] < person["joined_on"]:
                before_joining.append((person, row))
    assert len(before_joining) == 1
    person, row = before_joining[0]
    assert row["source_system"] == "other_force"
    assert row["subject_force"] not in ("", FORCE)
    assert row["subject_staff_id"] == ""
    assert len(row["subject_dob"]) == 10 and row["subject_dob"][:4] == person["date_of_birth"][:4]
    assert person["surname"] in row["subject_name"] or person["surname"].upper() in row["subject_name"]


def test_low_severity_runs_come_from_one_complainant_and_rank_below_serials(
    world: World, about: dict[tuple[str, str], str]
) -> None:
    runs = planted(world, LOW_SEVERITY_RUN)
    assert 4 <= len(runs) <= 5
    worst_low = 0
    for run in runs:
        rows = allegations_of(world, about, run["staff_id"])
        assert 3 <= len(rows) <= 5
        assert {row["category"] for row in rows} <= set(LOW_SEVERITY_CATEGORIES)
        assert len({row["complainant_ref"] for row in rows}) == 1 and rows[0]["complainant_ref"]
        worst_low = max(worst_low, *(SEVERITY[row["category"]] for row in rows))
    for serial in planted(world, SERIAL):
        rows = allegations_of(world, about, serial["staff_id"])
        assert max(SEVERITY[row["category"]] for row in rows) > worst_low


def test_repeat_hotline_calls(world: World, about: dict[tuple[str, str], str]) -> None:
    groups = planted(world, REPEAT_HOTLINE_CALLS)
    assert len(groups) >= 10
    by_ref = {row["allegation_ref"]: row for row in world.allegations if row["source_system"] == "hotline"}
    for group in groups:
        refs = group["description"].split(":")[0].split("; ")
        assert 2 <= len(refs) <= 3
        rows = [by_ref[ref] for ref in refs]
        assert {about[("hotline", ref)] for ref in refs} == {group["staff_id"]}
        first = date.fromisoformat(rows[0]["received_on"])
        assert all(
            first <= date.fromisoformat(row["received_on"]) <= first + timedelta(days=14) for row in rows
        )
        assert len({row["summary"] for row in rows}) == len(rows)
        assert len({row["category"] for row in rows}) == 1


def test_serving_couples(world: World, about: dict[tuple[str, str], str], people: dict[str, Row]) -> None:
    couples = planted(world, SERVING_COUPLE)
    assert couples
    for couple in couples:
        ref = couple["description"].split(":")[0]
        row = next(row for row in world.allegations if row["allegation_ref"] == ref)
        assert about[(row["source_system"], ref)] == couple["staff_id"]
        spouse = people[row["complainant_ref"].removeprefix(f"{FORCE}/")]
        assert spouse["surname"] == people[couple["staff_id"]]["surname"]
        assert row["complainant_relationship"] == "partner"


def test_planted_people_are_on_the_register(world: World, people: dict[str, Row]) -> None:
    assert all(row["staff_id"] in people and row["force"] == FORCE for row in world.planted)


# --- scale ------------------------------------------------------------------------------------------


def test_allegations_scale_with_the_register() -> None:
    small = build_world(staff=4_000)
    assert len(small.personnel) == 4_000
    assert 300 <= len(small.allegations) <= 420
    assert len(planted(small, SERIAL)) == 6
    with pytest.raises(ValueError, match="at least"):
        build_world(staff=MIN_STAFF - 1)


def test_contacts_are_synthetic_drama_numbers_for_public_complainants_only(world: World) -> None:
    """Ofcom's drama range only, and never for a colleague on the register or an anonymous call."""
    for row in world.allegations:
        contact = row["complainant_contact"]
        if not row["complainant_ref"] or "/" in row["complainant_ref"]:
            assert contact == ""
        else:
            assert re.fullmatch(r"07700 900\d{3}", contact), contact
