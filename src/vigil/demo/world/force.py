"""The force's structure: employment types, commands and their roles, staff grades, ranks, postings
and shoulder numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from vigil.demo.world.draws import _Weighted

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
