"""Bare Splink with a sensible configuration: the baseline Vigil's linker is measured against.

What a competent analyst would do in an afternoon with Splink 5 and DuckDB: read the two contract
files with DuckDB, split the recorded subject name naively (punctuation stripped, lower-cased, first
token and last token), link_only allegations to the register on first name, surname (term-frequency
adjusted), staff number, shoulder number, date of birth and command, estimate the model from the
data (deterministic rules for the prior, random sampling for u, EM on two blocking rules), predict,
and take the best-scoring candidate per allegation (no clustering: connected components would merge
officers through one ambiguous mention).

    .venv/bin/python bench/bare_splink.py PERSONNEL.csv ALLEGATIONS.csv [--truth truth.csv]
        [--threshold 0.9] [--output links.csv]

Prints wall time and peak RSS, and with --truth precision, recall and F1 of the links above the
threshold (a link is right when its staff_id is the truth's; recall is over allegations whose
subject is on the register).
"""

from __future__ import annotations

import argparse
import csv
import logging
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# A candidate below this is no candidate at all (the allegation is left unmatched).
CANDIDATE_FLOOR = 0.5
SEED = 1633


@dataclass(frozen=True)
class BestLink:
    allegation_ref: str
    source_system: str
    staff_id: str | None
    match_probability: float | None


# Names: accents folded, lower-cased, anything but letters and spaces removed ("O'Brien" ->
# "obrien", "SMITH, Dave" -> "smith dave"), then split on spaces.
_CLEAN = "regexp_replace(lower(strip_accents({column})), '[^a-z ]', '', 'g')"


def _tokens(column: str) -> str:
    return f"list_filter(string_split(trim({_CLEAN.format(column=column)}), ' '), t -> t <> '')"


def _load(con: duckdb.DuckDBPyConnection, personnel_csv: Path, allegations_csv: Path) -> None:
    """Two tables with the same columns: unique_id, first_name, surname, staff_id, shoulder_number,
    dob, command (NULL where unknown)."""
    read = "read_csv('{path}', header = true, all_varchar = true)"
    # Paths and our own SQL fragments only: nothing from the files' contents is spliced in.
    con.execute(
        f"""
        CREATE TABLE register AS
        SELECT
            staff_id AS unique_id,
            {_tokens("forenames")}[1] AS first_name,
            nullif({_CLEAN.format(column="surname")}, '') AS surname,
            staff_id,
            nullif(split_part(shoulder_numbers, ';', 1), '') AS shoulder_number,
            date_of_birth AS dob,
            nullif(lower(command), '') AS command
        FROM {read.format(path=personnel_csv)}
        """  # noqa: S608
    )
    con.execute(
        f"""
        CREATE TABLE allegations_raw AS
        SELECT row_number() OVER () AS row_id, *
        FROM {read.format(path=allegations_csv)}
        """  # noqa: S608
    )
    con.execute(
        f"""
        CREATE TABLE allegations AS
        WITH named AS (SELECT *, {_tokens("subject_name")} AS name_tokens FROM allegations_raw)
        SELECT
            CAST(row_id AS VARCHAR) AS unique_id,
            name_tokens[1] AS first_name,
            -- one word is a forename as often as a surname: keep it as the first name only
            CASE WHEN len(name_tokens) > 1 THEN name_tokens[-1] END AS surname,
            nullif(trim(subject_staff_id), '') AS staff_id,
            nullif(upper(trim(subject_shoulder_number)), '') AS shoulder_number,
            nullif(trim(subject_dob), '') AS dob,
            nullif(lower(trim(subject_command)), '') AS command
        FROM named
        """  # noqa: S608
    )


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.ExactMatch("staff_id"),
            cl.ExactMatch("shoulder_number"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("command"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("staff_id"),
            block_on("surname", "substr(first_name, 1, 1)"),
            block_on("shoulder_number"),
            block_on("dob"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def bare_splink_links(
    personnel_csv: Path, allegations_csv: Path, threshold: float = CANDIDATE_FLOOR, *, verbose: bool = False
) -> list[BestLink]:
    """Per allegation (in file order), its best candidate on the register with the match
    probability, or None and None when no candidate scores at least `threshold`. `verbose` prints
    each stage's time to stderr."""
    started = time.perf_counter()

    def stage(name: str) -> None:
        if verbose:
            print(f"  {time.perf_counter() - started:7.1f} s  {name}", file=sys.stderr, flush=True)

    con = duckdb.connect()
    _load(con, personnel_csv, allegations_csv)
    stage("read and prepared")
    db_api = DuckDBAPI(connection=con)
    allegations = db_api.register("allegations", table_name="allegations_in")
    register = db_api.register("register", table_name="register_in")
    linker = Linker([allegations, register], _settings(), log_level=logging.WARNING)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("staff_id", "surname"), block_on("shoulder_number", "surname")], recall=0.7
    )
    stage("prior estimated")
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=SEED)
    stage("u estimated")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("staff_id"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "first_name"))
    stage("m estimated (EM)")
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    stage("predicted")

    # Best candidate per allegation: the highest match probability (ties: lowest staff_id).
    rows = con.execute(
        f"""
        WITH pairs AS (
            SELECT
                CASE WHEN source_dataset_l = 'allegations_in' THEN unique_id_l ELSE unique_id_r END
                    AS allegation_id,
                CASE WHEN source_dataset_l = 'allegations_in' THEN unique_id_r ELSE unique_id_l END
                    AS staff_id,
                match_probability
            FROM {predictions.physical_name}
        ),
        best AS (
            SELECT allegation_id, staff_id, match_probability
            FROM pairs
            QUALIFY row_number() OVER (
                PARTITION BY allegation_id ORDER BY match_probability DESC, staff_id
            ) = 1
        )
        SELECT a.allegation_ref, a.source_system, best.staff_id, best.match_probability
        FROM allegations_raw AS a
        LEFT JOIN best ON best.allegation_id = CAST(a.row_id AS VARCHAR)
        ORDER BY a.row_id
        """  # noqa: S608
    ).fetchall()
    con.close()
    stage("best candidate per allegation")
    return [BestLink(*row) for row in rows]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    linked: int
    correct: int
    linkable: int
    best_right: int  # linkable allegations whose best candidate (>= the candidate floor) is the truth


def score(links: list[BestLink], truth_csv: Path, threshold: float) -> Scores:
    """Links at or above `threshold` against the truth file."""
    with truth_csv.open(encoding="utf-8", newline="") as handle:
        truth = {
            (row["allegation_ref"], row["source_system"]): row["staff_id"] for row in csv.DictReader(handle)
        }
    linked = correct = best_right = 0
    for link in links:
        if link.staff_id is None or link.match_probability is None:
            continue
        right = truth.get((link.allegation_ref, link.source_system)) == link.staff_id
        best_right += right
        if link.match_probability >= threshold:
            linked += 1
            correct += right
    linkable = sum(1 for staff_id in truth.values() if staff_id)
    precision = correct / linked if linked else 0.0
    recall = correct / linkable if linkable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, linked, correct, linkable, best_right)


def _peak_rss_gb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _write(links: list[BestLink], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["allegation_ref", "source_system", "staff_id", "match_probability"])
        for link in links:
            probability: Any = "" if link.match_probability is None else f"{link.match_probability:.6f}"
            writer.writerow([link.allegation_ref, link.source_system, link.staff_id or "", probability])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("personnel", type=Path)
    parser.add_argument("allegations", type=Path)
    parser.add_argument("--truth", type=Path, help="truth.csv: print precision, recall and F1")
    parser.add_argument("--threshold", type=float, default=0.9, help="links at or above this count (0.9)")
    parser.add_argument("--output", type=Path, help="write the best candidate per allegation here")
    parser.add_argument("--verbose", action="store_true", help="print each stage's time")
    args = parser.parse_args()

    started = time.perf_counter()
    links = bare_splink_links(
        args.personnel, args.allegations, threshold=min(CANDIDATE_FLOOR, args.threshold), verbose=args.verbose
    )
    elapsed = time.perf_counter() - started
    print(
        f"bare splink {duckdb.__version__=}: {len(links):,} allegations, wall {elapsed:.1f} s, "
        f"peak RSS {_peak_rss_gb():.2f} GB"
    )
    if args.output:
        _write(links, args.output)
    if args.truth:
        result = score(links, args.truth, args.threshold)
        print(
            f"at >= {args.threshold}: precision {result.precision:.4f}, recall {result.recall:.4f}, "
            f"F1 {result.f1:.4f} ({result.correct:,} right of {result.linked:,} links; "
            f"{result.linkable:,} linkable allegations)"
        )
        print(
            f"best candidate (>= {CANDIDATE_FLOOR}) is the true person for "
            f"{result.best_right / max(result.linkable, 1):.4f} of linkable allegations"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
