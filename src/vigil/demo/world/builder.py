"""The builder: plants the patterns, fills in the background allegations and records each one as
its source would."""

from __future__ import annotations

import math
from datetime import date, timedelta
from random import Random

from vigil.demo.world.allegations import (
    _CATEGORY_WEIGHTS,
    _ENDS_SERVICE,
    _INCIDENTS_PER_SUBJECT,
    _OUTCOMES_BY_SEVERITY,
    _RELATIONSHIP_FOR,
    _SELF_REPORTABLE,
    _SEVERITY,
    _SOURCE_FOR,
    _Allegation,
    _allegation_window,
    _category_for,
    _spread_dates,
    _subject_weight,
)
from vigil.demo.world.draws import _add_years, _chance, _partial_date, _random_date, _recent_date, _Weighted
from vigil.demo.world.force import _COMMANDS_FOR, OFFICER, STAFF, _Posting, _ShoulderNumbers
from vigil.demo.world.model import (
    CLOSED_WITHOUT_ACTION,
    FORCE,
    LOW_SEVERITY_RUN,
    MIN_STAFF,
    OTHER_FORCES,
    REFERENCE_DATE,
    SERIAL,
    SERVING_COUPLE,
    WINDOW_START,
)
from vigil.demo.world.names import _name_bank
from vigil.demo.world.narratives import _REPEAT_ADDITIONS, _REPEAT_LEADS, _summary
from vigil.demo.world.patterns import (
    _COUPLE_CATEGORIES,
    _COUPLE_SOURCES,
    _EMPLOYMENT_NOUNS,
    _FORMER_OFFICER_CATEGORIES,
    _LOW_RUNS,
    _SERIAL_PLANS,
    _SerialPlan,
    _Step,
)
from vigil.demo.world.people import _make_person, _Person, _rename
from vigil.demo.world.recording import (
    _HABITS,
    _INTIMATE_STYLES,
    _ONLINE_STYLES,
    _details,
    _mistype_digit,
    _pronouns,
    _rank_word,
    _recorded_command,
    _recorded_name,
)


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
