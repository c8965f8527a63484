"""Turn a printout template and values into PDF bytes, with a QR code: the layout lives in printouts/.

Templates are HTML + CSS for xhtml2pdf, rendered through Jinja (autoescaped: answers are data,
never markup). `printouts/settings.json` names the template of each document kind and holds the
office texts; it is checked against `settings.schema.json` at start-up and every template is
compiled then, so a broken printout stops the server instead of failing an issuance.
"""
from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jsonschema
import qrcode
from PIL import Image
from qrcode.exceptions import DataOverflowError
from xhtml2pdf import pisa

from forms.engine.text import N_, format_date_id
from forms.errors import FormsError

QR_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
             "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


class PrintoutError(FormsError):
    """A printout could not be set up or rendered; the message names the file and the problem."""

    status = 500
    title = N_("Dokumen cetak tidak dapat dibuat")


@dataclass(frozen=True)
class PrintSettings:
    """The validated printout settings, the compiled templates and the logo, loaded once at start."""

    folder: Path
    data: Mapping[str, Any]
    templates: jinja2.Environment
    logo: str
    zone: ZoneInfo

    def document(self, kind: str) -> Mapping[str, Any] | None:
        """The printout definition of a document kind, or None if that kind has no printout."""
        return self.data["documents"].get(kind)

    def state(self, name: str) -> Mapping[str, Any]:
        """A public state (berlaku, digantikan…) with its label and stamp."""
        return {"name": name, **self.data["states"][name]}

    def state_of(self, status: str) -> str:
        """The public state a document status shows as."""
        return self.data["status_states"].get(status, self.data["default_state"])


def load_print_settings(folder: Path, zone: ZoneInfo, data: Mapping[str, Any] | None = None,
                        where: str | None = None) -> PrintSettings:
    """Read and check settings.json, compile every template it names, read the logo; all problems at once.

    `zone` is the office's time zone (dates of issue are its local dates); `data` replaces the file's
    content (a version from the schema store); `where` names it in messages.
    """
    settings_path = folder / "settings.json"
    try:
        if data is None:
            data = json.loads(settings_path.read_text(encoding="utf-8"))
        schema = json.loads((folder / "settings.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PrintoutError(f"{settings_path}: {error}") from error
    settings_path = where or settings_path
    problems = [f"{settings_path}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    if problems:  # the checks below rely on the shape the schema guarantees
        raise PrintoutError("\n".join(problems))
    templates = template_environment(folder)
    problems = reference_problems(settings_path, data) + template_problems(folder, templates, data)
    problems += zone_problems(settings_path, data, zone)
    logo_name = data["office"]["logo"]
    logo = inline_logo(logo_name, problems) if logo_name.startswith("data:") else read_logo(folder / logo_name, problems)
    if problems:
        raise PrintoutError("\n".join(problems))
    return PrintSettings(folder=folder, data=data, templates=templates, logo=logo, zone=zone)


def reference_problems(path: Path, data: Mapping[str, Any]) -> list[str]:
    """States named by the mapping that are not defined."""
    states = data["states"]
    named = {f"status_states.{status}": state for status, state in data["status_states"].items()}
    named.update(default_state=data["default_state"], superseded_state=data["superseded_state"])
    return [f"{path}: {where}: unknown state '{state}'" for where, state in named.items() if state not in states]


def template_environment(folder: Path) -> jinja2.Environment:
    """Jinja for printouts: files from the printouts folder, autoescape on, Indonesian filters."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.filters["mask"] = mask_digits
    return environment


def template_problems(folder: Path, templates: jinja2.Environment, data: Mapping[str, Any]) -> list[str]:
    """Templates that are missing or do not compile."""
    problems = []
    named = {spec["template"] for spec in data["documents"].values()} | {data["draft"]["template"]}
    for name in sorted(named | ({data["receipt"]["template"]} if "receipt" in data else set())):
        try:
            templates.get_template(name)
        except jinja2.TemplateNotFound:
            problems.append(f"{folder / name}: template not found")
        except jinja2.TemplateSyntaxError as error:
            problems.append(f"{folder / name}: line {error.lineno}: {error.message}")
    return problems


def zone_problems(path: Path, data: Mapping[str, Any], zone: ZoneInfo) -> list[str]:
    """A `timezone` left in older settings must be the office's own: one clock for pages and PDFs."""
    named = data.get("timezone")
    if named is None or named == zone.key:
        return []
    return [(f"{path}: timezone: '{named}' differs from the office's time zone '{zone.key}' "
             "(setting OFFICE_TIMEZONE); remove it from the printout settings")]


def read_logo(path: Path, problems: list[str]) -> str:
    """The logo as a data URI, read once."""
    try:
        return png_data_uri(path.read_bytes())
    except OSError as error:
        problems.append(f"{path}: {error.strerror}")
        return ""


def inline_logo(uri: str, problems: list[str]) -> str:
    """A logo stored inline: only a PNG data URI whose bytes really are a PNG image."""
    prefix = "data:image/png;base64,"
    try:
        png = base64.b64decode(uri[len(prefix):], validate=True) if uri.startswith(prefix) else b""
    except ValueError:
        png = b""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        problems.append("office.logo: not a PNG image")
        return ""
    return uri


def png_data_uri(png: bytes) -> str:
    """PNG bytes as a data: URI that xhtml2pdf reads without touching the disk."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def qr_png(text: str, spec: Mapping[str, Any]) -> bytes:
    """A QR code as a small black-and-white PNG, fast: fixed version and mask, pixels set directly.

    Choosing the best of eight masks and drawing module by module is most of qrcode's cost; a fixed
    mask is still a valid code, and a text too long for the fixed version gets the smallest that fits.
    """
    code = qrcode.QRCode(version=spec["version"], error_correction=QR_LEVELS[spec["error_correction"]],
                         box_size=1, border=spec["border"], mask_pattern=spec["mask"])
    code.add_data(text)
    try:
        code.make(fit=False)
    except DataOverflowError:
        code.version = None
        code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    scale = spec["box_size"]
    image = Image.frombytes("L", (size, size), pixels).resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.convert("1").save(out, "PNG", compress_level=1)
    return out.getvalue()


def render_pdf(settings: PrintSettings, template: str, context: Mapping[str, Any]) -> bytes:
    """Render one template to PDF bytes; PrintoutError if the template or xhtml2pdf fails."""
    return html_to_pdf(render_html(settings, template, context), str(settings.folder / template))


def render_html(settings: PrintSettings, template: str, context: Mapping[str, Any]) -> str:
    """The HTML of one template filled with a context (cheap; the PDF is the costly part)."""
    try:
        return settings.templates.get_template(template).render(**context)
    except jinja2.TemplateError as error:
        raise PrintoutError(f"{settings.folder / template}: {error}") from error


def html_to_pdf(html: str, path: str) -> bytes:
    """PDF bytes of rendered HTML (relative references resolved beside `path`); needs no app, so a worker
    process can run it."""
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, path=path, raise_exception=False)
    if status.err:
        raise PrintoutError(f"{path}: xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()


def local_date(settings: PrintSettings, moment: datetime | date | None) -> str:
    """A stored UTC time (or a date) as the office's local date in words: '25 November 2026'."""
    day = local_day(settings, moment)
    return format_date_id(day.isoformat()) if day else ""


def local_day(settings: PrintSettings, moment: datetime | date | None) -> date | None:
    """A stored UTC time (or a date) as the office's local date."""
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(settings.zone).date()
    return moment


def mask_digits(value: Any, keep_start: int = 6, keep_end: int = 4) -> str:
    """'3201014501900001' → '320101******0001': an identity number shown without its middle."""
    text = str(value or "")
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]
