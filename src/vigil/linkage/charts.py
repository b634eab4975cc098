"""Splink's match-weights chart of a saved model, rendered to SVG here (vl-convert): no CDN, no
JavaScript, so it can be read on a closed network or put in a document."""

from __future__ import annotations

from typing import Any

import duckdb
import vl_convert
from splink import DuckDBAPI, Linker

from vigil.linkage.engine.prepare import MENTION_COLUMNS
from vigil.linkage.models import LinkModel


def match_weights_svg(link_model: LinkModel) -> str:
    con = duckdb.connect()
    try:
        # Splink needs input tables to build a linker; the chart reads only the model.
        con.execute("CREATE TABLE empty AS SELECT " + ", ".join(f"NULL AS {c}" for c in MENTION_COLUMNS))
        api = DuckDBAPI(connection=con)
        tables = [
            api.register("empty", dataset_display_name="mentions"),
            api.register("empty", dataset_display_name="register", table_name="empty_register"),
        ]
        linker = Linker(tables, link_model.splink_model)
        chart = linker.visualisations.match_weights_chart()
        spec: dict[str, Any] = chart.chart_dict
        return str(vl_convert.vegalite_to_svg(spec))
    finally:
        con.close()
