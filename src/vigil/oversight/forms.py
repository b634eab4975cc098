from __future__ import annotations

from typing import Any

from django import forms

from vigil.audit.forms import DisclosureForm
from vigil.oversight.exports import FORMATS

FORMAT_LABELS = {
    "pdf": "PDF (the board pack, with charts)",
    "xlsx": "Workbook (a sheet per section)",
    "csv": "CSV",
}


class OversightExportForm(DisclosureForm):
    """The board pack's format, and why and for whom it leaves Vigil (an export is a disclosure)."""

    fmt = forms.ChoiceField(
        label="Format",
        choices=[(code, FORMAT_LABELS[code]) for code in FORMATS],
        initial="pdf",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a format."},
    )

    field_order = ["fmt", "reason", "text", "recipient"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why are you exporting the figures?"
        self.fields["reason"].initial = "oversight"
        self.fields["reason"].error_messages["required"] = "Choose the reason for this export."
        text = self.fields["text"]
        text.help_text = (
            "Which meeting or request, and what the file is for. This is kept in the audit trail."
        )
        text.error_messages["required"] = "Explain why you are exporting the figures."
        self.fields["recipient"].label = "Who receives the report?"
        self.fields["recipient"].error_messages["required"] = "Say who receives the report."
