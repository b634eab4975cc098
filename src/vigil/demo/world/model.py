"""What a world is: the fixed dates, the force, sizes, file columns and pattern names, and the
World and WorldFiles it is returned and written as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

Row = dict[str, str]

REFERENCE_DATE = date(2026, 10, 31)
# Allegations are received in the ten years up to the reference date.
WINDOW_START = date(2016, 11, 1)
FORCE = "CCP"
FORCE_NAME = "Capital City Police"
# Fictional neighbouring forces: they appear only in allegations, never on the register.
OTHER_FORCES: tuple[tuple[str, str], ...] = (
    ("NMP", "Northmoor Police"),
    ("SVC", "Severn Vale Constabulary"),
    ("EMP", "Eastmarch Police"),
    ("WDC", "Wealdshire Constabulary"),
)
DEFAULT_SEED = 1633
DEFAULT_STAFF = 20_000
MIN_STAFF = 1_000
ALLEGATIONS_PER_PERSON = 0.09
NOT_ON_REGISTER_SHARE = 0.05

PERSONNEL_COLUMNS = (
    "staff_id",
    "force",
    "surname",
    "forenames",
    "known_as",
    "date_of_birth",
    "sex",
    "ethnicity",
    "rank_or_grade",
    "role",
    "command",
    "joined_on",
    "left_on",
    "employment_type",
    "shoulder_numbers",
)
VETTING_COLUMNS = ("staff_id", "force", "level", "granted_on", "expires_on", "outcome")
ALLEGATION_COLUMNS = (
    "allegation_ref",
    "source_system",
    "received_on",
    "incident_date",
    "category",
    "summary",
    "subject_name",
    "subject_staff_id",
    "subject_shoulder_number",
    "subject_rank",
    "subject_command",
    "subject_force",
    "subject_dob",
    "subject_details",
    "complainant_ref",
    "complainant_contact",
    "complainant_relationship",
    "outcome",
    "outcome_on",
)
TRUTH_COLUMNS = ("allegation_ref", "source_system", "staff_id", "force")
PLANTED_COLUMNS = ("staff_id", "force", "pattern", "description")

# Planted patterns (planted.csv `pattern`).
SERIAL = "serial"
LOW_SEVERITY_RUN = "low_severity_run"
REPEAT_HOTLINE_CALLS = "repeat_hotline_calls"
SERVING_COUPLE = "serving_couple"

# Outcomes that close an allegation without any action against the subject.
CLOSED_WITHOUT_ACTION = ("no_further_action", "complainant_withdrew", "no_case_to_answer")
LOW_SEVERITY_CATEGORIES = ("inappropriate_behaviour", "domestic_argument", "other")


@dataclass
class World:
    """The synthetic force as rows (column name -> cell text), in the order they are written."""

    seed: int
    personnel: list[Row]
    vetting: list[Row]
    allegations: list[Row]
    truth: list[Row]
    planted: list[Row]


@dataclass(frozen=True)
class WorldFiles:
    personnel: Path
    vetting: Path
    allegations: Path
    truth: Path
    planted: Path
