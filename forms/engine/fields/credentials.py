"""Types that prove something about who fills the form: a new password, a one-time code sent to an address."""
from __future__ import annotations

from forms.engine.fields.core import ASKED, FieldType, Invalid, field_type
from forms.engine.text import gettext


@field_type("password")
class Password(FieldType):
    """A new password: checked against the policy, typed twice if `confirm`; only its hash is stored."""

    input_type = "password"
    widget = "password"
    keeps_previous = True
    is_secret = True
    settings = ASKED + ("confirm",)

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
    sends_code = True
    settings = ASKED + ("target", "channel")

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
