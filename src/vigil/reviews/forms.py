"""The review's forms: the queue's filters, assigning, the structured case review, the decision,
risk measures, closing a task, and the cohort definition. They check input; the rules live in
vigil.reviews.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User

from vigil.accounts.roles import Role
from vigil.allegations.forms import choice_errors
from vigil.allegations.vocabularies import DOMAINS, OUTCOME_CLASSES
from vigil.people.models import Person
from vigil.people.vocabularies import EMPLOYMENT_TYPES
from vigil.reviews.models import (
    Answer,
    CaseReview,
    IOPCCriterion,
    MeasureKind,
    ReviewStatus,
    Route,
    SuspensionGround,
)
from vigil.reviews.services import MIN_SUSPENSION_TEXT, MIN_TEXT
from vigil.risk.models import RiskBand
from vigil.risk.selectors import QueueFilters


def text_field(label: str, help_text: str, *, minimum: int = MIN_TEXT, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=minimum,
        max_length=4000,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"{label}: this is needed.",
            "min_length": f"{label}: write at least %(limit_value)d characters.",
            "max_length": f"{label}: keep it to at most %(limit_value)d characters.",
        },
    )


def reviewers() -> Any:
    return User.objects.filter(groups__name=Role.REVIEWER.value, is_active=True).order_by("username")


class QueueFilterForm(forms.Form):
    band = forms.ChoiceField(
        label="Risk band",
        required=False,
        choices=[("", "Any band"), *RiskBand.choices],
        error_messages=choice_errors("a risk band"),
    )
    status = forms.ChoiceField(
        label="Review status",
        required=False,
        choices=[("", "Any status"), *ReviewStatus.choices],
        error_messages=choice_errors("a review status"),
    )
    command = forms.ChoiceField(label="Command", required=False, error_messages=choice_errors("a command"))
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        required=False,
        queryset=User.objects.none(),
        empty_label="Any reviewer",
        error_messages=choice_errors("a reviewer"),
    )
    open_tasks = forms.BooleanField(label="Only people with open tasks", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commands = Person.objects.exclude(command="").order_by("command").values_list("command", flat=True)
        self.fields["command"].choices = [  # type: ignore[attr-defined]
            ("", "Any command"),
            *((command, command) for command in commands.distinct()),
        ]
        self.fields["reviewer"].queryset = reviewers()  # type: ignore[attr-defined]

    def filters(self) -> QueueFilters:
        reviewer = self.cleaned_data.get("reviewer")
        return QueueFilters(
            band=self.cleaned_data.get("band") or "",
            status=self.cleaned_data.get("status") or "",
            command=self.cleaned_data.get("command") or "",
            reviewer_id=reviewer.pk if reviewer else None,
            with_open_tasks=bool(self.cleaned_data.get("open_tasks")),
        )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=User.objects.none(),
        empty_label="Choose a review officer",
        help_text="They are given this person's record by name.",
        error_messages={"required": "Choose a review officer.", **choice_errors("a review officer")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = text_field("Reason", "Kept on the person's timeline and in the audit trail.")


class CaseReviewForm(forms.ModelForm):  # type: ignore[type-arg]
    iopc_criteria = forms.MultipleChoiceField(
        label="IOPC mandatory-referral criteria the facts meet",
        required=False,
        choices=IOPCCriterion.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Vigil ticks the criteria the categories point to; confirm or untick them.",
    )
    recommended_route = forms.ChoiceField(
        label="Recommended route",
        choices=Route.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommended route."},
    )
    missed_lines_of_enquiry = forms.CharField(
        label="Missed lines of enquiry",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What earlier investigations did not do: witnesses, digital evidence, other victims.",
    )
    rationale = text_field(
        "Rationale for the route",
        "Why this route, reading all the allegations together.",
        minimum=20,
        rows=5,
    )

    class Meta:
        model = CaseReview
        fields = (
            "considered_together",
            "criminal_investigation_considered",
            "victims_safeguarded",
            "victims_informed",
            "vetting_told",
            "missed_lines_of_enquiry",
            "iopc_criteria",
            "several_incidents",
            "recommended_route",
            "rationale",
        )
        widgets = {
            "considered_together": forms.RadioSelect,
            "criminal_investigation_considered": forms.RadioSelect,
            "victims_safeguarded": forms.RadioSelect,
            "victims_informed": forms.RadioSelect,
            "vetting_told": forms.RadioSelect,
        }
        help_texts = {
            "several_incidents": "Under the Police (Conduct) Regulations 2020, misconduct spanning more than "
            "one incident not closely factually connected opens reduction in rank or dismissal.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "considered_together",
            "criminal_investigation_considered",
            "victims_safeguarded",
            "victims_informed",
            "vetting_told",
        ):
            field = self.fields[name]
            field.choices = Answer.choices  # type: ignore[attr-defined]
            field.error_messages["required"] = f"{field.label} Choose an answer."


class DecisionForm(forms.Form):
    comment = text_field(
        "Comment",
        "Approving: what the route needs next. Returning: what the reviewer must look at again.",
    )


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label="Restriction or suspension",
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a restriction or suspension."},
    )
    reason = text_field("Reason", "The risk it manages.")
    started_on = forms.DateField(
        label="Start",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if left empty.",
        required=False,
    )
    review_by = forms.DateField(
        label="Review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"{settings.MEASURE_REVIEW_DAYS} days after the start if left empty.",
    )
    redeployment_not_enough = forms.CharField(
        label="Suspension only: why temporary redeployment is not enough",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Suspension may follow only once redeployment has been considered (reg 11). "
        f"At least {MIN_SUSPENSION_TEXT} characters.",
    )
    suspension_ground = forms.ChoiceField(
        label="Suspension only: the ground",
        required=False,
        choices=SuspensionGround.choices,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == MeasureKind.SUSPENSION:
            if len((cleaned.get("redeployment_not_enough") or "").strip()) < MIN_SUSPENSION_TEXT:
                self.add_error(
                    "redeployment_not_enough",
                    f"Say why redeployment is not enough, in at least {MIN_SUSPENSION_TEXT} characters.",
                )
            if not cleaned.get("suspension_ground"):
                self.add_error("suspension_ground", "Choose the ground for the suspension.")
        return cleaned


class MeasureReviewForm(forms.Form):
    note = text_field("Why it stays", "What still makes it necessary.")
    next_review_by = forms.DateField(
        label="Next review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"{settings.MEASURE_REVIEW_DAYS} days from today if left empty.",
    )


class TaskDoneForm(forms.Form):
    outcome = text_field("What was done", "A decision not to act is recorded like a decision to act.")
    reopen_review = forms.BooleanField(
        label="Reopen the person's review (back to awaiting review)",
        required=False,
    )


class CohortForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, strip=True)
    domains = forms.MultipleChoiceField(
        label="Allegation domains", choices=DOMAINS, widget=forms.CheckboxSelectMultiple
    )
    window_years = forms.IntegerField(
        label="Received in the last (years)", min_value=1, max_value=50, widget=forms.NumberInput
    )
    outcome_classes = forms.MultipleChoiceField(
        label="Closed as", choices=OUTCOME_CLASSES, widget=forms.CheckboxSelectMultiple
    )
    include_no_outcome = forms.BooleanField(label="Also allegations with no outcome recorded", required=False)
    employment_types = forms.MultipleChoiceField(
        label="Subjects", choices=EMPLOYMENT_TYPES.choices(), widget=forms.CheckboxSelectMultiple
    )
    serving_only = forms.BooleanField(label="Only people serving now", required=False)
    reason = text_field("Reason for the change", "Kept with the new version and in the audit trail.")
