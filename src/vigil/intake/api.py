"""The intake API: the hotline provider's system pushes reports here.

    POST /api/intake/v1/reports                       file a report (201; 200 if already filed)
    GET  /api/intake/v1/reports/{client_report_id}    whether a report was received
    GET  /api/openapi.json                            this API's OpenAPI document

Each client has its own bearer token (`vigil intake-client add NAME` prints it once). The schema is
strict: unknown fields, wrong types, over-long text, NUL characters and impossible dates are 422
with every problem listed. Filing is idempotent on the client's report id: the same id again
returns the report already filed; the same id with other content is 409. Each client has a rate
limit per minute (429 with Retry-After). Nothing here reads case content back: the API collects."""

from __future__ import annotations

import datetime as dt
import json
from functools import wraps
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from vigil.allegations.vocabularies import CATEGORIES
from vigil.core import digests
from vigil.core.partial_dates import PartialDateError, parse_partial_date, parse_past_partial_date
from vigil.core.text import control_character_problem
from vigil.intake.models import CallerType, Channel, HotlineReport, IntakeClient
from vigil.intake.services import IntakeError, ReportInput, rate_limit_take, report_file, token_hash

# A provider's clock may run a little ahead of ours: received_at later than this is refused.
CLOCK_SKEW = dt.timedelta(minutes=5)


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class ClientToken(HttpBearer):
    """Authorization: Bearer <token>. Counts the request against the client's rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> IntakeClient | None:
        client = IntakeClient.objects.filter(token_hash=token_hash(token), active=True).first()
        if client is None:
            return None
        retry_after = rate_limit_take(client)
        if retry_after is not None:
            raise RateLimited(retry_after)
        return client


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; no honest report contains one, nor any other control or bidi
    # character (vigil.core.text): refused as the form and the imports refuse them.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    problem = control_character_problem(value)
    if problem is not None:
        raise ValueError(f"text {problem}")
    return value


def _text(max_length: int, *, min_length: int = 0) -> Any:
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)]


def _iso_text(value: object) -> object:
    # JSON has no datetime type: the model is strict, so the field parses ISO 8601 text itself
    # (lax for this field only) and refuses numbers, which lax parsing would take as Unix times.
    if not isinstance(value, str):
        raise ValueError("received_at must be ISO 8601 text with its UTC offset")
    return value


ReceivedAt = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_iso_text)]

CallerTypeCode = Literal["victim", "witness", "colleague", "family", "anonymous"]


def _known_category(value: str) -> str:
    if value not in CATEGORIES.codes():
        raise ValueError(f"not a category: choose one of {', '.join(CATEGORIES.codes())}")
    return value


CategoryCode = Annotated[
    str, AfterValidator(_known_category), WithJsonSchema({"type": "string", "enum": CATEGORIES.codes()})
]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)


class SubjectIn(Strict):
    """The subject as the caller described them: any of these, none required."""

    name: _text(250) = Field("", description="Name or nickname, as said")  # type: ignore[valid-type]
    staff_number: _text(32) = ""  # type: ignore[valid-type]
    shoulder_number: _text(20) = ""  # type: ignore[valid-type]
    rank: _text(100) = ""  # type: ignore[valid-type]
    station: _text(200) = ""  # type: ignore[valid-type]
    command: _text(200) = ""  # type: ignore[valid-type]
    vehicle: _text(200) = ""  # type: ignore[valid-type]
    uniform: _text(200) = ""  # type: ignore[valid-type]
    online_profile: _text(200) = Field("", description="Online profile or dating-app name")  # type: ignore[valid-type]
    other: _text(2000) = ""  # type: ignore[valid-type]


class ReportIn(Strict):
    client_report_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
    received_at: ReceivedAt | None = Field(None, description="When the call was taken (with its UTC offset)")
    caller_type: CallerTypeCode
    anonymity_requested: bool = False
    caller_name: _text(200) = Field("", description="Sealed at rest")  # type: ignore[valid-type]
    contact: _text(500) = Field("", description="Phone, email or address; sealed at rest")  # type: ignore[valid-type]
    narrative: _text(20_000, min_length=10) = Field(..., description="What happened, in the caller's words")  # type: ignore[valid-type]
    category: CategoryCode | None = Field(None, description="If absent, suggested from the narrative")
    incident_date: Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None = Field(
        None, description="YYYY, YYYY-MM or YYYY-MM-DD: as much as is known"
    )
    location: _text(250) = ""  # type: ignore[valid-type]
    subject: SubjectIn = Field(default_factory=lambda: SubjectIn.model_validate({}))
    immediate_risk: bool = Field(False, description="Someone is in danger now: the report is urgent")
    immediate_risk_detail: _text(2000) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _consistent(self) -> ReportIn:
        if self.immediate_risk and not self.immediate_risk_detail.strip():
            raise ValueError("immediate_risk_detail is required when immediate_risk is true")
        if len(self.narrative.strip()) < 10:
            raise ValueError("narrative must say what happened, in a sentence at least")
        if self.incident_date is not None:
            try:
                parse_past_partial_date(self.incident_date)
            except PartialDateError as error:
                raise ValueError(f"incident_date: {error}") from None
        if self.received_at is not None and not (dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= self.received_at):
            raise ValueError("received_at is before 2000")
        if self.received_at is not None and self.received_at > timezone.now() + CLOCK_SKEW:
            raise ValueError("received_at is in the future")
        return self


class ReportOut(Schema):
    report_id: str = Field(..., description="Vigil's reference for the report")
    client_report_id: str
    received_at: dt.datetime
    urgent: bool
    status: Literal["received"] = "received"


class Problem(Schema):
    error: str


class ProblemDetail(Schema):
    where: str = Field(..., description="The field, as a dotted path (body.payload.subject.name)")
    problem: str


class SchemaProblem(Problem):
    problems: list[ProblemDetail]


api = NinjaAPI(
    title="Vigil intake API",
    version="1",
    description=__doc__ or "",
    urls_namespace="intake_api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=ClientToken(),
)


def _openapi_guard(view: Any) -> Any:
    """The OpenAPI document for a client (its token) or a signed-in user, nobody else."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        known = (
            scheme.lower() == "bearer"
            and IntakeClient.objects.filter(token_hash=token_hash(token.strip()), active=True).exists()
        )
        if not (known or request.user.is_authenticated):
            return JsonResponse({"error": "Give your client token (Authorization: Bearer ...)."}, status=401)
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return guarded


api.docs_decorator = _openapi_guard


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"error": f"Rate limit reached: try again in {error.retry_after} s."}, status=429
    )
    response["Retry-After"] = str(error.retry_after)
    return response


# Every refusal is {"error": "..."} as the document declares, never ninja's {"detail": ...} or
# Django's HTML error page (schemathesis checks each answer against the document).
@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"error": "Give your client token (Authorization: Bearer ...)."}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    message = "The body is not JSON." if error.status_code == 400 else str(error)
    return api.create_response(request, {"error": message}, status=error.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(request, {"error": f"The body is larger than {limit} bytes."}, status=413)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    problems = [
        {"where": ".".join(str(part) for part in problem.get("loc", ())), "problem": problem.get("msg", "")}
        for problem in error.errors
    ]
    return api.create_response(
        request, {"error": "The report does not fit the schema.", "problems": problems}, status=422
    )


PAYLOAD_PURPOSE = "intake payload"


def payload_canonical(payload: ReportIn) -> str:
    """The report as the client sent it (its id aside), as one text: what a retry is compared on."""
    return json.dumps(payload.model_dump(mode="json", exclude={"client_report_id"}), sort_keys=True)


def _payload_digest(payload: ReportIn) -> str:
    # Keyed (vigil.core.digests): the payload holds the sealed caller's name and contact and every
    # other field is stored in plain columns, so a plain hash would give the contact back to anyone
    # with a copy of the database who tries every phone number.
    return digests.digest(payload_canonical(payload), purpose=PAYLOAD_PURPOSE)


def _out(report: HotlineReport) -> dict[str, Any]:
    return {
        "report_id": report.allegation.allegation_ref,
        "client_report_id": report.client_report_id,
        "received_at": report.received_at,
        "urgent": report.immediate_risk,
    }


def _input(payload: ReportIn) -> ReportInput:
    subject = payload.subject
    incident_date: dt.date | None = None
    precision = "D"
    if payload.incident_date:
        parsed = parse_partial_date(payload.incident_date)
        incident_date, precision = parsed.earliest, parsed.precision
    return ReportInput(
        caller_type=payload.caller_type,
        narrative=payload.narrative,
        category=payload.category or "",
        anonymity_requested=payload.anonymity_requested,
        caller_name=payload.caller_name,
        contact=payload.contact,
        incident_date=incident_date,
        incident_date_precision=precision,
        location=payload.location,
        subject_name=subject.name,
        subject_staff_id=subject.staff_number,
        subject_shoulder_number=subject.shoulder_number,
        subject_rank=subject.rank,
        subject_station=subject.station,
        subject_command=subject.command,
        subject_vehicle=subject.vehicle,
        subject_uniform=subject.uniform,
        subject_online_profile=subject.online_profile,
        subject_other=subject.other,
        immediate_risk=payload.immediate_risk,
        immediate_risk_detail=payload.immediate_risk_detail,
        client_report_id=payload.client_report_id,
        received_at=payload.received_at,
    )


@api.post(
    "/intake/v1/reports",
    response={
        200: ReportOut,
        201: ReportOut,
        400: Problem,
        401: Problem,
        409: Problem,
        413: Problem,
        422: SchemaProblem | Problem,
        429: Problem,
    },
    url_name="report_file",
    summary="File a hotline report",
)
def report_file_api(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    client: IntakeClient = request.auth  # type: ignore[attr-defined]
    digest = _payload_digest(payload)
    try:
        with transaction.atomic():
            report, created = report_file(
                data=_input(payload), channel=Channel.API, client=client, request=request
            )
            if created:
                HotlineReport.objects.filter(pk=report.pk).update(client_payload_hash=digest)
    except IntakeError as error:
        return Status(422, {"error": str(error)})
    if not created:
        same = digests.digest_matches(
            report.client_payload_hash, payload_canonical(payload), purpose=PAYLOAD_PURPOSE
        )
        if same is None:
            # Its digest was made under a retired key (erased by `vigil keys rotate`): the content
            # cannot be compared, so nothing says this retry is the same report.
            return Status(
                409,
                {
                    "error": f"client_report_id {payload.client_report_id!r} was filed already and its "
                    "content can no longer be compared; the first filing stands. Send a new id for a "
                    "new report."
                },
            )
        if not same:
            return Status(
                409,
                {
                    "error": f"client_report_id {payload.client_report_id!r} was filed already, with "
                    "other content; the first filing stands. Send a new id for a new report."
                },
            )
    return Status(201 if created else 200, _out(report))


@api.get(
    "/intake/v1/reports/{client_report_id}",
    response={200: ReportOut, 401: Problem, 404: Problem, 422: SchemaProblem, 429: Problem},
    url_name="report_status",
    summary="Whether a report was received",
)
def report_status_api(
    request: HttpRequest, client_report_id: Annotated[str, Field(min_length=1, max_length=64)]
) -> Status[dict[str, Any]]:
    client: IntakeClient = request.auth  # type: ignore[attr-defined]
    report = (
        HotlineReport.objects.select_related("allegation")
        .filter(client=client, client_report_id=client_report_id)
        .first()
    )
    if report is None:
        return Status(404, {"error": f"No report {client_report_id!r} from this client."})
    return Status(200, _out(report))


_ = CallerType  # the Literal above lists CallerType's values (tests/intake check they agree)
