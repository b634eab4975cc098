"""What a complainant's other reports say: the second pass of a run.

A woman who reported her partner three times may name him in full once (with his staff number)
and as "Dave" the next time. Each report judged alone loses the second; judged together, her
other reports tell us who "Dave" is. After the first pass, every allegation still undecided whose
complainant has other allegations linked for sure gets those people as context
(`complainant_people`), and is scored again with the "complainant" comparison switched on.

The comparison's parameters come from the first pass itself (no labels): m is how often a
confidently linked allegation's person is among its complainant's other confident links, u how
likely a random person on the register is to be among them."""

from __future__ import annotations

import copy
from typing import Any

import duckdb

from vigil.linkage.models import LinkStatus

# An auto link this sure is used as context for its complainant's other reports.
CONFIDENT = 0.99
COMPARISON = "complainant"


def build_context(con: duckdb.DuckDBPyConnection) -> int:
    """`complainant_context` (allegation_id, people): for each allegation in `mentions`, the people
    its complainant's *other* allegations are confidently linked to. Returns the row count."""
    con.execute(
        f"""
CREATE OR REPLACE TEMP TABLE confident_links AS
SELECT a.complainant_ref, d.allegation_id, d.person_id
FROM decisions d JOIN src_allegations a ON a.id = d.allegation_id
WHERE d.status = '{LinkStatus.AUTO}' AND d.match_probability >= {CONFIDENT} AND coalesce(a.complainant_ref, '') <> ''
UNION ALL  -- links made before (or by a person), for allegations outside this run
SELECT c.complainant_ref, c.allegation_id, c.person_id
FROM src_complainant_links c ANTI JOIN decisions d ON d.allegation_id = c.allegation_id;

CREATE OR REPLACE TEMP TABLE complainant_context AS
SELECT a.id AS allegation_id, list(DISTINCT CAST(c.person_id AS VARCHAR)) AS people
FROM src_allegations a
JOIN confident_links c ON c.complainant_ref = a.complainant_ref AND c.allegation_id <> a.id
WHERE coalesce(a.complainant_ref, '') <> ''
GROUP BY 1;
"""
    )
    return int(con.execute("SELECT count(*) FROM complainant_context").fetchall()[0][0])


def estimate_complainant(con: duckdb.DuckDBPyConnection, model_json: dict[str, Any]) -> dict[str, Any]:
    """The model with the complainant comparison's m and u estimated from the first pass."""
    people = max(int(con.execute("SELECT count(*) FROM register").fetchall()[0][0]), 1)
    agreed, seen, mean_size = con.execute(
        f"""
SELECT count(*) FILTER (WHERE list_contains(x.people, CAST(d.person_id AS VARCHAR))), count(*), avg(len(x.people))
FROM decisions d JOIN complainant_context x ON x.allegation_id = d.allegation_id
WHERE d.status = '{LinkStatus.AUTO}' AND d.match_probability >= {CONFIDENT}
"""
    ).fetchall()[0]
    # With too little to go on, assume the complainant's other reports are right four times in five.
    m = min(max(agreed / seen, 0.05), 0.99) if seen >= 10 else 0.8
    u = min(max(float(mean_size or 1.0) / people, 1e-9), 0.5)
    updated = copy.deepcopy(model_json)
    for comparison in updated["comparisons"]:
        if comparison["output_column_name"] != COMPARISON:
            continue
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        agree, disagree = levels
        agree["m_probability"], agree["u_probability"] = m, u
        disagree["m_probability"], disagree["u_probability"] = 1 - m, 1 - u
    return updated


def second_pass_mentions(con: duckdb.DuckDBPyConnection) -> int:
    """Keep aside the first pass, and make `mentions` the undecided allegations with context."""
    con.execute("CREATE OR REPLACE TEMP TABLE mentions_all AS SELECT * FROM mentions")
    con.execute("CREATE OR REPLACE TEMP TABLE decisions_first AS SELECT * FROM decisions")
    con.execute("CREATE OR REPLACE TEMP TABLE candidates_first AS SELECT * FROM candidates")
    con.execute(
        f"""
CREATE OR REPLACE TEMP TABLE mentions AS
SELECT m.* REPLACE (x.people AS complainant_people)
FROM mentions_all m
JOIN complainant_context x ON x.allegation_id = m.unique_id
JOIN decisions_first d ON d.allegation_id = m.unique_id AND d.status <> '{LinkStatus.AUTO}'
"""
    )
    return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


def merge_second_pass(con: duckdb.DuckDBPyConnection) -> None:
    """Decisions and candidates: the second pass where it ran, the first elsewhere."""
    con.execute(
        """
CREATE OR REPLACE TEMP TABLE decisions AS
SELECT * FROM decisions UNION ALL BY NAME
SELECT * FROM decisions_first f WHERE f.allegation_id NOT IN (SELECT unique_id FROM mentions);

CREATE OR REPLACE TEMP TABLE candidates AS
SELECT * FROM candidates UNION ALL BY NAME
SELECT * FROM candidates_first f WHERE f.allegation_id NOT IN (SELECT unique_id FROM mentions);

CREATE OR REPLACE TEMP TABLE mentions AS SELECT * FROM mentions_all;
"""
    )


def restore_first_pass(con: duckdb.DuckDBPyConnection) -> None:
    """Nothing to score again: `mentions` is every mention once more."""
    con.execute("CREATE OR REPLACE TEMP TABLE mentions AS SELECT * FROM mentions_all")
