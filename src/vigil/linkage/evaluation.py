"""How good the links are, against a ground-truth file (`vigil evaluate links --truth FILE`).

Counted over the allegations the truth file names:
- precision: of the automatic links, the share that name the true person;
- recall: of the linkable allegations (the truth names a person on the register), the share
  auto-linked to that person; also over the *identifiable* ones, whose record (as the linker
  reads it) holds a surname, a staff or shoulder number, or a date of birth: a bare "Kieran" or
  "not known, male officer" cannot be identified among thousands, by anyone;
- found: the share of linkable allegations whose true person is the auto link or the top review
  candidate (nothing lost);
- review load: the share of all allegations sent to review."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from vigil.allegations.models import Allegation
from vigil.linkage.engine import prepare
from vigil.linkage.engine.extract import extract
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.people.models import Person

TRUTH_COLUMNS = ("allegation_ref", "source_system", "staff_id")


@dataclass(frozen=True)
class LinkEvaluation:
    allegations: int
    linkable: int
    identifiable: int
    auto: int
    auto_correct: int
    auto_correct_identifiable: int
    found: int
    found_identifiable: int
    needs_review: int
    unmatched: int
    not_on_register_left_alone: int
    not_on_register: int

    @property
    def precision(self) -> float:
        return self.auto_correct / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return self.auto_correct / self.linkable if self.linkable else 0.0

    @property
    def recall_identifiable(self) -> float:
        return self.auto_correct_identifiable / self.identifiable if self.identifiable else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def found_share(self) -> float:
        return self.found / self.linkable if self.linkable else 0.0

    @property
    def found_share_identifiable(self) -> float:
        return self.found_identifiable / self.identifiable if self.identifiable else 0.0

    @property
    def review_load(self) -> float:
        return self.needs_review / self.allegations if self.allegations else 0.0

    def lines(self) -> list[str]:
        return [
            f"allegations in truth file   {self.allegations}",
            f"linkable (person on register) {self.linkable}, of which identifiable {self.identifiable}",
            f"precision (auto links)      {self.precision:.4f}  ({self.auto_correct} of {self.auto})",
            f"recall                      {self.recall:.4f}"
            f"  (identifiable only: {self.recall_identifiable:.4f})",
            f"F1                          {self.f1:.4f}",
            f"true person auto-linked or top review candidate  {self.found_share:.4f}"
            f"  (identifiable only: {self.found_share_identifiable:.4f})",
            f"review load                 {self.review_load:.4f}  ({self.needs_review} needs_review)",
            f"unmatched                   {self.unmatched}",
            f"not on register, not auto-linked  {self.not_on_register_left_alone} of {self.not_on_register}",
        ]


class TruthFileError(ValueError):
    pass


def read_truth(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(source_system, allegation_ref) -> (force, staff_id); staff_id empty = not on the register."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in TRUTH_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise TruthFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return {
            (row["source_system"], row["allegation_ref"]): (row.get("force") or "", row["staff_id"].strip())
            for row in reader
        }


def identifiable_allegation_ids() -> set[int]:
    """Allegations whose record, as the linker reads it, holds a surname, a staff or shoulder
    number, or a date of birth."""
    con = duckdb.connect()
    try:
        extract().load_into(con)
        prepare.load_reference(con)
        prepare.prepare_register(con)
        prepare.prepare_mentions(con)
        rows = con.execute(
            "SELECT unique_id FROM mentions WHERE surname IS NOT NULL OR staff_id IS NOT NULL "
            "OR shoulder_numbers IS NOT NULL OR dob IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return {int(row[0]) for row in rows}


def evaluate_links(truth: dict[tuple[str, str], tuple[str, str]]) -> LinkEvaluation:
    people: dict[tuple[str, str], int] = {
        (force, staff_id): pk for pk, force, staff_id in Person.objects.values_list("id", "force", "staff_id")
    }
    by_staff_id: dict[str, int] = {staff_id: pk for (_, staff_id), pk in people.items()}
    rows = Allegation.objects.values_list("id", "source_system_id", "allegation_ref")
    identifiable = identifiable_allegation_ids()
    links = {
        link.allegation_id: link
        for link in AllegationLink.objects.only("allegation_id", "status", "person_id")
    }
    counts = dict.fromkeys(
        (
            "allegations", "linkable", "identifiable", "auto", "auto_correct", "auto_correct_identifiable",
            "found", "found_identifiable", "needs_review", "unmatched", "not_on_register_left_alone",
            "not_on_register",
        ),
        0,
    )  # fmt: skip
    for allegation_id, source, ref in rows:
        if (source, ref) not in truth:
            continue
        force, staff_id = truth[(source, ref)]
        true_person = (
            (people.get((force, staff_id)) if force else by_staff_id.get(staff_id)) if staff_id else None
        )
        link = links.get(allegation_id)
        status = link.status if link else LinkStatus.UNMATCHED
        person = link.person_id if link else None
        counts["allegations"] += 1
        counts["needs_review"] += status == LinkStatus.NEEDS_REVIEW
        counts["unmatched"] += status == LinkStatus.UNMATCHED
        is_auto = status in (LinkStatus.AUTO, LinkStatus.CONFIRMED)
        counts["auto"] += is_auto
        if true_person is None:
            counts["not_on_register"] += 1
            counts["not_on_register_left_alone"] += not is_auto
            continue
        is_identifiable = allegation_id in identifiable
        counts["linkable"] += 1
        counts["identifiable"] += is_identifiable
        correct = person == true_person
        counts["auto_correct"] += is_auto and correct
        counts["auto_correct_identifiable"] += is_auto and correct and is_identifiable
        found = correct and status in (LinkStatus.AUTO, LinkStatus.CONFIRMED, LinkStatus.NEEDS_REVIEW)
        counts["found"] += found
        counts["found_identifiable"] += found and is_identifiable
    return LinkEvaluation(**counts)
