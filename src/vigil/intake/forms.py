"""The call-handler form, the triage decision, the repeat-call judgement and the approval. They
check input; the rules live in vigil.intake.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing

from vigil.allegations.forms import choice_errors
from vigil.allegations.vocabularies import CATEGORIES
from vigil.core.partial_dates import PartialDateError, parse_partial_date, parse_past_partial_date
from vigil.core.text import refuse_control_characters
from vigil.intake.models import CallerType, TriageRoute, TriageStatus
from vigil.intake.services import MIN_REASONS, TRIAGE_REASONS, ReportInput
from vigil.linkage.suggest import SubjectDescription

# How long a list of offered subjects stays good for a pick: a long call, and then some.
OFFERED_SALT = "vigil.intake.offered-subjects"
OFFERED_FOR = 12 * 60 * 60
NOT_OFFERED = "Choose one of the people shown, or “Not known / none of these”."


def _text(
    label: str, *, max_length: int = 200, help_text: str = "", rows: int = 0, **kwargs: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs={"autocomplete": "off"})
    return forms.CharField(
        label=label,
        validators=[refuse_control_characters],
        max_length=max_length,
        required=False,
        strip=True,
        help_text=help_text,
        widget=widget,
        **kwargs,
    )


class HotlineReportForm(forms.Form):
    """One call. The order follows the call: danger first, then the caller, what happened, who."""

    immediate_risk = forms.BooleanField(
        label="Someone is in danger now",
        required=False,
        help_text="The report is marked urgent: supervisors see it at once.",
    )
    immediate_risk_detail = _text("Who is in danger, and where", max_length=2000, rows=2)
    caller_type = forms.ChoiceField(
        label="Who is calling",
        choices=CallerType.choices,
        widget=forms.RadioSelect,
        error_messages=choice_errors("who is calling"),
    )
    anonymity_requested = forms.BooleanField(
        label="The caller wants to stay anonymous",
        required=False,
        help_text="Their identity is never shown with the report; contact details below are sealed.",
    )
    caller_name = _text(
        "Caller's name (optional)",
        help_text="Sealed: only an assessor or investigator can open it, and every opening is audited.",
    )
    contact = _text(
        "How to contact them (optional)",
        max_length=500,
        rows=2,
        help_text="Phone, email or a safe time to call. Sealed like the name.",
    )
    narrative = forms.CharField(
        validators=[refuse_control_characters],
        label="What happened",
        min_length=MIN_REASONS,
        max_length=20_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In the caller's words, as far as possible.",
        error_messages={
            "required": "Say what happened.",
            "min_length": "Say what happened, in a sentence at least.",
        },
    )
    incident_date = _text(
        "When it happened",
        max_length=10,
        help_text="YYYY-MM-DD, or YYYY-MM or YYYY if that is all the caller knows.",
    )
    location = _text("Where it happened", max_length=250)
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *CATEGORIES.choices()],
        help_text="Vigil suggests one from what happened; confirm or change it.",
        error_messages={
            **choice_errors("a category"),
            "required": "Choose the category (confirm the suggestion or change it).",
        },
    )
    subject_name = _text("Subject's name or nickname", max_length=250)
    subject_staff_id = _text("Staff (warrant) number", max_length=32)
    subject_shoulder_number = _text("Shoulder (collar) number", max_length=20)
    subject_rank = _text("Rank or role", max_length=100)
    subject_station = _text("Station", max_length=200)
    subject_command = _text("Command or unit", max_length=200)
    subject_vehicle = _text("Vehicle", max_length=200)
    subject_uniform = _text("Uniform or appearance", max_length=200)
    subject_online_profile = _text("Online profile or dating-app name", max_length=200)
    subject_candidate = forms.TypedChoiceField(
        label="Is it one of these people?",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        choices=[("", "Not known / none of these")],
        error_messages={"invalid_choice": NOT_OFFERED},
    )

    def __init__(self, *args: Any, candidates: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subject_candidate"]
        assert isinstance(field, forms.TypedChoiceField)
        chosen = self.data.get("subject_candidate") if self.is_bound else None
        shown = list(candidates or [])
        self.offered_before = self._offered_before()
        already = {pk for pk, _ in shown}
        if chosen and chosen.isdigit() and int(chosen) in self.offered_before - already:
            shown.append((int(chosen), "The person chosen earlier"))  # picked while typing
        field.choices = [("", "Not known / none of these"), *[(str(pk), label) for pk, label in shown]]
        # The people offered, signed: a pick must be one of them, never any id typed into the post.
        self.offered_token = signing.dumps(sorted(pk for pk, _ in shown), salt=OFFERED_SALT)

    def _offered_before(self) -> frozenset[int]:
        """The people the form offered last time (its signed `offered` value), or none."""
        if not self.is_bound:
            return frozenset()
        try:
            offered = signing.loads(str(self.data.get("offered", "")), salt=OFFERED_SALT, max_age=OFFERED_FOR)
        except signing.BadSignature:
            return frozenset()
        return frozenset(pk for pk in offered if isinstance(pk, int))

    def clean_subject_candidate(self) -> int | None:
        chosen: int | None = self.cleaned_data["subject_candidate"]
        if chosen is None:
            return None
        if chosen not in self.offered_before:
            raise forms.ValidationError(NOT_OFFERED, code="not_offered")
        return chosen

    def clean_incident_date(self) -> str:
        value: str = self.cleaned_data["incident_date"]
        if value:
            try:
                parse_past_partial_date(value)
            except PartialDateError as error:
                raise forms.ValidationError(f"When it happened: {error}.") from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("immediate_risk") and not data.get("immediate_risk_detail"):
            self.add_error("immediate_risk_detail", "Say who is in danger now, and where.")
        return data

    def description(self) -> SubjectDescription:
        """The subject as described so far (from bound data, valid or not): for the candidates."""

        def get(name: str) -> str:
            return str(self.data.get(name, "")).strip() if self.is_bound else ""

        details = "\n".join(
            part
            for part in (get("subject_station"), get("subject_vehicle"), get("subject_uniform"),
                         get("subject_online_profile"), get("location"))
            if part
        )  # fmt: skip
        date = get("incident_date")
        try:
            iso = parse_partial_date(date).earliest.isoformat() if date else ""
        except PartialDateError:
            iso = ""
        return SubjectDescription(
            name=get("subject_name"),
            staff_id=get("subject_staff_id"),
            shoulder_number=get("subject_shoulder_number"),
            rank=get("subject_rank"),
            command=get("subject_command") or get("subject_station"),
            details=details,
            incident_date=iso,
        )

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        incident_date, precision = None, "D"
        if data["incident_date"]:
            parsed = parse_partial_date(data["incident_date"])
            incident_date, precision = parsed.earliest, parsed.precision
        return ReportInput(
            caller_type=data["caller_type"],
            narrative=data["narrative"],
            category=data["category"],
            anonymity_requested=data["anonymity_requested"],
            caller_name=data["caller_name"],
            contact=data["contact"],
            incident_date=incident_date,
            incident_date_precision=precision,
            location=data["location"],
            subject_name=data["subject_name"],
            subject_staff_id=data["subject_staff_id"],
            subject_shoulder_number=data["subject_shoulder_number"],
            subject_rank=data["subject_rank"],
            subject_station=data["subject_station"],
            subject_command=data["subject_command"],
            subject_vehicle=data["subject_vehicle"],
            subject_uniform=data["subject_uniform"],
            subject_online_profile=data["subject_online_profile"],
            immediate_risk=data["immediate_risk"],
            immediate_risk_detail=data["immediate_risk_detail"],
            handler_candidate_id=data["subject_candidate"],
        )


class TriageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=TriageStatus.choices, error_messages=choice_errors("a status")
    )
    urgent_only = forms.BooleanField(label="Urgent only", required=False)


class TriageDecisionForm(forms.Form):
    subject = forms.TypedChoiceField(
        label="Who is the subject",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        choices=[("", "Leave to linking (not confirmed now)")],
        help_text="Confirming links the report to that person now: their score is recalculated and a "
        "reconsider task raised.",
    )
    category = forms.ChoiceField(
        label="Category", choices=CATEGORIES.choices(), error_messages=choice_errors("a category")
    )
    route = forms.ChoiceField(
        label="Decision",
        choices=TriageRoute.choices,
        widget=forms.RadioSelect,
        error_messages=choice_errors("a decision"),
    )
    reason_codes = forms.MultipleChoiceField(
        label="Reasons",
        required=False,
        choices=TRIAGE_REASONS,
        widget=forms.CheckboxSelectMultiple,
        error_messages=choice_errors("a reason"),
    )
    reasons = forms.CharField(
        validators=[refuse_control_characters],
        label="Reasons for the decision, in your words",
        min_length=MIN_REASONS,
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give the reasons for the decision.",
            "min_length": "Give the reasons in a sentence at least.",
        },
    )

    def __init__(self, *args: Any, subjects: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subject"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            *[(str(pk), label) for pk, label in subjects or []],
            ("", "Leave to linking (not confirmed now)"),
        ]


class RepeatDecisionForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    similarity = forms.FloatField(widget=forms.HiddenInput, min_value=0, max_value=1)
    verdict = forms.ChoiceField(
        choices=[("same", "Same incident"), ("separate", "Separate")],
        widget=forms.RadioSelect,
        label="Judgement",
        error_messages=choice_errors("same incident or separate"),
    )
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=1000,
        strip=True,
        validators=[refuse_control_characters],
    )


class ApprovalForm(forms.Form):
    approve = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("return", "Return to triage")],
        widget=forms.RadioSelect,
        error_messages=choice_errors("approve or return"),
    )
    comment = forms.CharField(
        validators=[refuse_control_characters],
        label="Comment",
        min_length=MIN_REASONS,
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give a comment.",
            "min_length": "Give a comment in a sentence at least.",
        },
    )
