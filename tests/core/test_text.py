"""Control and bidi characters (vigil.core.text): refused by every form's text fields, found in a
whole import file at C speed, shown visibly in pages."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from vigil.core.text import bytes_may_hold_control_characters, control_character_problem, visible_controls

REFUSED = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u061c",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
]
ALLOWED = [
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u2019",
    "\u2013",
    "\u200d",
    "\u2028",
    "\u202f",
    "\u2065",
    "é",
    "مرحبا",
    "שלום",
]


@pytest.mark.parametrize("char", REFUSED)
def test_each_refused_character_is_named_with_its_place(char: str) -> None:
    problem = control_character_problem("ab" + char + "c")
    assert problem is not None and f"U+{ord(char):04X}" in problem and "at character 3" in problem
    assert bytes_may_hold_control_characters(("a\u2019" + char + "b").encode())
    assert bytes_may_hold_control_characters(char.encode())
    assert visible_controls("a" + char) == f"a[U+{ord(char):04X}]"


@pytest.mark.parametrize("char", ALLOWED)
def test_ordinary_text_passes(char: str) -> None:
    assert control_character_problem("ab" + char + "c") is None
    assert not bytes_may_hold_control_characters(("ab" + char + "c").encode())


class AnyForm(forms.Form):
    """A form written with no thought for control characters."""

    note = forms.CharField(widget=forms.Textarea)


def test_every_form_text_field_refuses_them_without_being_told() -> None:
    form = AnyForm({"note": "Written by \u202eevil"})
    assert not form.is_valid()
    assert "U+202E" in form.errors["note"][0]
    assert AnyForm({"note": "Two\nlines\tand a tab"}).is_valid()
    sign_in = AuthenticationForm(data={"username": "a\x00b", "password": "x"})
    assert not sign_in.is_valid()
