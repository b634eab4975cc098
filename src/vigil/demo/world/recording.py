"""How sources record a subject: per-source habits, name styles and typos, rank words, identifying
details and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from vigil.demo.world.draws import _ascii, _chance, _Weighted, _weighted
from vigil.demo.world.force import OFFICER, SPECIAL, STAFF, VOLUNTEER, _Command, _Posting
from vigil.demo.world.names import _nickname
from vigil.demo.world.people import _Person


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
