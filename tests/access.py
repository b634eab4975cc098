"""Test helpers for need-to-know: give a user records to see, and justify opening them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from vigil.accounts.services import access_grant, team_ensure

JUSTIFICATION = {
    "justification-reason": "assigned_case",
    "justification-text": "Reviewing the case I was given.",
}


def grant_caseload(user: User, *, team_name: str = "Assessment Unit") -> None:
    """Put the user in a team holding the whole caseload (reaches assessors and supervisors)."""
    team = team_ensure(name=team_name, members=[user])
    access_grant(granted_by=None, reason="test caseload", team=team, caseload=True)
    user._vigil_access = None  # type: ignore[attr-defined]


def open_record(client: Client, url: str, **params: Any) -> Any:
    """GET a record page, giving the justification first if the page asks for one."""
    response = client.get(url, params)
    if response.status_code == 200 and "justification-reason" in response.content.decode():
        posted = client.post(url, JUSTIFICATION)
        assert posted.status_code == 302, posted.content.decode()[:500]
        response = client.get(url, params)
    return response


API_HEADERS = {
    "X-Vigil-Justification-Reason": "assigned_case",
    "X-Vigil-Justification": "Reviewing the case I was given.",
    "X-Vigil-Recipient": "case review tool",
}
