"""Charts of the oversight figures as Vega-Lite, rendered here by vl-convert (SVG for the page,
PNG for the PDF): no external service, no script in the browser. Every chart has a table with
the same numbers beside it for screen-reader users."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import vl_convert

from vigil.oversight import progress, selectors
from vigil.oversight.models import CountedFigures
from vigil.oversight.selectors import ShareTable, StageTable

WIDTH = 520
LEGEND = ["interval excludes 1", "interval includes 1"]


def relative_rates_spec(table: StageTable | ShareTable, title: str) -> dict[str, Any]:
    """A forest plot: each group's relative rate (dot) and 95% interval (bar) at each stage or
    category, against the reference group (the line at 1), on a log scale."""
    values = []
    for row in table.rows:
        if row.is_reference:
            continue
        for column, cell in zip(table.columns, row.cells, strict=True):
            relative = cell.relative
            if relative is None or relative.ratio is None or relative.ratio <= 0:
                continue  # no ratio, or 0: nothing a log scale can place
            values.append(
                {
                    "group": row.label,
                    "stage": column,
                    "ratio": relative.ratio,
                    "low": relative.low,
                    "high": relative.high,
                    "marked": "interval excludes 1" if relative.marked else "interval includes 1",
                }
            )
    x = {"field": "ratio", "type": "quantitative", "scale": {"type": "log"}, "title": "relative rate"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "data": {"values": values},
        "facet": {
            "row": {
                "field": "stage",
                "type": "nominal",
                "title": None,
                "sort": list(table.columns),
                "header": {
                    "labelAngle": 0,
                    "labelOrient": "top",
                    "labelAlign": "left",
                    "labelFontWeight": "bold",
                },
            }
        },
        "spec": {
            "width": WIDTH,
            "layer": [
                {"mark": {"type": "rule", "color": "#555"}, "encoding": {"x": {"datum": 1}}},
                {
                    "mark": "rule",
                    "encoding": {
                        "y": {"field": "group", "type": "nominal", "title": None},
                        "x": {**x, "field": "low"},
                        "x2": {"field": "high"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 60},
                    "encoding": {
                        "y": {"field": "group", "type": "nominal", "title": None},
                        "x": x,
                        "shape": {
                            "field": "marked",
                            "type": "nominal",
                            "title": None,
                            "scale": {"domain": LEGEND, "range": ["circle", "square"]},
                        },
                        "color": {
                            "field": "marked",
                            "type": "nominal",
                            "title": None,
                            "scale": {"domain": LEGEND, "range": ["#8b1a1a", "#1d4e89"]},
                        },
                    },
                },
            ],
        },
        "config": {"font": "sans-serif"},
    }


def per_day_spec(days: list[tuple[dt.date, int]], title: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": WIDTH,
        "height": 160,
        "data": {"values": [{"day": day.isoformat(), "reports": count} for day, count in days]},
        "mark": {"type": "bar", "color": "#1d4e89"},
        "encoding": {
            "x": {"field": "day", "type": "ordinal", "timeUnit": "yearmonthdate", "title": None},
            "y": {"field": "reports", "type": "quantitative", "title": "reports"},
        },
        "config": {"font": "sans-serif"},
    }


# The dashboard's charts, by name: "<section>-<dimension>" (a forest plot of that table) and the
# hotline's reports per day. Each chart reads only its own section's figures, from the counted
# figures, as the dashboard does.
SectionTables = Callable[[CountedFigures], Sequence[StageTable | ShareTable]]
SECTION_TABLES: dict[str, tuple[str, SectionTables]] = {
    "stages": (
        "Allegations at each stage",
        lambda counted: selectors.allegation_stage_tables(counted.allegation_groups),
    ),
    "hotline": (
        "Hotline reports referred",
        lambda counted: selectors.hotline_referral_tables(counted.hotline_referral_groups),
    ),
    "routes": ("Review routes", lambda counted: selectors.review_route_tables(counted.review_route_groups)),
    "bands": ("Risk bands", lambda counted: selectors.risk_band_tables(counted.risk_band_groups)),
}
HOTLINE_PER_DAY = "hotline-per-day"


def chart_name(section: str, dimension: str) -> str:
    return f"{section}-{dimension}"


def dashboard_chart_spec(name: str, counted: CountedFigures) -> dict[str, Any] | None:
    """The Vega-Lite spec of the dashboard chart `name`, or None if there is no such chart."""
    if name == HOTLINE_PER_DAY:
        return per_day_spec(progress.hotline_per_day(), "Hotline reports per day, the last 28 days")
    section, _, dimension = name.partition("-")
    if section not in SECTION_TABLES:
        return None
    title, tables = SECTION_TABLES[section]
    table = next((t for t in tables(counted) if t.dimension.key == dimension), None)
    if table is None:
        return None
    return relative_rates_spec(table, f"{title}: relative rates by {table.dimension.label.lower()}")


def svg(spec: dict[str, Any]) -> str:
    """Rendered once per distinct spec (the spec holds the numbers, so new figures render anew)."""
    return _svg(json.dumps(spec, sort_keys=True))


@lru_cache(maxsize=128)
def _svg(spec_json: str) -> str:
    return str(vl_convert.vegalite_to_svg(spec_json))


def png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    return bytes(vl_convert.vegalite_to_png(spec, scale=scale))
