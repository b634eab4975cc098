"""Helpers for the intake tests: a filed call, and a scored person to be its subject."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import connection

from tests.factories import person_create, vetting_create
from tests.risk.data import linked_allegation
from vigil.allegations.models import Allegation
from vigil.intake.models import Channel, HotlineReport
from vigil.intake.services import ReportInput, report_file
from vigil.people.models import Person
from vigil.risk.services import scores_compute


def call(handler: User, **fields: Any) -> HotlineReport:
    """File one call from the form; `fields` override ReportInput's."""
    values: dict[str, Any] = {
        "caller_type": "victim",
        "narrative": "He pushed me against the wall and took my phone away.",
        "category": "domestic_violence",
        **fields,
    }
    report, created = report_file(data=ReportInput(**values), channel=Channel.FORM, call_handler=handler)
    assert created
    return report


def scored_person(allegations: int = 1, **fields: Any) -> Person:
    """A person with `allegations` linked allegations, scored by a full run (the baseline)."""
    person = person_create(**fields)
    vetting_create(person=person, granted_on=dt.date(2019, 1, 15), expires_on=dt.date(2034, 1, 15))
    for index in range(allegations):
        linked_allegation(
            person=person, category="sexual_harassment", received_on=dt.date(2018, 5, 1 + index)
        )
    scores_compute()
    return person


def stored_contact(allegation_id: int) -> str:
    """The contact column exactly as the database holds it (a sealed token, never plaintext)."""
    table = Allegation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT complainant_contact FROM {table} WHERE id = %s", [allegation_id])  # noqa: S608
        [(stored,)] = cursor.fetchall()
    return str(stored)
