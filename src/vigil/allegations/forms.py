"""Filter fields shared by the lists of allegations (the allegation list, the link review queue)."""

from __future__ import annotations

from django import forms

from vigil.allegations.models import Category, Source


def choice_errors(what: str) -> dict[str, str]:
    return {"invalid_choice": f"“%(value)s” is not {what} Vigil knows. Choose one from the list."}


class CategorySourceFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        required=False,
        empty_label="Any category",
        error_messages=choice_errors("a category"),
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        empty_label="Any source",
        error_messages=choice_errors("a source"),
    )
