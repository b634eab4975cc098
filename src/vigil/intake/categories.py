"""The category the caller's account points to, by cue words (data/category_cues.toml): a
suggestion the call handler confirms or changes, with the words that made it, never a decision."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vigil.allegations.vocabularies import CATEGORIES

CUES_PATH = Path(__file__).resolve().parent / "data" / "category_cues.toml"


@dataclass(frozen=True)
class CategorySuggestion:
    code: str
    label: str
    matched: tuple[str, ...]


@cache
def _patterns() -> tuple[tuple[str, int, tuple[tuple[str, re.Pattern[str]], ...]], ...]:
    """(category, severity, ((cue, pattern), ...)), most serious category first."""
    with CUES_PATH.open("rb") as handle:
        cues: dict[str, list[str]] = tomllib.load(handle)["cues"]
    unknown = sorted(set(cues) - set(CATEGORIES.codes()))
    if unknown:
        raise ValueError(f"{CUES_PATH.name}: not categories: {', '.join(unknown)}")
    compiled = []
    for code, words in cues.items():
        patterns = []
        for word in words:
            stem = re.escape(word.rstrip("*")).replace(r"\ ", r"\s+")
            ending = r"\w*" if word.endswith("*") else r"\b"
            patterns.append((word, re.compile(rf"\b{stem}{ending}", re.IGNORECASE)))
        compiled.append((code, CATEGORIES[code].severity, tuple(patterns)))
    return tuple(sorted(compiled, key=lambda item: -item[1]))


def suggest_category(narrative: str) -> CategorySuggestion | None:
    """The category with the most cues in `narrative` (the more serious on a tie), or None."""
    best: tuple[int, int, str, tuple[str, ...]] | None = None
    for code, severity, patterns in _patterns():
        matched = tuple(word for word, pattern in patterns if pattern.search(narrative))
        if matched and (best is None or (len(matched), severity) > (best[0], best[1])):
            best = (len(matched), severity, code, matched)
    if best is None:
        return None
    code = best[2]
    return CategorySuggestion(code=code, label=CATEGORIES[code].label, matched=best[3])
