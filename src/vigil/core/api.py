"""The JSON API's shared rules. Every API read is a disclosure (the record leaves Vigil for another
tool), so it must carry a justification and name its recipient, as headers:

    X-Vigil-Justification-Reason: a reason code (see vigil.audit.justification)
    X-Vigil-Justification:        the caller's own words (at least 10 characters)
    X-Vigil-Recipient:            who receives the data (a system, a team, a person)

A refused or missing record is the same 404; errors are {"error": "..."} with a plain message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse

from vigil.audit.justification import JUSTIFICATION_REASONS, Justification
from vigil.core.partial_dates import format_partial_date


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JsonResponse:
        return api_error(self.status, self.message)


def api_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api_disclosure_terms(request: HttpRequest) -> tuple[Justification, str]:
    """The justification and recipient an API read must carry; ApiError(400) naming what is missing."""
    reason = request.headers.get("X-Vigil-Justification-Reason", "").strip()
    text = request.headers.get("X-Vigil-Justification", "").strip()
    recipient = request.headers.get("X-Vigil-Recipient", "").strip()
    if reason not in JUSTIFICATION_REASONS.codes():
        raise ApiError(
            400,
            "Give the X-Vigil-Justification-Reason header, one of: "
            + ", ".join(JUSTIFICATION_REASONS.codes()),
        )
    if not recipient:
        raise ApiError(400, "Give the X-Vigil-Recipient header: who receives this data.")
    try:
        justification = Justification(reason=reason, text=text)
    except ValueError as error:
        raise ApiError(400, f"X-Vigil-Justification: {error}.") from None
    return justification, recipient[:250]


def json_date(value: dt.date | None, precision: str = "D") -> str | None:
    """A stored partial date as the import contract writes it (YYYY, YYYY-MM, YYYY-MM-DD), or None."""
    return format_partial_date(value, precision) or None


def json_body(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
