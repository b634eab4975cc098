"""The Fellegi-Sunter model, in Splink: which comparisons, how candidate pairs are found, and how
its parameters are estimated from the data itself (no labelled pairs).

The comparisons are written only with Splink's dialect-aware levels and portable SQL
(COALESCE, SUBSTR, CAST, comparisons), so the same model runs on DuckDB and on Spark.
Where a column is on one side only (the mention's date, the person's service dates), the levels
read COALESCE(x_l, x_r): Splink may put either dataset on the left."""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

# Both names and their frequency bands: an exact surname says more when few people bear it.
RARE_SURNAME = 3
UNCOMMON_SURNAME = 25
RARE_FORENAME = 20
UNCOMMON_FORENAME = 150


def _both(column: str) -> str:
    return f"COALESCE({column}_l, {column}_r)"


def _null_if_missing(*columns: str) -> ComparisonLevelCreator:
    condition = " OR ".join(f"{_both(column)} IS NULL" for column in columns)
    return cll.CustomLevel(condition, label_for_charts="not recorded").configure(is_null_level=True)


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    staff_number = cl.CustomComparison(
        output_column_name="staff_number",
        comparison_description="Staff (warrant) number",
        comparison_levels=[
            cll.NullLevel("staff_id"),
            cll.ExactMatchLevel("staff_id").configure(label_for_charts="same staff number"),
            cll.ArrayIntersectLevel("staff_ids", min_intersection=1).configure(
                label_for_charts="a former staff number"
            ),
            cll.DamerauLevenshteinLevel("staff_id", 1).configure(label_for_charts="one digit different"),
            cll.ElseLevel().configure(label_for_charts="different staff number"),
        ],
    )
    shoulder_number = cl.CustomComparison(
        output_column_name="shoulder_number",
        comparison_description="Shoulder (collar) number, any worn",
        comparison_levels=[
            cll.NullLevel("shoulder_numbers"),
            cll.ArrayIntersectLevel("shoulder_numbers", min_intersection=1).configure(
                label_for_charts="a shoulder number worn"
            ),
            cll.ArrayIntersectLevel("shoulder_digits", min_intersection=1).configure(
                label_for_charts="the digits of a shoulder number worn"
            ),
            cll.ElseLevel().configure(label_for_charts="different shoulder number"),
        ],
    )
    surname_agrees = cll.ArrayIntersectLevel("surnames", min_intersection=1)
    surname = cl.CustomComparison(
        output_column_name="surname",
        comparison_description="Surname, any known (former names and aliases too)",
        comparison_levels=[
            cll.NullLevel("surnames"),
            cll.And(surname_agrees, cll.CustomLevel(f"{_both('surname_count')} <= {RARE_SURNAME}")).configure(
                label_for_charts=f"same surname, rare (≤ {RARE_SURNAME} on the register)"
            ),
            cll.And(
                surname_agrees, cll.CustomLevel(f"{_both('surname_count')} <= {UNCOMMON_SURNAME}")
            ).configure(label_for_charts=f"same surname, uncommon (≤ {UNCOMMON_SURNAME})"),
            cll.ArrayIntersectLevel("surnames", min_intersection=1).configure(
                label_for_charts=f"same surname, common (> {UNCOMMON_SURNAME})"
            ),
            cll.JaroWinklerLevel("surname", 0.88).configure(label_for_charts="surname spelt similarly"),
            cll.ElseLevel().configure(label_for_charts="different surname"),
        ],
    )
    first_name_agrees = cll.ArrayIntersectLevel("first_forenames", min_intersection=1)
    forename = cl.CustomComparison(
        output_column_name="forename",
        comparison_description="First name, with nicknames and aliases",
        comparison_levels=[
            cll.NullLevel("initials"),
            cll.And(
                first_name_agrees, cll.CustomLevel(f"{_both('forename_count')} <= {RARE_FORENAME}")
            ).configure(label_for_charts=f"same first name, rare (≤ {RARE_FORENAME} on the register)"),
            cll.And(
                first_name_agrees, cll.CustomLevel(f"{_both('forename_count')} <= {UNCOMMON_FORENAME}")
            ).configure(label_for_charts=f"same first name, uncommon (≤ {UNCOMMON_FORENAME})"),
            cll.ArrayIntersectLevel("first_forenames", min_intersection=1).configure(
                label_for_charts="same first name (or a form of it), common"
            ),
            cll.ArrayIntersectLevel("forenames", min_intersection=1).configure(
                label_for_charts="a middle name or an alias's"
            ),
            cll.JaroWinklerLevel("forename", 0.88).configure(label_for_charts="first name spelt similarly"),
            cll.ArrayIntersectLevel("initials", min_intersection=1).configure(
                label_for_charts="same initial"
            ),
            cll.ElseLevel().configure(label_for_charts="different first name"),
        ],
    )
    dob_shared = "LEAST(LENGTH(dob_l), LENGTH(dob_r))"
    date_of_birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth (to the precision recorded)",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.CustomLevel(
                f"SUBSTR(dob_l, 1, {dob_shared}) = SUBSTR(dob_r, 1, {dob_shared}) AND {dob_shared} = 10",
                label_for_charts="same date of birth",
            ),
            cll.CustomLevel(
                f"SUBSTR(dob_l, 1, {dob_shared}) = SUBSTR(dob_r, 1, {dob_shared})",
                label_for_charts="same year (and month) of birth, day not recorded",
            ),
            cll.CustomLevel(
                "SUBSTR(dob_l, 1, 4) = SUBSTR(dob_r, 1, 4)", label_for_charts="same year of birth"
            ),
            cll.ElseLevel().configure(label_for_charts="different date of birth"),
        ],
    )
    rank = cl.CustomComparison(
        output_column_name="rank",
        comparison_description="Rank",
        comparison_levels=[
            _null_if_missing("rank_mentioned", "rank_max"),
            cll.ArrayIntersectLevel("ranks", min_intersection=1).configure(label_for_charts="a rank held"),
            cll.CustomLevel(
                f"{_both('rank_mentioned')} < {_both('rank_max')}",
                label_for_charts="a lower rank (promoted since?)",
            ),
            cll.ElseLevel().configure(label_for_charts="different rank"),
        ],
    )
    command = cl.CustomComparison(
        output_column_name="command",
        comparison_description="Command, station or unit",
        comparison_levels=[
            cll.NullLevel("command_keys"),
            cll.ArrayIntersectLevel("command_keys", min_intersection=1).configure(
                label_for_charts="a command served in"
            ),
            cll.ElseLevel().configure(label_for_charts="different command"),
        ],
    )
    role = cl.CustomComparison(
        output_column_name="role",
        comparison_description="Role words in the details (firearms, custody, CID, ...)",
        comparison_levels=[
            cll.NullLevel("role_tags"),
            cll.ArrayIntersectLevel("role_tags", min_intersection=1).configure(
                label_for_charts="a role held"
            ),
            cll.ElseLevel().configure(label_for_charts="different role"),
        ],
    )
    event, joined, left = _both("event_date"), _both("joined_on"), _both("left_on")
    event_year, joined_year = f"CAST(SUBSTR({event}, 1, 4) AS INT)", f"CAST(SUBSTR({joined}, 1, 4) AS INT)"
    service = cl.CustomComparison(
        output_column_name="service",
        comparison_description="Serving at the time of the events",
        comparison_levels=[
            _null_if_missing("event_date", "joined_on"),
            cll.CustomLevel(
                f"{event} >= {joined} AND ({left} IS NULL OR {event} <= {left})",
                label_for_charts="serving at the time",
            ),
            cll.CustomLevel(
                f"{event} < {joined} AND {event_year} >= {joined_year} - 10",
                label_for_charts="in the 10 years before joining",
            ),
            cll.ElseLevel().configure(label_for_charts="not serving at the time"),
        ],
    )
    age_gap = f"ABS({event_year} - {_both('birth_year')} - {_both('approx_age')})"
    age = cl.CustomComparison(
        output_column_name="age",
        comparison_description='Age described ("about 40") against the date of birth',
        comparison_levels=[
            _null_if_missing("approx_age", "birth_year", "event_date"),
            cll.CustomLevel(f"{age_gap} <= 5", label_for_charts="age fits (within 5 years)"),
            cll.CustomLevel(f"{age_gap} <= 10", label_for_charts="age roughly fits (within 10 years)"),
            cll.ElseLevel().configure(label_for_charts="age does not fit"),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="place",
        comparison_description="Places in the details (stations learnt from the force's own records)",
        comparison_levels=[
            cll.NullLevel("place_commands"),
            cll.ArrayIntersectLevel("place_commands", min_intersection=1).configure(
                label_for_charts="a place in a command served in"
            ),
            cll.ElseLevel().configure(label_for_charts="places elsewhere"),
        ],
    )
    elsewhere = cl.CustomComparison(
        output_column_name="elsewhere",
        comparison_description="Another force named in the details, or an impostor",
        comparison_levels=[
            _null_if_missing("elsewhere", "joined_on", "event_date"),
            cll.CustomLevel(
                f"{_both('elsewhere')} = 'other_force' AND {event} < {joined}",
                label_for_charts="another force, before joining here",
            ),
            cll.ElseLevel().configure(label_for_charts="another force or an impostor, while serving here"),
        ],
    )
    complainant = cl.CustomComparison(
        output_column_name="complainant",
        comparison_description="The complainant's other reports",
        comparison_levels=[
            cll.NullLevel("complainant_people"),
            cll.ArrayIntersectLevel("complainant_people", min_intersection=1).configure(
                label_for_charts="the complainant's other reports are about this person"
            ),
            cll.ElseLevel().configure(
                label_for_charts="the complainant's other reports are about someone else"
            ),
        ],
    )
    return [
        staff_number, shoulder_number, surname, forename, date_of_birth, rank, command, role, place, age,
        service, elsewhere, complainant,
    ]  # fmt: skip


def blocking_rules() -> list[Any]:
    """How candidate pairs are found: each rule is one way the true person could show up. Lists
    are exploded; a mention's blocking columns are empty where the key would not be selective
    (engine.prepare), which is what keeps a million mentions of common names tractable."""
    return [
        block_on("staff_id"),
        block_on("staff_ids", arrays_to_explode=["staff_ids"]),
        block_on("shoulder_digits", arrays_to_explode=["shoulder_digits"]),
        block_on("staff_masks", arrays_to_explode=["staff_masks"]),
        block_on("surnames", "first_forenames", arrays_to_explode=["surnames", "first_forenames"]),
        block_on("rare_surnames", arrays_to_explode=["rare_surnames"]),
        block_on("surnames", "initial_only", arrays_to_explode=["surnames", "initial_only"]),
        block_on("dob_full"),
        # A misspelt surname keeps its first and last letters; the first name narrows it down.
        block_on("surname_fl", "first_forenames", arrays_to_explode=["first_forenames"]),
        # Only a first name ("Kieran, firearms command"): the command or the role narrows it down.
        block_on(
            "name_only_forenames", "command_keys", arrays_to_explode=["name_only_forenames", "command_keys"]
        ),
        block_on("name_only_forenames", "role_tags", arrays_to_explode=["name_only_forenames", "role_tags"]),
        # The people a complainant's other reports are about (the second pass: engine.context).
        block_on("complainant_people", arrays_to_explode=["complainant_people"]),
        # Only a surname ("PC Smith"): likewise.
        block_on(
            "surname_only_surnames",
            "command_keys",
            arrays_to_explode=["surname_only_surnames", "command_keys"],
        ),
        block_on(
            "surname_only_surnames", "role_tags", arrays_to_explode=["surname_only_surnames", "role_tags"]
        ),
    ]


def settings(probability_two_random_records_match: float = 1e-4) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        # EM converges in a handful of iterations here; more only pushes rare levels towards 0.
        max_iterations=15,
    )


# EM is run twice, each time blocking on keys whose own parameters are then not estimated: on the
# name (estimates the numbers, date of birth, rank, ...), then on the staff number (the names).
TRAINING_BLOCKS = (("surname", "forename"), ("staff_id",))
