"""Writes for people outside the import: identity changes an import file cannot express."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.people.models import FormerStaffNumber, Person


@transaction.atomic
def person_staff_number_change(
    *, person: Person, new_staff_id: str, changed_on: dt.date, reason: str
) -> Person:
    """Give a person a new staff number, keeping the old one as a FormerStaffNumber so that
    records naming it still lead to them. Later personnel imports use the new number."""
    new_staff_id = new_staff_id.strip()
    if not new_staff_id or new_staff_id == person.staff_id:
        raise ValidationError("the new staff number must differ from the current one")
    if Person.objects.filter(force=person.force, staff_id=new_staff_id).exists():
        raise ValidationError(f"staff number {new_staff_id} already belongs to someone in {person.force}")
    FormerStaffNumber.objects.create(
        person=person, force=person.force, staff_id=person.staff_id, replaced_on=changed_on, reason=reason
    )
    person.staff_id = new_staff_id
    person.full_clean()
    person.save(update_fields=["staff_id", "updated_at"])
    return person
