"""The field-type registry: one decorated block per type, with its parser, checks and display.

A type's `parse` receives a non-empty raw value from the request and returns the value to store, or
raises `Invalid` with a message (Indonesian source text, translated by `gettext` for the request).
Emptiness and `required` are handled once, by the wizard, so no type repeats them. Adding a type is one block here plus one row in the tests.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from forms.engine.idnumbers import (
    check_nik,
    format_npwp,
    format_phone,
    normalise_npwp,
    normalise_phone,
)
from forms.engine.text import (
    CONTROL_CHARS,
    active_language,
    clean_text,
    format_date_id,
    format_number,
    format_rupiah,
    gettext,
    text_problem,
    tr,
)

if TYPE_CHECKING:
    from forms.engine.schema import Field


class Invalid(ValueError):
    """A submitted value is not acceptable; the message is shown beside the field."""


@dataclass
class ParseContext:
    """What a parser may need beyond the raw value: tables, stored files, the previous answer."""

    tables: Any
    data: dict
    previous: Any = None
    save_file: Callable[..., dict] | None = None
    upload_max_bytes: int = 2 * 1024 * 1024
    today: date | None = None
    raw_confirm: Any = None
    verify_code: Callable[[Any, str, str], None] | None = None


class FieldType:
    """Base of every field type; subclasses override what differs."""

    name: ClassVar[str] = ""
    widget: ClassVar[str] = "text"
    multi: ClassVar[bool] = False  # reads a list of values (checkboxes)
    stored: ClassVar[bool] = True  # display-only types store nothing
    input: ClassVar[bool] = True  # False: the value comes from the server, never from the request
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str] = ""
    keeps_previous: ClassVar[bool] = False  # an empty input keeps the stored value (uploads, passwords)

    def parse(self, field: Field, raw: Any, ctx: ParseContext) -> Any:
        """Turn a non-empty raw value into the value to store, or raise Invalid."""
        return raw

    def display(self, field: Field, value: Any, tables: Any, lang: str = "id") -> str:
        """The value as a person reads it on review pages and printouts."""
        return "" if value is None else str(value)

    def check(self, field: Field, tables: Any) -> list[str]:
        """Schema-time problems of this field's definition (options missing, unknown table…)."""
        return []

    def is_empty(self, raw: Any) -> bool:
        """Whether the raw request value counts as not filled in."""
        return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []

    def still_valid(self, field: Field, value: Any, data: dict, tables: Any) -> bool:
        """Whether a stored answer still holds after other answers changed (else it is cleared)."""
        return True


REGISTRY: dict[str, FieldType] = {}


def field_type(name: str):
    """Register a FieldType subclass under a schema type name."""

    def register(cls: type[FieldType]) -> type[FieldType]:
        cls.name = name
        REGISTRY[name] = cls()
        return cls

    return register


@field_type("text")
class Text(FieldType):
    default_max = 200

    def parse(self, field, raw, ctx):
        problem = text_problem(str(raw))
        if problem:
            raise Invalid(problem)
        value = clean_text(raw)
        value = {"lower": value.lower(), "upper": value.upper()}.get(field.transform or "", value)
        limit = field.max_length or self.default_max
        if len(value) > limit:
            raise Invalid(gettext("Paling banyak %(limit)s karakter (sekarang %(length)s).", limit=limit,
                                  length=len(value)))
        if field.min_length and len(value) < field.min_length:
            raise Invalid(gettext("Paling sedikit %(limit)s karakter.", limit=field.min_length))
        if field.pattern and not re.fullmatch(field.pattern, value):
            raise Invalid(tr(field.pattern_message, active_language()) or gettext("Format isian tidak sesuai."))
        return value


@field_type("textarea")
class TextArea(Text):
    widget = "textarea"
    default_max = 4000


@field_type("number")
class Number(FieldType):
    widget = "number"
    inputmode = "decimal"
    INTEGER = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)")
    DECIMAL = re.compile(r"-?\d+([.,]\d+)?")

    def parse(self, field, raw, ctx):
        text = short_number(raw)
        if not field.decimals:
            if not self.INTEGER.fullmatch(text):
                raise Invalid(gettext("Isi dengan bilangan bulat, mis. 25."))
            value: Any = int(text.replace(".", ""))
        else:
            if not self.DECIMAL.fullmatch(text):
                raise Invalid(gettext("Isi dengan angka, mis. 12,5."))
            value = round(float(text.replace(",", ".")), field.decimals)
        return check_range(field, value, lambda v: format_number(v, field.decimals))

    def display(self, field, value, tables, lang="id"):
        return "" if value is None else format_number(value, field.decimals)


MAX_NUMBER_CHARS = 30


def short_number(raw: Any) -> str:
    """A typed number without spaces, refused when longer than any real amount (no huge conversions)."""
    text = str(raw).strip().replace(" ", "")
    if len(text) > MAX_NUMBER_CHARS:
        raise Invalid(f"Angka terlalu panjang (paling banyak {MAX_NUMBER_CHARS} karakter).")
    return text


def check_range(field: Field, value: Any, shown: Callable[[Any], str]) -> Any:
    """Refuse a number outside the field's min/max."""
    if field.min is not None and value < field.min:
        raise Invalid(gettext("Paling kecil %(limit)s.", limit=shown(field.min)))
    if field.max is not None and value > field.max:
        raise Invalid(gettext("Paling besar %(limit)s.", limit=shown(field.max)))
    return value


@field_type("money")
class Money(FieldType):
    widget = "money"
    inputmode = "numeric"
    SHAPE = re.compile(r"(Rp\.?)?(\d{1,3}(\.\d{3})+|\d+)(,00?)?", re.IGNORECASE)

    def parse(self, field, raw, ctx):
        text = short_number(raw)
        if not self.SHAPE.fullmatch(text):
            raise Invalid(gettext("Isi nilai Rupiah tanpa sen, mis. 1.250.000."))
        digits = re.sub(r"(,00?)$", "", re.sub(r"^Rp\.?", "", text, flags=re.IGNORECASE))
        return check_range(field, int(digits.replace(".", "")), format_rupiah)

    def display(self, field, value, tables, lang="id"):
        return "" if value is None else format_rupiah(value)


@field_type("date")
class Date(FieldType):
    widget = "date"
    input_type = "date"
    FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

    def parse(self, field, raw, ctx):
        value = self.read(str(raw).strip())
        today = ctx.today or date.today()
        low, high = resolve_date(field.min_date, today), resolve_date(field.max_date, today)
        if low and value < low:
            raise Invalid(gettext("Tanggal paling awal %(date)s.",
                                  date=format_date_id(low.isoformat(), active_language())))
        if high and value > high:
            raise Invalid(gettext("Tanggal paling akhir %(date)s.",
                                  date=format_date_id(high.isoformat(), active_language())))
        return value.isoformat()

    def read(self, text: str) -> date:
        """Parse the accepted date spellings."""
        for pattern in self.FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise Invalid(gettext("Tanggal tidak valid; gunakan format HH/BB/TTTT."))

    def display(self, field, value, tables, lang="id"):
        return format_date_id(value, lang) if value else ""

    def check(self, field, tables):
        problems = []
        for bound in (field.min_date, field.max_date):
            if bound and not DATE_BOUND.fullmatch(bound):
                problems.append(f"date bound '{bound}' is not YYYY-MM-DD or today[+-N]")
        return problems


DATE_BOUND = re.compile(r"\d{4}-\d{2}-\d{2}|today([+-]\d+)?")


def resolve_date(bound: str | None, today: date) -> date | None:
    """A date bound: an ISO date, 'today', or 'today+N' / 'today-N' days."""
    if not bound:
        return None
    if bound.startswith("today"):
        return today + timedelta(days=int(bound[5:] or 0))
    return date.fromisoformat(bound)


@field_type("email")
class Email(FieldType):
    input_type = "email"
    SHAPE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")

    def parse(self, field, raw, ctx):
        value = str(raw).strip()
        if len(value) > 254 or not self.SHAPE.fullmatch(value):
            raise Invalid(gettext("Alamat e-mail tidak valid, mis. nama@contoh.id."))
        local, domain = value.rsplit("@", 1)
        return f"{local}@{domain.lower()}"


@field_type("phone")
class Phone(FieldType):
    input_type = "tel"
    inputmode = "tel"

    def parse(self, field, raw, ctx):
        value = normalise_phone(str(raw))
        if value is None:
            raise Invalid(gettext("Nomor HP Indonesia tidak valid; contoh 0812 3456 7890."))
        return value

    def display(self, field, value, tables, lang="id"):
        return format_phone(value) if value else ""


@field_type("nik")
class Nik(FieldType):
    inputmode = "numeric"

    def parse(self, field, raw, ctx):
        digits = re.sub(r"[\s.-]", "", str(raw))
        table = ctx.tables.get(field.table) if field.table else None
        problem = check_nik(digits, table.has if table else None)
        if problem:
            raise Invalid(problem)
        return digits

    def check(self, field, tables):
        return [] if not field.table or field.table in tables else [f"unknown table '{field.table}'"]


@field_type("npwp")
class Npwp(FieldType):
    inputmode = "numeric"

    def parse(self, field, raw, ctx):
        value = normalise_npwp(str(raw))
        if value is None:
            raise Invalid(gettext("NPWP harus 16 digit (NIK) atau 15 digit format lama."))
        return value

    def display(self, field, value, tables, lang="id"):
        return format_npwp(value) if value else ""


class Choice(FieldType):
    """Shared by select and radio: one value out of the field's options."""

    def parse(self, field, raw, ctx):
        value = str(raw)
        if value not in dict(field_options(field, ctx.tables, ctx.data)):
            raise Invalid(gettext("Pilih salah satu pilihan yang tersedia."))
        return value

    def display(self, field, value, tables, lang="id"):
        return option_label(field, value, tables, lang)

    def check(self, field, tables):
        return check_options(field, tables)


@field_type("select")
class Select(Choice):
    widget = "select"


@field_type("radio")
class Radio(Choice):
    widget = "radio"


@field_type("checkboxes")
class Checkboxes(FieldType):
    widget = "checkboxes"
    multi = True

    def parse(self, field, raw, ctx):
        allowed = dict(field_options(field, ctx.tables, ctx.data))
        values = [str(item) for item in raw]
        if any(value not in allowed for value in values):
            raise Invalid(gettext("Ada pilihan yang tidak tersedia."))
        chosen = [value for value in allowed if value in values]
        if field.min_items and len(chosen) < field.min_items:
            raise Invalid(gettext("Pilih paling sedikit %(limit)s.", limit=field.min_items))
        if field.max_items and len(chosen) > field.max_items:
            raise Invalid(gettext("Pilih paling banyak %(limit)s.", limit=field.max_items))
        return chosen

    def display(self, field, value, tables, lang="id"):
        return ", ".join(option_label(field, item, tables, lang) for item in value or [])

    def check(self, field, tables):
        return check_options(field, tables)


def field_options(field: Field, tables: Any, data: dict | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs of a choice field: static, or from a table filtered by a parent answer."""
    if field.options:
        return [(str(option.value), tr(option.label, active_language())) for option in field.options]
    if field.options_from:
        return rows_as_options(field.options_from, data or {}, tables)
    table = tables.get(field.table)
    if field.filter:
        parent = (data or {}).get(field.filter.field)
        return table.choices(field.filter.column, parent) if parent else []
    return table.choices()


def rows_as_options(source: Any, data: dict, tables: Any) -> list[tuple[str, str]]:
    """Choices made from the rows of an earlier repeat group (e.g. the business codes entered)."""
    from forms.engine.rules import evaluate
    pairs = []
    for row in data.get(source["group"]) or []:
        value = row.get(source["value"]) if isinstance(row, dict) else None
        if value not in (None, ""):
            label = evaluate(source["label"], {**data, **row}, tables.lookup) if source.get("label") else value
            pairs.append((str(value), str(label)))
    return pairs


def option_label(field: Field, value: Any, tables: Any, lang: str = "id") -> str:
    """The label of one chosen value (the value itself if it is no longer an option)."""
    if value is None:
        return ""
    if field.options:
        labels = {str(option.value): tr(option.label, lang) for option in field.options}
        return labels.get(str(value), str(value))
    if field.options_from:
        return str(value)
    return tables.get(field.table).label(str(value)) or str(value)


def check_options(field: Field, tables: Any) -> list[str]:
    """A choice field needs exactly one source: options, a known table, or options_from."""
    if [bool(field.options), bool(field.table), bool(field.options_from)].count(True) != 1:
        return ["needs exactly one of 'options', 'table' or 'options_from'"]
    if field.table and field.table not in tables:
        return [f"unknown table '{field.table}'"]
    return []


@field_type("lookup")
class Lookup(FieldType):
    widget = "lookup"

    def parse(self, field, raw, ctx):
        key = str(raw).strip().split(" ")[0]
        if not ctx.tables.get(field.table).has(key):
            raise Invalid(gettext("Kode tidak ditemukan; ketik kode atau kata kunci lalu pilih dari daftar."))
        return key

    def display(self, field, value, tables, lang="id"):
        label = tables.get(field.table).label(value) if value else ""
        return f"{value} — {label}" if label else (value or "")

    def check(self, field, tables):
        if not field.table:
            return ["a lookup needs 'table'"]
        return [] if field.table in tables else [f"unknown table '{field.table}'"]


FILE_SIGNATURES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
}


@field_type("file")
class File(FieldType):
    widget = "file"
    input_type = "file"
    keeps_previous = True

    def is_empty(self, raw):
        return raw is None or not getattr(raw, "filename", "")

    def parse(self, field, raw, ctx):
        data = raw.read((field.max_bytes or ctx.upload_max_bytes) + 1)
        limit = field.max_bytes or ctx.upload_max_bytes
        if not data:
            raise Invalid(gettext("Berkas kosong."))
        if len(data) > limit:
            raise Invalid(gettext("Berkas lebih dari %(size)s.", size=format_bytes(limit)))
        kind = sniff_kind(data)
        accepted = field.accept or ("pdf", "jpg", "png")
        if kind not in accepted:
            raise Invalid(gettext("Jenis berkas harus %(kinds)s (dicek dari isinya).",
                                  kinds=", ".join(k.upper() for k in accepted)))
        if ctx.save_file is None:
            raise Invalid(gettext("Unggahan tidak tersedia di sini."))
        return ctx.save_file(data, safe_filename(raw.filename, kind), FILE_SIGNATURES[kind][1])

    def display(self, field, value, tables, lang="id"):
        return f"{value['name']} ({format_bytes(value['size'])})" if value else ""

    def check(self, field, tables):
        return []


def sniff_kind(data: bytes) -> str | None:
    """The file kind by its first bytes, never by its name."""
    for kind, (magic, _mime) in FILE_SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def safe_filename(name: str, kind: str) -> str:
    """A display name without any path, control characters or odd symbols, ending in its real kind."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w .()-]", "_", CONTROL_CHARS.sub("", base)).strip(" .") or "berkas"
    stem = base.rsplit(".", 1)[0][:80] or "berkas"
    return f"{stem}.{kind}"


def format_bytes(size: int) -> str:
    """A byte count as KB or MB, Indonesian style."""
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1)} MB"
    return f"{max(1, round(size / 1024))} KB"


@field_type("declaration")
class Declaration(FieldType):
    widget = "declaration"

    def parse(self, field, raw, ctx):
        if str(raw) not in ("1", "on", "true", "ya"):
            raise Invalid(gettext("Centang pernyataan ini untuk melanjutkan."))
        return True

    def display(self, field, value, tables, lang="id"):
        return gettext("Disetujui") if value else gettext("Belum disetujui")


@field_type("repeat")
class Repeat(FieldType):
    """A list of sub-records; the wizard parses each row with the sub-fields' own types."""

    widget = "repeat"

    def check(self, field, tables):
        if not field.fields:
            return ["a repeat group needs 'fields'"]
        return []

    def display(self, field, value, tables, lang="id"):
        return f"{len(value or [])} " + (tr(field.item_label, lang) or gettext("baris"))


@field_type("readonly")
class ReadOnly(FieldType):
    """A value filled by the server (from the account or earlier answers); a posted value is ignored."""

    widget = "readonly"
    input = False

    def display(self, field, value, tables, lang="id"):
        return display_as(field, value, tables, lang)

    def check(self, field, tables):
        return [] if field.value is not None else ["needs 'value' (a rule giving the prefilled value)"]


@field_type("computed")
class Computed(ReadOnly):
    """A derived value (a total, a class from a table), recomputed on every save."""

    widget = "computed"


def display_as(field: Field, value: Any, tables: Any, lang: str) -> str:
    """Display a server-filled value with the formatter of the type named in `format`."""
    if field.format and field.format in REGISTRY and field.format not in ("readonly", "computed"):
        return REGISTRY[field.format].display(field, value, tables, lang)
    return "" if value is None else str(value)


@field_type("password")
class Password(FieldType):
    """A new password: checked against the policy, typed twice if `confirm`; only its hash is stored."""

    input_type = "password"
    widget = "password"
    keeps_previous = True

    def parse(self, field, raw, ctx):
        from forms.identity.passwords import hash_password, password_problem
        problem = password_problem(str(raw))
        if problem:
            raise Invalid(problem)
        if field.confirm and ctx.raw_confirm != raw:
            raise Invalid(gettext("Kedua kata sandi tidak sama."))
        return hash_password(str(raw))

    def display(self, field, value, tables, lang="id"):
        return "•••••••• " + gettext("(tersimpan aman)") if value else ""


@field_type("otp")
class OneTimeCode(FieldType):
    """A code sent to an address given earlier in the form; the stored answer is the verified address."""

    widget = "otp"
    inputmode = "numeric"

    def parse(self, field, raw, ctx):
        from forms.engine.rules import evaluate
        if ctx.verify_code is None:
            raise Invalid(gettext("Verifikasi kode tidak tersedia di sini."))
        ctx.verify_code(field, str(raw).strip(), "")
        return evaluate(field.target, ctx.data, ctx.tables.lookup)

    def still_valid(self, field, value, data, tables):
        from forms.engine.rules import evaluate
        return value == evaluate(field.target, data, tables.lookup)

    def display(self, field, value, tables, lang="id"):
        return gettext("Terverifikasi (%(address)s)", address=value) if value else ""

    def check(self, field, tables):
        problems = [] if field.target is not None and field.channel is not None else ["needs 'target' and 'channel'"]
        return problems + ([] if field.purpose else ["needs 'purpose'"])


@field_type("summary")
class Summary(FieldType):
    """The answers of earlier steps shown again for checking (e.g. the product list); stores nothing."""

    widget = "summary"
    stored = False
    input = False

    def check(self, field, tables):
        return [] if field.steps else ["needs 'steps'"]


@field_type("display")
class Display(FieldType):
    """Text shown to the applicant; stores nothing."""

    widget = "display"
    stored = False
    input = False

    def check(self, field, tables):
        return [] if field.text or field.label else ["needs 'text'"]


def to_input(field: Field, value: Any) -> Any:
    """A stored value as the page's input shows it (Rupiah without the prefix, numbers grouped…)."""
    if value is None:
        return [] if field.kind.multi else ""
    if field.type == "money":
        return format_number(value)
    if field.type == "number":
        return format_number(value, field.decimals)
    return value
