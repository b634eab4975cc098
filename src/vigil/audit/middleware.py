"""Give each request an id, so the audit entries written while serving it can be grouped."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from django.http import HttpRequest, HttpResponse


class RequestIdMiddleware:
    """Sets `request.vigil_request_id`; `audit_record` stores it on every entry of the request.
    Always generated here, never taken from a header: a client must not choose it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.vigil_request_id = str(uuid4())  # type: ignore[attr-defined]
        return self.get_response(request)
