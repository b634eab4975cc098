"""From scored pairs to one decision per allegation, in DuckDB SQL.

An allegation is about at most one person. Splink scores each pair alone, so five David Smiths
each look likely; here the candidates compete for the same allegation:

    P(person i) = 2^w_i / (sum over candidates 2^w_j + (1 - share on register))

where w is Splink's match weight (prior included). That is Bayes' rule over "one of these
people, or nobody on the register", and it is what keeps a common name from being auto-linked.

Pairs a reviewer rejected are dropped before anything is ranked: never proposed again."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import duckdb

from vigil.linkage.models import LinkStatus

# Short names of the comparisons, as a reviewer reads them.
FIELD_NAMES = {
    "staff_number": "Staff number",
    "shoulder_number": "Shoulder number",
    "surname": "Surname",
    "forename": "First name",
    "date_of_birth": "Date of birth",
    "rank": "Rank",
    "command": "Command",
    "role": "Role",
    "place": "Places",
    "age": "Age",
    "service": "Service dates",
    "elsewhere": "Another force",
    "complainant": "Complainant's other reports",
}


@dataclass(frozen=True)
class Thresholds:
    auto: float
    review: float
    on_register_share: float
    candidates_kept: int = 5


def evidence_levels(model_json: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """For each comparison, its levels' (match weight, words), from the estimated model. The null
    level ("not recorded") is left out: it weighs exactly 0 and is not evidence either way."""
    levels_by_comparison: dict[str, list[tuple[float, str]]] = {}
    for comparison in model_json["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not m or not u:
                continue
            levels.append((math.log2(m / u), level.get("label_for_charts") or level.get("sql_condition", "")))
        levels_by_comparison[comparison["output_column_name"]] = levels
    return levels_by_comparison


def decide(con: duckdb.DuckDBPyConnection, model_json: dict[str, Any], thresholds: Thresholds) -> None:
    """Tables `decisions` (one row per allegation in `mentions`) and `candidates` (the best few
    per allegation sent to review), each with evidence as JSON text."""
    levels = evidence_levels(model_json)
    comparisons = list(levels)
    none_mass = max(1.0 - thresholds.on_register_share, 1e-6)
    weights_struct = ", ".join(f"'{name}': mw_{name}" for name in comparisons)
    con.execute(
        f"""
CREATE OR REPLACE TEMP TABLE ranked AS
WITH allowed AS (
    SELECT p.* FROM pairs p
    ANTI JOIN src_rejected_pairs r ON r.allegation_id = p.allegation_id AND r.person_id = p.person_id
)
SELECT allegation_id, person_id, match_weight,
       pow(2, match_weight) / (sum(pow(2, match_weight)) OVER (PARTITION BY allegation_id) + {none_mass})
           AS probability,
       row_number() OVER (PARTITION BY allegation_id ORDER BY match_weight DESC, person_id) AS rank,
       {{{weights_struct}}} AS weights
FROM allowed;

CREATE OR REPLACE TEMP TABLE decisions AS
SELECT m.unique_id AS allegation_id,
       CASE WHEN r.probability >= {thresholds.auto} AND NOT {_contradicted("r.weights", comparisons)}
                THEN '{LinkStatus.AUTO}'
            WHEN r.probability >= {thresholds.review} THEN '{LinkStatus.NEEDS_REVIEW}'
            ELSE '{LinkStatus.UNMATCHED}' END AS status,
       CASE WHEN r.probability >= {thresholds.review} THEN r.person_id END AS person_id,
       r.probability AS match_probability,
       r.weights
FROM mentions m
LEFT JOIN ranked r ON r.allegation_id = m.unique_id AND r.rank = 1;

CREATE OR REPLACE TEMP TABLE candidates AS
SELECT r.allegation_id, r.person_id, r.rank, r.probability AS match_probability, r.match_weight, r.weights
FROM ranked r
JOIN decisions d ON d.allegation_id = r.allegation_id AND d.status = '{LinkStatus.NEEDS_REVIEW}'
WHERE r.rank <= {int(thresholds.candidates_kept)};
"""
    )
    evidence = _evidence_sql(levels)
    for table in ("decisions", "candidates"):
        con.execute(f"ALTER TABLE {table} ADD COLUMN evidence VARCHAR")
        con.execute(f"UPDATE {table} SET evidence = {evidence} WHERE weights IS NOT NULL")


# An identifier that plainly disagrees (a different first name, date of birth, staff number) is
# something a person must look at, however strong the rest: a colleague's or a spouse's staff
# number given by mistake is the classic way to attribute an allegation to the wrong officer.
IDENTIFIERS = ("staff_number", "surname", "forename", "date_of_birth")
CONTRADICTION_WEIGHT = -4.0


def _contradicted(weights: str, comparisons: list[str]) -> str:
    present = [name for name in IDENTIFIERS if name in comparisons]
    if not present:
        return "false"
    terms = ", ".join(f"{weights}['{name}']" for name in present)
    contradicted = f"(least({terms}) < {CONTRADICTION_WEIGHT})"
    if "elsewhere" in comparisons:
        # "Says he is an officer with another force", or "claimed to be police", about a serving
        # officer here: perhaps an impostor using a real name. A person decides.
        contradicted = f"({contradicted} OR {weights}['elsewhere'] < 0)"
    return contradicted


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _evidence_sql(levels: dict[str, list[tuple[float, str]]]) -> str:
    """A JSON list, for one pair, of the comparisons recorded on both sides: field, words, weight.
    A level is recognised by its weight (the model's own numbers, so equality is exact)."""
    items = []
    for name, name_levels in levels.items():
        field_name = _quote(FIELD_NAMES.get(name, name))
        weight = f"weights['{name}']"
        cases = " ".join(
            f"WHEN abs({weight} - ({level_weight!r})) < 1e-9 THEN {_quote(label)}"
            for level_weight, label in name_levels
        )
        label = f"CASE {cases} END" if cases else "NULL"
        item = (
            f"{{'field': {field_name}, 'label': {label}, "
            f"'agrees': {weight} > 0, 'weight': round({weight}, 1)}}"
        )
        items.append(f"CASE WHEN {weight} <> 0 THEN {item} END")
    return f"to_json(list_filter([{', '.join(items)}], x -> x IS NOT NULL))"


def evidence_from_json(text: str | None) -> list[dict[str, Any]]:
    """Evidence as stored on a link: field, label, agrees (by the sign of its weight), weight."""
    if not text:
        return []
    items = json.loads(text)
    return [
        {
            "field": item["field"],
            "label": item["label"],
            "agrees": None if item["weight"] is None else item["weight"] > 0,
            "weight": item["weight"],
        }
        for item in items
    ]
