"""The people API: one person as JSON, for tools that consume Vigil (see vigil.core.api)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone

from vigil.accounts.access import access_person_by_id, allegations_visible_q, record_label_person
from vigil.audit.actions import Action
from vigil.core.api import ApiError, api_disclosure_terms, api_error, json_body, json_date
from vigil.people import selectors


def person_read(request: HttpRequest, person_id: int) -> JsonResponse:
    """GET /api/v1/people/<id>/: the person, their names, numbers, roles, vetting and the
    allegations naming them that the caller may see. Never sex or ethnicity."""
    from vigil.audit.services import audit_record

    try:
        justification, recipient = api_disclosure_terms(request)
        person = access_person_by_id(user=request.user, person_id=person_id, request=request)
    except ApiError as error:
        return error.response()
    except Http404:
        return api_error(404, "No person with that id is available to you.")
    profile = selectors.person_profile(
        person_id=person.pk,
        today=timezone.localdate(),
        allegations_visible=allegations_visible_q(request.user),
    )
    audit_record(
        action=Action.API_READ,
        actor=request.user,
        record_type="person",
        record_id=person.pk,
        record_label=record_label_person(person),
        justification=justification,
        recipient=recipient,
        request=request,
    )
    return json_body(_person_json(profile))


def _person_json(profile: selectors.PersonProfile) -> dict[str, Any]:
    person = profile.person
    return {
        "id": person.pk,
        "force": person.force,
        "staff_id": person.staff_id,
        "surname": person.surname,
        "forenames": person.forenames,
        "date_of_birth": json_date(person.date_of_birth, person.date_of_birth_precision),
        "rank_or_grade": person.rank_or_grade,
        "role": person.role,
        "command": person.command,
        "employment_type": person.employment_type,
        "joined_on": json_date(person.joined_on, person.joined_on_precision),
        "left_on": json_date(person.left_on, person.left_on_precision),
        "names": [
            {"kind": name.kind, "full_name": name.full_name, "current": name.recorded_until is None}
            for name in profile.names
        ],
        "shoulder_numbers": [{"number": n.number, "current": n.is_current} for n in profile.shoulder_numbers],
        "former_staff_numbers": [
            {"force": n.force, "staff_id": n.staff_id} for n in profile.former_staff_numbers
        ],
        "vetting": [
            {
                "level": row.clearance.level,
                "granted_on": json_date(row.clearance.granted_on, row.clearance.granted_on_precision),
                "expires_on": json_date(row.clearance.expires_on, row.clearance.expires_on_precision),
                "outcome": row.clearance.outcome,
                "expired": row.expired,
            }
            for row in profile.vetting
        ],
        "allegations": [
            {
                "id": allegation.pk,
                "source_system": allegation.source_system_id,
                "allegation_ref": allegation.allegation_ref,
                "received_on": json_date(allegation.received_on, allegation.received_on_precision),
                "category": allegation.category_id,
                "outcome": allegation.outcome_id,
            }
            for allegation in profile.allegations
        ],
    }
