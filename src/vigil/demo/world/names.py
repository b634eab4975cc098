"""The name bank (frequency lists in data/, Zipf-weighted by heritage and sex) and everyday
nicknames."""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

from nicknames import NickNamer

from vigil.demo.world.draws import _chance, _Weighted, _zipf
from vigil.demo.world.model import Row

_DATA = Path(__file__).resolve().parent.parent / "data"
_SEXES = ("F", "M", "X")
# Tuned so Smith is ~1% of the force and about one person in six shares a full name with another.
_SURNAME_OFFSET = 12.0
_FORENAME_OFFSET = 12.0
_ENGLISH_TAIL_SHARE = 0.55


def _offset(base: float, heritage: str, names: Sequence[str]) -> float:
    """The short lists of smaller communities are flattened, or their few names would repeat far more
    often than in life."""
    return base if heritage == "english" else max(base, len(names) / 2)


@functools.cache
def _nick_namer() -> NickNamer:
    return NickNamer()


@functools.cache
def _usual_nicknames() -> dict[str, str]:
    """The short form each common forename usually takes in Britain (data/usual_nicknames.csv). The
    `nicknames` package covers the rest, but lists historical forms too (David -> "Day")."""
    return {row["forename"]: row["nickname"] for row in _read_csv("usual_nicknames.csv")}


@functools.cache
def _nickname(forename: str) -> str:
    """The everyday short form of a forename ('David' -> 'Dave'), or '' when it has none."""
    usual = _usual_nicknames().get(forename)
    if usual is not None:
        return usual
    lowered = forename.lower()
    # The package returns a set: sort it, or the choice would depend on PYTHONHASHSEED.
    candidates = sorted(
        (len(nickname), nickname)
        for nickname in _nick_namer().nicknames_of(lowered)
        if 3 <= len(nickname) < len(lowered) and nickname[:3] == lowered[:3]
    )
    return candidates[0][1].capitalize() if candidates else ""


@dataclass(frozen=True)
class _NameBank:
    surnames: dict[tuple[str, str], _Weighted[str]]
    forenames: dict[tuple[str, str], _Weighted[str]]
    english_tail: tuple[str, ...]

    def surname(self, rng: Random, heritage: str, sex: str) -> str:
        if heritage == "english" and _chance(rng, _ENGLISH_TAIL_SHARE):
            surname = rng.choice(self.english_tail)
        else:
            surname = self.surnames[(heritage, sex)].draw(rng)
        return _polish_feminine(surname) if heritage == "polish" and sex == "F" else surname

    def forename(self, rng: Random, heritage: str, sex: str) -> str:
        return self.forenames[(heritage, sex)].draw(rng)


def _polish_feminine(surname: str) -> str:
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


def _read_csv(name: str) -> list[Row]:
    with (_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _name_bank() -> _NameBank:
    surname_rows = _read_csv("surnames.csv")
    heritages = list(dict.fromkeys(row["heritage"] for row in surname_rows))
    surnames: dict[tuple[str, str], _Weighted[str]] = {}
    for heritage in heritages:
        for sex in _SEXES:
            # Sex-specific surnames (Singh/Kaur, Begum) only for that sex; none for X.
            names = [
                row["surname"]
                for row in surname_rows
                if row["heritage"] == heritage and row["sex"] in ("", sex)
            ]
            surnames[(heritage, sex)] = _zipf(names, _offset(_SURNAME_OFFSET, heritage, names))
    forename_rows = _read_csv("forenames.csv")
    forenames: dict[tuple[str, str], _Weighted[str]] = {}
    for heritage in dict.fromkeys(row["heritage"] for row in forename_rows):
        by_sex = {
            sex: [
                row["forename"] for row in forename_rows if row["heritage"] == heritage and row["sex"] == sex
            ]
            for sex in ("F", "M")
        }
        interleaved = [name for pair in zip(by_sex["F"], by_sex["M"], strict=False) for name in pair]
        by_sex["X"] = list(dict.fromkeys(interleaved))
        for sex in _SEXES:
            forenames[(heritage, sex)] = _zipf(by_sex[sex], _offset(_FORENAME_OFFSET, heritage, by_sex[sex]))
    part_rows = _read_csv("english_surname_parts.csv")
    starts = [row["text"] for row in part_rows if row["part"] == "start"]
    ends = [row["text"] for row in part_rows if row["part"] == "end"]
    head = {row["surname"] for row in surname_rows}
    tail = tuple(
        start + end
        for start in starts
        for end in ends
        if end not in start.lower() and start + end not in head
    )
    return _NameBank(surnames, forenames, tail)
