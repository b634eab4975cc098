"""The audit viewer's forms: the filters (a GET form, also carried to the export) and the export's
justification and recipient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from vigil.audit import selectors
from vigil.audit.actions import Action, Category
from vigil.audit.justification import JUSTIFICATION_REASONS, MIN_TEXT_LENGTH, Justification

_ISO_DATE = ["%Y-%m-%d"]
_DATE_ERRORS = {"invalid": "Enter a real date, as YYYY-MM-DD (for example 2026-03-31)."}
_CATEGORY_PREFIX = "category:"


def _action_choices() -> list[tuple[str, Any]]:
    """ "Any action", then per category: every action of it, and the whole category."""
    groups: list[tuple[str, Any]] = [("", "Any action")]
    for category, label in selectors.CATEGORY_LABELS.items():
        actions = [(action.value, action.label) for action in Action if action.category == category]
        groups.append((label, [(f"{_CATEGORY_PREFIX}{category.value}", f"All: {label.lower()}"), *actions]))
    return groups


def _text_field(label: str, *, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        strip=True,
        help_text=help_text,
        error_messages={"max_length": "Enter at most %(limit_value)d characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=_ISO_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )


class AuditFilterForm(forms.Form):
    user = _text_field(
        "User",
        max_length=150,
        help_text="All or part of a username; sign-in attempts under that name too.",
    )
    user_exact = forms.BooleanField(required=False, label="Whole username only")
    action = forms.ChoiceField(
        required=False,
        label="Action",
        choices=_action_choices,
        error_messages={
            "invalid_choice": "“%(value)s” is not an action Vigil records. Choose one from the list."
        },
    )
    refusals_only = forms.BooleanField(
        required=False,
        label="Refusals only",
        help_text="Access refused, or blocked by a conflict of interest.",
    )
    date_from = _date_field("From date")
    date_to = _date_field("To date")
    record_type = _text_field("Record type", max_length=40, help_text="For example person or allegation.")
    record_id = _text_field("Record ID", max_length=64, help_text="With a record type.")
    record_text = _text_field("Record name contains", max_length=100, help_text="For example CCP 123456.")
    request_id = _text_field("Request", max_length=36, help_text="Entries written by one request.")

    def clean_action(self) -> Action | Category | None:
        value: str = self.cleaned_data.get("action") or ""
        if not value:
            return None
        if value.startswith(_CATEGORY_PREFIX):
            return Category(value.removeprefix(_CATEGORY_PREFIX))
        return Action(value)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“To date” must be the same as or after “From date”.")
        if cleaned.get("record_id") and not cleaned.get("record_type"):
            self.add_error("record_type", "Give the record type as well as its ID (for example person).")
        if cleaned.get("user_exact") and not cleaned.get("user"):
            self.add_error("user", "Enter the username to match whole, or untick “Whole username only”.")
        if cleaned.get("user"):
            try:
                selectors.audit_actor_accounts(user=cleaned["user"], exact=bool(cleaned.get("user_exact")))
            except selectors.TooManyAccounts:
                self.add_error(
                    "user",
                    f"More than {selectors.MAX_MATCHING_ACCOUNTS} accounts match this: "
                    "enter more of the username, or tick “Whole username only”.",
                )
        action = cleaned.get("action")
        if cleaned.get("refusals_only") and action is not None:
            refused = {action} if isinstance(action, Action) else {a for a in Action if a.category == action}
            if not refused & selectors.REFUSALS:
                self.add_error(
                    "action",
                    "This action is never a refusal, and “Refusals only” is ticked: "
                    "choose another action or untick “Refusals only”.",
                )
        return cleaned

    def filters(self) -> selectors.AuditFilters:
        data = self.cleaned_data
        action = data.get("action")
        return selectors.AuditFilters(
            user=data.get("user") or "",
            user_exact=bool(data.get("user_exact")),
            record_type=data.get("record_type") or "",
            record_id=data.get("record_id") or "",
            record_text=data.get("record_text") or "",
            action=action if isinstance(action, Action) else None,
            category=action if isinstance(action, Category) else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            refusals_only=bool(data.get("refusals_only")),
            request_id=data.get("request_id") or "",
        )


class JustificationForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need to see this?",
        choices=[("", "Choose a reason"), *JUSTIFICATION_REASONS.choices()],
        error_messages={"required": "Choose the reason you need to see this record."},
    )
    text = forms.CharField(
        label="Explain in your own words",
        help_text="Which case or task, and what for. This is kept in the audit trail.",
        min_length=MIN_TEXT_LENGTH,
        max_length=1000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Explain why you need to see this record.",
            "min_length": "Explain in at least %(limit_value)d characters.",
        },
    )

    def justification(self) -> Justification:
        return Justification(reason=self.cleaned_data["reason"], text=self.cleaned_data["text"])


class DisclosureForm(JustificationForm):
    """Why a record leaves Vigil (the same reasons and rules as opening one) and who receives it
    (Data Protection Act 2018, s.62: a disclosure's log names its recipients)."""

    recipient = forms.CharField(
        label="Who receives it?",
        help_text="For example “DPS investigation 2026/114”, “IOPC”, or a person's name and role.",
        max_length=250,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Say who receives it.",
            "max_length": "Enter at most %(limit_value)d characters.",
        },
    )


class AuditExportForm(DisclosureForm):
    """The audit export's justification and recipient."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why are you exporting these entries?"
        self.fields["reason"].error_messages["required"] = "Choose the reason for this export."
        text = self.fields["text"]
        text.help_text = "Which inquiry or check, and what the file is for. This is kept in the audit trail."
        text.error_messages["required"] = "Explain why you are exporting these entries."
        self.fields["recipient"].label = "Who receives this export?"
        self.fields["recipient"].error_messages["required"] = "Say who receives this export."
