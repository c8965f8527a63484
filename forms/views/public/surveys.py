"""The public satisfaction index: the page with its charts, the CSV recap and the PDF semester report.

Filling the survey is the generic wizard (the survey form in schemas/survey.json). These pages read
the sent surveys of a period (a semester by default, or any date range) and show the index the
regulation defines; the answers themselves (with comments) are for officers only.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_decimal

from forms.catalog.runtime import office_clock, schemas
from forms.engine.text import gettext, tr
from forms.identity.accounts import require_role
from forms.office.charts import BarChart, LineChart, bar_chart, line_chart
from forms.office.publicinfo import Grade, public_info
from forms.office.surveyexport import answers_csv, recap_csv, render_pdf, svg_data_uri
from forms.office.surveys import (
    YEARS,
    Period,
    Report,
    build_report,
    parse_semester,
    profile,
    round_half_up,
    scale_max,
    semester_of,
    semesters_until,
    settings,
    survey_prompt,
    trend,
)
from forms.web.ratelimits import configured, limiter
from forms.web.templating import current_language

bp = Blueprint("surveys", __name__)

OFFICERS = ("verifikator", "kepala", "admin")
LONGEST_RANGE_DAYS = 3 * 366
WEB_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


@bp.app_context_processor
def survey_globals() -> dict:
    """`survey_prompt()` for the applicant's home page (evaluated only where a template calls it)."""
    return {"survey_prompt": survey_prompt, "survey_form": settings().form}


def chosen_period(args: Mapping[str, str], today: date) -> tuple[Period, str | None]:
    """The period asked for (`dari` + `sampai`, or `periode=2026-1`), else this semester; plus a problem text."""
    if args.get("dari") or args.get("sampai"):
        try:
            start, end = date.fromisoformat(args.get("dari", "")), date.fromisoformat(args.get("sampai", ""))
        except ValueError:
            return semester_of(today), gettext("Tanggal tidak valid; ditampilkan semester ini.")
        if start > end or (end - start).days > LONGEST_RANGE_DAYS or not {start.year, end.year} <= set(YEARS):
            return semester_of(today), gettext("Rentang tanggal harus urut, dalam tahun 2000–2100, dan paling "
                                               "panjang 3 tahun; ditampilkan semester ini.")
        return Period(start, end), None
    if args.get("periode"):
        period = parse_semester(args["periode"])
        return (period, None) if period else (semester_of(today), gettext("Periode tidak dikenal; ditampilkan semester ini."))
    return semester_of(today), None


def shown(value: Decimal | Fraction | int, places: int = 2) -> str:
    """A number in the page's language (84,03 or 84.03); exact fractions rounded half up first."""
    if isinstance(value, Fraction):
        value = round_half_up(value, places)
    return format_decimal(value, format="#,##0." + "0" * places)


def grade_ranges() -> list[tuple[Grade, Decimal, Decimal]]:
    """Each grade with its lowest and highest index value (the next band's start minus 0.01)."""
    grades = settings().grades
    uppers = [Decimal(100)] + [grade.lower - Decimal("0.01") for grade in grades[:-1]]
    return list(zip(grades, [grade.lower for grade in grades], uppers))


def element_chart(report: Report, lang: str) -> BarChart:
    """Bars of each element's NRR on the 0..4 scale, coloured by the element's grade; grade starts marked."""
    config, top = settings(), scale_max()
    items = [(f"{item.element.code} {tr(item.element.name, lang)}",
              float(item.nrr) if item.nrr is not None else None,
              shown(round_half_up(item.nrr, 2)) if item.nrr is not None else "—",
              item.grade.fill if item.grade else "#aab4c0") for item in report.elements]
    markers = [(float(grade.lower) / config.conversion, grade.grade) for grade in config.grades
               if float(grade.lower) / config.conversion > 1]
    return bar_chart("grafik-unsur", gettext("Nilai rata-rata (NRR) per unsur, skala 1–4"), items, top,
                     [(value, str(value)) for value in range(top + 1)], markers,
                     empty_text="" if report.respondents else gettext("Belum ada responden pada periode ini."))


def trend_chart(reports: list[Report], lang: str) -> LineChart:
    """The index per semester over the grade bands; semesters without respondents leave a gap."""
    grades = settings().grades
    values = [float(report.ikm) for report in reports if report.ikm is not None]
    low = max(25.0, min(50.0, math.floor(min(values, default=50.0) / 10) * 10))
    uppers = [100.0] + [float(grade.lower) for grade in grades[:-1]]
    bands = [(float(grade.lower), upper, grade.fill, grade.grade) for grade, upper in zip(grades, uppers)]
    points = [((f"Sem. {'I' if report.period.semester == 1 else 'II'}", str(report.period.start.year)),
               float(report.ikm) if report.ikm is not None else None,
               shown(report.ikm) if report.ikm is not None else "") for report in reports]
    return line_chart("grafik-tren", gettext("IKM per semester"), points, bands, low, 100.0,
                      empty_text="" if values else gettext("Belum ada responden."))


def page_data(period: Period) -> dict:
    """Everything the page and the PDF show for a period."""
    lang = current_language()
    report = build_report(period)
    reports = trend(period)
    return {"report": report, "reports": reports, "bars": element_chart(report, lang),
            "line": trend_chart(reports, lang), "profile": profile(report, lang), "settings": settings(),
            "form": schemas().get(settings().form), "office": public_info().office, "shown": shown,
            "grade_ranges": grade_ranges()}


@bp.get("/ikm")
def index():
    """The index of the chosen period, its charts, the trend, the respondent profile, and the downloads."""
    today = office_clock().today()
    period, problem = chosen_period(request.args, today)
    semesters = list(reversed(semesters_until(semester_of(today), 10)))
    return render_template("surveys/ikm.html", problem=problem, semesters=semesters, font=WEB_FONT,
                           query=period_query(period), **page_data(period))


def period_query(period: Period) -> dict:
    """URL arguments that select a period again (for the download links)."""
    if period.semester:
        return {"periode": period.key}
    return {"dari": period.start.isoformat(), "sampai": period.end.isoformat()}


@bp.get("/ikm/rekap.csv")
def recap():
    """The index of a period as CSV: one row per element, then the index."""
    period, _problem = chosen_period(request.args, office_clock().today())
    text = recap_csv(build_report(period), settings(), current_language())
    return csv_response(text, f"ikm-{period.key}.csv")


@bp.get("/ikm/jawaban.csv")
@require_role(*OFFICERS)
def answers():
    """Every response of a period, with comments: for officers preparing the semester analysis."""
    period, _problem = chosen_period(request.args, office_clock().today())
    text = answers_csv(build_report(period), settings(), schemas().get(settings().form), current_language())
    return csv_response(text, f"skm-jawaban-{period.key}.csv")


def csv_response(text: str, filename: str) -> Response:
    """A CSV download."""
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/ikm/laporan.pdf")
@limiter.limit(configured("REPORT_RATE_LIMIT"))
def report_pdf():
    """The semester evaluation report as PDF (drawn on request: rate-limited)."""
    period, _problem = chosen_period(request.args, office_clock().today())
    data = page_data(period)
    charts = {name: svg_data_uri(render_template(f"charts/{kind}.svg", c=data[name], font="Helvetica"))
              for name, kind in (("bars", "bars"), ("line", "line"))}
    html = render_template("surveys/report_pdf.html", charts=charts, generated=office_clock().today(),
                           site=current_app.config["SITE_NAME"], **data)
    return Response(render_pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="laporan-ikm-{period.key}.pdf"'})
