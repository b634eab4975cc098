"""Estimate the model and score candidate pairs with Splink, on DuckDB or on Spark.

Preparation always happens in DuckDB (engine.prepare); on Spark the prepared tables are handed
over as Arrow and the scored pairs come back as Arrow, so what differs between engines is only
where Splink's SQL runs. The saved model is engine-neutral: the comparisons are rebuilt for the
engine's SQL dialect and the estimated m and u probabilities copied in, level by level."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from splink import DuckDBAPI, Linker, block_on

from vigil.linkage.engine import model
from vigil.linkage.engine.prepare import MENTION_COLUMNS

ENGINES = ("duckdb", "spark")
# No level is allowed to veto a link outright: EM, seeing no true pair with (say) a different
# staff number, would estimate m = 0 and a colleague's number given by mistake would then make
# the real subject impossible. Every level keeps at least this share of true pairs.
M_FLOOR = 0.01
# Mentions the model is estimated on (all of them, up to this many).
ESTIMATION_SAMPLE = 200_000
# Pairs scoring below this match weight are not kept as candidates (2^-12: hopeless).
KEEP_WEIGHT = -12.0
_SPLINK_LOG_LEVEL = logging.WARNING
logger = logging.getLogger(__name__)


def _columns() -> str:
    return ", ".join(MENTION_COLUMNS)


def _linker(api: Any, mentions: Any, register: Any, settings: Any) -> Linker:
    m = api.register(mentions, dataset_display_name="mentions")
    r = api.register(register, dataset_display_name="register")
    return Linker([m, r], settings, log_level=_SPLINK_LOG_LEVEL)


def estimate(con: duckdb.DuckDBPyConnection, *, on_register_share: float) -> dict[str, Any]:
    """Estimate the model from the data (no labels): u by random sampling, m by EM on two
    blocking passes; the prior from the expected share of allegations about registered people."""
    people = con.execute("SELECT count(*) FROM register").fetchall()[0][0]
    # A random sample estimates the parameters as well as everything does, in a fraction of the time.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE splink_mentions AS SELECT {_columns()} FROM mentions "
        f"USING SAMPLE {ESTIMATION_SAMPLE} ROWS (reservoir, 1633)"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE splink_register AS SELECT {_columns()} FROM register")
    api = DuckDBAPI(connection=con)
    settings = model.settings(probability_two_random_records_match=on_register_share / max(people, 1))
    linker = _linker(api, "splink_mentions", "splink_register", settings)
    # Splink warns of levels EM never saw (a former staff number, say); floor_m deals with them.
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
        for columns in model.TRAINING_BLOCKS:
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*columns), estimate_without_term_frequencies=True
                )
            except ValueError as error:
                # On a small register EM can drive a level's m towards 0 until Splink refuses the
                # float; the other pass and the floor (floor_m) still give a usable model.
                if "below the minimum allowed" not in str(error):
                    raise
                logger.warning("EM blocking on %s stopped early: %s", columns, error)
    finally:
        splink_logger.setLevel(level)
    return floor_m(linker.misc.save_model_to_json())


def floor_m(model_json: dict[str, Any]) -> dict[str, Any]:
    floored = copy.deepcopy(model_json)
    for comparison in floored["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for level in levels:
            level["m_probability"] = max(level.get("m_probability") or 0.0, M_FLOOR)
        total = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] /= total
    return floored


def settings_for_dialect(model_json: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The saved model with its SQL rebuilt for `dialect`, parameters copied level by level."""
    if model_json.get("sql_dialect") == dialect:
        return model_json
    rebuilt = model.settings(model_json["probability_two_random_records_match"]).create_settings_dict(dialect)
    for target, source in zip(rebuilt["comparisons"], model_json["comparisons"], strict=True):
        for target_level, source_level in zip(
            target["comparison_levels"], source["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in source_level:
                    target_level[key] = source_level[key]
    return rebuilt


def score(con: duckdb.DuckDBPyConnection, model_json: dict[str, Any], *, engine: str = "duckdb") -> None:
    """Score every blocked pair of `mentions` x `register` into the DuckDB table `pairs`
    (allegation_id, person_id, match_weight, mw_<comparison>...)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose from {', '.join(ENGINES)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE splink_mentions AS SELECT {_columns()} FROM mentions")
    con.execute(f"CREATE OR REPLACE TEMP TABLE splink_register AS SELECT {_columns()} FROM register")
    # Splink keeps each comparison's match weight (mw_<name>); decide turns them back into words.
    gammas = [f"mw_{comparison['output_column_name']}" for comparison in model_json["comparisons"]]
    if engine == "duckdb":
        api = DuckDBAPI(connection=con)
        linker = _linker(api, "splink_mentions", "splink_register", model_json)
        predictions = linker.inference.predict(threshold_match_weight=KEEP_WEIGHT, warning_mode="never")
        con.execute(_pairs_sql(predictions.physical_name, gammas))
        predictions.drop_table_from_database_and_remove_from_cache()
        return
    arrow = _score_on_spark(con, settings_for_dialect(model_json, "spark"), gammas)
    con.register("spark_predictions", arrow)
    con.execute(_pairs_sql("spark_predictions", gammas))
    con.unregister("spark_predictions")


def _pairs_sql(table: str, gammas: list[str]) -> str:
    # Splink may put either dataset on the left: turn every pair the same way round.
    mention_left = "source_dataset_l = 'mentions'"
    return f"""
CREATE OR REPLACE TEMP TABLE pairs AS
SELECT CASE WHEN {mention_left} THEN unique_id_l ELSE unique_id_r END AS allegation_id,
       CASE WHEN {mention_left} THEN unique_id_r ELSE unique_id_l END AS person_id,
       match_weight, {", ".join(gammas)}
FROM {table}
"""


def _score_on_spark(con: duckdb.DuckDBPyConnection, settings: dict[str, Any], gammas: list[str]) -> pa.Table:
    from splink import SparkAPI

    mentions = con.execute("SELECT * FROM splink_mentions").to_arrow_table()
    register = con.execute("SELECT * FROM splink_register").to_arrow_table()
    with spark_session() as spark:
        api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
        linker = _linker(api, spark.createDataFrame(mentions), spark.createDataFrame(register), settings)
        predictions = linker.inference.predict(threshold_match_weight=KEEP_WEIGHT, warning_mode="never")
        columns = ["source_dataset_l", "unique_id_l", "unique_id_r", "match_weight", *gammas]
        return predictions.as_spark_dataframe().select(*columns).toArrow()


@contextmanager
def spark_session() -> Iterator[Any]:
    """A local Spark session bound to loopback, with Splink's similarity functions on its path.
    On a cluster, set VIGIL_SPARK_MASTER (e.g. spark://host:7077 or yarn)."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "the Spark engine needs pyspark: pip install 'vigil[spark]' (and Java 17)"
        ) from error
    import tempfile

    master = os.environ.get("VIGIL_SPARK_MASTER", "local[2]")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    checkpoints = tempfile.mkdtemp(prefix="vigil-spark-")
    builder = (
        SparkSession.builder.appName("vigil-link")
        .master(master)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("VIGIL_SPARK_PARTITIONS", "8"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setCheckpointDir(checkpoints)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()
        import shutil

        shutil.rmtree(checkpoints, ignore_errors=True)
