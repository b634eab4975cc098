"""Charts of the oversight figures as Vega-Lite, rendered here by vl-convert (SVG for the page,
PNG for the PDF): no external service, no script in the browser. Every chart has a table with
the same numbers beside it for screen-reader users. A chart draws only figures that came through
disclosure control (vigil.oversight.disclosure): a withheld one is written "too few to show",
never plotted."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import vl_convert

from vigil.oversight import disclosure, progress
from vigil.oversight.disclosure import PHRASE, ControlledGroupFigures, ControlledTable, Count, Withheld
from vigil.oversight.models import CountedFigures

WIDTH = 520
LEGEND = ["interval excludes 1", "interval includes 1"]


def relative_rates_spec(table: ControlledTable, title: str) -> dict[str, Any]:
    """A forest plot: each group's relative rate (dot) and 95% interval (bar) at each stage or
    category, against the reference group (the line at 1), on a log scale; a withheld one is
    the words "too few to show" at the line."""
    if not isinstance(table, ControlledTable):  # a table before disclosure control: never drawn
        raise TypeError("charts are drawn from controlled tables only")
    values: list[dict[str, Any]] = []
    for row in table.rows:
        if row.is_reference:
            continue
        for column, cell in zip(table.columns, row.cells, strict=True):
            relative = cell.relative
            if isinstance(relative, Withheld):
                values.append({"group": row.label, "stage": column, "withheld": PHRASE})
                continue
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
                    "transform": [{"filter": "isValid(datum.withheld)"}],
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "dx": 6,
                        "color": "#555",
                        "fontStyle": "italic",
                    },
                    "encoding": {
                        "y": {"field": "group", "type": "nominal", "title": None},
                        "x": {"datum": 1, "type": "quantitative", "scale": {"type": "log"}},
                        "text": {"field": "withheld"},
                    },
                },
                {
                    "transform": [{"filter": "isValid(datum.ratio)"}],
                    "mark": "rule",
                    "encoding": {
                        "y": {"field": "group", "type": "nominal", "title": None},
                        "x": {**x, "field": "low"},
                        "x2": {"field": "high"},
                    },
                },
                {
                    "transform": [{"filter": "isValid(datum.ratio)"}],
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


def per_day_spec(days: list[tuple[dt.date, Count]], title: str) -> dict[str, Any]:
    """Reports a day as bars; a withheld day is the words "too few to show", not a bar."""
    values: list[dict[str, Any]] = [
        {
            "day": day.isoformat(),
            **({"withheld": PHRASE} if isinstance(count, Withheld) else {"reports": count}),
        }
        for day, count in days
    ]
    x = {"field": "day", "type": "ordinal", "timeUnit": "yearmonthdate", "title": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": WIDTH,
        "height": 160,
        "data": {"values": values},
        "layer": [
            {
                "transform": [{"filter": "isValid(datum.reports)"}],
                "mark": {"type": "bar", "color": "#1d4e89"},
                "encoding": {"x": x, "y": {"field": "reports", "type": "quantitative", "title": "reports"}},
            },
            {
                "transform": [{"filter": "isValid(datum.withheld)"}],
                "mark": {"type": "text", "angle": 270, "align": "left", "fontSize": 9, "color": "#555"},
                "encoding": {
                    "x": x,
                    "y": {"datum": 0, "type": "quantitative"},
                    "text": {"field": "withheld"},
                },
            },
        ],
        "config": {"font": "sans-serif"},
    }


# The dashboard's charts, by name: "<section>-<dimension>" (a forest plot of that table) and the
# hotline's reports per day. Each chart reads the counted figures as the dashboard does, after
# the same disclosure control.
SectionTables = Callable[[ControlledGroupFigures], Sequence[ControlledTable]]
SECTION_TABLES: dict[str, tuple[str, SectionTables]] = {
    "stages": ("Allegations at each stage", lambda figures: figures.allegation_stages),
    "hotline": ("Hotline reports referred", lambda figures: figures.hotline_referral),
    "routes": ("Review routes", lambda figures: figures.review_routes),
    "bands": ("Risk bands", lambda figures: figures.risk_bands),
}
HOTLINE_PER_DAY = "hotline-per-day"


def chart_name(section: str, dimension: str) -> str:
    return f"{section}-{dimension}"


def dashboard_chart_spec(name: str, counted: CountedFigures) -> dict[str, Any] | None:
    """The Vega-Lite spec of the dashboard chart `name`, or None if there is no such chart."""
    if name == HOTLINE_PER_DAY:
        days = disclosure.control_per_day(progress.hotline_per_day())
        return per_day_spec(days, "Hotline reports per day, the last 28 days")
    section, _, dimension = name.partition("-")
    if section not in SECTION_TABLES:
        return None
    title, tables = SECTION_TABLES[section]
    controlled = tables(disclosure.control_group_figures(counted))
    table = next((t for t in controlled if t.dimension.key == dimension), None)
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
