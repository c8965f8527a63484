"""Numbers, Rupiah amounts and dates: typed the Indonesian way, bounded by the field's min/max."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from forms.engine.fields.core import ASKED, FieldType, Invalid, field_type
from forms.engine.text import (
    active_language,
    format_date_id,
    format_measure,
    format_number,
    format_rupiah,
    gettext,
)

if TYPE_CHECKING:
    from forms.engine.schema import Field


@field_type("number")
class Number(FieldType):
    widget = "number"
    settings = ASKED + ("placeholder", "default", "min", "max", "decimals")
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
        return format_measure(value, field.decimals)

    def as_input(self, field, value):
        return format_number(value, field.decimals)


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
    settings = ASKED + ("placeholder", "default", "min", "max")
    inputmode = "numeric"
    displays_alone = True
    SHAPE = re.compile(r"(Rp\.?)?(\d{1,3}(\.\d{3})+|\d+)(,00?)?", re.IGNORECASE)

    def parse(self, field, raw, ctx):
        text = short_number(raw)
        if not self.SHAPE.fullmatch(text):
            raise Invalid(gettext("Isi nilai Rupiah tanpa sen, mis. 1.250.000."))
        digits = re.sub(r"(,00?)$", "", re.sub(r"^Rp\.?", "", text, flags=re.IGNORECASE))
        return check_range(field, int(digits.replace(".", "")), format_rupiah)

    def display(self, field, value, tables, lang="id"):
        return "" if value is None else format_rupiah(value)

    def as_input(self, field, value):
        return format_number(value)


@field_type("date")
class Date(FieldType):
    widget = "date"
    settings = ASKED + ("default", "min_date", "max_date")
    input_type = "date"
    displays_alone = True
    FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

    def parse(self, field, raw, ctx):
        value = self.read_date(str(raw).strip())
        today = ctx.today or date.today()
        low, high = resolve_date(field.min_date, today), resolve_date(field.max_date, today)
        if low and value < low:
            raise Invalid(gettext("Tanggal paling awal %(date)s.",
                                  date=format_date_id(low.isoformat(), active_language())))
        if high and value > high:
            raise Invalid(gettext("Tanggal paling akhir %(date)s.",
                                  date=format_date_id(high.isoformat(), active_language())))
        return value.isoformat()

    def read_date(self, text: str) -> date:
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
