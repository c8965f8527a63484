"""Work on issued documents: requirement uploads, officer verdicts, claims and workflow transitions.

Decisions come from the workflow files (forms.engine.workflow); every change is one conditional update
(forms.store.update_document), is appended to the audit trail, and notifies the applicant when the
workflow says so. Errors are CaseError with an Indonesian message; nothing changes when one is raised.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app

from forms.casework import audit
from forms.casework.events import StatusChange, announce
from forms.casework.provenance import counter_officer, entry_source, is_filer
from forms.casework.queue import queue_job
from forms.catalog.runtime import office_clock, schemas, workflow_for
from forms.engine.calendar import add_months
from forms.engine.fields import FILE_SIGNATURES, format_bytes, safe_filename, sniff_kind
from forms.engine.filecheck import UploadRefused, inspect_upload
from forms.engine.text import N_, clean_text, gettext, text_problem
from forms.engine.workflow import Action, Workflow
from forms.errors import ConflictError, FormsError
from forms.store import (
    Account,
    IssuedDocument,
    claim_document,
    documents_in_state,
    holder_of,
    save_file,
    set_search_words,
    update_document,
    utcnow,
)

SYSTEM = "sistem"
TRANSITION_JOB = "transition"  # what follows a transition: forms.casework.reprints
OFFICER_ROLES = ("verifikator", "kepala", "admin")
SUPERVISORS = {"kepala", "admin"}  # may hand a case another officer holds to someone else


class CaseError(FormsError):
    """An action on a case was refused; the message says why."""

    status = 422
    title = N_("Tindakan tidak dapat dilakukan")


class ClaimTaken(ConflictError):
    """Another officer holds the case; the message names them."""

    def __init__(self, holder: str | None):
        super().__init__(gettext("Kasus ini sedang ditangani oleh %(name)s, jadi tidak diambil; tidak ada yang diubah. "
                                 "Minta petugas itu, kepala, atau admin untuk menugaskannya.",
                                 name=holder or gettext("petugas lain")))


class Forbidden(CaseError):
    status = 403
    title = N_("Akses ditolak")


def workflow_of(document: IssuedDocument) -> Workflow:
    """The workflow that governs a document: its kind's, at the version it follows."""
    return workflow_for(document.kind, document.workflow_version)


def requirements(document: IssuedDocument) -> list[dict]:
    """The requirement checklist of a document, from the table its workflow names (e.g. per code and scale)."""
    spec = requirement_spec(document)
    if not spec:
        return []
    return list(requirement_row_value(document, spec, spec["column"]) or [])


def obligations(document: IssuedDocument) -> list[dict]:
    """What the holder must do after issue (e.g. a hygiene certificate within twelve months), with its due date."""
    spec = requirement_spec(document)
    if not spec or not spec.get("obligations"):
        return []
    issued = office_clock().local(document.issued_at).date() if document.issued_at else None
    return [{**item, "due": add_months(issued, item["jangka_bulan"]) if issued and item.get("jangka_bulan") else None}
            for item in requirement_row_value(document, spec, spec["obligations"]) or []]


def requirement_spec(document: IssuedDocument) -> Mapping[str, Any] | None:
    """Where a document's requirements and obligations come from (None for a kind without a workflow)."""
    workflow = workflow_of(document)
    return workflow.requirements if workflow is not None else None


def requirement_row_value(document: IssuedDocument, spec: Mapping[str, Any], column: str) -> Any:
    """A column of the table row a document's requirements come from (its key, and its band when graded)."""
    key = "|".join(str(document.data.get(column_name, "")) for column_name in spec["key"])
    band = document.data.get(spec["band"]) if spec.get("band") else None
    return schemas().tables.lookup(spec["table"], key, column, band)


def owner_of(account: Account | None) -> str | None:
    """The owner key of an account's submissions and documents."""
    return f"account:{account.id}" if account is not None else None


def is_officer(account: Account | None) -> bool:
    """Whether an account works the back office."""
    return account is not None and bool(set(account.roles) & set(OFFICER_ROLES))


def can_see(account: Account | None, document: IssuedDocument) -> bool:
    """Object-level access: the owner, or an officer."""
    return is_officer(account) or (account is not None and document.owner == owner_of(account))


def upload(document: IssuedDocument, code: str, data: bytes, filename: str, account: Account) -> IssuedDocument:
    """Store a requirement file (checked by content) while it is the applicant's turn."""
    if document.owner != owner_of(account):
        raise Forbidden(gettext("Hanya pemilik dokumen yang dapat mengunggah persyaratan."))
    workflow = workflow_of(document)
    if workflow.states[document.status].turn != "pemohon":
        raise CaseError(gettext("Persyaratan tidak dapat diubah sekarang: dokumen sedang diproses petugas atau "
                                "sudah selesai."))
    item = next((entry for entry in requirements(document) if entry["kode"] == code), None)
    if item is None:
        raise CaseError(gettext("Persyaratan itu tidak ada pada dokumen ini."))
    limit = (workflow.requirements or {}).get("max_bytes") or current_app.config["UPLOAD_MAX_BYTES"]
    kind, data = check_upload(data, limit, item.get("berkas") or ("pdf", "jpg", "png"))
    if document.fulfilment.get(code, {}).get("verdict") == "diterima":
        raise CaseError(gettext("Persyaratan ini sudah diterima petugas dan tidak perlu diganti."))
    stored = save_file(data, safe_filename(filename, kind), FILE_SIGNATURES[kind][1], document.owner)
    entry = {"file": stored, "uploaded_at": utcnow(), "verdict": None, "reason": "", "entered_by": entry_source()}
    changed = update_document(document, {f"fulfilment.{code}": entry})
    audit.append(actor_name(account), document.number, f"unggah {code}", document.status, document.status, stored["name"])
    return changed


def check_upload(data: bytes, limit: int, accepted) -> tuple[str, bytes]:
    """The file's real kind and the bytes to store, or CaseError: empty, too large, not an accepted kind by its
    content, or refused on reading (active content in a PDF, an image too large or broken)."""
    if not data:
        raise CaseError(gettext("Berkas kosong."))
    if len(data) > limit:
        raise CaseError(gettext("Berkas lebih dari %(size)s.", size=format_bytes(limit)))
    kind = sniff_kind(data)
    if kind not in accepted:
        raise CaseError(gettext("Jenis berkas harus %(kinds)s (dicek dari isinya, bukan dari nama).",
                                kinds=", ".join(k.upper() for k in accepted)))
    try:
        return kind, inspect_upload(data, kind)
    except UploadRefused as refused:
        raise CaseError(str(refused)) from None


def claim(document: IssuedDocument, officer: Account, assignee: Account | None = None) -> IssuedDocument:
    """Take a case (or give it to another officer): one conditional update on the holder seen, so of officers
    claiming at once exactly one wins and the others are told who holds it (ClaimTaken, nothing changed)."""
    require_officer(officer)
    refuse_own_filing(officer, document)
    if assignee is not None:
        refuse_own_filing(assignee, document)
    if is_finished(document):
        raise CaseError(gettext("Kasus ini sudah selesai; tidak ada yang perlu diambil atau ditugaskan. "
                                "Tidak ada yang diubah."))
    target = assignee or officer
    holder = document.assigned_to or None
    if holder == str(target.id):
        return document
    if holder and holder != str(officer.id) and (assignee is None or not set(officer.roles) & SUPERVISORS):
        raise ClaimTaken(document.assigned_name)
    if not claim_document(document, str(target.id), target.name, expected_holder=holder):
        raise ClaimTaken(document.assigned_name)
    audit.append(actor_name(officer), document.number, f"ditugaskan kepada {target.name}", document.status,
                 document.status)
    return document


def is_finished(document: IssuedDocument) -> bool:
    """Whether a case has reached a final state (nothing is left for an officer to take)."""
    state = workflow_of(document).states[document.status]
    return state.final or state.turn == "selesai"


def checked_note(text: str | None, limit: int) -> str:
    """A typed note or reason in one Unicode form; CaseError for hidden characters or more than `limit` characters."""
    text = clean_text(text if isinstance(text, str) else "")
    problem = text_problem(text)
    if problem:
        raise CaseError(problem)
    if len(text) > limit:
        raise CaseError(f"Catatan paling banyak {limit} karakter (sekarang {len(text)}).")
    return text


def require_officer(account: Account | None) -> None:
    """Refuse anyone who is not an officer."""
    if not is_officer(account):
        raise Forbidden(gettext("Hanya petugas yang dapat melakukan ini."))


def refuse_own_filing(account: Account, document: IssuedDocument) -> None:
    """Separation of duties: whoever filed an application at the counter does not check or decide it."""
    if is_filer(account, document):
        raise Forbidden(gettext("Anda yang mengajukan permohonan ini di loket, jadi tidak dapat memeriksa atau "
                                "memutusnya. Petugas lain yang menanganinya."))


def actor_name(account: Account | None) -> str:
    """How the trail names an actor (a front-office officer acting for an applicant is named with them)."""
    if account is None:
        return SYSTEM
    officer = counter_officer()
    if officer is not None and officer.id != account.id:
        return f"{officer.username} (loket) atas nama {account.username}"
    return f"{account.username} ({', '.join(account.roles)})"


def allowed_actions(document: IssuedDocument, account: Account | None) -> list[Action]:
    """The workflow actions this person may fire now."""
    workflow = workflow_of(document)
    if account is None:
        return []
    roles = set(account.roles) & set(OFFICER_ROLES)
    if roles and is_filer(account, document):
        roles = set()
    if document.owner == owner_of(account):
        roles.add("pemohon")
    return workflow.available(document.status, roles)


def transition(document: IssuedDocument, action_name: str, account: Account | None, note: str = "",
               now: datetime | None = None, internal: str = "") -> IssuedDocument:
    """Fire a workflow action: checked against the file, one conditional update, audit, SLA, notification.

    `note` goes to the owner (history, message); `internal` is kept for officers only."""
    workflow = workflow_of(document)
    action = workflow.actions.get(action_name)
    if action is None or not workflow.enabled(action):
        raise CaseError(gettext("Tindakan itu tidak ada dalam alur kerja dokumen ini."))
    if document.status not in action.sources:
        raise CaseError(gettext("Status dokumen sudah berubah; tindakan itu tidak berlaku lagi. Muat ulang halaman."))
    permitted = {a.name for a in allowed_actions(document, account)} if account is not None else set()
    if (account is None and SYSTEM not in action.roles) or (account is not None and action_name not in permitted):
        raise Forbidden(gettext("Anda tidak berwenang melakukan tindakan ini."))
    note, internal = checked_note(note, 1000), checked_note(internal, 1000)
    if internal and not is_officer(account):
        raise Forbidden(gettext("Hanya petugas yang dapat menulis catatan internal."))
    if action.note_required and not note:
        raise CaseError(gettext("Tuliskan catatan/alasan untuk tindakan ini."))
    check_requirements(document, action)
    now = now or utcnow()
    event = f"{document.id}:{document.version + 1}"  # the version the change makes: names it once
    entry = {"at": now, "actor": actor_name(account), "action": action.name, "from": document.status,
             "to": action.target, "note": note, "pia": workflow.pia_of(action.target, action, document.status), "event": event}
    changes = {"status": action.target, "entered_at": now, "sla": next_sla(workflow, document, action.target, now)}
    if workflow.states[action.target].turn != "petugas":
        changes.update(assigned_to=None, assigned_name=None)
    queue_job(TRANSITION_JOB, f"document:{document.id}", f"{TRANSITION_JOB}:{event}")  # before: a crash leaves it
    kept = internal_entry(document, internal, account, document.version, now) if internal else None
    changed = update_document(document, changes, expected_status=document.status, push_history=entry, push_internal=kept)
    record_transition(changed, entry)
    return changed


def internal_entry(document: IssuedDocument, text: str, officer: Account, seen_version: int | None,
                   at: datetime | None = None) -> dict:
    """One officers-only note as stored: when, who, in which state, what, and the page version it was written on."""
    return {"at": at or utcnow(), "actor": officer.name or officer.username, "status": document.status, "text": text,
            "seen_version": seen_version}


def record_transition(document: IssuedDocument, entry: dict) -> None:
    """The audit line and the event of a transition (once each, by its event key; its job repeats this)."""
    audit.append(entry["actor"], document.number, entry["action"], entry["from"], entry["to"], entry["note"],
                 at=entry["at"], event=f"transition:{entry['event']}")
    announce(StatusChange("document", str(document.id), document.number, document.kind, entry["from"], entry["to"],
                          entry["action"], entry["at"], entry.get("pia"), key=f"transition:{entry['event']}"))


def check_requirements(document: IssuedDocument, action: Action) -> None:
    """The action's precondition on the requirement checklist."""
    items = [item for item in requirements(document) if item.get("wajib", True)]
    state = document.fulfilment or {}
    if action.requires == "all_uploaded":
        missing = [item["nama"] for item in items if item["kode"] not in state]
        if missing:
            raise CaseError(gettext("Unggah dulu persyaratan wajib: %(items)s.", items="; ".join(missing)))
        rejected = [item["nama"] for item in requirements(document) if state.get(item["kode"], {}).get("verdict") == "ditolak"]
        if rejected:
            raise CaseError(gettext("Ganti dulu berkas yang ditolak: %(items)s.", items="; ".join(rejected)))
    if action.requires == "all_accepted":
        pending = [item["nama"] for item in items if state.get(item["kode"], {}).get("verdict") != "diterima"]
        if pending:
            raise CaseError(gettext("Semua persyaratan wajib harus diterima dulu. Belum: %(items)s.",
                                    items="; ".join(pending)))
    if action.requires == "any_rejected" and not any(v.get("verdict") == "ditolak" for v in state.values()):
        raise CaseError(gettext("Tandai dulu persyaratan yang ditolak beserta alasannya."))


def next_sla(workflow: Workflow, document: IssuedDocument, target: str, now: datetime) -> dict:
    """The service-level clock after entering a state: started, paused (keeping what is left) or none.

    With one deadline per document (the workflow's `deadline`), every timed state shares one clock: moving
    between officer levels keeps it, a correction pauses it and the resubmission resumes what was left.
    """
    calendar = office_clock()
    current = dict(document.sla or {})
    remaining = current.get("remaining")
    if current.get("due_at") and not workflow.states[document.status].pause_sla:
        remaining = calendar.between(now, current["due_at"])
    state = workflow.states[target]
    whole = document_days(workflow, document)
    if state.pause_sla:
        return {"paused": True, "remaining": remaining, **({"for": WHOLE_DOCUMENT} if whole else {})}
    if not state.sla_days:
        return {}
    if whole:
        return whole_document_clock(current, remaining, whole, now)
    days = remaining if (remaining is not None and current.get("for") == target and remaining > 0) else state.sla_days
    return {"for": target, "started_at": now, "due_at": calendar.add(now, days), "days": state.sla_days}


WHOLE_DOCUMENT = "dokumen"  # the clock's name when one deadline covers every level


def document_days(workflow: Workflow, document: IssuedDocument) -> int | None:
    """The working days of the document's one deadline (from its data, e.g. its risk row), or None."""
    days = document.data.get(workflow.deadline_from) if workflow.deadline_from else None
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else None


def whole_document_clock(current: Mapping[str, Any], remaining: int | None, whole: int, now: datetime) -> dict:
    """The one clock of a document: kept between levels, resumed after a pause, else started in full."""
    if current.get("for") == WHOLE_DOCUMENT and current.get("due_at"):
        return dict(current)
    resumed = current.get("for") == WHOLE_DOCUMENT and current.get("paused") and remaining is not None
    days = max(remaining, 0) if resumed else whole
    return {"for": WHOLE_DOCUMENT, "started_at": now, "due_at": office_clock().add(now, days), "days": whole}


def deemed_approvals(now: datetime | None = None) -> list[str]:
    """Fire the system's deemed approval on every document whose state's service time has lapsed."""
    now = now or utcnow()
    done = []
    versions = current_app.extensions["loket.workflow_versions"]
    for workflow in [w for by_version in versions.values() for w in by_version.values()]:
        for state in workflow.states.values():
            if not state.deemed_approval:
                continue
            for document in documents_in_state(workflow.applies_to, state.name, now):
                if workflow_of(document) is not workflow:
                    continue
                try:
                    transition(document, state.deemed_approval, None, "Batas waktu layanan terlampaui (fiktif positif).",
                               now=now)
                    done.append(document.number)
                except (CaseError, ConflictError):  # refused, or changed meanwhile (an officer, another worker)
                    continue
    return done


def sla_view(document: IssuedDocument, now: datetime | None = None) -> dict[str, Any]:
    """Remaining working days and whether the case is overdue, for inboxes and status pages."""
    sla = document.sla or {}
    if sla.get("paused"):
        return {"paused": True, "remaining": sla.get("remaining")}
    if not sla.get("due_at"):
        return {}
    return office_clock().deadline(sla["due_at"], now)


def search_text(document: IssuedDocument, account: Account | None, title: str) -> str:
    """Words an officer may search a case by: numbers, NIK, name, business code and title."""
    parts = [document.number, document.key, title, document.data.get("nama_usaha", "")]
    if account is not None:
        parts += [account.nik or "", account.name or ""]
    return " ".join(str(part) for part in parts if part).lower()


def set_search_text(document: IssuedDocument) -> None:
    """Fill a newly issued document's search words (once, at issue)."""
    set_search_words(document, search_text(document, holder_of(document.owner), key_title(document)))


def key_title(document: IssuedDocument) -> str:
    """The title of a document's key from the table its workflow names ('' when none)."""
    workflow = workflow_for(document.kind, document.workflow_version)
    table = schemas().tables.get(workflow.key_table) if workflow and workflow.key_table else None
    return table.label(document.key) if table else ""
