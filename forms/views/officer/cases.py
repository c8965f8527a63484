"""The officer back office: inbox per state, search, claims, the case page, verdicts, internal notes and actions."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.casework import transitions as casework
from forms.casework import verdicts
from forms.casework.tracking import shown_values
from forms.catalog.runtime import schemas, workflows
from forms.engine.text import gettext, tr
from forms.errors import ConflictError
from forms.identity.accounts import require_role
from forms.store import (
    FAILED,
    IssuedDocument,
    active_officers,
    audit_trail_of,
    case_queue,
    count_by_status,
    count_jobs,
    find_document,
    find_officer,
    find_submission,
    holder_of,
    next_case,
)
from forms.views.applicant.fulfil import page_of, row_of
from forms.views.officer.caselabels import actor_labels, trail_lines
from forms.web.bodylimits import body_limit
from forms.web.templating import current_language

bp = Blueprint("officer", __name__, url_prefix="/petugas")
OFFICERS = casework.OFFICER_ROLES
PAGE_SIZE = 50
INBOX_FIELDS = ("id", "number", "kind", "key", "status", "entered_at", "issued_at", "sla", "assigned_name", "data", "owner")


@bp.get("/")
@require_role(*OFFICERS)
def inbox():
    """Cases by state with counts, oldest first, filtered by state, words or 'mine'."""
    counts = state_counts()
    chosen = request.args.get("status") or first_busy_state(counts)
    words = request.args.get("q", "").strip().lower()[:80]
    mine = str(g.account.id) if request.args.get("saya") else None
    documents = case_queue(chosen, words, mine, PAGE_SIZE, INBOX_FIELDS)
    return render_template("officer/inbox.html", counts=counts, chosen=chosen, words=words,
                           rows=[row_of(document) for document in documents], mine=bool(request.args.get("saya")),
                           failed_jobs=count_jobs(FAILED))


def state_counts() -> list[dict]:
    """Every state of every workflow with its number of cases; officers' states first."""
    names = sorted({state.name for workflow in workflows().values() for state in workflow.states.values()})
    counted = count_by_status(IssuedDocument, names)
    states: dict[str, dict] = {}
    for workflow in workflows().values():
        for state in workflow.states.values():
            label = tr(state.label, current_language())
            entry = states.setdefault(state.name, {"name": state.name, "label": label, "turn": state.turn,
                                                   "count": counted.get(state.name, 0)})
            if label not in entry["label"].split(" / "):  # same state name in two workflows
                entry["label"] += " / " + label
            entry["turn"] = "petugas" if state.turn == "petugas" else entry["turn"]
    order = {"petugas": 0, "pemohon": 1, "selesai": 2}
    return sorted(states.values(), key=lambda entry: order.get(entry["turn"], 3))


def first_busy_state(counts: list[dict]) -> str | None:
    """The first officer state that has cases (the default tab)."""
    return next((entry["name"] for entry in counts if entry["turn"] == "petugas" and entry["count"]),
                next((entry["name"] for entry in counts if entry["turn"] == "petugas"), None))


def case_or_404(document_id: str) -> IssuedDocument:
    """A case by id, or 404."""
    document = find_document(document_id)
    if document is None:
        abort(404)
    return document


@bp.get("/dokumen/<document_id>")
@require_role(*OFFICERS)
def case(document_id: str):
    """Everything about a case: application data, documents on demand, verdicts, notes, actions, trail."""
    return case_page(case_or_404(document_id))


def case_page(document: IssuedDocument, problems: dict | None = None, typed: dict | None = None):
    """The case page; `problems` and `typed` bring back a refused decision form as the officer filled it."""
    submission = find_submission(str(document.submission_id))
    finished, holder, values = casework.is_finished(document), holder_of(document.owner), page_of(document)
    actors = actor_labels(document.owner, holder)
    form = schemas().get(submission.form_id, submission.form_version) if submission else None
    shown = shown_values(form, document.data or {}, current_language()) if form else {}
    return render_template("officer/case.html", **values, submission=submission, holder=holder, actors=actors,
                           shown=shown,
                           trail=trail_lines(audit_trail_of(document.number), values["workflow"], values["items"], actors),
                           officers=[] if finished else active_officers(OFFICERS), finished=finished,
                           following=next_case(document), problems=problems or {}, typed=typed or {}, form=form)


@bp.post("/dokumen/<document_id>/klaim")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def claim(document_id: str):
    """Take the case, or assign it to another officer."""
    document = case_or_404(document_id)
    assignee = None
    if request.form.get("petugas"):
        assignee = find_officer(request.form["petugas"], OFFICERS)
        if assignee is None:
            flash(gettext("Petugas tidak ditemukan."), "warning")
            return redirect(url_for("officer.case", document_id=document_id))
    return run(lambda: casework.claim(document, g.account, assignee), document_id, gettext("Kasus ditugaskan."))


@bp.post("/dokumen/<document_id>/putusan")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def decide(document_id: str):
    """Decide the whole checklist in one request: accept all, or accept/reject each row (a rejection with its reason)."""
    document = case_or_404(document_id)
    typed = typed_decisions(document)
    try:
        verdicts.decide(document, typed, g.account, seen_version(document))
    except verdicts.VerdictsRefused as refusal:
        flash(str(refusal), "warning")
        return answered(case_page(document, refusal.problems, typed), refusal.status)
    except (casework.CaseError, ConflictError) as error:
        flash(str(error), "warning")
        return answered(case_page(case_or_404(document_id)), getattr(error, "status", 409))
    flash(gettext("Putusan persyaratan tersimpan."), "success")
    return redirect(url_for("officer.case", document_id=document_id, _anchor="persyaratan"))


def typed_decisions(document: IssuedDocument) -> dict[str, tuple[str, str]]:
    """The verdicts the form sent, per requirement: every uploaded one accepted for 'accept all'."""
    codes = [item["kode"] for item in casework.requirements(document)]
    if request.form.get("semua") == verdicts.ACCEPTED:
        return {code: (verdicts.ACCEPTED, "") for code in codes if code in (document.fulfilment or {})}
    return {code: (request.form.get(f"putusan-{code}", ""), request.form.get(f"alasan-{code}", "")) for code in codes}


def seen_version(document: IssuedDocument) -> int:
    """The case version the officer's page showed (-1 when the form sent none: never current)."""
    sent = request.form.get("_version", "")
    return int(sent) if sent.isdigit() else -1


@bp.post("/dokumen/<document_id>/putusan/<code>")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def judge(document_id: str, code: str):
    """Accept or reject one uploaded requirement."""
    document = case_or_404(document_id)
    return run(lambda: verdicts.judge(document, code, request.form.get("putusan", ""), request.form.get("alasan", ""),
                                      g.account), document_id, gettext("Putusan persyaratan tersimpan."))


@bp.post("/dokumen/<document_id>/catatan-internal")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def note(document_id: str):
    """Add a note for officers only; the applicant never sees it."""
    document = case_or_404(document_id)
    return run(lambda: verdicts.note_internally(document, request.form.get("catatan_internal", ""), g.account,
                                                seen_version(document)),
               document_id, gettext("Catatan internal tersimpan."), "catatan-internal")


@bp.post("/dokumen/<document_id>/aksi/<action>")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(*OFFICERS)
def act(document_id: str, action: str):
    """Fire a workflow action (verify, request correction, recommend, approve, reject), with an internal note."""
    document = case_or_404(document_id)
    if request.form.get("_version") != str(document.version):
        flash(gettext("Kasus ini baru saja diubah oleh orang lain. Periksa keadaan terbaru sebelum bertindak; "
                      "tidak ada yang diubah."), "warning")
        return answered(case_page(document), 409)
    return run(lambda: casework.transition(document, action, g.account, request.form.get("catatan", ""),
                                           internal=request.form.get("catatan_internal", "")),
               document_id, gettext("Tindakan tercatat dan status diperbarui."))


def answered(html: str, status: int):
    """A page under a status code (a refusal's: nothing changed)."""
    response = make_response(html)
    response.status_code = status
    return response


def run(work, document_id: str, done: str, anchor: str | None = None):
    """Do a case change; its refusal becomes a message on the case page (nothing changed)."""
    try:
        work()
    except (casework.CaseError, ConflictError) as error:
        flash(str(error), "warning")
        return answered(case_page(case_or_404(document_id)), getattr(error, "status", 409))
    flash(done, "success")
    return redirect(url_for("officer.case", document_id=document_id, _anchor=anchor))
