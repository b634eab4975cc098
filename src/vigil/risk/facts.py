"""What the scorer is given about a person, and nothing more.

These two records are the whole input of a risk score (vigil.risk.scoring). They are read from
the database by vigil.risk.selectors, which names every column it reads. No protected
characteristic (ethnicity, sex, age as such, ...) is among them: they cannot weigh on a score
because the scorer never sees them. tests/risk/test_protected_characteristics.py holds both
halves of that promise: these fields, and scores that do not move when the characteristics do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Person fields that must never reach the scorer (checked by a test against PersonFacts' fields).
PROTECTED_FIELDS = frozenset({"sex", "ethnicity", "ethnicity_code", "date_of_birth"})


@dataclass(slots=True)
class AllegationFacts:
    allegation_id: int
    ref: str
    received_on: date
    incident_date: date | None
    category: str
    source: str
    complainant: str  # "" when none is recorded (anonymous, intelligence)
    outcome_class: str  # vigil.allegations.vocabularies OUTCOME_CLASSES, "" when none recorded
    outcome_on: date | None
    text: str  # summary and subject details, lower-cased: read for signs of abuse of position
    subject_force: str

    @property
    def occurred_on(self) -> date:
        """When it happened, as near as is known: the incident date, else when it was received."""
        return self.incident_date or self.received_on


@dataclass(slots=True)
class PersonFacts:
    person_id: int
    force: str
    joined_on: date | None
    left_on: date | None
    role: str  # role, command and rank as one lower-cased text: read for role exposure
    last_vetting_granted: date | None
    last_vetting_expires: date | None
    allegations: list[AllegationFacts] = field(default_factory=list)
