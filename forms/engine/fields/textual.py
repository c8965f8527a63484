"""Typed-in text: free text and the identifiers people type (e-mail, mobile number, NIK, NPWP)."""
from __future__ import annotations

import re

from forms.engine.fields.core import ASKED, FieldType, Invalid, field_type
from forms.engine.idnumbers import (
    check_nik,
    format_npwp,
    format_phone,
    normalise_npwp,
    normalise_phone,
)
from forms.engine.text import active_language, clean_text, gettext, text_problem, tr


@field_type("text")
class Text(FieldType):
    default_max = 200
    settings = ASKED + ("placeholder", "default", "min_length", "max_length", "pattern", "pattern_message",
                        "transform")

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
