"""Characters free text may not hold, refused wherever text comes in (imports, forms, the API) and
shown visibly wherever a page shows text (VisibleControlsMiddleware).

Refused: C0 and C1 control characters other than tab, line feed and carriage return (NUL among
them: PostgreSQL text cannot hold it, SQLite would store it silently), DEL, and the bidirectional
controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), which reorder or hide what a reader
sees (`ABC` + U+202E + `3.1 fdp` reads as `ABCpdf 1.3`) in a name, a reference or a narrative. Right-to-left
text itself (Arabic, Hebrew) needs none of them: the Unicode bidirectional algorithm lays it out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

REFUSED_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_REFUSED = re.compile(f"[{REFUSED_CHARACTERS}]")
# The same characters as UTF-8 bytes, to find them in a rendered page without decoding it.
_REFUSED_IN_HTML = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


def bytes_may_hold_control_characters(data: bytes) -> bool:
    """Whether UTF-8 bytes (a whole import file) hold any refused character, at C speed: a file
    without one (nearly every file) then needs no per-cell search. Vectorised with NumPy (five
    passes over the bytes): a regular expression takes seconds a column at a million rows."""
    import numpy as np

    octets = np.frombuffer(data, dtype=np.uint8)
    size = octets.size
    low = octets[octets < 0x20]  # mostly line ends: a small array
    if ((low != 0x09) & (low != 0x0A) & (low != 0x0D)).any() or (octets == 0x7F).any():
        return True

    def after(lead: int, offset: int) -> Any:
        """The byte `offset` places after each `lead` byte."""
        leads = np.flatnonzero(octets == lead)
        return octets[leads[leads + offset < size] + offset]

    if (after(0xC2, 1) <= 0x9F).any():  # U+0080 to U+009F: C2 80 to C2 9F
        return True
    if (after(0xD8, 1) == 0x9C).any():  # U+061C: D8 9C
        return True
    # U+200E/F: E2 80 8E/8F; U+202A to U+202E: E2 80 AA to AE; U+2066 to U+2069: E2 81 A6 to A9.
    second, third = after(0xE2, 1), after(0xE2, 2)
    second = second[: third.size]
    marks = (second == 0x80) & ((third == 0x8E) | (third == 0x8F) | ((third >= 0xAA) & (third <= 0xAE)))
    isolates = (second == 0x81) & (third >= 0xA6) & (third <= 0xA9)
    return bool((marks | isolates).any())


def character_name(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")


def control_character_problem(text: str) -> str | None:
    """Why the text is refused (which character, where), or None."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    return f"contains the control character {character_name(found.group())} at character {found.start() + 1}"


def has_control_characters(text: str) -> bool:
    return _REFUSED.search(text) is not None


def refuse_control_characters(value: object) -> None:
    """A form field validator."""
    if isinstance(value, str):
        problem = control_character_problem(value)
        if problem is not None:
            raise ValidationError(f"This text {problem}: remove it.", code="control_character")


def visible_controls(text: str) -> str:
    """Each refused character as `[U+202E]`, so that text stored before the rule (or read from
    elsewhere) cannot reorder or hide what is shown around it."""
    return _REFUSED.sub(lambda found: f"[U+{ord(found.group()):04X}]", text)


class VisibleControlsMiddleware:
    """Every HTML page shows control and bidirectional characters as visible `[U+202E]` markers,
    whatever template or field they came through: a surface added later cannot forget it. Costs one
    bytes search of the page when there is nothing to replace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.get("Content-Encoding")
            or not _REFUSED_IN_HTML.search(response.content)
        ):
            return response
        charset = response.charset or "utf-8"
        response.content = visible_controls(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
