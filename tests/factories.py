"""Small keyword-only factories for test rows, written through the ORM. Every argument has a
plain default, so a test names only what it cares about:

    person = person_create(surname="Okafor", aliases=["Gracie Okafor"], shoulder_numbers=["1234CW"])
    vetting_create(person=person, level="MV", expires_on=dt.date(2020, 1, 1))
    allegation_create(category="rape", subject_staff_id=person.staff_id, subject_force=person.force)

Reference data (Category/Source/Relationship/Outcome) exists after migrate, so allegations take
vocabulary codes (see vigil.allegations.vocabularies). All data is synthetic."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from vigil.allegations.models import Allegation
from vigil.people.models import (
    FormerStaffNumber,
    NameKind,
    Person,
    PersonName,
    RoleRecord,
    ShoulderNumber,
    VettingClearance,
)

DEFAULT_FORCE = "Testshire Police"
RECORDED = dt.date(2024, 1, 1)  # when the factories say a name/number/role was first recorded

_staff_ids = itertools.count(100001)
_refs = itertools.count(1)


def next_staff_id() -> str:
    return str(next(_staff_ids))


def next_allegation_ref() -> str:
    return f"T{next(_refs):08d}"


def person_create(
    *,
    force: str = DEFAULT_FORCE,
    staff_id: str | None = None,
    surname: str = "Smith",
    forenames: str = "Jane",
    date_of_birth: dt.date | None = dt.date(1985, 6, 1),
    date_of_birth_precision: str = "D",
    sex: str = "",
    ethnicity: str = "",
    ethnicity_code: str = "",
    rank_or_grade: str = "Constable",
    role: str = "Response officer",
    command: str = "North BCU",
    employment_type: str = "officer",
    joined_on: dt.date | None = dt.date(2010, 9, 1),
    joined_on_precision: str = "D",
    left_on: dt.date | None = None,
    left_on_precision: str = "D",
    aliases: Iterable[str] = (),
    former_names: Iterable[str] = (),
    shoulder_numbers: Sequence[str] = (),
    roles: Iterable[dict[str, Any]] = (),
    recorded_from: dt.date = RECORDED,
) -> Person:
    """A person with a legal PersonName, the aliases and former names given (former ones ended on
    `recorded_from`), shoulder numbers (the first is current) and a current RoleRecord matching
    the person's rank/role/command; `roles` adds earlier RoleRecords (dicts of RoleRecord fields)."""
    person = Person.objects.create(
        force=force,
        staff_id=staff_id if staff_id is not None else next_staff_id(),
        surname=surname,
        forenames=forenames,
        date_of_birth=date_of_birth,
        date_of_birth_precision=date_of_birth_precision,
        sex=sex,
        ethnicity=ethnicity,
        ethnicity_code=ethnicity_code,
        rank_or_grade=rank_or_grade,
        role=role,
        command=command,
        employment_type=employment_type,
        joined_on=joined_on,
        joined_on_precision=joined_on_precision,
        left_on=left_on,
        left_on_precision=left_on_precision,
    )
    names = [
        PersonName(
            person=person,
            kind=NameKind.LEGAL,
            full_name=f"{forenames} {surname}",
            surname=surname,
            forenames=forenames,
            recorded_from=recorded_from,
        )
    ]
    names += [
        PersonName(person=person, kind=NameKind.ALIAS, full_name=alias, recorded_from=recorded_from)
        for alias in aliases
    ]
    names += [
        PersonName(
            person=person,
            kind=NameKind.FORMER,
            full_name=former,
            recorded_from=recorded_from - dt.timedelta(days=3650),
            recorded_until=recorded_from,
        )
        for former in former_names
    ]
    PersonName.objects.bulk_create(names)
    ShoulderNumber.objects.bulk_create(
        ShoulderNumber(
            person=person, number=number, is_current=index == 0, sequence=index, recorded_from=recorded_from
        )
        for index, number in enumerate(shoulder_numbers)
    )
    RoleRecord.objects.create(
        person=person,
        rank_or_grade=rank_or_grade,
        role=role,
        command=command,
        employment_type=employment_type,
        recorded_from=recorded_from,
    )
    for earlier in roles:
        RoleRecord.objects.create(
            person=person,
            **{"employment_type": employment_type, "recorded_until": recorded_from, **earlier},
        )
    return person


def former_staff_number_create(
    *,
    person: Person,
    staff_id: str | None = None,
    force: str | None = None,
    replaced_on: dt.date = dt.date(2020, 4, 1),
    reason: str = "Renumbered on transfer",
) -> FormerStaffNumber:
    return FormerStaffNumber.objects.create(
        person=person,
        force=force if force is not None else person.force,
        staff_id=staff_id if staff_id is not None else next_staff_id(),
        replaced_on=replaced_on,
        reason=reason,
    )


def vetting_create(
    *,
    person: Person,
    level: str = "RV",
    granted_on: dt.date = dt.date(2020, 1, 15),
    granted_on_precision: str = "D",
    expires_on: dt.date | None = dt.date(2030, 1, 15),
    expires_on_precision: str = "D",
    outcome: str = "granted",
) -> VettingClearance:
    return VettingClearance.objects.create(
        person=person,
        level=level,
        granted_on=granted_on,
        granted_on_precision=granted_on_precision,
        expires_on=expires_on,
        expires_on_precision=expires_on_precision,
        outcome=outcome,
    )


def allegation_build(
    *,
    source: str = "public_complaint",
    ref: str | None = None,
    received_on: dt.date = dt.date(2024, 3, 1),
    received_on_precision: str = "D",
    incident_date: dt.date | None = None,
    incident_date_precision: str = "D",
    category: str = "inappropriate_behaviour",
    summary: str = "Synthetic test allegation.",
    subject_name: str = "",
    subject_staff_id: str = "",
    subject_shoulder_number: str = "",
    subject_rank: str = "",
    subject_command: str = "",
    subject_force: str = "",
    subject_dob: dt.date | None = None,
    subject_dob_precision: str = "D",
    subject_details: str = "",
    complainant_ref: str = "",
    complainant_relationship: str | None = None,
    complainant_contact: str = "",
    outcome: str | None = None,
    outcome_on: dt.date | None = None,
    outcome_on_precision: str = "D",
) -> Allegation:
    """An unsaved Allegation (for bulk_create); codes name the reference rows."""
    now = timezone.now()
    return Allegation(
        source_system_id=source,
        allegation_ref=ref if ref is not None else next_allegation_ref(),
        received_on=received_on,
        received_on_precision=received_on_precision,
        incident_date=incident_date,
        incident_date_precision=incident_date_precision,
        category_id=category,
        summary=summary,
        subject_name=subject_name,
        subject_staff_id=subject_staff_id,
        subject_shoulder_number=subject_shoulder_number,
        subject_rank=subject_rank,
        subject_command=subject_command,
        subject_force=subject_force,
        subject_dob=subject_dob,
        subject_dob_precision=subject_dob_precision,
        subject_details=subject_details,
        complainant_ref=complainant_ref,
        complainant_contact=complainant_contact,  # sealed on save
        complainant_relationship_id=complainant_relationship,
        outcome_id=outcome,
        outcome_on=outcome_on,
        outcome_on_precision=outcome_on_precision,
        created_at=now,
        updated_at=now,
    )


def allegation_create(**fields: Any) -> Allegation:
    """A saved Allegation; takes the keyword arguments of allegation_build."""
    allegation = allegation_build(**fields)
    allegation.save()
    return allegation


def allegation_naming(*, person: Person, **fields: Any) -> Allegation:
    """A saved allegation whose subject as recorded is this person (name, staff ID, force)."""
    subject: dict[str, Any] = {
        "subject_name": f"{person.forenames} {person.surname}",
        "subject_staff_id": person.staff_id,
        "subject_force": person.force,
    }
    return allegation_create(**{**subject, **fields})
