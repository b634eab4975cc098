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
default seed, so treat edits here like a data migration."""

from __future__ import annotations

import csv
import functools
import math
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Generic, TypeVar

from nicknames import NickNamer

from vigil.allegations.vocabularies import CATEGORIES
from vigil.people.vocabularies import ETHNICITIES

T = TypeVar("T")
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


# --- small helpers ----------------------------------------------------------------------------------


class _Weighted(Generic[T]):
    """Draws items by relative weight; cumulative weights and bisect keep it fast on long lists."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("nothing to draw from")
        self.items = [item for item, _ in kept]
        self.cumulative = list(accumulate(weight for _, weight in kept))

    def draw(self, rng: Random) -> T:
        index = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def _zipf(names: Sequence[str], offset: float) -> _Weighted[str]:
    """Zipf-Mandelbrot weights by rank, 1 / (rank + offset): a few very common names, a long tail."""
    return _Weighted((name, 1.0 / (rank + offset)) for rank, name in enumerate(names, start=1))


@functools.cache
def _weighted(pairs: tuple[tuple[str, float], ...]) -> _Weighted[str]:
    """A drawer for a constant table, built once (building one per draw dominated large worlds)."""
    return _Weighted(pairs)


def _chance(rng: Random, probability: float) -> bool:
    return rng.random() < probability


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _random_date(rng: Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _recent_date(rng: Random, start: date, end: date) -> date:
    """A date in [start, end], more likely late: reporting has grown year on year."""
    if end <= start:
        return start
    fraction = rng.random()
    if _chance(rng, 0.6):
        fraction = math.sqrt(fraction)
    return start + timedelta(days=round(fraction * (end - start).days))


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def _partial_date(day: date, precision: str) -> str:
    if precision == "Y":
        return f"{day.year:04d}"
    if precision == "M":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


# Letters NFKD does not split into a base letter and an accent: Polish ł, Turkish dotless i.
_NO_DECOMPOSITION = str.maketrans({"\u0142": "l", "\u0141": "L", "\u0131": "i"})


def _ascii(text: str) -> str:
    """'Wiśniewski' -> 'Wisniewski', as older systems store names; 'ł' has no decomposition."""
    folded = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(char for char in folded if not unicodedata.combining(char))


# --- names ------------------------------------------------------------------------------------------

_DATA = Path(__file__).resolve().parent / "data"
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


# --- the force: commands, roles, ranks -------------------------------------------------------------

OFFICER = "officer"
STAFF = "staff"
SPECIAL = "special"
VOLUNTEER = "volunteer"
_EMPLOYMENT_TYPES = _Weighted([(OFFICER, 60.0), (STAFF, 33.0), (SPECIAL, 5.0), (VOLUNTEER, 2.0)])
_SEX_BY_EMPLOYMENT: dict[str, _Weighted[str]] = {
    OFFICER: _Weighted([("M", 0.68), ("F", 0.317), ("X", 0.003)]),
    STAFF: _Weighted([("M", 0.42), ("F", 0.575), ("X", 0.005)]),
    SPECIAL: _Weighted([("M", 0.66), ("F", 0.335), ("X", 0.005)]),
    VOLUNTEER: _Weighted([("M", 0.5), ("F", 0.495), ("X", 0.005)]),
}


@dataclass(frozen=True)
class _Command:
    name: str
    code: str  # suffix of its shoulder numbers: 4521CW
    short: str  # how people write it in a hurry
    stations: tuple[str, ...]
    officer_roles: tuple[tuple[str, float], ...] = ()
    staff_roles: tuple[tuple[str, float], ...] = ()
    # Share of each employment type posted here: officer, staff, special, volunteer.
    weights: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


_BCU_OFFICER_ROLES = (
    ("Response", 45.0),
    ("Neighbourhood", 25.0),
    ("CID", 14.0),
    ("Public Protection", 10.0),
    ("Custody", 6.0),
)
_BCU_STAFF_ROLES = (
    ("PCSO", 40.0),
    ("Admin support", 20.0),
    ("Investigation support", 15.0),
    ("Front counter", 15.0),
    ("Intelligence analyst", 10.0),
)


def _bcu(name: str, code: str, stations: tuple[str, ...]) -> _Command:
    return _Command(
        f"{name} BCU",
        code,
        f"{code} BCU",
        stations,
        _BCU_OFFICER_ROLES,
        _BCU_STAFF_ROLES,
        (5.4, 2.9, 8.0, 6.5),
    )


# Each: name, shoulder-number code, short form, stations, officer roles, staff roles, and weights of
# where officers, staff, specials and volunteers are posted.
COMMANDS: tuple[_Command, ...] = (
    _bcu("Central West", "CW", ("Charing Cross", "Belgravia", "Paddington Green")),
    _bcu("Central East", "CE", ("Bethnal Green", "Shoreditch", "Stoke Newington")),
    _bcu("Central North", "CN", ("Holloway", "Kentish Town", "Islington")),
    _bcu("Central South", "CS", ("Brixton", "Kennington", "Walworth")),
    _bcu("North East", "NE", ("Tottenham", "Edmonton", "Chingford", "Leyton")),
    _bcu("North West", "NW", ("Wembley", "Colindale", "Harrow")),
    _bcu("North Area", "NA", ("Enfield", "Wood Green", "Barnet")),
    _bcu("East Area", "EA", ("Romford", "Ilford", "Barking")),
    _bcu("South East", "SE", ("Lewisham", "Bexleyheath", "Plumstead")),
    _bcu("South West", "SW", ("Wimbledon", "Kingston", "Sutton")),
    _bcu("South Area", "SA", ("Croydon", "Bromley", "Orpington")),
    _bcu("West Area", "WA", ("Hounslow", "Ealing", "Uxbridge")),
    _Command(
        "Specialist Firearms Command",
        "FC",
        "firearms command",
        ("Old Street base", "Lippitts Hill", "Leman Street base"),
        (("Firearms", 85.0), ("Firearms instructor", 15.0)),
        (("Admin support", 100.0),),
        (5.0, 0.6, 0.0, 0.0),
    ),
    _Command(
        "Roads and Transport Policing",
        "RT",
        "roads policing",
        ("Chadwell Heath garage", "Merton garage", "Alperton garage"),
        (("Roads policing", 80.0), ("Collision investigation", 20.0)),
        (("Admin support", 100.0),),
        (5.0, 1.0, 0.0, 0.0),
    ),
    _Command(
        "Public Protection",
        "PP",
        "PP",
        ("Empress House", "Lambeth HQ", "Sutton hub"),
        (
            ("Public Protection", 40.0),
            ("Rape and serious sexual offences", 30.0),
            ("Child abuse investigation", 30.0),
        ),
        (("Investigation support", 60.0), ("Admin support", 40.0)),
        (7.0, 4.0, 0.0, 0.0),
    ),
    _Command(
        "Specialist Crime",
        "SX",
        "specialist crime",
        ("Putney hub", "Lambeth HQ", "Barking Learning Centre"),
        (("Major investigation", 50.0), ("Organised crime", 35.0), ("Economic crime", 15.0)),
        (("Intelligence analyst", 50.0), ("Investigation support", 50.0)),
        (7.0, 4.0, 0.0, 0.0),
    ),
    _Command(
        "Counter Terrorism Command",
        "CT",
        "CTC",
        ("Central HQ",),
        (("Counter terrorism", 100.0),),
        (("Intelligence analyst", 100.0),),
        (3.0, 1.5, 0.0, 0.0),
    ),
    _Command(
        "Protection Command",
        "PR",
        "protection",
        ("Central HQ", "Palace Road base"),
        (("Protection", 100.0),),
        (("Admin support", 100.0),),
        (3.0, 0.4, 0.0, 0.0),
    ),
    _Command(
        "Criminal Justice and Custody",
        "CJ",
        "custody command",
        ("Charing Cross custody", "Brixton custody", "Wembley custody", "Lewisham custody"),
        (("Custody", 100.0),),
        (("Detention officer", 80.0), ("Admin support", 20.0)),
        (2.0, 10.0, 0.0, 0.0),
    ),
    _Command(
        "Command and Control",
        "CC",
        "control room",
        ("Lambeth contact centre", "Hendon contact centre", "Bow contact centre"),
        (("Dispatch", 100.0),),
        (("Call handling", 65.0), ("Dispatch", 30.0), ("Control room supervisor", 5.0)),
        (1.0, 20.0, 0.0, 0.0),
    ),
    _Command(
        "Professional Standards",
        "PS",
        "DPS",
        ("Central HQ",),
        (("Professional Standards", 100.0),),
        (("Professional Standards", 60.0), ("Admin support", 40.0)),
        (1.0, 2.0, 0.0, 0.0),
    ),
    _Command(
        "Training and Development",
        "TD",
        "training",
        ("Hendon training centre",),
        (("Training", 100.0),),
        (("Training", 100.0),),
        (1.0, 3.0, 0.0, 22.0),
    ),
    _Command(
        "Corporate Services",
        "CO",
        "corporate services",
        ("Central HQ", "Empress House"),
        (),
        (("HR", 30.0), ("Finance", 20.0), ("IT", 30.0), ("Fleet", 15.0), ("Senior leadership", 5.0)),
        (0.0, 18.0, 0.0, 0.0),
    ),
    _Command(
        "Forensic Services",
        "FS",
        "forensics",
        ("Lambeth HQ",),
        (),
        (("Forensics", 100.0),),
        (0.0, 5.0, 0.0, 0.0),
    ),
)
_COMMANDS_FOR: dict[str, _Weighted[_Command]] = {
    kind: _Weighted((command, command.weights[index]) for command in COMMANDS)
    for index, kind in enumerate((OFFICER, STAFF, SPECIAL, VOLUNTEER))
}
_SPECIAL_ROLES = _Weighted([("Neighbourhood", 60.0), ("Response", 40.0)])
_VOLUNTEER_ROLES = _Weighted(
    [
        ("Front counter volunteer", 40.0),
        ("Cadet leader", 35.0),
        ("Chaplain", 5.0),
        ("Community volunteer", 20.0),
    ]
)
_STAFF_GRADES: dict[str, tuple[str, ...]] = {
    "PCSO": ("Band E",),
    "Admin support": ("Band E", "Band F"),
    "Investigation support": ("Band D",),
    "Front counter": ("Band E",),
    "Intelligence analyst": ("Band C", "Band D"),
    "Detention officer": ("Band D",),
    "Call handling": ("Band E",),
    "Dispatch": ("Band D",),
    "Control room supervisor": ("Band C",),
    "Professional Standards": ("Band C", "Band D"),
    "Training": ("Band C", "Band D"),
    "HR": ("Band B", "Band C", "Band D"),
    "Finance": ("Band C", "Band D"),
    "IT": ("Band B", "Band C", "Band D"),
    "Fleet": ("Band D", "Band E"),
    "Forensics": ("Band C", "Band D"),
    "Senior leadership": ("Band A", "Band B"),
}

OFFICER_RANKS = (
    "Constable",
    "Sergeant",
    "Inspector",
    "Chief Inspector",
    "Superintendent",
    "Chief Superintendent",
    "Commander",
)
SPECIAL_RANKS = ("Special Constable", "Special Sergeant", "Special Inspector", "Special Chief Inspector")
_SERGEANT_RANKS = frozenset({"Sergeant", "Special Sergeant"})
# Ranks that wear a shoulder number (this force numbers constables and sergeants only).
_NUMBERED_RANKS = frozenset({"Constable", "Sergeant", "Special Constable", "Special Sergeant"})
_DETECTIVE_ROLES = frozenset(
    {
        "CID",
        "Rape and serious sexual offences",
        "Child abuse investigation",
        "Major investigation",
        "Organised crime",
        "Economic crime",
        "Professional Standards",
    }
)
# Highest rank reached, by years of service (0, 2, 5, 10, 20 and more): weights per rank.
_RANK_BY_SERVICE: tuple[tuple[float, _Weighted[int]], ...] = tuple(
    (years, _Weighted(enumerate(weights)))
    for years, weights in (
        (0.0, (100.0,)),
        (2.0, (90.0, 10.0)),
        (5.0, (72.0, 20.0, 7.0, 1.0)),
        (10.0, (60.0, 24.0, 11.0, 3.0, 1.5, 0.5)),
        (20.0, (55.0, 25.0, 12.0, 4.5, 2.5, 0.8, 0.2)),
    )
)
_TRANSFERS = _Weighted([(0, 50.0), (1, 30.0), (2, 15.0), (3, 5.0)])


@dataclass(eq=False)
class _Posting:
    start: date
    rank: str  # rank or staff grade
    command: _Command
    role: str
    shoulder_number: str = ""

    @property
    def detective(self) -> bool:
        return self.role in _DETECTIVE_ROLES and self.rank in OFFICER_RANKS[:4]

    @property
    def rank_title(self) -> str:
        return f"Detective {self.rank}" if self.detective else self.rank


class _ShoulderNumbers:
    """Issues collar numbers: a new one with each posting (promotion or transfer). Numbers in use
    now are unique; old numbers are reissued, as forces do."""

    def __init__(self, staff: int) -> None:
        self.limit = 10 ** max(4, len(str(staff // 4)))
        self.current: set[str] = set()

    def issue(self, rng: Random, postings: list[_Posting]) -> None:
        numbered = [posting for posting in postings if posting.rank in _NUMBERED_RANKS]
        for index, posting in enumerate(numbered):
            is_current = index == len(numbered) - 1
            while True:
                if posting.rank in _SERGEANT_RANKS:
                    number = rng.randrange(10, self.limit // 10)
                else:
                    number = rng.randrange(100, self.limit)
                text = f"{number}{posting.command.code}"
                if not is_current or text not in self.current:
                    break
            if is_current:
                self.current.add(text)
            posting.shoulder_number = text


# --- people -----------------------------------------------------------------------------------------

_HERITAGES = _Weighted(
    [
        ("english", 56.0),
        ("scottish", 5.0),
        ("welsh", 3.0),
        ("irish", 5.0),
        ("polish", 3.0),
        ("greek", 1.5),
        ("turkish", 1.5),
        ("southern_european", 2.0),
        ("indian", 4.0),
        ("pakistani", 2.5),
        ("bangladeshi", 1.2),
        ("chinese", 0.8),
        ("caribbean", 2.5),
        ("west_african", 2.5),
        ("somali", 0.5),
        ("arab", 0.5),
        ("latin_american", 0.5),
        ("mixed", 3.5),
    ]
)
_ETHNICITY_CODES: dict[str, _Weighted[str]] = {
    heritage: _Weighted(codes)
    for heritage, codes in {
        "english": [("W1", 1.0)],
        "scottish": [("W1", 1.0)],
        "welsh": [("W1", 1.0)],
        "irish": [("W2", 0.7), ("W1", 0.3)],
        "polish": [("W5", 1.0)],
        "greek": [("W5", 1.0)],
        "turkish": [("W5", 0.6), ("O2", 0.4)],
        "southern_european": [("W5", 1.0)],
        "indian": [("A1", 1.0)],
        "pakistani": [("A2", 1.0)],
        "bangladeshi": [("A3", 1.0)],
        "chinese": [("A4", 1.0)],
        "caribbean": [("B1", 1.0)],
        "west_african": [("B2", 1.0)],
        "somali": [("B2", 0.8), ("B3", 0.2)],
        "arab": [("O1", 1.0)],
        "latin_american": [("O2", 0.6), ("W5", 0.4)],
        "mixed": [("M1", 0.4), ("M2", 0.2), ("M3", 0.25), ("M4", 0.15)],
    }.items()
}
# Whose surname a person of mixed heritage carries, by detailed code.
_MIXED_SURNAME_HERITAGES: dict[str, tuple[str, ...]] = {
    "M1": ("english", "caribbean"),
    "M2": ("english", "west_african"),
    "M3": ("english", "indian", "pakistani"),
    "M4": ("english", "southern_european", "latin_american", "chinese"),
}
_GROUP_OF_CODE = {term.code: term.group for term in ETHNICITIES}
# (surname, forename) drawn from the English lists instead of the group's own, by heritage.
_ENGLISH_NAME_SHARE: dict[str, tuple[float, float]] = {
    "scottish": (0.3, 0.6),
    "welsh": (0.3, 0.5),
    "irish": (0.2, 0.4),
    "caribbean": (0.0, 0.4),
    "west_african": (0.0, 0.35),
    "greek": (0.0, 0.25),
    "southern_european": (0.0, 0.15),
    "polish": (0.0, 0.1),
    "latin_american": (0.0, 0.1),
    "indian": (0.0, 0.05),
}
_MIDDLE_NAME_RATE = {"english": 0.6, "scottish": 0.6, "welsh": 0.6, "irish": 0.6, "chinese": 0.05}
_ANGLICISED_RATE = {"chinese": 0.45, "polish": 0.05, "west_african": 0.05, "greek": 0.1, "turkish": 0.05}


@dataclass(eq=False)
class _Person:
    heritage: str
    sex: str
    forenames: str
    surname: str
    date_of_birth: date
    dob_precision: str  # how the register holds it: D, M or Y
    ethnicity: str  # the cell as exported: group, detailed code or empty
    employment_type: str
    joined_on: date
    left_on: date | None
    postings: list[_Posting]
    nickname_kind: str = ""  # "", "nickname", "middle" (goes by the middle name) or "anglicised"
    anglicised_forename: str = ""
    former_surname: str = ""
    surname_changed_on: date | None = None
    staff_id: str = ""
    registered: bool = True
    spouse: _Person | None = field(default=None, repr=False)
    pattern: str = ""  # the planted pattern this person carries, if any

    @property
    def first_forename(self) -> str:
        return self.forenames.split()[0]

    @property
    def preferred_forename(self) -> str:
        """The forename colleagues use when it is not the legal first one, or ''."""
        if self.nickname_kind == "nickname":
            return _nickname(self.first_forename)
        if self.nickname_kind == "middle":
            return self.forenames.split()[-1]
        if self.nickname_kind == "anglicised":
            return self.anglicised_forename
        return ""

    @property
    def service_end(self) -> date:
        return self.left_on or REFERENCE_DATE

    @property
    def current(self) -> _Posting:
        return self.postings[-1]

    def name_on(self, day: date) -> tuple[str, str]:
        """(forenames, surname) as they were on a day: the former surname before a change."""
        if self.former_surname and self.surname_changed_on is not None and day < self.surname_changed_on:
            return self.forenames, self.former_surname
        return self.forenames, self.surname

    def posting_on(self, day: date) -> _Posting:
        held = self.postings[0]
        for posting in self.postings:
            if posting.start > day:
                break
            held = posting
        return held

    def age_on(self, day: date) -> int:
        return int(_years_between(self.date_of_birth, day))

    def known_as(self) -> list[str]:
        names = []
        if self.preferred_forename:
            names.append(f"{self.preferred_forename} {self.surname}")
        if self.former_surname:
            names.append(f"{self.first_forename} {self.former_surname}")
        return names

    def shoulder_numbers(self) -> list[str]:
        """Collar numbers worn, current (latest) first."""
        numbers = [posting.shoulder_number for posting in reversed(self.postings) if posting.shoulder_number]
        return list(dict.fromkeys(numbers))


_JOIN_YEARS = _Weighted(
    # Fewer people remain from early intakes; the 2019-23 recruitment uplift is a bulge.
    (year, math.exp(-(REFERENCE_DATE.year - year) / 16) * (2.0 if 2019 <= year <= 2023 else 1.0))
    for year in range(1985, REFERENCE_DATE.year + 1)
)
_LEAVER_RATE = 0.095
# Legacy exports often hold only a birth year or month.
_DOB_PRECISIONS = _Weighted([("D", 0.84), ("M", 0.08), ("Y", 0.08)])


def _join_date(rng: Random) -> date:
    year = _JOIN_YEARS.draw(rng)
    end = min(date(year, 12, 31), REFERENCE_DATE - timedelta(days=14))
    return _random_date(rng, date(year, 1, 1), end)


def _age_at_joining(rng: Random, employment_type: str) -> int:
    if employment_type == OFFICER:
        return min(57, 19 + int(rng.expovariate(1 / 7)))
    if employment_type == SPECIAL:
        return min(60, 18 + int(rng.expovariate(1 / 9)))
    if employment_type == VOLUNTEER:
        return rng.randint(18, 66)
    return min(64, 18 + int(rng.expovariate(1 / 14)))


def _birth_date(rng: Random, joined_on: date, end: date, age_at_joining: int) -> date:
    """Born so that the person was `age_at_joining` when joining, and no older than 66 at `end`
    (older people would have retired)."""
    born = joined_on - timedelta(days=round((age_at_joining + rng.random()) * 365.25))
    if _years_between(born, end) > 66:
        service = _years_between(joined_on, end)
        age_at_end = rng.uniform(max(55.0, service + 18.5), max(55.0, service + 18.5, 66.0))
        born = end - timedelta(days=round(age_at_end * 365.25))
    return born


def _make_person(rng: Random, bank: _NameBank, numbers: _ShoulderNumbers) -> _Person:
    employment_type = _EMPLOYMENT_TYPES.draw(rng)
    sex = _SEX_BY_EMPLOYMENT[employment_type].draw(rng)
    heritage = _HERITAGES.draw(rng)
    code = _ETHNICITY_CODES[heritage].draw(rng)
    forename_heritage = surname_heritage = heritage
    if heritage == "mixed":
        sides = _MIXED_SURNAME_HERITAGES[code]
        surname_heritage = rng.choice(sides)
        forename_heritage = "english" if _chance(rng, 0.75) else rng.choice(sides)
    # Britons of every background share the English name pool to some degree (forenames most).
    english_surname, english_forename = _ENGLISH_NAME_SHARE.get(heritage, (0.0, 0.0))
    if _chance(rng, english_surname):
        surname_heritage = "english"
    if _chance(rng, english_forename):
        forename_heritage = "english"
    first = bank.forename(rng, forename_heritage, sex)
    forenames = first
    if _chance(rng, _MIDDLE_NAME_RATE.get(forename_heritage, 0.3)):
        middle = bank.forename(rng, forename_heritage, sex)
        if middle != first:
            forenames = f"{first} {middle}"
    surname = bank.surname(rng, surname_heritage, sex)

    joined_on = _join_date(rng)
    left_on = None
    service_days = (REFERENCE_DATE - joined_on).days
    if service_days > 240 and _chance(rng, _LEAVER_RATE):
        # Registers keep leavers for years; most leavers on file left in the last decade.
        left_on = REFERENCE_DATE - timedelta(days=rng.randint(7, min(service_days - 180, 3650)))
    end = left_on or REFERENCE_DATE
    born = _birth_date(rng, joined_on, end, _age_at_joining(rng, employment_type))
    dob_precision = _DOB_PRECISIONS.draw(rng)

    person = _Person(
        heritage=heritage,
        sex=sex,
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        dob_precision=dob_precision,
        ethnicity=_ethnicity_cell(rng, code),
        employment_type=employment_type,
        joined_on=joined_on,
        left_on=left_on,
        postings=_career(rng, employment_type, joined_on, end, numbers),
    )
    _maybe_change_surname(rng, bank, person, surname_heritage)
    if _nickname(first) and _chance(rng, 0.35):
        person.nickname_kind = "nickname"
    elif " " in forenames and _chance(rng, 0.04):
        person.nickname_kind = "middle"
    elif _chance(rng, _ANGLICISED_RATE.get(heritage, 0.0)):
        person.nickname_kind = "anglicised"
        person.anglicised_forename = bank.forename(rng, "english", sex)
    return person


def _ethnicity_cell(rng: Random, code: str) -> str:
    """Legacy exports mostly hold the census group, some the detailed code, some nothing."""
    draw = rng.random()
    if draw < 0.70:
        return _GROUP_OF_CODE[code]
    if draw < 0.92:
        return code
    return ""


def _maybe_change_surname(rng: Random, bank: _NameBank, person: _Person, heritage: str) -> None:
    """Many women (and a few men) took a spouse's surname: the birth surname becomes a former name."""
    latest = min(REFERENCE_DATE - timedelta(days=30), _add_years(person.date_of_birth, 45))
    earliest = _add_years(person.date_of_birth, 21)
    if earliest >= latest:
        return
    if person.sex == "F" and _chance(rng, 0.32):
        married_name = bank.surname(rng, heritage if _chance(rng, 0.7) else "english", "F")
    elif person.sex == "M" and _chance(rng, 0.006):
        married_name = f"{person.surname}-{bank.surname(rng, 'english', 'M')}"
    else:
        return
    if married_name != person.surname:
        person.former_surname, person.surname = person.surname, married_name
        person.surname_changed_on = _random_date(rng, earliest, latest)


def _career(
    rng: Random, employment_type: str, joined_on: date, end: date, numbers: _ShoulderNumbers
) -> list[_Posting]:
    if employment_type == OFFICER:
        postings = _officer_career(rng, joined_on, end)
    elif employment_type == SPECIAL:
        command = _COMMANDS_FOR[SPECIAL].draw(rng)
        postings = [_Posting(joined_on, SPECIAL_RANKS[0], command, _SPECIAL_ROLES.draw(rng))]
        for rank in SPECIAL_RANKS[1:]:
            promoted = _add_years(postings[-1].start, rng.randint(2, 6))
            if promoted >= end or not _chance(rng, 0.2):
                break
            postings.append(_Posting(promoted, rank, command, postings[-1].role))
    elif employment_type == STAFF:
        postings = [_staff_posting(rng, joined_on)]
        for _ in range(_TRANSFERS.draw(rng)):
            moved = _random_date(rng, postings[-1].start + timedelta(days=365), end - timedelta(days=30))
            if moved >= end or moved <= postings[-1].start:
                break
            postings.append(_staff_posting(rng, moved))
    else:
        command = _COMMANDS_FOR[VOLUNTEER].draw(rng)
        postings = [_Posting(joined_on, "Volunteer", command, _VOLUNTEER_ROLES.draw(rng))]
    numbers.issue(rng, postings)
    return postings


def _staff_posting(rng: Random, start: date) -> _Posting:
    command = _COMMANDS_FOR[STAFF].draw(rng)
    role = _weighted(command.staff_roles).draw(rng)
    return _Posting(start, rng.choice(_STAFF_GRADES[role]), command, role)


def _officer_career(rng: Random, joined_on: date, end: date) -> list[_Posting]:
    years = _years_between(joined_on, end)
    ranks = next(ranks for minimum, ranks in reversed(_RANK_BY_SERVICE) if years >= minimum)
    highest = min(ranks.draw(rng), int(years // 2.5))
    events: list[tuple[date, str]] = []
    earliest_promotion = joined_on + timedelta(days=730)
    for _ in range(highest):
        events.append((_random_date(rng, earliest_promotion, end - timedelta(days=120)), "promotion"))
    if years > 1.5:
        for _ in range(_TRANSFERS.draw(rng)):
            events.append(
                (_random_date(rng, joined_on + timedelta(days=365), end - timedelta(days=60)), "transfer")
            )
    events.sort()
    command = _COMMANDS_FOR[OFFICER].draw(rng)
    postings = [_Posting(joined_on, OFFICER_RANKS[0], command, _weighted(command.officer_roles).draw(rng))]
    rank = 0
    for day, kind in events:
        if day <= postings[-1].start:
            continue
        if kind == "promotion":
            rank += 1
        if kind == "transfer" or _chance(rng, 0.6):
            command = _other_command(rng, command)
        postings.append(
            _Posting(day, OFFICER_RANKS[rank], command, _weighted(command.officer_roles).draw(rng))
        )
    return postings


def _other_command(rng: Random, current: _Command) -> _Command:
    for _ in range(20):
        command = _COMMANDS_FOR[OFFICER].draw(rng)
        if command is not current:
            return command
    return current


def _assign_staff_ids(rng: Random, people: list[_Person]) -> None:
    """Six-digit staff numbers (seven for huge worlds), rising with joining date as issued."""
    high = 1_000_000 if len(people) <= 300_000 else 10_000_000
    ids = sorted(rng.sample(range(100_000, high), len(people)))
    people.sort(key=lambda person: person.joined_on)  # stable: ties keep creation order
    for person, staff_id in zip(people, ids, strict=True):
        person.staff_id = str(staff_id)


# Namesakes the world must hold at least this many of, so linking cannot rely on names alone.
_NAMESAKES: tuple[tuple[str, str, str, str, int], ...] = (
    ("David", "Smith", "english", "M", 5),
    ("John", "Smith", "english", "M", 3),
    ("Mohammed", "Khan", "pakistani", "M", 3),
)


def _ensure_namesakes(rng: Random, people: list[_Person]) -> None:
    for first, surname, heritage, sex, minimum in _NAMESAKES:
        have = sum(1 for person in people if person.surname == surname and person.first_forename == first)
        if have >= minimum:
            continue
        candidates = [
            person
            for person in people
            if person.heritage == heritage
            and person.sex == sex
            and not person.former_surname
            and not (person.surname == surname and person.first_forename == first)
        ]
        for person in rng.sample(candidates, min(minimum - have, len(candidates))):
            _rename(person, first, surname)


def _rename(person: _Person, first: str, surname: str) -> None:
    rest = [name for name in person.forenames.split()[1:] if name != first]
    person.forenames = " ".join([first, *rest])
    person.surname = surname


def _marry_colleagues(rng: Random, people: list[_Person]) -> list[tuple[_Person, _Person]]:
    """Serving couples: a serving woman who took a serving colleague's surname on marriage."""
    wives = [
        person
        for person in people
        if person.sex == "F" and person.surname_changed_on is not None and person.left_on is None
    ]
    husbands = [person for person in people if person.sex == "M" and person.left_on is None]
    couples = []
    for wife in rng.sample(wives, min(len(wives), len(people) // 80)):
        for _ in range(30):
            husband = rng.choice(husbands)
            age_gap = abs((husband.date_of_birth - wife.date_of_birth).days) / 365.25
            if husband.spouse is None and age_gap <= 8 and husband.surname != wife.former_surname:
                wife.surname = (
                    _polish_feminine(husband.surname) if wife.heritage == "polish" else husband.surname
                )
                wife.spouse, husband.spouse = husband, wife
                couples.append((husband, wife))
                break
    return couples


# --- vetting ----------------------------------------------------------------------------------------

# Years a clearance is valid, and the range of years after which it is renewed.
_VETTING_TERMS: dict[str, tuple[int, int, int]] = {
    "RV": (10, 7, 10),
    "NPPV1": (10, 7, 10),
    "NPPV2": (10, 7, 10),
    "NPPV3": (10, 7, 10),
    "MV": (7, 6, 7),
    "SC": (10, 7, 10),
    "DV": (7, 6, 7),
}
_MV_ROLES = frozenset(
    {
        "Public Protection",
        "Rape and serious sexual offences",
        "Child abuse investigation",
        "Professional Standards",
        "Counter terrorism",
        "Protection",
        "Intelligence analyst",
        "Firearms",
        "Firearms instructor",
        "Senior leadership",
    }
)
_SC_ROLES = frozenset({"Firearms", "Firearms instructor", "Counter terrorism", "Protection"})
_NPPV3_ROLES = frozenset({"Intelligence analyst", "Professional Standards", "IT", "Senior leadership"})


@dataclass(frozen=True)
class _Clearance:
    level: str
    granted_on: date
    expires_on: date | None
    outcome: str


def _vetting(rng: Random, person: _Person, withdrawn_on: date | None) -> list[_Clearance]:
    if person.employment_type in (OFFICER, SPECIAL):
        base = "RV"
    elif person.employment_type == STAFF:
        base = "NPPV3" if any(posting.role in _NPPV3_ROLES for posting in person.postings) else "NPPV2"
    else:
        base = "NPPV1" if _chance(rng, 0.6) else "NPPV2"
    clearances = _clearance_chain(rng, person, base, person.joined_on - timedelta(days=rng.randint(20, 160)))
    # Management vetting for sensitive posts and senior ranks (not every such post asks for it).
    enhanced = next(
        (p for p in person.postings if p.role in _MV_ROLES or p.rank in OFFICER_RANKS[3:]),
        None,
    )
    if enhanced is not None and _chance(rng, 0.7):
        applied = enhanced.start - timedelta(days=rng.randint(10, 90))
        if _chance(rng, 0.03):
            clearances.append(_Clearance("MV", applied, None, "refused"))
        else:
            clearances.extend(_clearance_chain(rng, person, "MV", applied))
    secure = next((p for p in person.postings if p.role in _SC_ROLES), None)
    if secure is not None:
        applied = secure.start - timedelta(days=rng.randint(10, 90))
        clearances.extend(_clearance_chain(rng, person, "SC", applied))
        if secure.role == "Counter terrorism" and _chance(rng, 0.35):
            clearances.extend(
                _clearance_chain(rng, person, "DV", applied + timedelta(days=rng.randint(30, 200)))
            )
    if withdrawn_on is not None:
        clearances = [
            _Clearance(c.level, c.granted_on, c.expires_on, "withdrawn")
            if c.outcome == "granted"
            and c.granted_on <= withdrawn_on
            and (c.expires_on or withdrawn_on) >= withdrawn_on
            else c
            for c in clearances
        ]
    return clearances


def _clearance_chain(rng: Random, person: _Person, level: str, granted_on: date) -> list[_Clearance]:
    """A clearance and its renewals while the person serves; a few lapse (and so expire), a few
    renewals are still under review on the reference date."""
    valid_years, renew_min, renew_max = _VETTING_TERMS[level]
    chain = []
    while True:
        chain.append(_Clearance(level, granted_on, _add_years(granted_on, valid_years), "granted"))
        renewal = _add_years(granted_on, rng.randint(renew_min, renew_max)) - timedelta(
            days=rng.randint(0, 120)
        )
        if renewal > person.service_end or _chance(rng, 0.04):
            return chain
        if renewal > REFERENCE_DATE - timedelta(days=150) and _chance(rng, 0.25):
            chain.append(_Clearance(level, renewal, None, "under_review"))
            return chain
        granted_on = renewal


# --- how sources record a subject ------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceHabits:
    """How often a source's records hold each subject detail, and how it writes names."""

    staff_id: float
    shoulder_number: float
    rank: float
    command: float
    force: float
    dob: float
    details: float
    name_styles: _Weighted[str]


def _styles(**weights: float) -> _Weighted[str]:
    return _Weighted(weights.items())


# fmt: off
# Share of each source's reports that hold each subject detail: internal systems know the staff
# number, the public sees a collar number, other forces send a date of birth.
_DETAIL_RATES: dict[str, tuple[float, float, float, float, float, float, float]] = {
    #                          staff_id shoulder rank  command force  dob   details
    "public_complaint":       (0.08,    0.40,    0.55, 0.30,   0.50,  0.01, 0.55),
    "colleague_report":       (0.75,    0.25,    0.85, 0.70,   0.80,  0.05, 0.50),
    "hotline":                (0.05,    0.12,    0.35, 0.20,   0.30,  0.02, 0.60),
    "other_force":            (0.00,    0.05,    0.60, 0.20,   1.00,  0.70, 0.80),
    "criminal_investigation": (0.55,    0.15,    0.60, 0.50,   0.80,  0.60, 0.40),
    "intelligence":           (0.70,    0.10,    0.60, 0.60,   0.60,  0.20, 0.60),
    "self_report":            (0.98,    0.30,    0.90, 0.90,   0.90,  0.10, 0.30),
    "vetting_disclosure":     (0.95,    0.05,    0.70, 0.70,   0.90,  0.60, 0.30),
}
# How each source writes a name (see _recorded_name for the styles).
_NAME_STYLES: dict[str, _Weighted[str]] = {
    "public_complaint": _styles(first_last=20, preferred_last=12, rank_surname=20, initial=5, first_only=8,
                                typo=12, lower=5, unknown=12, surname_comma=6),
    "colleague_report": _styles(first_last=28, full=8, preferred_last=10, surname_comma_upper=22,
                                surname_comma=10, initial=8, rank_surname=8, typo=6),
    "hotline": _styles(preferred_last=22, first_only=18, first_last=16, rank_surname=10, typo=14, lower=8,
                       unknown=12),
    "other_force": _styles(full=40, surname_comma_upper=40, first_last=15, typo=5),
    "criminal_investigation": _styles(surname_comma_upper=40, full=25, first_last=20, typo=8, initials=7),
    "intelligence": _styles(surname_comma_upper=35, first_last=25, preferred_last=15, first_only=8, typo=10,
                            initial=7),
    "self_report": _styles(first_last=50, full=30, surname_comma_upper=20),
    "vetting_disclosure": _styles(full=50, surname_comma_upper=40, first_last=10),
}
# People close to the subject know the name; online contacts often only a first name.
_INTIMATE_STYLES = _styles(first_last=35, full=10, preferred_last=22, first_only=12, typo=6, surname_comma=5,
                           lower=10)
_ONLINE_STYLES = _styles(first_only=40, preferred_last=25, first_last=20, typo=15)
# fmt: on
_HABITS = {
    source: _SourceHabits(*rates, name_styles=_NAME_STYLES[source]) for source, rates in _DETAIL_RATES.items()
}

_SPELLING_VARIANTS: dict[str, tuple[str, ...]] = {
    "Smith": ("Smyth", "Smithe"),
    "Thompson": ("Thomson",),
    "Thomson": ("Thompson",),
    "Clarke": ("Clark",),
    "Clark": ("Clarke",),
    "Mohammed": ("Mohammad", "Muhammad", "Mohamed"),
    "Muhammad": ("Mohammed", "Mohamed"),
    "Mohamed": ("Mohammed",),
    "Stephen": ("Steven",),
    "Steven": ("Stephen",),
    "Sean": ("Shaun", "Shawn"),
    "Shaun": ("Sean",),
    "Phillips": ("Philips",),
    "Catherine": ("Katherine", "Kathryn"),
    "Katherine": ("Catherine",),
    "Hussain": ("Hussein", "Husain"),
    "Ahmed": ("Ahmad",),
    "MacDonald": ("McDonald",),
    "McKenzie": ("MacKenzie",),
    "Matthews": ("Mathews",),
    "Davies": ("Davis",),
    "Davis": ("Davies",),
    "Reid": ("Reed", "Read"),
    "Gray": ("Grey",),
    "Jon": ("John",),
    "O'Brien": ("OBrien", "O Brien"),
    "O'Sullivan": ("OSullivan", "Sullivan"),
    "O'Connor": ("Connor", "OConnor"),
}
_RANK_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "Constable": (("PC", 6.0), ("Constable", 1.0), ("Police Constable", 1.0), ("officer", 1.0)),
    "Detective Constable": (("DC", 5.0), ("Detective Constable", 2.0), ("PC", 1.0)),
    "Sergeant": (("PS", 2.0), ("Sgt", 3.0), ("Sergeant", 2.0)),
    "Detective Sergeant": (("DS", 4.0), ("Det Sgt", 1.0), ("Sergeant", 1.0)),
    "Inspector": (("Insp", 2.0), ("Inspector", 3.0)),
    "Detective Inspector": (("DI", 3.0), ("Detective Inspector", 1.0)),
    "Chief Inspector": (("CI", 1.0), ("Ch Insp", 1.0), ("Chief Inspector", 2.0)),
    "Detective Chief Inspector": (("DCI", 3.0), ("Detective Chief Inspector", 1.0)),
    "Superintendent": (("Supt", 1.0), ("Superintendent", 2.0)),
    "Chief Superintendent": (("Ch Supt", 1.0), ("Chief Superintendent", 1.0)),
    "Commander": (("Commander", 1.0), ("Cdr", 1.0)),
    "Special Constable": (("SC", 2.0), ("Special Constable", 2.0), ("PC", 2.0), ("special", 1.0)),
    "Special Sergeant": (("SS", 1.0), ("Special Sergeant", 2.0), ("Sgt", 1.0)),
    "Special Inspector": (("Special Inspector", 1.0),),
    "Special Chief Inspector": (("Special Chief Inspector", 1.0),),
}
_RANK_PREFIX = {
    "Constable": "PC",
    "Detective Constable": "DC",
    "Sergeant": "Sgt",
    "Detective Sergeant": "DS",
    "Inspector": "Insp",
    "Detective Inspector": "DI",
    "Chief Inspector": "CI",
    "Detective Chief Inspector": "DCI",
    "Superintendent": "Supt",
    "Chief Superintendent": "Ch Supt",
    "Commander": "Cdr",
    "Special Constable": "PC",
    "Special Sergeant": "Sgt",
    "Special Inspector": "Insp",
    "Special Chief Inspector": "CI",
}
_STAFF_RANK_WORDS: dict[str, tuple[str, ...]] = {
    "PCSO": ("PCSO",),
    "Detention officer": ("DDO", "detention officer"),
    "Call handling": ("call handler", "police staff"),
    "Dispatch": ("dispatcher", "police staff"),
}
# fmt: off
_AREAS = (
    "Camden", "Hackney", "Croydon", "Lewisham", "Ealing", "Harrow", "Ilford", "Romford", "Brixton", "Peckham",
    "Stratford", "Wembley", "Tottenham", "Wimbledon", "Hounslow", "Bromley", "Islington", "Walthamstow",
    "Clapham", "Kingston",
)
_FEATURES = (
    "shaved head", "beard", "glasses", "tattoo on the forearm", "tall", "short dark hair", "stocky build",
    "grey hair", "slim build",
)
# fmt: on
_ROLE_DETAILS: dict[str, tuple[str, ...]] = {
    "Firearms": ("armed officer, drives a marked BMW", "ARV officer based at {station}", "firearms officer"),
    "Firearms instructor": ("firearms instructor", "works at the firearms range"),
    "Roads policing": (
        "traffic officer, rides a police motorbike",
        "roads policing, drives an unmarked Volvo",
    ),
    "Response": (
        "response officer on {team} team at {station}",
        "drives a marked car out of {station}",
        "came to my house after a 999 call",
    ),
    "Neighbourhood": ("neighbourhood officer for the {area} ward", "Safer Neighbourhoods officer, {station}"),
    "Custody": ("works in custody at {station}", "custody officer at {station}"),
    "Detention officer": ("works in the custody suite at {station}", "detention officer at {station}"),
    "Call handling": ("works in the control room at {station}", "call handler, night shifts"),
    "Dispatch": ("control room, {station}",),
    "CID": ("detective at {station} CID", "CID officer"),
    "Public Protection": ("dealt with my domestic abuse case", "detective on the domestic abuse team"),
    "Rape and serious sexual offences": ("officer on the sexual offences team",),
    "Child abuse investigation": ("child abuse investigation team",),
    "PCSO": ("PCSO, patrols {area}", "PCSO based at {station}"),
}
_TEAMS = ("A", "B", "C", "D", "E")


def _typo(rng: Random, word: str) -> str:
    variants = _SPELLING_VARIANTS.get(word)
    if variants and _chance(rng, 0.6):
        return rng.choice(variants)
    if len(word) < 4:
        return word + word[-1]
    index = rng.randrange(1, len(word) - 1)
    operation = rng.randrange(4)
    if operation == 0:  # transposed letters
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    if operation == 1:  # dropped letter
        return word[:index] + word[index + 1 :]
    if operation == 2:  # doubled letter
        return word[: index + 1] + word[index:]
    vowels = "aeiou"
    replacement = rng.choice([vowel for vowel in vowels if vowel != word[index].lower()])
    return word[:index] + replacement + word[index + 1 :]


def _mistype_digit(rng: Random, staff_id: str) -> str:
    index = rng.randrange(len(staff_id))
    digit = rng.choice([d for d in "0123456789" if d != staff_id[index] and (index or d != "0")])
    return staff_id[:index] + digit + staff_id[index + 1 :]


def _rank_word(rng: Random, person: _Person, posting: _Posting) -> str:
    if person.employment_type == STAFF:
        words = _STAFF_RANK_WORDS.get(posting.role, ("police staff", posting.rank))
        return rng.choice(words)
    if person.employment_type == VOLUNTEER:
        return "volunteer"
    return _weighted(_RANK_WORDS[posting.rank_title]).draw(rng)


def _name_prefix(person: _Person, posting: _Posting) -> str:
    if person.employment_type in (OFFICER, SPECIAL):
        return _RANK_PREFIX[posting.rank_title]
    if posting.role == "PCSO":
        return "PCSO"
    return {"F": "Ms", "M": "Mr"}.get(person.sex, "Mx")


def _recorded_name(rng: Random, person: _Person, day: date, style: str) -> str:
    forenames, surname = person.name_on(day)
    first = forenames.split()[0]
    preferred = person.preferred_forename or (_nickname(first) if _chance(rng, 0.15) else "") or first
    if style == "full":
        name = f"{forenames} {surname}"
    elif style == "preferred_last":
        name = f"{preferred} {surname}"
    elif style == "surname_comma_upper":
        name = f"{surname.upper()}, {forenames if _chance(rng, 0.6) else preferred}"
    elif style == "surname_comma":
        name = f"{surname}, {first}"
    elif style == "rank_surname":
        name = f"{_name_prefix(person, person.posting_on(day))} {surname}"
    elif style == "initial":
        name = f"{first[0]}. {surname}" if _chance(rng, 0.5) else f"{first[0]} {surname}"
    elif style == "initials":
        name = " ".join(part[0] for part in forenames.split()) + f" {surname}"
    elif style == "first_only":
        name = preferred
    elif style == "typo":
        if _chance(rng, 0.7):
            name = f"{preferred if _chance(rng, 0.3) else first} {_typo(rng, surname)}"
        else:
            name = f"{_typo(rng, first)} {surname}"
    elif style == "lower":
        name = f"{preferred} {surname}".lower()
    elif style == "unknown":
        return rng.choice(
            ("Unknown", "not known", {"F": "female officer", "M": "male officer"}.get(person.sex, "officer"))
        )
    else:
        name = f"{first} {surname}"
    return _ascii(name) if _chance(rng, 0.5) else name


def _details(rng: Random, person: _Person, posting: _Posting, day: date, source: str) -> str:
    station = rng.choice(posting.command.stations)
    options = []
    if person.employment_type in (OFFICER, SPECIAL):
        rank = _weighted(_RANK_WORDS[posting.rank_title]).draw(rng)
        options.append(f"{rank}, {posting.command.name}, based at {station}")
    options.extend(_ROLE_DETAILS.get(posting.role, (f"{posting.role.lower()} at {{station}}",)))
    age = max(20, 5 * round(person.age_on(day) / 5))
    sex_word = {"F": "female", "M": "male"}.get(person.sex, "person")
    options.append(f"{sex_word}, about {age}, {rng.choice(_FEATURES)}")
    if source in ("hotline", "public_complaint"):
        options.append(f"says {_pronouns(person.sex)[0]} works for the police in {rng.choice(_AREAS)}")
    text = rng.choice(options)
    return text.format(station=station, area=rng.choice(_AREAS), team=rng.choice(_TEAMS))


def _recorded_command(rng: Random, command: _Command) -> str:
    draw = rng.random()
    if draw < 0.6:
        return command.name
    if draw < 0.85:
        return command.short
    return command.code


def _pronouns(sex: str) -> tuple[str, str, str]:
    """(subject, possessive, object) pronouns."""
    return {"F": ("she", "her", "her"), "M": ("he", "his", "him")}.get(sex, ("they", "their", "them"))


# --- what reports say -------------------------------------------------------------------------------

# Clauses follow a lead such as "Complainant alleges that"; {subj} is "the officer" and the like,
# {cp_*} are the complainant's pronouns. Kept factual and non-graphic, as a case summary would be.
# A clause may be tagged with the setting it fits: W (a colleague, at work), P (someone met on duty
# or online) or D (partner or family); untagged clauses fit any complainant.
_CLAUSES: dict[str, tuple[str, ...]] = {
    "rape": (
        "{subj} raped {cp_obj} at {his} home address after a night out in {area}; {cp_subj} reported it "
        "{delay} later.",
        "{subj} had sex with {cp_obj} when {cp_subj} was too intoxicated to consent.",
        "D:{subj} raped {cp_obj} during their relationship; {cp_subj} disclosed this after it ended.",
    ),
    "sexual_assault": (
        "W:{subj} touched {cp_obj} sexually without consent at a leaving do in {area}.",
        "W:{subj} grabbed and kissed {cp_obj} against {cp_pos} will in a police vehicle.",
        "P:{subj} sexually assaulted {cp_obj} after offering {cp_obj} a lift home.",
        "{subj} touched {cp_obj} sexually without consent at a party in {area}.",
    ),
    "abuse_of_position_sexual": (
        "P:{subj} met {cp_obj} while on duty at a {call} and then pursued a sexual relationship.",
        "P:after {cp_subj} reported {crime}, {subj} contacted {cp_obj} on {cp_pos} personal number and asked "
        "{cp_obj} out.",
        "P:{subj} used details from a police report to find {cp_obj} on a dating app and message {cp_obj}.",
        "P:{subj}, who was dealing with {cp_pos} report of {crime}, began a sexual relationship with "
        "{cp_obj} while the case was open.",
    ),
    "stalking": (
        "D:{subj} repeatedly turned up at {cp_pos} home and workplace after the relationship ended.",
        "{subj} followed {cp_obj} and monitored {cp_pos} social media after {cp_subj} ended contact.",
        "{subj} sent dozens of messages a day and waited outside {cp_pos} address.",
    ),
    "coercive_control": (
        "D:{subj} controlled {cp_pos} finances, checked {cp_pos} phone and stopped {cp_obj} seeing friends.",
        "D:{subj} tracked {cp_pos} location and threatened to use {his} police role against {cp_obj} if "
        "{cp_subj} left.",
        "D:{subj} isolated {cp_obj} from {cp_pos} family and monitored who {cp_subj} spoke to.",
    ),
    "domestic_violence": (
        "{subj} pushed {cp_obj} into a wall during an argument; attending officers noted minor injuries.",
        "D:{subj} grabbed {cp_obj} by the arms during an argument at their home.",
        "{subj} assaulted {cp_obj} during a row at {his} address; {cp_subj} did not support a prosecution.",
    ),
    "sexual_harassment": (
        "W:{subj} made repeated sexual comments about {cp_pos} appearance on night shifts.",
        "{subj} sent {cp_obj} unwanted sexual messages and did not stop when asked.",
        "W:{subj} commented on {cp_pos} body and asked about {cp_pos} sex life in front of colleagues.",
        "P:{subj} made sexual comments to {cp_obj} while taking {cp_pos} statement.",
    ),
    "online_sexual_misconduct": (
        "P:{subj} sent {cp_obj} unsolicited sexual images after they matched on a dating app.",
        "{subj} sent sexual messages over social media and asked {cp_obj} for intimate photos.",
        "{subj} shared an intimate image of {cp_obj} in a group chat without consent.",
    ),
    "domestic_abuse_other": (
        "{subj} verbally abused and threatened {cp_obj} during an argument.",
        "D:{subj} damaged property at the family home during a row.",
        "D:{subj} made threats towards {cp_obj} during a dispute over childcare.",
    ),
    "inappropriate_behaviour": (
        "P:{subj} made inappropriate personal comments during a stop and asked for {cp_pos} phone number.",
        "P:{subj} was overfamiliar and stood too close to {cp_obj} while taking a statement.",
        "W:{subj} made offensive remarks to {cp_obj} in the canteen.",
        "P:{subj} followed {cp_obj} on social media after attending a call at {cp_pos} home.",
        "W:{subj} repeatedly made belittling comments to {cp_obj} in front of the team.",
        "{subj} was abusive towards {cp_obj} in the street.",
    ),
    "domestic_argument": (
        "D:police were called to a loud argument at {his} home address; no offences were disclosed.",
        "{subj} was heard arguing with {cp_obj} in the street; words only.",
        "D:there was a verbal argument with {cp_obj} at a child handover; no injuries.",
    ),
    "other": (
        "P:{subj} was rude and dismissive when {cp_subj} reported a theft.",
        "{subj} drove a police vehicle too fast through a residential street.",
        "{subj} may have looked {cp_obj} up on police systems without a policing purpose.",
        "P:{subj} failed to return property seized in a search.",
        "W:{subj} took credit for {cp_pos} work and shouted at {cp_obj} in a briefing.",
        "D:{subj} refused to return {cp_pos} belongings after they separated.",
    ),
}
_SETTING_OF_RELATIONSHIP = {
    "colleague": "W",
    "member_of_public": "P",
    "online_contact": "P",
    "partner": "D",
    "ex_partner": "D",
    "family_member": "D",
}


def _clause(rng: Random, category: str, relationship: str) -> str:
    """A clause of the category that fits where the complainant knows the subject from."""
    setting = _SETTING_OF_RELATIONSHIP.get(relationship, "")
    fitting = [
        clause[2:] if clause[1:2] == ":" else clause
        for clause in _CLAUSES[category]
        if clause[1:2] != ":" or clause[0] == setting
    ]
    return rng.choice(fitting or [clause.partition(":")[2] or clause for clause in _CLAUSES[category]])


_LEADS_BY_RELATIONSHIP: dict[str, tuple[str, ...]] = {
    "member_of_public": (
        "Complainant alleges that",
        "Member of the public alleges that",
        "Complainant states that",
    ),
    "colleague": ("Colleague reports that", "A colleague alleges that", "Fellow officer reports that"),
    "partner": ("Partner reports that", "{His} partner alleges that"),
    "ex_partner": ("Ex-partner alleges that", "Former partner reports that"),
    "family_member": ("Family member reports that", "A relative reports that"),
    "online_contact": ("Someone who met {him} online alleges that", "Online contact alleges that"),
    "other": ("Report received that", "Information received that"),
    "": ("Report received that", "Information received that"),
}
_LEADS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "hotline": ("Caller reports that", "Anonymous caller reports that", "Caller, the {rel}, reports that"),
    "intelligence": ("Intelligence suggests that", "Intelligence report indicates that"),
    "self_report": ("{Subj} self-reported that", "{Subj} notified the force that"),
    "vetting_disclosure": ("Vetting renewal disclosed that", "At vetting interview it was disclosed that"),
    "criminal_investigation": (
        "Crime report: complainant alleges that",
        "Crime recorded: it is alleged that",
    ),
}
_REPEAT_LEADS = (
    "Caller rang again and reports that",
    "Second call from the same caller, who says that",
    "Further call received; caller repeats that",
    "Caller phoned back to add that",
)
_REPEAT_ADDITIONS = (
    " Caller was distressed.",
    " Caller says she has screenshots.",
    " Caller asked for a call back.",
    " Caller did not want to give an address.",
    "",
)
_RELATIONSHIP_WORDS = {
    "partner": "partner",
    "ex_partner": "ex-partner",
    "family_member": "relative",
    "colleague": "colleague",
    "member_of_public": "complainant",
    "online_contact": "online contact",
    "other": "complainant",
    "": "complainant",
}
_CALLS = ("burglary", "domestic incident", "road traffic collision", "theft from her car", "noise complaint")
_CRIMES = ("a burglary", "domestic abuse", "harassment", "a theft", "a sexual assault", "criminal damage")
_DELAYS = ("two days", "a week", "several weeks", "a few months", "a year")


_STAFF_NOUNS = {
    "PCSO": "the PCSO",
    "Detention officer": "the detention officer",
    "Call handling": "the call handler",
    "Dispatch": "the dispatcher",
}


def _subject_noun(person: _Person | None, posting: _Posting | None) -> str:
    if person is None or posting is None:
        return "the man"
    if person.employment_type == STAFF:
        return _STAFF_NOUNS.get(posting.role, "the staff member")
    if person.employment_type == VOLUNTEER:
        return "the volunteer"
    return "the officer"


def _summary(
    rng: Random,
    category: str,
    relationship: str,
    source: str,
    person: _Person,
    day: date,
    *,
    lead: str = "",
    note: str = "",
) -> tuple[str, str]:
    """(lead, narrative): "Caller reports that", "the officer sent her ... ." """
    _, his, him = _pronouns(person.sex)
    complainant_sex = "F" if (person.sex != "F") == _chance(rng, 0.9) else "M"
    cp_subj, cp_pos, cp_obj = _pronouns(complainant_sex)
    subject = _subject_noun(person, person.posting_on(day))
    values = {
        "subj": subject,
        "Subj": subject[0].upper() + subject[1:],
        "his": his,
        "His": his.capitalize(),
        "him": him,
        "cp_subj": cp_subj,
        "cp_pos": cp_pos,
        "cp_obj": cp_obj,
        "area": rng.choice(_AREAS),
        "call": rng.choice(_CALLS),
        "crime": rng.choice(_CRIMES),
        "delay": rng.choice(_DELAYS),
        "rel": _RELATIONSHIP_WORDS[relationship],
    }
    if not lead:
        leads = _LEADS_BY_SOURCE.get(source) or _LEADS_BY_RELATIONSHIP[relationship]
        if source == "hotline" and not relationship:
            leads = leads[:2]
        lead = rng.choice(leads)
    lead = lead.format(**values)
    if source == "self_report":  # "The officer self-reported that he was heard arguing ..."
        values["subj"] = _pronouns(person.sex)[0]
    narrative = _clause(rng, category, relationship).format(**values)
    return lead, f"{narrative} {note}" if note else narrative


# --- allegations ------------------------------------------------------------------------------------

_CATEGORY_WEIGHTS = _Weighted(
    [
        ("inappropriate_behaviour", 25.0),
        ("other", 14.0),
        ("domestic_argument", 12.0),
        ("sexual_harassment", 12.0),
        ("domestic_abuse_other", 8.0),
        ("online_sexual_misconduct", 6.0),
        ("domestic_violence", 6.0),
        ("coercive_control", 5.0),
        ("abuse_of_position_sexual", 4.0),
        ("sexual_assault", 3.5),
        ("stalking", 3.0),
        ("rape", 1.5),
    ]
)
# fmt: off
_RELATIONSHIPS_BY_CATEGORY: dict[str, dict[str, float]] = {
    "rape": {"ex_partner": 25, "partner": 10, "colleague": 15, "member_of_public": 20, "online_contact": 20,
             "other": 10},
    "sexual_assault": {"colleague": 35, "member_of_public": 30, "online_contact": 15, "ex_partner": 10,
                       "other": 10},
    "abuse_of_position_sexual": {"member_of_public": 85, "online_contact": 15},
    "stalking": {"ex_partner": 60, "online_contact": 15, "colleague": 10, "member_of_public": 15},
    "coercive_control": {"partner": 55, "ex_partner": 45},
    "domestic_violence": {"partner": 60, "ex_partner": 25, "family_member": 15},
    "sexual_harassment": {"colleague": 65, "member_of_public": 25, "online_contact": 10},
    "online_sexual_misconduct": {"online_contact": 55, "member_of_public": 20, "colleague": 15,
                                 "ex_partner": 10},
    "domestic_abuse_other": {"partner": 40, "ex_partner": 35, "family_member": 25},
    "inappropriate_behaviour": {"member_of_public": 55, "colleague": 40, "other": 5},
    "domestic_argument": {"partner": 60, "ex_partner": 25, "family_member": 15},
    "other": {"member_of_public": 70, "colleague": 20, "other": 10},
}
_SOURCES_BY_RELATIONSHIP: dict[str, dict[str, float]] = {
    "member_of_public": {"public_complaint": 60, "hotline": 15, "criminal_investigation": 15,
                         "intelligence": 5, "other_force": 5},
    "colleague": {"colleague_report": 65, "hotline": 20, "intelligence": 10, "criminal_investigation": 5},
    "partner": {"criminal_investigation": 35, "hotline": 20, "self_report": 20, "public_complaint": 10,
                "other_force": 10, "vetting_disclosure": 5},
    "ex_partner": {"criminal_investigation": 35, "hotline": 25, "public_complaint": 20, "other_force": 10,
                   "vetting_disclosure": 5, "intelligence": 5},
    "family_member": {"criminal_investigation": 40, "hotline": 25, "self_report": 15, "public_complaint": 10,
                      "other_force": 10},
    "online_contact": {"public_complaint": 35, "hotline": 35, "intelligence": 15,
                       "criminal_investigation": 15},
    "other": {"public_complaint": 30, "hotline": 25, "intelligence": 35, "vetting_disclosure": 10},
}
# fmt: on
_RELATIONSHIP_FOR = {
    category: _Weighted(weights.items()) for category, weights in _RELATIONSHIPS_BY_CATEGORY.items()
}
_SOURCE_FOR = {
    relationship: _Weighted(weights.items()) for relationship, weights in _SOURCES_BY_RELATIONSHIP.items()
}
# A subject reports on himself only about domestic matters and minor incidents.
_SELF_REPORTABLE = frozenset({"domestic_argument", "domestic_abuse_other", "domestic_violence", "other"})
_INCIDENTS_PER_SUBJECT = _Weighted([(1, 0.62), (2, 0.24), (3, 0.09), (4, 0.05)])
# Outcomes by the most serious category they can follow (severity 1-3, 4-7, 8-10): mostly not proven.
# fmt: off
_OUTCOMES_BY_SEVERITY: tuple[tuple[int, _Weighted[str]], ...] = (
    (3, _Weighted({"no_further_action": 35.0, "management_action": 20.0, "reflective_practice": 15.0,
                   "no_case_to_answer": 20.0, "complainant_withdrew": 5.0,
                   "misconduct_proven": 5.0}.items())),
    (7, _Weighted({"no_further_action": 30.0, "complainant_withdrew": 20.0, "no_case_to_answer": 20.0,
                   "management_action": 8.0, "case_to_answer_misconduct": 6.0, "misconduct_proven": 7.0,
                   "charged": 2.0, "convicted": 2.0, "acquitted": 2.0, "dismissed": 3.0}.items())),
    (10, _Weighted({"no_further_action": 35.0, "complainant_withdrew": 25.0, "no_case_to_answer": 10.0,
                    "charged": 5.0, "acquitted": 8.0, "convicted": 5.0,
                    "case_to_answer_gross_misconduct": 5.0, "dismissed": 7.0}.items())),
)
# fmt: on
_ENDS_SERVICE = frozenset({"dismissed", "convicted"})
_SEVERITY = {term.code: term.severity for term in CATEGORIES}


@dataclass(eq=False)
class _Allegation:
    source: str
    received_on: date
    incident_date: str
    category: str
    summary: str
    subject: dict[str, str]
    complainant_ref: str
    relationship: str
    outcome: str
    outcome_on: date | None
    person: _Person | None  # who it is really about; None for someone not on the register
    narrative: str = ""  # the summary without its lead ("Caller reports that")
    reporting_force: str = ""  # for other_force reports: which force sent it
    ref: str = ""


@dataclass(frozen=True)
class _Step:
    """One allegation of a planted serial subject."""

    category: str
    relationship: str
    source: str
    complainant: int  # complainants are numbered per subject; 0: none recorded
    note: str = ""


@dataclass(frozen=True)
class _SerialPlan:
    description: str
    employment_type: str
    roles: tuple[str, ...]
    steps: tuple[_Step, ...]
    name: tuple[str, str] | None = None  # (first forename, surname) the subject must have
    transferred_from: str = ""  # the first step was another force's report, before he joined
    renamed: bool = False  # changed surname part-way: the first reports use the former one


_SERIAL_PLANS: tuple[_SerialPlan, ...] = (
    _SerialPlan(
        "response officer with a common name: approaches women met on duty, escalating to rape",
        OFFICER,
        ("Response",),
        (
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 1),
            _Step("sexual_harassment", "colleague", "colleague_report", 2),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "hotline",
                3,
                "He told her he had looked her up on the police computer.",
            ),
            _Step(
                "abuse_of_position_sexual",
                "online_contact",
                "public_complaint",
                4,
                "They matched on a dating app a week after he took her statement.",
            ),
            _Step("sexual_assault", "member_of_public", "hotline", 5),
            _Step("rape", "online_contact", "criminal_investigation", 6, "He had met her while on duty."),
            _Step("rape", "member_of_public", "hotline", 3),
        ),
        name=("David", "Smith"),
    ),
    _SerialPlan(
        "firearms officer: domestic abuse of three successive partners, escalating to violence",
        OFFICER,
        ("Firearms", "Firearms instructor"),
        (
            _Step("domestic_argument", "partner", "self_report", 1),
            _Step("domestic_argument", "partner", "hotline", 1),
            _Step("domestic_abuse_other", "ex_partner", "public_complaint", 1),
            _Step("coercive_control", "partner", "hotline", 2, "She says he has access to weapons."),
            _Step("stalking", "ex_partner", "other_force", 2),
            _Step("coercive_control", "partner", "criminal_investigation", 3),
            _Step("domestic_violence", "partner", "hotline", 3),
            _Step("domestic_violence", "partner", "criminal_investigation", 3),
        ),
    ),
    _SerialPlan(
        "transferee: harassment reported by his previous force before he joined, then escalating "
        "sexual offending here",
        OFFICER,
        ("Response", "Neighbourhood"),
        (
            _Step("sexual_harassment", "colleague", "other_force", 1),
            _Step("sexual_harassment", "colleague", "colleague_report", 2),
            _Step("online_sexual_misconduct", "online_contact", "hotline", 3),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "public_complaint",
                4,
                "He met her while on duty at a domestic call.",
            ),
            _Step("sexual_assault", "online_contact", "hotline", 5),
            _Step("sexual_assault", "member_of_public", "criminal_investigation", 4),
            _Step("rape", "online_contact", "criminal_investigation", 6),
        ),
        transferred_from="NMP",
    ),
    _SerialPlan(
        "public protection detective: targets vulnerable victims from his cases, via a dating app",
        OFFICER,
        ("Public Protection", "Rape and serious sexual offences", "Child abuse investigation"),
        (
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 1),
            _Step(
                "online_sexual_misconduct",
                "online_contact",
                "hotline",
                2,
                "She had met him on a dating app after he dealt with her case.",
            ),
            _Step("abuse_of_position_sexual", "member_of_public", "hotline", 3),
            _Step(
                "abuse_of_position_sexual",
                "member_of_public",
                "intelligence",
                0,
                "Intelligence suggests he contacts domestic abuse victims from his caseload.",
            ),
            _Step(
                "abuse_of_position_sexual",
                "online_contact",
                "public_complaint",
                4,
                "He contacted her on a dating app using details from her report.",
            ),
            _Step("sexual_assault", "member_of_public", "criminal_investigation", 3),
        ),
    ),
    _SerialPlan(
        "custody detention officer (police staff): sexual harassment of colleagues and detainees, "
        "escalating to assault",
        STAFF,
        ("Detention officer",),
        (
            _Step("inappropriate_behaviour", "colleague", "colleague_report", 1),
            _Step("inappropriate_behaviour", "member_of_public", "public_complaint", 2),
            _Step("sexual_harassment", "colleague", "hotline", 3),
            _Step("sexual_harassment", "colleague", "colleague_report", 4),
            _Step("online_sexual_misconduct", "colleague", "hotline", 3),
            _Step("sexual_assault", "colleague", "criminal_investigation", 5),
            _Step("sexual_assault", "member_of_public", "hotline", 6),
        ),
    ),
    _SerialPlan(
        "neighbourhood officer who changed his surname: domestic abuse of three partners, escalating to rape",
        OFFICER,
        ("Neighbourhood", "Roads policing", "CID"),
        (
            _Step("domestic_argument", "partner", "criminal_investigation", 1),
            _Step("domestic_abuse_other", "partner", "hotline", 1),
            _Step("coercive_control", "ex_partner", "public_complaint", 1),
            _Step("coercive_control", "partner", "hotline", 2),
            _Step("stalking", "ex_partner", "other_force", 2),
            _Step("domestic_violence", "partner", "criminal_investigation", 3),
            _Step("rape", "partner", "hotline", 3),
            _Step("rape", "ex_partner", "criminal_investigation", 3),
        ),
        renamed=True,
    ),
)

# Low-severity runs: one complainant reporting the same person again and again.
_LOW_RUNS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "neighbour dispute",
        "member_of_public",
        ("other", "inappropriate_behaviour"),
        ("public_complaint", "hotline"),
    ),
    ("arguments at child handovers", "ex_partner", ("domestic_argument",), ("hotline", "public_complaint")),
    (
        "workplace grievance",
        "colleague",
        ("inappropriate_behaviour", "other"),
        ("colleague_report", "hotline"),
    ),
    ("repeated complaints about traffic stops", "member_of_public", ("other",), ("public_complaint",)),
    ("family falling-out", "family_member", ("domestic_argument", "other"), ("hotline", "public_complaint")),
)

_COUPLE_CATEGORIES = _Weighted(
    [
        ("domestic_argument", 40.0),
        ("domestic_abuse_other", 30.0),
        ("coercive_control", 15.0),
        ("domestic_violence", 15.0),
    ]
)
_COUPLE_SOURCES = _Weighted(
    [("hotline", 30.0), ("criminal_investigation", 30.0), ("self_report", 20.0), ("colleague_report", 20.0)]
)
_EMPLOYMENT_NOUNS = {
    OFFICER: "a serving officer",
    STAFF: "police staff",
    SPECIAL: "a special constable",
    VOLUNTEER: "a police volunteer",
}
# What historic allegations about long-gone officers are mostly about.
_FORMER_OFFICER_CATEGORIES = _Weighted(
    [
        ("sexual_assault", 3.0),
        ("rape", 1.0),
        ("sexual_harassment", 3.0),
        ("domestic_violence", 2.0),
        ("inappropriate_behaviour", 2.0),
    ]
)
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


class _Builder:
    """Builds the allegations (and with them the planted list) for a register."""

    def __init__(self, rng: Random, people: list[_Person], couples: list[tuple[_Person, _Person]]) -> None:
        self.rng = rng
        self.people = people
        self.couples = couples
        self.allegations: list[_Allegation] = []
        self.complainant_refs: set[str] = set()
        self.staff_ids = {person.staff_id for person in people}
        self.by_surname: dict[str, list[_Person]] = {}
        for person in people:
            self.by_surname.setdefault(person.surname, []).append(person)
        self.serials: list[tuple[_Person, _SerialPlan, list[_Allegation]]] = []
        self.low_runs: list[tuple[_Person, str, list[_Allegation]]] = []
        self.repeat_calls: list[list[_Allegation]] = []
        self.couple_reports: list[tuple[_Person, _Person, _Allegation]] = []
        self.withdrawn_on: dict[str, date] = {}  # staff_id -> date their vetting was withdrawn

    # -- shared pieces --

    def new_complainant(self) -> str:
        while True:
            ref = f"C{self.rng.randrange(1_000_000, 10_000_000)}"
            if ref not in self.complainant_refs:
                self.complainant_refs.add(ref)
                return ref

    def unused_staff_id(self) -> str:
        while True:
            staff_id = str(self.rng.randrange(100_000, 1_000_000))
            if staff_id not in self.staff_ids:
                return staff_id

    def recorded_subject(
        self,
        person: _Person,
        day: date,
        source: str,
        relationship: str,
        *,
        allow_staff_id: bool = True,
    ) -> dict[str, str]:
        """The subject_* cells of a report: what this source would know and how it would write it."""
        rng = self.rng
        habits = _HABITS[source]
        posting = person.posting_on(day)
        if relationship in ("partner", "ex_partner", "family_member"):
            styles = _INTIMATE_STYLES
        elif relationship == "online_contact":
            styles = _ONLINE_STYLES
        else:
            styles = habits.name_styles
        staff_id = ""
        if allow_staff_id and person.staff_id and _chance(rng, habits.staff_id):
            staff_id = person.staff_id
            draw = rng.random()
            if draw < 0.04:
                staff_id = _mistype_digit(rng, staff_id)
            elif draw < 0.052:  # someone else's number: usually a namesake's
                namesakes = self.by_surname.get(person.surname, [])
                other = rng.choice(namesakes if len(namesakes) > 1 else self.people)
                if other is not person:
                    staff_id = other.staff_id
        shoulder = ""
        if posting.shoulder_number and _chance(rng, habits.shoulder_number):
            shoulder = posting.shoulder_number
            if _chance(rng, 0.2):  # the public often notes only the digits
                shoulder = shoulder.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return {
            "subject_name": _recorded_name(rng, person, day, styles.draw(rng)),
            "subject_staff_id": staff_id,
            "subject_shoulder_number": shoulder,
            "subject_rank": _rank_word(rng, person, posting) if _chance(rng, habits.rank) else "",
            "subject_command": _recorded_command(rng, posting.command)
            if _chance(rng, habits.command)
            else "",
            "subject_force": FORCE if _chance(rng, habits.force) else "",
            "subject_dob": person.date_of_birth.isoformat() if _chance(rng, habits.dob) else "",
            "subject_details": _details(rng, person, posting, day, source)
            if _chance(rng, habits.details)
            else "",
        }

    def incident_date(self, received_on: date, category: str, source: str, earliest: date) -> str:
        rng = self.rng
        if _chance(rng, 0.3 if source == "intelligence" else 0.07):
            return ""
        draw = rng.random()
        if _SEVERITY[category] >= 8 and draw < 0.2:
            delay = rng.randint(366, 2200)  # historic disclosure
        elif draw < 0.7:
            delay = rng.randint(0, 21)
        else:
            delay = rng.randint(22, 365)
        incident = max(min(earliest, received_on), received_on - timedelta(days=delay))
        if (received_on - incident).days > 365 and _chance(rng, 0.5):
            return _partial_date(incident, "M" if _chance(rng, 0.6) else "Y")
        return incident.isoformat()

    def outcome(self, category: str, received_on: date, *, may_end_service: bool) -> tuple[str, date | None]:
        rng = self.rng
        closed_on = received_on + timedelta(days=7 + int(rng.lognormvariate(math.log(110), 0.8)))
        if closed_on > REFERENCE_DATE:
            return "open", None
        severity = _SEVERITY[category]
        outcomes = next(weighted for ceiling, weighted in _OUTCOMES_BY_SEVERITY if severity <= ceiling)
        for _ in range(20):
            outcome = outcomes.draw(rng)
            if may_end_service or outcome not in _ENDS_SERVICE:
                return outcome, closed_on
        return "no_further_action", closed_on

    def add(
        self,
        person: _Person,
        *,
        category: str,
        relationship: str,
        source: str,
        received_on: date,
        complainant_ref: str,
        outcome: tuple[str, date | None],
        allow_staff_id: bool = True,
        note: str = "",
        lead: str = "",
        reporting_force: str = "",
    ) -> _Allegation:
        incident_date = self.incident_date(received_on, category, source, person.joined_on)
        day = date.fromisoformat(incident_date) if len(incident_date) == 10 else received_on
        if source == "other_force" and not reporting_force:
            reporting_force = self.rng.choice(OTHER_FORCES)[0]
        if not lead and source == "other_force":
            lead = f"{dict(OTHER_FORCES)[reporting_force]} reports that"
        lead, narrative = _summary(
            self.rng, category, relationship, source, person, day, lead=lead, note=note
        )
        allegation = _Allegation(
            source=source,
            received_on=received_on,
            incident_date=incident_date,
            category=category,
            summary=f"{lead} {narrative}",
            subject=self.recorded_subject(person, day, source, relationship, allow_staff_id=allow_staff_id),
            complainant_ref=complainant_ref,
            relationship=relationship,
            outcome=outcome[0],
            outcome_on=outcome[1],
            person=person if person.registered else None,
            narrative=narrative,
            reporting_force=reporting_force,
        )
        self.allegations.append(allegation)
        return allegation

    # -- planted serial subjects --

    def plant_serials(self) -> None:
        for plan in _SERIAL_PLANS:
            person = self.pick_serial_subject(plan)
            person.pattern = SERIAL
            self.serials.append((person, plan, self.serial_allegations(person, plan)))

    def pick_serial_subject(self, plan: _SerialPlan) -> _Person:
        if plan.transferred_from:
            # Joined four to six years ago, so his previous force's report is inside the window.
            joined_between = (_add_years(REFERENCE_DATE, -6), _add_years(REFERENCE_DATE, -4))
        else:
            joined_between = (date(1985, 1, 1), _add_years(REFERENCE_DATE, -10))

        def eligible(person: _Person, roles: tuple[str, ...]) -> bool:
            return (
                person.sex == "M"
                and person.employment_type == plan.employment_type
                and person.left_on is None
                and person.spouse is None
                and not person.pattern
                and not person.former_surname
                and joined_between[0] <= person.joined_on <= joined_between[1]
                and (not roles or person.current.role in roles)
            )

        for roles in (plan.roles, ()):
            candidates = [person for person in self.people if eligible(person, roles)]
            if plan.name is not None:
                named = [p for p in candidates if (p.first_forename, p.surname) == plan.name]
                if named:
                    return self.rng.choice(named)
            if candidates:
                person = self.rng.choice(candidates)
                if plan.name is not None:
                    _rename(person, *plan.name)
                return person
        raise ValueError(f"the register is too small to plant: {plan.description}")

    def serial_allegations(self, person: _Person, plan: _SerialPlan) -> list[_Allegation]:
        rng = self.rng
        steps = list(plan.steps)
        first_day = max(WINDOW_START, person.joined_on + timedelta(days=90))
        dated: list[tuple[_Step, date]] = []
        if plan.transferred_from:
            before_joining = _random_date(
                rng, person.joined_on - timedelta(days=900), person.joined_on - timedelta(days=240)
            )
            dated.append((steps.pop(0), before_joining))
        dated.extend(
            zip(
                steps,
                _spread_dates(rng, first_day, REFERENCE_DATE - timedelta(days=60), len(steps), 45),
                strict=True,
            )
        )
        if plan.renamed:
            person.former_surname = person.surname
            person.surname = _name_bank().surname(rng, "english", "M")
            if person.surname == person.former_surname:
                person.surname = f"{person.former_surname}-Hart"
            person.surname_changed_on = dated[1][1] + (dated[2][1] - dated[1][1]) / 2
        complainants: dict[int, str] = {}
        made: list[_Allegation] = []
        staff_ids_given = 0
        for step, received_on in dated:
            if step.complainant and step.complainant not in complainants:
                complainants[step.complainant] = self.new_complainant()
            outcome = rng.choice(CLOSED_WITHOUT_ACTION)
            closed_on = received_on + timedelta(
                days=rng.randint(20, min(400, (REFERENCE_DATE - received_on).days))
            )
            # Reports mostly lack his staff number; only internal ones may carry it, and rarely.
            allow_staff_id = (
                step.source in ("self_report", "colleague_report")
                and staff_ids_given < 2
                and _chance(rng, 0.6)
            )
            if plan.transferred_from and not made:
                allegation = self.pre_joining_report(
                    person, plan.transferred_from, step, received_on, complainants[step.complainant]
                )
            else:
                allegation = self.add(
                    person,
                    category=step.category,
                    relationship=step.relationship,
                    source=step.source,
                    received_on=received_on,
                    complainant_ref=complainants.get(step.complainant, ""),
                    outcome=(outcome, closed_on),
                    allow_staff_id=allow_staff_id,
                    note=step.note,
                )
            staff_ids_given += bool(allegation.subject["subject_staff_id"])
            made.append(allegation)
        return made

    def pre_joining_report(
        self, person: _Person, code: str, step: _Step, received_on: date, complainant_ref: str
    ) -> _Allegation:
        """His previous force's record: full name and date of birth, their force code, no staff number
        of ours (he had none yet)."""
        rng = self.rng
        incident = received_on - timedelta(days=rng.randint(5, 40))
        force_name = dict(OTHER_FORCES)[code]
        allegation = _Allegation(
            source=step.source,
            received_on=received_on,
            incident_date=incident.isoformat(),
            category=step.category,
            summary=(
                f"{force_name} reports that a colleague alleged PC {person.surname} made repeated sexual "
                "comments and sent her unwanted messages on night shifts. Dealt with by local resolution; "
                "he has since resigned to transfer to another force."
            ),
            subject={
                "subject_name": rng.choice(
                    (f"{person.forenames} {person.surname}", f"{person.surname.upper()}, {person.forenames}")
                ),
                "subject_staff_id": "",
                "subject_shoulder_number": "",
                "subject_rank": "PC",
                "subject_command": "Harrowgate District",
                "subject_force": code,
                "subject_dob": person.date_of_birth.isoformat(),
                "subject_details": f"serving officer with {force_name} at the time, Harrowgate station",
            },
            complainant_ref=complainant_ref,
            relationship=step.relationship,
            outcome="no_further_action",
            outcome_on=received_on + timedelta(days=rng.randint(30, 150)),
            person=person,
            reporting_force=code,
        )
        self.allegations.append(allegation)
        return allegation

    # -- low-severity runs, serving couples --

    def plant_low_runs(self) -> None:
        rng = self.rng
        joined_before = _add_years(REFERENCE_DATE, -5)
        candidates = [
            person
            for person in self.people
            if person.employment_type in (OFFICER, STAFF)
            and person.left_on is None
            and person.joined_on < joined_before
        ]
        for theme, relationship, categories, sources in _LOW_RUNS:
            person = rng.choice(candidates)
            while person.pattern:
                person = rng.choice(candidates)
            person.pattern = LOW_SEVERITY_RUN
            complainant_ref = self.new_complainant()
            count = rng.randint(3, 5)
            start = _random_date(rng, WINDOW_START, _add_years(REFERENCE_DATE, -4))
            end = _random_date(rng, start + timedelta(days=365), REFERENCE_DATE - timedelta(days=30))
            made = []
            for received_on in _spread_dates(rng, start, end, count, 30):
                category = rng.choice(categories)
                outcome = rng.choice(("no_further_action", "no_case_to_answer", "management_action"))
                closed_on = received_on + timedelta(
                    days=rng.randint(10, min(200, (REFERENCE_DATE - received_on).days))
                )
                made.append(
                    self.add(
                        person,
                        category=category,
                        relationship=relationship,
                        source=rng.choice(sources),
                        received_on=received_on,
                        complainant_ref=complainant_ref,
                        outcome=(outcome, closed_on),
                    )
                )
            self.low_runs.append((person, theme, made))

    def plant_couple_reports(self, count: int) -> None:
        """Domestic reports in which the complainant is the subject's spouse, also on the register
        (complainant_ref "CCP/<staff_id>")."""
        rng = self.rng
        for husband, wife in rng.sample(self.couples, min(count, len(self.couples))):
            subject, spouse = (husband, wife) if _chance(rng, 0.85) else (wife, husband)
            if subject.pattern or spouse.pattern or wife.surname_changed_on is None:
                continue
            start = max(wife.surname_changed_on, WINDOW_START, subject.joined_on, spouse.joined_on)
            if (REFERENCE_DATE - start).days < 120:
                continue
            subject.pattern = SERVING_COUPLE
            category = _COUPLE_CATEGORIES.draw(rng)
            source = _COUPLE_SOURCES.draw(rng)
            if source == "self_report" and category not in _SELF_REPORTABLE:
                source = "hotline"
            received_on = _recent_date(rng, start + timedelta(days=30), REFERENCE_DATE - timedelta(days=5))
            spouse_kind = _EMPLOYMENT_NOUNS[spouse.employment_type]
            allegation = self.add(
                subject,
                category=category,
                relationship="partner",
                source=source,
                received_on=received_on,
                complainant_ref=f"{FORCE}/{spouse.staff_id}",
                outcome=self.outcome(category, received_on, may_end_service=False),
                lead=""
                if source == "self_report"
                else f"{_pronouns(subject.sex)[1].capitalize()} partner, also {spouse_kind}, reports that",
            )
            self.couple_reports.append((subject, spouse, allegation))

    # -- people not on the register --

    def plant_unregistered(self, count: int) -> None:
        """Allegations about people not on the register: former officers who left before it begins,
        other forces' officers, and men who only claimed to be police. Their names may well match
        someone who is on it."""
        rng = self.rng
        made = 0
        while made < count:
            kind = _Weighted([("former", 45.0), ("other_force", 35.0), ("claimed", 20.0)]).draw(rng)
            person = self.unregistered_person(kind)
            if kind == "former":
                force, source = FORCE, rng.choice(("hotline", "public_complaint", "criminal_investigation"))
                category = _FORMER_OFFICER_CATEGORIES.draw(rng)
                note = f"He left the force in about {person.service_end.year}."
                details: tuple[str, ...] = ()
            elif kind == "other_force":
                force, name = rng.choice(OTHER_FORCES)
                source = rng.choice(("other_force", "public_complaint", "hotline"))
                category = _CATEGORY_WEIGHTS.draw(rng)
                note = "He is believed to serve with another force."
                details = ("", f"says he is an officer with {name}", f"{name} officer")
            else:
                force, source = FORCE, rng.choice(("hotline", "public_complaint", "intelligence"))
                category = rng.choice(
                    ("inappropriate_behaviour", "sexual_assault", "abuse_of_position_sexual", "other")
                )
                note = "He said he was a police officer; no trace of him on force systems."
                details = ("", "claimed to be a police officer", "showed what looked like a warrant card")
            relationship = _RELATIONSHIP_FOR[category].draw(rng)
            for _ in range(min(count - made, 1 if _chance(rng, 0.85) else 2)):
                received_on = _recent_date(rng, WINDOW_START, REFERENCE_DATE - timedelta(days=3))
                allegation = self.add(
                    person,
                    category=category,
                    relationship=relationship,
                    source=source,
                    received_on=received_on,
                    complainant_ref=self.new_complainant() if _chance(rng, 0.85) else "",
                    outcome=self.outcome(category, received_on, may_end_service=False),
                    allow_staff_id=kind == "former",
                    note=note,
                )
                subject = allegation.subject
                subject["subject_force"] = force if _chance(rng, 0.6) else ""
                if kind == "former":  # a historic allegation, made years after the incident
                    incident = _random_date(rng, person.joined_on, person.service_end)
                    allegation.incident_date = (
                        incident.isoformat() if _chance(rng, 0.5) else str(incident.year)
                    )
                else:  # our records describe none of them: only what the complainant saw or was told
                    subject["subject_staff_id"] = subject["subject_command"] = ""
                    subject["subject_details"] = rng.choice(details)
                    number = subject["subject_shoulder_number"].rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    subject["subject_shoulder_number"] = number if kind == "other_force" else ""
                made += 1

    def unregistered_person(self, kind: str) -> _Person:
        rng = self.rng
        while True:
            person = _make_person(rng, _name_bank(), _ShoulderNumbers(MIN_STAFF))
            if person.sex == "M":
                break
        person.registered = False
        person.employment_type = OFFICER
        if kind == "former":
            person.left_on = _random_date(rng, date(2009, 1, 1), WINDOW_START - timedelta(days=30))
            person.joined_on = person.left_on - timedelta(days=rng.randint(800, 9000))
            person.date_of_birth = person.joined_on - timedelta(days=rng.randint(19 * 365, 35 * 365))
            person.staff_id = self.unused_staff_id()
        command = _COMMANDS_FOR[OFFICER].draw(rng)
        number = f"{rng.randrange(100, 10_000)}{command.code}"
        person.postings = [_Posting(person.joined_on, "Constable", command, "Response", number)]
        return person

    # -- everyone else --

    def fill_background(self, budget: int) -> None:
        """Ordinary subjects, drawn by exposure, until `budget` allegations are made."""
        rng = self.rng
        weights = _Weighted((person, _subject_weight(person)) for person in self.people)
        made = 0
        tries = 0
        while made < budget and tries < max(budget, 1) * 50:
            tries += 1
            person = weights.draw(rng)
            if person.pattern:
                continue
            person.pattern = "background"
            made += self.background_subject(person)

    def background_subject(self, person: _Person) -> int:
        """One to four unrelated reports about an ordinary subject (a complainant sometimes reports
        twice); returns how many allegations were made."""
        rng = self.rng
        start, end = _allegation_window(person)
        incidents = _INCIDENTS_PER_SUBJECT.draw(rng)
        days = sorted(_recent_date(rng, start, end) for _ in range(incidents))
        made = 0
        previous: tuple[str, str] | None = None  # (relationship, complainant_ref)
        for index, received_on in enumerate(days):
            if previous is not None and previous[0] and _chance(rng, 0.2):
                relationship, complainant_ref = previous
                category = _category_for(rng, relationship)
            else:
                category = _CATEGORY_WEIGHTS.draw(rng)
                relationship = _RELATIONSHIP_FOR[category].draw(rng)
                complainant_ref = ""
            source = _SOURCE_FOR[relationship].draw(rng)
            if source == "self_report" and category not in _SELF_REPORTABLE:
                source = "hotline"
            if source == "intelligence" and _chance(rng, 0.5):
                relationship, complainant_ref = "", ""
            elif not complainant_ref and not (source == "hotline" and _chance(rng, 0.25)):
                complainant_ref = self.new_complainant()
            is_last = index == len(days) - 1
            outcome = self.outcome(category, received_on, may_end_service=is_last and person.left_on is None)
            allegation = self.add(
                person,
                category=category,
                relationship=relationship,
                source=source,
                received_on=received_on,
                complainant_ref=complainant_ref,
                outcome=outcome,
            )
            made += 1
            if outcome[0] in _ENDS_SERVICE and outcome[1] is not None:
                person.left_on = (
                    outcome[1]
                    if outcome[0] == "dismissed"
                    else min(REFERENCE_DATE, outcome[1] + timedelta(days=rng.randint(14, 60)))
                )
                self.withdrawn_on[person.staff_id] = outcome[1]
            if source == "hotline" and _chance(rng, 0.15):
                made += self.repeat_calls_about(allegation)
            previous = (relationship, complainant_ref)
        return made

    def repeat_calls_about(self, first: _Allegation) -> int:
        """The same caller rings the hotline again within days about the same incident."""
        rng = self.rng
        person = first.person
        assert person is not None
        group = [first]
        # Same story, told again: a different opening and perhaps something added.
        for lead in rng.sample(_REPEAT_LEADS, 1 if _chance(rng, 0.7) else 2):
            received_on = group[-1].received_on + timedelta(days=rng.randint(1, 6))
            if received_on > REFERENCE_DATE:
                break
            day = date.fromisoformat(first.incident_date) if len(first.incident_date) == 10 else received_on
            summary = f"{lead} {first.narrative}{rng.choice(_REPEAT_ADDITIONS)}"
            repeat = _Allegation(
                source="hotline",
                received_on=received_on,
                incident_date=first.incident_date,
                category=first.category,
                summary=summary,
                subject=self.recorded_subject(person, day, "hotline", first.relationship),
                complainant_ref=first.complainant_ref if _chance(rng, 0.8) else "",
                relationship=first.relationship,
                outcome=first.outcome,
                outcome_on=first.outcome_on
                if first.outcome_on is None
                else max(first.outcome_on, received_on),
                person=person,
                narrative=first.narrative,
            )
            self.allegations.append(repeat)
            group.append(repeat)
        if len(group) > 1:
            self.repeat_calls.append(group)
        return len(group) - 1


def _spread_dates(rng: Random, start: date, end: date, count: int, min_gap_days: int) -> list[date]:
    """`count` sorted dates in [start, end], at least `min_gap_days` apart (when there is room)."""
    gap = min(min_gap_days, max(0, (end - start).days // max(count, 1)))
    room = max(0, (end - start).days - gap * (count - 1))
    offsets = sorted(rng.randint(0, room) for _ in range(count))
    return [start + timedelta(days=offset + index * gap) for index, offset in enumerate(offsets)]


def _allegation_window(person: _Person) -> tuple[date, date]:
    """When allegations about someone can be received: while serving (and a little after leaving),
    within the ten-year window."""
    start = max(WINDOW_START, person.joined_on + timedelta(days=14))
    end = min(REFERENCE_DATE - timedelta(days=1), person.service_end + timedelta(days=120))
    return start, end


_ROLE_RISK = {
    "Response": 1.5,
    "Firearms": 1.2,
    "Custody": 1.2,
    "Detention officer": 1.2,
    "Neighbourhood": 1.1,
}
_EMPLOYMENT_RISK = {OFFICER: 1.0, SPECIAL: 0.6, STAFF: 0.35, VOLUNTEER: 0.2}
_SEX_RISK = {"M": 1.0, "F": 0.35, "X": 0.6}


def _subject_weight(person: _Person) -> float:
    """How likely someone is to be reported: public-facing men most, and only while serving."""
    start, end = _allegation_window(person)
    if (end - start).days < 60:
        return 0.0
    exposure = min(1.0, max(0.05, _years_between(start, end) / 10))
    return (
        _EMPLOYMENT_RISK[person.employment_type]
        * _SEX_RISK[person.sex]
        * _ROLE_RISK.get(person.current.role, 1.0)
        * exposure
    )


def _category_for(rng: Random, relationship: str) -> str:
    """A category plausible for a complainant of this relationship (for a repeat complainant)."""
    return _Weighted(
        (category, weight * _RELATIONSHIPS_BY_CATEGORY[category].get(relationship, 0))
        for category, weight in zip(_CATEGORY_WEIGHTS.items, _weights_of(_CATEGORY_WEIGHTS), strict=True)
    ).draw(rng)


def _weights_of(weighted: _Weighted[T]) -> list[float]:
    previous = 0.0
    weights = []
    for total in weighted.cumulative:
        weights.append(total - previous)
        previous = total
    return weights


# --- assembly ---------------------------------------------------------------------------------------


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
        "complainant_relationship": allegation.relationship,
        "outcome": allegation.outcome,
        "outcome_on": allegation.outcome_on.isoformat() if allegation.outcome_on else "",
    }


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
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row[column] for column in columns] for row in rows)
    return files
