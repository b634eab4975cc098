"""The allegations API: one allegation as JSON, for tools that consume Vigil (see vigil.core.api)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse

from vigil.accounts.access import access_allegation_by_id, record_label_allegation
from vigil.allegations import selectors
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.core.api import ApiError, api_disclosure_terms, api_error, json_body, json_date


def allegation_read(request: HttpRequest, allegation_id: int) -> JsonResponse:
    """GET /api/v1/allegations/<id>/: the allegation as imported. A sealed contact is never sent:
    the API says whether there is one; it is opened in the UI, with its own justification."""
    from vigil.audit.services import audit_record

    try:
        justification, recipient = api_disclosure_terms(request)
        opened = access_allegation_by_id(user=request.user, allegation_id=allegation_id, request=request)
    except ApiError as error:
        return error.response()
    except Http404:
        return api_error(404, "No allegation with that id is available to you.")
    allegation = selectors.allegation_get(allegation_id=opened.pk)
    audit_record(
        action=Action.API_READ,
        actor=request.user,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=record_label_allegation(allegation),
        justification=justification,
        recipient=recipient,
        request=request,
    )
    return json_body(_allegation_json(allegation))


def _allegation_json(allegation: Allegation) -> dict[str, Any]:
    return {
        "id": allegation.pk,
        "source_system": allegation.source_system_id,
        "allegation_ref": allegation.allegation_ref,
        "received_on": json_date(allegation.received_on, allegation.received_on_precision),
        "incident_date": json_date(allegation.incident_date, allegation.incident_date_precision),
        "category": allegation.category_id,
        "summary": allegation.summary,
        "subject_name": allegation.subject_name,
        "subject_staff_id": allegation.subject_staff_id,
        "subject_shoulder_number": allegation.subject_shoulder_number,
        "subject_rank": allegation.subject_rank,
        "subject_command": allegation.subject_command,
        "subject_force": allegation.subject_force,
        "subject_dob": json_date(allegation.subject_dob, allegation.subject_dob_precision),
        "subject_details": allegation.subject_details,
        "complainant_ref": allegation.complainant_ref,
        "complainant_relationship": allegation.complainant_relationship_id,
        "outcome": allegation.outcome_id,
        "outcome_on": json_date(allegation.outcome_on, allegation.outcome_on_precision),
    }
