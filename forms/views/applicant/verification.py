"""One-time codes of a form's code fields: sent when the step opens (or again on request), checked when posted."""
from __future__ import annotations

from flask import flash

from forms import store
from forms.engine.fields import Invalid
from forms.engine.rules import evaluate
from forms.engine.schema import Form
from forms.engine.text import gettext
from forms.engine.wizard import Services, flat_data
from forms.identity.codes import CodeError, check_code, issue_code, latest_code
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError
from forms.web.templating import current_language


def verify(field, subject: str, code: str) -> None:
    """Check a one-time code for a field; a refusal becomes the field's error."""
    try:
        check_code(field.purpose, subject, code)
    except CodeError as error:
        raise Invalid(str(error)) from error


def send_codes(form: Form, submission: store.SubmissionRecord, step, services: Services,
               again: str | None = None) -> None:
    """Send a one-time code for each code field of the step that has none pending for its current address."""
    data = flat_data(submission.answers, submission.derived, services)
    for field in step.fields:
        if not field.kind.sends_code or submission.answers.get(step.name, {}).get(field.name):
            continue
        target = evaluate(field.target, data, services.tables.lookup)
        channel = evaluate(field.channel, data, services.tables.lookup)
        pending = latest_code(field.purpose, str(submission.id))
        fresh = pending and pending.used_at is None and pending.target == target and store.utcnow() < pending.expires_at
        if not target or (fresh and again != field.name):
            continue
        try:
            code = issue_code(field.purpose, str(submission.id), target, channel)
            deliver("kode_verifikasi", channel, target, lang=current_language(), kode=code)
        except CodeError as error:
            flash(str(error), "warning")
            continue
        except DeliveryError:
            flash(gettext("Kode belum dapat dikirim saat ini. Coba kirim ulang beberapa saat lagi."), "warning")
            continue
        flash(gettext("Kode verifikasi dikirim ke %(address)s.", address=mask(target)), "info")


def mask(target: str) -> str:
    """An address shown partly hidden: si***@contoh.id, +62812****7890."""
    if "@" in target:
        local, domain = target.split("@", 1)
        return f"{local[:2]}***@{domain}"
    return target[:6] + "****" + target[-4:]
