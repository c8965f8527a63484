"""What the pages show of a counter filing: the "diajukan oleh petugas" line and who entered each answer and file.

Template globals, so the applicant's status page and the officer's case page each need one include.
"""
from __future__ import annotations

from flask import Blueprint

from forms import store
from forms.casework.provenance import OFFICER, PREFILL
from forms.casework.transitions import requirements
from forms.catalog.runtime import schemas
from forms.engine.text import gettext, tr
from forms.printing.render import mask_digits
from forms.web.templating import current_language


def install(bp: Blueprint) -> None:
    """Offer the globals to every template of the app."""
    bp.add_app_template_global(counter_filing)
    bp.add_app_template_global(case_provenance)
    bp.add_app_template_filter(mask_digits, "mask")


def counter_filing(submission) -> dict:
    """The counter filing of a submission (a record, a document or an id), {} when the applicant filed it."""
    if submission is None:
        return {}
    counter = getattr(submission, "counter", None)
    if counter is None:
        return store.counter_filing_of(getattr(submission, "submission_id", submission))
    return dict(counter or {})


def source_label(entry: dict | None) -> str:
    """Who entered a value, in the reader's language."""
    if not entry:
        return gettext("tidak tercatat")
    if entry.get("by") == OFFICER:
        return gettext("petugas loket %(name)s", name=entry.get("name", ""))
    if entry.get("by") == PREFILL:
        return gettext("isian otomatis dari akun")
    return gettext("pemohon")


def field_title(field, lang: str) -> str:
    """A field as a reader knows it: its label, else the start of its text (a declaration's tick box)."""
    if field is None:
        return ""
    text = tr(field.label or field.text or "", lang)
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def case_provenance(document: store.IssuedDocument) -> dict:
    """The officer's view of a document's provenance: the filing, each answer's and each upload's source."""
    submission = store.find_submission(str(document.submission_id))
    if submission is None:
        return {}
    form = schemas().get(submission.form_id, submission.form_version)
    lang = current_language()
    answers = []
    for step_name, fields in (submission.provenance or {}).items():
        step = form.step(step_name) if form else None
        for name, entry in fields.items():
            field = form.fields.get(name) if form else None
            answers.append({"step": tr(step.title, lang) if step else step_name,
                            "field": field_title(field, lang) or name, "source": source_label(entry)})
    titles = {item["kode"]: item["nama"] for item in requirements(document)}
    uploads = [{"code": titles.get(code, code), "name": (entry.get("file") or {}).get("name", ""),
                "source": source_label(entry.get("entered_by"))}
               for code, entry in (document.fulfilment or {}).items()]
    return {"counter": dict(submission.counter or {}), "answers": answers, "uploads": uploads}
