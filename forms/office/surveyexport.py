"""The satisfaction index as files: a CSV recap, a CSV of the answers, and the PDF semester report.

CSV is plain RFC 4180 (comma, decimal point, UTF-8 with a byte-order mark so spreadsheet programs
read the accents), one table per file so it can be loaded as is. The PDF is HTML rendered by
xhtml2pdf, with the same SVG charts as the page (as data: images).
"""
from __future__ import annotations

import base64
import csv
import io
from fractions import Fraction

from xhtml2pdf import pisa

from forms.catalog.runtime import office_clock
from forms.engine.schema import Form
from forms.engine.text import N_, gettext, tr
from forms.errors import FormsError
from forms.office.publicinfo import SurveySettings
from forms.office.surveys import Report, round_half_up

BOM = "\ufeff"


def to_csv(rows: list[list]) -> str:
    """Rows as CSV text with a byte-order mark; text cells are defused against spreadsheet formulas."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[defuse(cell) for cell in row] for row in rows])
    return BOM + buffer.getvalue()


def defuse(cell):
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe."""
    return "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def decimal_text(value: Fraction | None, places: int) -> str:
    """An exact value rounded half up for a CSV cell ('' when missing)."""
    return "" if value is None else str(round_half_up(value, places))


def recap_csv(report: Report, config: SurveySettings, lang: str = "id") -> str:
    """One row per element and a last row for the index: respondents, sum, NRR, converted value, grade."""
    head = ["periode_mulai", "periode_akhir", "kode", "unsur", "responden", "jumlah_nilai", "nrr", "nilai_konversi",
            "mutu"]
    start, end = report.period.start.isoformat(), report.period.end.isoformat()
    rows = [[start, end, item.element.code, tr(item.element.name, lang), item.respondents, item.total,
             decimal_text(item.nrr, 4), item.converted if item.converted is not None else "",
             item.grade.grade if item.grade else ""] for item in report.elements]
    rows.append([start, end, "IKM", "Indeks Kepuasan Masyarakat" if lang == "id" else "Satisfaction index",
                 report.respondents, "", decimal_text(report.mean_nrr, 4), report.ikm if report.ikm is not None else "",
                 report.grade.grade if report.grade else ""])
    return to_csv([head, *rows])


def answers_csv(report: Report, config: SurveySettings, form: Form, lang: str = "id") -> str:
    """Every response of the period: number, time sent (office time, ISO 8601 with offset), profile labels,
    element values, comment."""
    fields = form.fields
    profile = [name for name in config.profile if name in fields]
    head = ["nomor", "dikirim", *profile, *[element.code for element in config.elements]]
    head += [config.comment] if config.comment else []
    rows = []
    for response in report.responses:
        row = [response["_number"], office_clock().local(response["_at"]).isoformat(timespec="seconds")]
        row += [fields[name].kind.display(fields[name], response.get(name), None, lang) for name in profile]
        row += [response.get(element.field, "") for element in config.elements]
        row += [response.get(config.comment) or ""] if config.comment else []
        rows.append(row)
    return to_csv([head, *rows])


def svg_data_uri(svg: str) -> str:
    """An SVG document as a data: address for an <img> in the PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


class ReportError(FormsError):
    """The PDF report could not be drawn."""

    status = 500
    title = N_("Laporan tidak dapat dibuat")


def render_pdf(html: str) -> bytes:
    """HTML to PDF with xhtml2pdf; ReportError if it reports a problem."""
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise ReportError(gettext("Laporan PDF tidak dapat dibuat."))
    return output.getvalue()
