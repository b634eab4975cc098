"""People, clearances and allegations as contract rows, and the CSV files they are written to."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from random import Random

from vigil.core.tabular import verbatim_csv_writer
from vigil.demo.world.allegations import _Allegation
from vigil.demo.world.builder import _Builder
from vigil.demo.world.draws import _partial_date
from vigil.demo.world.model import (
    ALLEGATION_COLUMNS,
    FORCE,
    LOW_SEVERITY_RUN,
    PERSONNEL_COLUMNS,
    PLANTED_COLUMNS,
    REPEAT_HOTLINE_CALLS,
    SERIAL,
    SERVING_COUPLE,
    TRUTH_COLUMNS,
    VETTING_COLUMNS,
    Row,
    World,
    WorldFiles,
)
from vigil.demo.world.people import _Person
from vigil.demo.world.vetting import _vetting


def _personnel_row(person: _Person) -> Row:
    current = person.current
    return {
        "staff_id": person.staff_id,
        "force": FORCE,
        "surname": person.surname,
        "forenames": person.forenames,
        "known_as": ";".join(person.known_as()),
        "date_of_birth": _partial_date(person.date_of_birth, person.dob_precision),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "rank_or_grade": current.rank_title,
        "role": current.role,
        "command": current.command.name,
        "joined_on": person.joined_on.isoformat(),
        "left_on": person.left_on.isoformat() if person.left_on else "",
        "employment_type": person.employment_type,
        "shoulder_numbers": ";".join(person.shoulder_numbers()),
    }


def _vetting_rows(rng: Random, person: _Person, withdrawn_on: date | None) -> list[Row]:
    return [
        {
            "staff_id": person.staff_id,
            "force": FORCE,
            "level": clearance.level,
            "granted_on": clearance.granted_on.isoformat(),
            "expires_on": clearance.expires_on.isoformat() if clearance.expires_on else "",
            "outcome": clearance.outcome,
        }
        for clearance in _vetting(rng, person, withdrawn_on)
    ]


def _allegation_row(allegation: _Allegation) -> Row:
    return {
        "allegation_ref": allegation.ref,
        "source_system": allegation.source,
        "received_on": allegation.received_on.isoformat(),
        "incident_date": allegation.incident_date,
        "category": allegation.category,
        "summary": allegation.summary,
        **allegation.subject,
        "complainant_ref": allegation.complainant_ref,
        "complainant_contact": _synthetic_contact(allegation.complainant_ref),
        "complainant_relationship": allegation.relationship,
        "outcome": allegation.outcome,
        "outcome_on": allegation.outcome_on.isoformat() if allegation.outcome_on else "",
    }


def _synthetic_contact(complainant_ref: str) -> str:
    """A phone number from Ofcom's range reserved for drama (07700 900000-900999), derived from the
    reference so it draws nothing from the world's random stream; none for a colleague on the
    register ("FORCE/STAFF_ID") or an anonymous report."""
    if not complainant_ref or "/" in complainant_ref:
        return ""
    number = int(hashlib.sha256(complainant_ref.encode()).hexdigest(), 16) % 1000
    return f"07700 900{number:03d}"


def _truth_row(allegation: _Allegation) -> Row:
    person = allegation.person
    return {
        "allegation_ref": allegation.ref,
        "source_system": allegation.source,
        "staff_id": person.staff_id if person else "",
        "force": FORCE if person else "",
    }


def _planted_rows(builder: _Builder) -> list[Row]:
    rows = []
    for person, plan, made in builder.serials:
        complainants = len({a.complainant_ref for a in made if a.complainant_ref})
        sources = ", ".join(sorted({a.source for a in made}))
        first, last = made[0].received_on.year, made[-1].received_on.year
        rows.append(
            _planted_row(
                person,
                SERIAL,
                f"{plan.description}; {len(made)} allegations from {complainants} complainants, "
                f"{first}-{last}, via {sources}",
            )
        )
    for person, theme, made in builder.low_runs:
        categories = ", ".join(sorted({a.category for a in made}))
        rows.append(
            _planted_row(
                person,
                LOW_SEVERITY_RUN,
                f"{theme}: {len(made)} low-severity reports ({categories}) from one complainant, "
                f"{made[0].received_on.year}-{made[-1].received_on.year}",
            )
        )
    for group in builder.repeat_calls:
        caller_subject = group[0].person
        assert caller_subject is not None
        refs = "; ".join(allegation.ref for allegation in group)
        rows.append(
            _planted_row(
                caller_subject, REPEAT_HOTLINE_CALLS, f"{refs}: the same incident reported {len(group)} times"
            )
        )
    for subject, spouse, allegation in builder.couple_reports:
        rows.append(
            _planted_row(
                subject,
                SERVING_COUPLE,
                f"{allegation.ref}: reported by the subject's spouse, {FORCE}/{spouse.staff_id}, also on "
                "the register",
            )
        )
    return rows


def _planted_row(person: _Person, pattern: str, description: str) -> Row:
    return {"staff_id": person.staff_id, "force": FORCE, "pattern": pattern, "description": description}


def write_world(world: World, directory: Path) -> WorldFiles:
    """Write the world as contract CSV files (UTF-8, header row) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    files = WorldFiles(
        personnel=directory / "personnel.csv",
        vetting=directory / "vetting.csv",
        allegations=directory / "allegations.csv",
        truth=directory / "truth.csv",
        planted=directory / "planted.csv",
    )
    for path, columns, rows in (
        (files.personnel, PERSONNEL_COLUMNS, world.personnel),
        (files.vetting, VETTING_COLUMNS, world.vetting),
        (files.allegations, ALLEGATION_COLUMNS, world.allegations),
        (files.truth, TRUTH_COLUMNS, world.truth),
        (files.planted, PLANTED_COLUMNS, world.planted),
    ):
        with path.open("w", encoding="utf-8", newline="") as handle:
            # Contract input files, imported as written: not an export, so not guarded.
            writer = verbatim_csv_writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row[column] for column in columns] for row in rows)
    return files
