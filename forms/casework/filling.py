"""Filling and submitting a draft: the one path that the wizard pages and the JSON API both take.

A step is validated and saved by the engine (forms.engine.wizard) and stored with one conditional write;
a submit checks that every visible step is complete, claims the draft, runs the form's submit
handler, numbers the submission and moves it to its submitted status. The callers only translate
requests into raw input and outcomes into pages or JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from forms import store
from forms.casework.handlers import SubmitError, handler_for, is_deferred
from forms.casework.provenance import (
    note_counter_filing,
    record_counter_submit,
    step_provenance,
)
from forms.casework.queue import SUBMIT_JOB, queue_job
from forms.catalog.runtime import office_clock
from forms.engine.schema import Form, Step
from forms.engine.text import N_, gettext, tr
from forms.engine.wizard import (
    Applied,
    RawInput,
    Services,
    StepResult,
    apply_step,
    flat_data,
    navigate,
    validate_step,
)
from forms.errors import FormsError
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError


class Incomplete(FormsError):
    """A submit was asked for while a visible step is not complete; `step` is the first such step."""

    status = 422
    title = N_("Isian belum lengkap")

    def __init__(self, step: Step, lang: str = "id"):
        self.step = step
        super().__init__(gettext("Langkah \u201c%(step)s\u201d belum lengkap.", step=tr(step.title, lang)))


@dataclass
class Filled:
    """The outcome of filling a step: the engine's result, and what was saved when it passed."""

    result: StepResult
    applied: Applied | None = None


@dataclass
class Submitted:
    """A submitted draft: its number (None while a job finishes it), and warnings worth telling (e.g. a
    confirmation that could not be sent)."""

    submission: store.Submission | store.SubmissionRecord
    number: str | None
    warnings: list[str] = field(default_factory=list)


def fill_step(form: Form, submission: store.Submission | store.SubmissionRecord, step: Step, raw: RawInput,
              services: Services, require: bool) -> Filled:
    """Validate a step's input and, if it passes, store it (ConflictError when the draft changed meanwhile)."""
    result = validate_step(form, step, raw, submission.answers, submission.derived, services, require=require)
    if not result.ok:
        return Filled(result)
    applied = apply_step(form, submission.answers, submission.validated, step, result.values, services,
                         complete=require)
    provenance = step_provenance(step, submission.answers.get(step.name, {}), result.values, submission.provenance or {})
    store.save_answers(submission, applied.answers, applied.derived, applied.validated, provenance)
    note_counter_filing(submission)
    return Filled(result, applied)


def submit_draft(form: Form, submission: store.Submission | store.SubmissionRecord, services: Services, base_url: str,
                 lang: str = "id") -> Submitted:
    """Submit a complete draft; Incomplete, SubmitError (the draft stays a draft) or ConflictError otherwise."""
    missing = navigate(form, submission.answers, submission.validated, submission.derived, services).first_open()
    if missing is not None:
        raise Incomplete(missing, lang)
    answers = flat_data(submission.answers, submission.derived, services)
    handler = handler_for(form)
    if handler is not None and is_deferred(form):
        return defer_submit(submission, {**handler(form, submission, answers), "lang": lang})
    store.claim_for_submit(submission)
    try:
        extra = handler(form, submission, answers) if handler else {}
    except SubmitError:
        store.release_claim(submission)
        raise
    now = store.utcnow()
    year = office_clock().local(now).year
    seq = store.claim_number(f"{form.id}:{year}", f"submission:{submission.id}")
    number = form.number_pattern.format(form=form.id.upper(), year=year, seq=seq)
    store.change_status(submission, store.SUBMITTING, form.submit.get("status", "submitted"), submission.owner,
                        "submit", extra={"number": number, "submitted_at": now, **extra})
    record_counter_submit(submission, number, submission.status)
    warnings = notify_submitted(form, answers, number, base_url, lang)
    return Submitted(submission, number, warnings)


def defer_submit(submission: store.Submission | store.SubmissionRecord, intent: dict) -> Submitted:
    """Claim the draft with its intent in one conditional update and queue the job that carries it out."""
    store.claim_for_submit(submission, intent)
    queue_job(SUBMIT_JOB, f"submission:{submission.id}", intent["job"])
    return Submitted(submission, None)


def notify_submitted(form: Form, answers: dict, number: str, base_url: str, lang: str) -> list[str]:
    """Send the form's confirmation message, if it declares one; a delivery failure is a warning, not an error."""
    notify = form.submit.get("notify")
    if not notify or not answers.get(notify["to"]):
        return []
    values = {key: value for key, value in answers.items() if isinstance(value, (str, int))}
    values.update(nomor=number, tautan=base_url.rstrip("/") + form.submit.get("next", {}).get("url", "/"))
    try:
        deliver(notify["message"], notify["channel"], answers[notify["to"]], lang, **values)
    except DeliveryError:
        return [gettext("Pesan konfirmasi belum dapat dikirim; data Anda tetap tersimpan.")]
    return []
