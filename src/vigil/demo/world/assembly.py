"""build_world: draws the register, the allegations and the vetting in a fixed order, and numbers
each source's records."""

from __future__ import annotations

from random import Random

from vigil.demo.world.allegations import _Allegation
from vigil.demo.world.builder import _Builder
from vigil.demo.world.files import _allegation_row, _personnel_row, _planted_rows, _truth_row, _vetting_rows
from vigil.demo.world.force import _ShoulderNumbers
from vigil.demo.world.model import (
    ALLEGATIONS_PER_PERSON,
    DEFAULT_SEED,
    DEFAULT_STAFF,
    MIN_STAFF,
    NOT_ON_REGISTER_SHARE,
    OTHER_FORCES,
    World,
)
from vigil.demo.world.names import _name_bank
from vigil.demo.world.people import _assign_staff_ids, _ensure_namesakes, _make_person, _marry_colleagues

_REF_FORMATS = {
    "public_complaint": "CO/{year}/{n:05d}",
    "colleague_report": "CR-{year}-{n:05d}",
    "hotline": "HL{n:06d}",
    "other_force": "{force}/{year}/{n:04d}",
    "criminal_investigation": "CRIS {crime}/{yy}",
    "intelligence": "INT-{year}-{n:05d}",
    "self_report": "SR-{year}-{n:04d}",
    "vetting_disclosure": "VET-{year}-{n:04d}",
}


def build_world(*, seed: int = DEFAULT_SEED, staff: int = DEFAULT_STAFF) -> World:
    """The synthetic force for `seed`: `staff` people on the register and about 0.09 allegations
    per person over the ten years before REFERENCE_DATE, with the patterns listed in `planted`."""
    if staff < MIN_STAFF:
        raise ValueError(f"staff must be at least {MIN_STAFF:,} to hold the planted patterns")
    rng = Random(seed)
    bank = _name_bank()
    numbers = _ShoulderNumbers(staff)
    people = [_make_person(rng, bank, numbers) for _ in range(staff)]
    _assign_staff_ids(rng, people)
    _ensure_namesakes(rng, people)
    couples = _marry_colleagues(rng, people)

    target = round(staff * ALLEGATIONS_PER_PERSON)
    builder = _Builder(rng, people, couples)
    builder.plant_serials()
    builder.plant_low_runs()
    builder.plant_couple_reports(max(2, staff // 2000))
    unregistered = round(target * NOT_ON_REGISTER_SHARE)
    builder.fill_background(target - unregistered - len(builder.allegations))
    builder.plant_unregistered(unregistered)

    allegations = sorted(builder.allegations, key=lambda allegation: allegation.received_on)  # stable
    _assign_refs(rng, allegations)
    vetting = [
        clearance_row
        for person in people
        for clearance_row in _vetting_rows(rng, person, builder.withdrawn_on.get(person.staff_id))
    ]
    return World(
        seed=seed,
        personnel=[_personnel_row(person) for person in people],
        vetting=vetting,
        allegations=[_allegation_row(allegation) for allegation in allegations],
        truth=[_truth_row(allegation) for allegation in allegations],
        planted=_planted_rows(builder),
    )


def _assign_refs(rng: Random, allegations: list[_Allegation]) -> None:
    """Each source numbers its records in the order received."""
    counters: dict[str, int] = {}
    for allegation in allegations:
        number = counters.get(allegation.source, 0) + 1
        counters[allegation.source] = number
        received = allegation.received_on
        allegation.ref = _REF_FORMATS[allegation.source].format(
            year=received.year,
            yy=f"{received.year % 100:02d}",
            n=number,
            force=allegation.reporting_force or OTHER_FORCES[0][0],
            crime=4_000_000 + number * 37 + rng.randrange(37),
        )
