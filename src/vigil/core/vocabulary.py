"""Closed vocabularies read from imports: each term has a code, a human label and synonyms, and a
cell is accepted if it matches any of them case-insensitively, ignoring spaces and punctuation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_term(text: str) -> str:
    """'Abuse of position (sexual)' -> 'abuse_of_position_sexual'."""
    return _NON_WORD.sub("_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    synonyms: tuple[str, ...] = ()


TermT = TypeVar("TermT", bound=Term)


@dataclass
class Vocabulary(Generic[TermT]):
    name: str
    terms: tuple[TermT, ...]
    _lookup: dict[str, TermT] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lookup = {}
        for term in self.terms:
            for spelling in (term.code, term.label, *term.synonyms):
                key = normalise_term(spelling)
                existing = self._lookup.get(key)
                if existing is not None and existing is not term:
                    raise ValueError(f"{self.name}: '{spelling}' names both {existing.code} and {term.code}")
                self._lookup[key] = term

    def __iter__(self) -> Iterator[TermT]:
        return iter(self.terms)

    def __getitem__(self, code: str) -> TermT:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(code)

    def codes(self) -> list[str]:
        return [term.code for term in self.terms]

    def choices(self) -> list[tuple[str, str]]:
        return [(term.code, term.label) for term in self.terms]

    def match(self, text: str) -> TermT | None:
        """The term a cell names, or None."""
        return self._lookup.get(normalise_term(text))
