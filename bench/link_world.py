"""A synthetic linkage problem at scale: a register of N people and M allegations about them, written
as Vigil contract files (personnel.csv, allegations.csv) plus truth.csv (whom each allegation is
really about: allegation_ref, source_system, staff_id, force; staff_id empty when not on the register).

The demo world makes only ~0.09 allegations per person, so this builds the demo world's register
and allegations with its own machinery (vigil.demo.world: same draws, same planted patterns) and
then records extra allegations the same way: subjects drawn from the register by exposure times a
heavy-tailed "complained-about-ness" (some people get many), each recorded through the per-source
habits (name styles, typos, missing or mistyped staff numbers, shoulder numbers, rank words,
commands, details), and ~5% about people who are not on the register. Seeded and deterministic.

    .venv/bin/python bench/link_world.py DIR [--people 300000] [--allegations 1000000] [--seed 1633]

300,000 x 1,000,000 takes about a minute (56 s on a 2-core machine) and writes ~370 MB.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import TextIO

from tqdm import tqdm

from vigil.demo.world import ALLEGATION_COLUMNS, DEFAULT_SEED, PERSONNEL_COLUMNS, TRUTH_COLUMNS
from vigil.demo.world.allegations import _Allegation, _subject_weight
from vigil.demo.world.assembly import _REF_FORMATS, _assign_refs
from vigil.demo.world.builder import _Builder
from vigil.demo.world.draws import _Weighted
from vigil.demo.world.files import _allegation_row, _personnel_row, _truth_row
from vigil.demo.world.force import _ShoulderNumbers
from vigil.demo.world.model import ALLEGATIONS_PER_PERSON, MIN_STAFF, NOT_ON_REGISTER_SHARE, OTHER_FORCES
from vigil.demo.world.names import _name_bank
from vigil.demo.world.people import _assign_staff_ids, _ensure_namesakes, _make_person, _marry_colleagues

DEFAULT_PEOPLE = 300_000
DEFAULT_ALLEGATIONS = 1_000_000
# Allegations recorded between writes: bounds memory (a million _Allegation objects would not fit
# comfortably) while keeping the per-chunk overhead negligible.
_CHUNK = 20_000
# Each person's "complained-about-ness" multiplier: Pareto, so a few people attract dozens of
# reports as in real caseloads, capped so that nobody takes a visible share of a million.
_PARETO_ALPHA = 2.0
_MULTIPLIER_CAP = 40.0


@dataclass(frozen=True)
class LinkWorldFiles:
    personnel: Path
    allegations: Path
    truth: Path

    def exist(self) -> bool:
        return all(path.exists() for path in (self.personnel, self.allegations, self.truth))


def link_world_files(directory: Path) -> LinkWorldFiles:
    return LinkWorldFiles(
        personnel=directory / "personnel.csv",
        allegations=directory / "allegations.csv",
        truth=directory / "truth.csv",
    )


def _writer(path: Path, columns: Iterable[str]) -> tuple[csv.DictWriter[str], TextIO]:
    handle = path.open("w", encoding="utf-8", newline="")
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    return writer, handle


def write_link_world(
    directory: Path,
    *,
    people: int = DEFAULT_PEOPLE,
    allegations: int = DEFAULT_ALLEGATIONS,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> LinkWorldFiles:
    """Write personnel.csv, allegations.csv and truth.csv for the problem into `directory`."""
    if people < MIN_STAFF:
        raise ValueError(f"people must be at least {MIN_STAFF:,}")
    directory.mkdir(parents=True, exist_ok=True)
    files = link_world_files(directory)

    # The register and the demo world's own allegations, drawn exactly as build_world draws them
    # (build_world returns only rows; the extra allegations need the people themselves).
    rng = Random(seed)
    bank = _name_bank()
    numbers = _ShoulderNumbers(people)
    register = [_make_person(rng, bank, numbers) for _ in range(people)]
    _assign_staff_ids(rng, register)
    _ensure_namesakes(rng, register)
    couples = _marry_colleagues(rng, register)
    target = round(people * ALLEGATIONS_PER_PERSON)
    builder = _Builder(rng, register, couples)
    builder.plant_serials()
    builder.plant_low_runs()
    builder.plant_couple_reports(max(2, people // 2000))
    unregistered = round(target * NOT_ON_REGISTER_SHARE)
    builder.fill_background(target - unregistered - len(builder.allegations))
    builder.plant_unregistered(unregistered)
    world = sorted(builder.allegations, key=lambda allegation: allegation.received_on)[:allegations]
    _assign_refs(rng, world)
    counters = Counter(allegation.source for allegation in world)
    builder.allegations = []

    allegation_writer, allegation_handle = _writer(files.allegations, ALLEGATION_COLUMNS)
    truth_writer, truth_handle = _writer(files.truth, TRUTH_COLUMNS)

    def write(batch: list[_Allegation]) -> None:
        allegation_writer.writerows(_allegation_row(allegation) for allegation in batch)
        truth_writer.writerows(_truth_row(allegation) for allegation in batch)

    write(world)
    bar = tqdm(total=allegations, initial=len(world), unit=" allegations", disable=not progress)
    made = len(world)
    # Who gets the extra reports: the demo world's exposure weight times a heavy-tailed multiplier.
    subjects = _Weighted(
        (person, _subject_weight(person) * min(rng.paretovariate(_PARETO_ALPHA), _MULTIPLIER_CAP))
        for person in register
    )
    while made < allegations:
        chunk = min(_CHUNK, allegations - made)
        outsiders = round(chunk * NOT_ON_REGISTER_SHARE)
        while len(builder.allegations) < chunk - outsiders:
            builder.background_subject(subjects.draw(rng))
        builder.plant_unregistered(outsiders)
        batch = builder.allegations[:chunk]
        builder.allegations = []
        builder.repeat_calls = []  # only the world's own planted groups matter; keep memory flat
        _number(rng, batch, counters)
        write(batch)
        made += len(batch)
        bar.update(len(batch))
    bar.close()
    allegation_handle.close()
    truth_handle.close()

    # Written last: an outcome of "dismissed" among the extra allegations ends that person's service.
    personnel_writer, personnel_handle = _writer(files.personnel, PERSONNEL_COLUMNS)
    personnel_writer.writerows(_personnel_row(person) for person in register)
    personnel_handle.close()
    return files


def _number(rng: Random, batch: list[_Allegation], counters: Counter[str]) -> None:
    """Each source keeps numbering its records after the world's own (so refs stay unique per
    source); the same formats as build_world's."""
    for allegation in batch:
        counters[allegation.source] += 1
        number = counters[allegation.source]
        received = allegation.received_on
        allegation.ref = _REF_FORMATS[allegation.source].format(
            year=received.year,
            yy=f"{received.year % 100:02d}",
            n=number,
            force=allegation.reporting_force or OTHER_FORCES[0][0],
            crime=4_000_000 + number * 37 + rng.randrange(37),
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--allegations", type=int, default=DEFAULT_ALLEGATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    files = write_link_world(
        args.directory,
        people=args.people,
        allegations=args.allegations,
        seed=args.seed,
        progress=not args.no_progress,
    )
    elapsed = time.perf_counter() - started
    print(f"wrote {files.personnel}, {files.allegations}, {files.truth} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
