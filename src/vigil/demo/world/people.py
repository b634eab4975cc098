"""The people on the register: heritage, names, births, careers, staff ids, namesakes and serving
couples."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from vigil.demo.world.draws import _add_years, _chance, _random_date, _Weighted, _weighted, _years_between
from vigil.demo.world.force import (
    _COMMANDS_FOR,
    _EMPLOYMENT_TYPES,
    _RANK_BY_SERVICE,
    _SEX_BY_EMPLOYMENT,
    _SPECIAL_ROLES,
    _STAFF_GRADES,
    _TRANSFERS,
    _VOLUNTEER_ROLES,
    OFFICER,
    OFFICER_RANKS,
    SPECIAL,
    SPECIAL_RANKS,
    STAFF,
    VOLUNTEER,
    _Command,
    _Posting,
    _ShoulderNumbers,
)
from vigil.demo.world.model import REFERENCE_DATE
from vigil.demo.world.names import _NameBank, _nickname, _polish_feminine
from vigil.people.vocabularies import ETHNICITIES

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
