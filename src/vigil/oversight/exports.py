"""The board pack: the oversight figures as CSV, a workbook or a PDF. Part of the public
contract: `vigil report oversight --format pdf|xlsx|csv --out FILE`, and the CSV and workbook
columns in EXPORT_COLUMNS (extend them, never change them silently).

Figures only, no names. Every figure comes through disclosure control (vigil.oversight.disclosure)
before it gets here: a withheld count, and every rate, interval and relative rate worked out from
it, is written as "[c]"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from fpdf import FPDF

from vigil.core import tabular
from vigil.oversight import charts
from vigil.oversight.disclosure import (
    MARK,
    THRESHOLD,
    ControlledCell,
    ControlledFigures,
    ControlledTable,
    Withheld,
)

FORMATS = ("pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
EXPORT_COLUMNS = (
    "section",
    "dimension",
    "group",
    "reference_group",
    "stage",
    "count",
    "total",
    "rate",
    "rate_low",
    "rate_high",
    "relative_rate",
    "relative_low",
    "relative_high",
    "interval_excludes_1",
    "value",  # a progress figure that is not a count: days, hours, a pace, a date
)
SUPPRESSED = MARK
SECTIONS = {
    "allegation_stages": "Allegations at each stage",
    "hotline_referral": "Hotline reports referred",
    "review_routes": "Review routes",
    "risk_bands": "Risk bands",
}


def _number(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _cells(cell: ControlledCell) -> dict[str, str]:
    figures = {"count": str(cell.count), "total": str(cell.total)}
    if isinstance(cell.rate, Withheld):
        figures.update(dict.fromkeys(("rate", "rate_low", "rate_high"), SUPPRESSED))
    else:
        figures.update(
            rate=_number(cell.rate.rate), rate_low=_number(cell.rate.low), rate_high=_number(cell.rate.high)
        )
    relative = cell.relative
    if isinstance(relative, Withheld):
        figures.update(dict.fromkeys(("relative_rate", "relative_low", "relative_high"), SUPPRESSED))
        figures["interval_excludes_1"] = ""
        return figures
    figures.update(
        relative_rate=_number(relative.ratio if relative else None),
        relative_low=_number(relative.low if relative else None),
        relative_high=_number(relative.high if relative else None),
        interval_excludes_1=("yes" if relative.marked else "no") if relative and relative.ratio else "",
    )
    return figures


def _table_rows(section: str, table: ControlledTable) -> Iterator[dict[str, str]]:
    reference = dict(table.dimension.groups).get(table.dimension.reference, table.dimension.reference)
    for row in table.rows:
        for column, cell in zip(table.columns, row.cells, strict=True):
            yield {
                "section": section,
                "dimension": table.dimension.label,
                "group": row.label,
                "reference_group": reference,
                "stage": column,
                **_cells(cell),
            }


def export_rows(figures: ControlledFigures) -> Iterator[dict[str, str]]:
    """Every figure as one row of EXPORT_COLUMNS, the progress figures first."""
    for key, label, value in progress_items(figures):
        column = "value" if key in _NOT_COUNTS or not isinstance(value, int | Withheld) else "count"
        yield {"section": "progress", "stage": label, column: _progress_value(value)}
    check = figures.sexual_case_to_answer
    for group, cell in (("Sexual misconduct", check.sexual), ("All other allegations", check.others)):
        yield {
            "section": "sexual_case_to_answer",
            "dimension": "Allegation domain",
            "group": group,
            "reference_group": "All other allegations",
            "stage": "Case to answer (of decided)",
            **_cells(cell),
        }
    for section, tables in _sections(figures):
        for table in tables:
            yield from _table_rows(section, table)


def _sections(figures: ControlledFigures) -> list[tuple[str, tuple[ControlledTable, ...]]]:
    return [
        ("allegation_stages", figures.allegation_stages),
        ("hotline_referral", figures.hotline_referral),
        ("review_routes", figures.review_routes),
        ("risk_bands", figures.risk_bands),
    ]


Value = int | float | str | Withheld | None
# Progress figures that are not counts (a withheld one goes in the value column).
_NOT_COUNTS = frozenset(
    {
        "backlog_median_days",
        "backlog_oldest_days_value",
        "triage_median_hours",
        "outcome_median_days",
        "pace_per_week",
        "finish",
        "finish_earliest",
        "finish_latest",
    }
)


def progress_items(figures: ControlledFigures) -> list[tuple[str, str, Value]]:
    """(key, label, value) of the progress figures, as controlled (a withheld one is Withheld)."""
    p = figures.progress
    f = p.forecast
    items: list[tuple[str, str, Value]] = [
        ("cohort_cases", "Cohort cases", p.cohort_cases),
        ("cohort_people", "People in the cohort", p.cohort_people),
        ("people_decided", "People reviewed (decided)", p.people_decided),
    ]
    items += [(f"route:{label}", f"Route: {label}", count) for label, count in p.by_route]
    items += [
        ("hotline_received", "Hotline reports received", p.hotline_received),
        ("hotline_triaged", "Hotline reports triaged", p.hotline_triaged),
        ("hotline_referred", "Hotline reports referred", p.hotline_referred),
        ("active_restrictions", "Active restrictions", p.active_restrictions),
        ("active_suspensions", "Active suspensions", p.active_suspensions),
        (
            "overdue_measure_reviews",
            "Restrictions and suspensions overdue for review",
            p.overdue_measure_reviews,
        ),
        ("open_reconsider_tasks", "Open reconsider tasks", p.open_reconsider_tasks),
        ("open_vetting_tasks", "Open vetting-review tasks", p.open_vetting_tasks),
        ("backlog_median_days", "Backlog age, median (days)", _days(p.backlog_median_days)),
        ("backlog_oldest_days_value", "Backlog age, oldest (days)", _days(p.backlog_oldest_days)),
        (
            "triage_median_hours",
            "Hotline report to triage decision, median (hours)",
            _days(p.triage_median_hours),
        ),
        (
            "outcome_median_days",
            "Allegation to outcome, median (days, last year)",
            _days(p.outcome_median_days),
        ),
        ("people_remaining", "People still to review", f.remaining),
        ("pace_per_week", "Decided a week (last 8 weeks)", f.per_week),
        ("finish", "Forecast finish", _date(f.finish, "not yet known")),
        ("finish_earliest", "Forecast finish, earliest", _date(f.finish_earliest, "")),
        ("finish_latest", "Forecast finish, latest", _date(f.finish_latest, "not yet known")),
    ]
    return items


# ---- the three formats -----------------------------------------------------------------------------


def csv_bytes(figures: ControlledFigures) -> bytes:
    out = io.StringIO()
    writer = tabular.csv_writer(out, lineterminator="\n")  # guarded against formula injection
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([row.get(column, "") for column in EXPORT_COLUMNS] for row in export_rows(figures))
    return out.getvalue().encode("utf-8")


def xlsx_bytes(figures: ControlledFigures) -> bytes:
    """One sheet per section, each with EXPORT_COLUMNS."""
    sheets: dict[str, list[list[Any]]] = {}
    for row in export_rows(figures):
        rows = sheets.setdefault(row["section"], [list(EXPORT_COLUMNS)])
        rows.append([row.get(column, "") for column in EXPORT_COLUMNS])
    return tabular.xlsx_bytes(sheets)  # guarded against formula injection


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1: typographic punctuation as its plain equivalent."""
    for fancy, plain in (("\u2014", "-"), ("\u2013", "-"), ("\u2019", "'"), ("\u2192", "->")):
        text = text.replace(fancy, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pack(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(
            0,
            8,
            f"Vigil oversight report - figures only; {SUPPRESSED}: withheld (under {THRESHOLD}, or would "
            f"reveal one) - "
            f"page {self.page_no()}",
            align="C",
        )


def pdf_bytes(figures: ControlledFigures) -> bytes:
    """The board pack: progress, the sexual-misconduct check, then for each section a chart of
    the relative rates by ethnicity and the tables."""
    pdf = _Pack(orientation="portrait", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Oversight report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Made {timezone.localtime():%d %B %Y, %H:%M}. Figures only: no person is named. "
            "Each rate has its 95% Wilson interval; each group's rate is also given relative to the "
            "reference group's, with its 95% interval (Katz). Intervals that exclude 1 are marked *. "
            f"Counts of 1 to {THRESHOLD - 1}, the figures that would let one be worked out, and the rates "
            f"and intervals worked out from them, are withheld, shown as {SUPPRESSED}; a chart does not "
            "plot them."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(pdf, "Progress of the review")
    _pdf_table(
        pdf,
        ["Figure", "Value"],
        [[label, _progress_value(value)] for _key, label, value in progress_items(figures)],
        widths=(130, 50),
    )
    check_rows = [r for r in export_rows(figures) if r["section"] == "sexual_case_to_answer"]
    _heading(pdf, "Do sexual-misconduct allegations reach a case to answer as often as others?")
    _pdf_table(
        pdf,
        ["Allegations", "Case to answer", "Rate (95%)", "Relative rate (95%)"],
        [_row_cells(r, first="group") for r in check_rows],
        widths=(50, 35, 45, 50),
    )
    for section, tables in _sections(figures):
        _heading(pdf, SECTIONS[section], new_page=True)
        ethnicity = next((t for t in tables if t.dimension.key == "ethnicity"), None)
        if ethnicity is not None:
            image = charts.png(
                charts.relative_rates_spec(ethnicity, f"{SECTIONS[section]}: relative rates by ethnicity"),
                scale=2,
            )
            pdf.image(io.BytesIO(image), w=180)
        for table in tables:
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(
                0, 6, _latin1(f"By {table.dimension.label.lower()}"), new_x="LMARGIN", new_y="NEXT"
            )
            rows = [_row_cells(r, first="group", stage=True) for r in _table_rows(section, table)]
            _pdf_table(
                pdf,
                ["Group", "Stage", "Count of total", "Rate (95%)", "Relative rate (95%)"],
                rows,
                widths=(40, 45, 25, 35, 35),
            )
    return bytes(pdf.output())


def _days(value: float | Withheld | None) -> float | Withheld | None:
    """A duration, not a count: a float (withheld when worked out from a withheld count)."""
    return value if value is None or isinstance(value, Withheld) else float(value)


def _date(value: dt.date | Withheld | None, unknown: str) -> str | Withheld:
    if isinstance(value, Withheld):
        return value
    return value.isoformat() if value else unknown


def _progress_value(value: Value) -> str:
    """Counts as they are, durations and rates (floats) to one decimal, a withheld one as [c]."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return SUPPRESSED
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


def _row_cells(row: dict[str, str], *, first: str, stage: bool = False) -> list[str]:
    def percent(value: str) -> str:
        return value if value in ("", SUPPRESSED) else f"{100 * float(value):.1f}%"

    rate = percent(row["rate"])
    if row["rate_low"] and row["rate_low"] != SUPPRESSED:
        rate += f" ({percent(row['rate_low'])} to {percent(row['rate_high'])})"
    relative = row["relative_rate"] or "-"
    if row["relative_low"] and row["relative_low"] != SUPPRESSED:
        relative += f" ({row['relative_low'][:4]} to {row['relative_high'][:4]})"
    if row["interval_excludes_1"] == "yes":
        relative += " *"
    count = row["count"] if row["count"] == SUPPRESSED else f"{row['count']} of {row['total']}"
    cells = [row[first]] + ([row["stage"]] if stage else []) + [count, rate or "-", relative]
    return [_latin1(cell) for cell in cells]


def _heading(pdf: FPDF, text: str, *, new_page: bool = False) -> None:
    if new_page:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)


def _pdf_table(pdf: FPDF, header: list[str], rows: list[list[str]], *, widths: tuple[int, ...]) -> None:
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=widths, text_align="LEFT", first_row_as_headings=True) as table:
        table.row([_latin1(cell) for cell in header])
        for cells in rows:
            table.row([_latin1(str(cell)) for cell in cells])
    pdf.ln(2)


def render(figures: ControlledFigures, fmt: str) -> bytes:
    if not isinstance(figures, ControlledFigures):  # the figures, uncontrolled: never written
        raise TypeError("the board pack is written from disclosure.released_figures() only")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return {"pdf": pdf_bytes, "xlsx": xlsx_bytes, "csv": csv_bytes}[fmt](figures)
