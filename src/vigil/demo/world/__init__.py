"""The synthetic force: a seeded register of a fictional London force (CCP), its vetting, and ten
years of allegations recorded the way real sources record them (name variants, staff numbers
missing or mistyped, former names), plus the truth about whom each allegation concerns and a list
of planted patterns (serial subjects, low-severity runs, repeat hotline calls, serving couples)
that later work measures linking and risk ranking against.

    world = build_world(seed=1633, staff=20_000)    # ~1,800 allegations (0.09 per person)
    files = write_world(world, Path("demo-world"))  # personnel, vetting, allegations, truth, planted CSVs

personnel, vetting and allegations follow the import contract; truth.csv says whom each allegation
is really about (empty staff_id: not on the register) and planted.csv lists the planted patterns
by `pattern` (serial, low_severity_run, repeat_hotline_calls, serving_couple). A complainant who
is on the register has complainant_ref "CCP/<staff_id>". known_as holds whole names ("Dave Smith",
a maiden name as "Sarah Clarke").

Pure Python (no Django) so tests and benchmarks can build worlds of any size. Synthetic only:
names are drawn from frequency lists in data/ and describe nobody real.

Deterministic: one random.Random(seed) drives everything, no set of strings is iterated unsorted
and the reference date is fixed, so a seed always gives byte-identical files, whatever
PYTHONHASHSEED is. Changing the order of draws changes the world: later issues tune against the
default seed, so treat edits here like a data migration.

Modules, each importing only those above it: model (dates, force, columns, pattern names, World),
draws (weighted choices, dates), names, force (commands, ranks, postings), people, vetting, recording
(how sources record a subject), narratives (summaries), allegations, patterns (planted plans),
builder, files (rows and CSV writing) and assembly (build_world)."""

from __future__ import annotations

from vigil.demo.world.assembly import build_world
from vigil.demo.world.files import write_world
from vigil.demo.world.force import COMMANDS, OFFICER, OFFICER_RANKS, SPECIAL, SPECIAL_RANKS, STAFF, VOLUNTEER
from vigil.demo.world.model import (
    ALLEGATION_COLUMNS,
    ALLEGATIONS_PER_PERSON,
    CLOSED_WITHOUT_ACTION,
    DEFAULT_SEED,
    DEFAULT_STAFF,
    FORCE,
    FORCE_NAME,
    LOW_SEVERITY_CATEGORIES,
    LOW_SEVERITY_RUN,
    MIN_STAFF,
    NOT_ON_REGISTER_SHARE,
    OTHER_FORCES,
    PERSONNEL_COLUMNS,
    PLANTED_COLUMNS,
    REFERENCE_DATE,
    REPEAT_HOTLINE_CALLS,
    SERIAL,
    SERVING_COUPLE,
    TRUTH_COLUMNS,
    VETTING_COLUMNS,
    WINDOW_START,
    Row,
    World,
    WorldFiles,
)

__all__ = [
    "ALLEGATIONS_PER_PERSON",
    "ALLEGATION_COLUMNS",
    "CLOSED_WITHOUT_ACTION",
    "COMMANDS",
    "DEFAULT_SEED",
    "DEFAULT_STAFF",
    "FORCE",
    "FORCE_NAME",
    "LOW_SEVERITY_CATEGORIES",
    "LOW_SEVERITY_RUN",
    "MIN_STAFF",
    "NOT_ON_REGISTER_SHARE",
    "OFFICER",
    "OFFICER_RANKS",
    "OTHER_FORCES",
    "PERSONNEL_COLUMNS",
    "PLANTED_COLUMNS",
    "REFERENCE_DATE",
    "REPEAT_HOTLINE_CALLS",
    "SERIAL",
    "SERVING_COUPLE",
    "SPECIAL",
    "SPECIAL_RANKS",
    "STAFF",
    "TRUTH_COLUMNS",
    "VETTING_COLUMNS",
    "VOLUNTEER",
    "WINDOW_START",
    "Row",
    "World",
    "WorldFiles",
    "build_world",
    "write_world",
]
