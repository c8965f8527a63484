"""Officers' verdicts on uploaded requirements and their notes to each other, each saved in one request.

A case's whole checklist is decided in one conditional update: every row is checked first (a rejection
needs a reason) and nothing is saved while one row is wrong. A request that repeats what is already saved
changes nothing and succeeds (a double click, a second officer deciding the same); one made on a page older
than the case, that would change it, is refused as a conflict.
"""
from __future__ import annotations

from forms.casework import audit
from forms.casework.transitions import (
    CaseError,
    actor_name,
    checked_note,
    internal_entry,
    require_officer,
    requirements,
    workflow_of,
)
from forms.engine.text import gettext
from forms.errors import ConflictError
from forms.store import Account, IssuedDocument, find_document, update_document, utcnow

ACCEPTED, REJECTED = "diterima", "ditolak"
VERDICTS = (ACCEPTED, REJECTED)
REASON_LIMIT = 500
NOTE_LIMIT = 1000


class VerdictsRefused(CaseError):
    """Some rows of a checklist were decided wrongly; `problems` says which (requirement code → message)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(gettext("Putusan belum disimpan: periksa %(count)d baris yang ditandai; tidak ada yang diubah.",
                                 count=len(problems)))
        self.problems = problems


def judge(document: IssuedDocument, code: str, verdict: str, reason: str, officer: Account) -> IssuedDocument:
    """An officer's verdict on one uploaded requirement (accept, or reject with a reason)."""
    if verdict not in VERDICTS:
        raise CaseError(gettext("Putusan harus diterima atau ditolak."))
    try:
        return decide(document, {code: (verdict, reason)}, officer)
    except VerdictsRefused as refusal:
        raise CaseError(refusal.problems[code]) from None


def decide(document: IssuedDocument, decisions: dict[str, tuple[str, str]], officer: Account,
           seen_version: int | None = None) -> IssuedDocument:
    """Save verdicts on many requirements at once: all or nothing, idempotent, refused on a stale page.

    `decisions` maps a requirement code to (verdict, reason); an empty verdict leaves the row as it is.
    `seen_version` is the version of the case the officer's page showed."""
    require_officer(officer)
    if workflow_of(document).states[document.status].turn != "petugas":
        raise CaseError(gettext("Putusan persyaratan hanya dapat diberikan saat dokumen menunggu pemeriksaan petugas."))
    wanted = checked_decisions(document, decisions)
    changes = changes_of(document, wanted, officer)
    if not changes:
        return document
    if seen_version is not None and seen_version != document.version:
        raise ConflictError(gettext("Kasus ini diubah orang lain setelah halaman Anda dimuat; putusan Anda tidak "
                                    "disimpan. Periksa keadaan terbaru lalu putuskan lagi."))
    try:
        changed = update_document(document, changes, expected_status=document.status)
    except ConflictError:
        latest = find_document(str(document.id))
        if latest is not None and not changes_of(latest, wanted, officer):
            return latest  # the same verdicts were saved meanwhile (a repeated request)
        raise
    for code, (verdict, reason) in wanted.items():
        audit.append(actor_name(officer), changed.number, f"putusan {code}: {verdict}", changed.status,
                     changed.status, reason, event=f"verdict:{changed.id}:{changed.version}:{code}")
    return changed


def checked_decisions(document: IssuedDocument, decisions: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The decided rows, cleaned; VerdictsRefused naming every wrong row (unknown, not uploaded, no reason)."""
    known = {item["kode"] for item in requirements(document)}
    uploaded = document.fulfilment or {}
    wanted, problems = {}, {}
    for code, (verdict, reason) in decisions.items():
        if not verdict:
            continue
        try:
            wanted[code] = (verdict, checked_reason(code, verdict, reason, code in known, code in uploaded))
        except CaseError as problem:
            problems[code] = str(problem)
    if problems:
        raise VerdictsRefused(problems)
    if not wanted:
        raise CaseError(gettext("Pilih Terima atau Tolak pada sedikitnya satu persyaratan."))
    return wanted


def checked_reason(code: str, verdict: str, reason: str, known: bool, uploaded: bool) -> str:
    """The reason of one row's verdict, cleaned; CaseError when the row cannot be decided so."""
    if not known:
        raise CaseError(gettext("Persyaratan itu tidak ada pada dokumen ini."))
    if not uploaded:
        raise CaseError(gettext("Persyaratan itu belum diunggah."))
    if verdict not in VERDICTS:
        raise CaseError(gettext("Putusan harus diterima atau ditolak."))
    reason = checked_note(reason, REASON_LIMIT)
    if verdict == REJECTED and not reason:
        raise CaseError(gettext("Tuliskan alasan penolakan persyaratan."))
    return reason if verdict == REJECTED else ""


def changes_of(document: IssuedDocument, wanted: dict[str, tuple[str, str]], officer: Account) -> dict:
    """The fields to set for the rows whose verdict or reason differs from what is saved."""
    changes, now = {}, utcnow()
    for code, (verdict, reason) in wanted.items():
        saved = (document.fulfilment or {}).get(code, {})
        if (saved.get("verdict"), saved.get("reason") or "") == (verdict, reason):
            continue
        changes.update({f"fulfilment.{code}.verdict": verdict, f"fulfilment.{code}.reason": reason,
                        f"fulfilment.{code}.by": actor_name(officer), f"fulfilment.{code}.at": now})
    return changes


def note_internally(document: IssuedDocument, text: str, officer: Account, seen_version: int | None = None
                    ) -> IssuedDocument:
    """Add an officers-only note to a case (e.g. the verifier's recommendation to the head of office)."""
    require_officer(officer)
    text = checked_note(text, NOTE_LIMIT)
    if not text:
        raise CaseError(gettext("Tuliskan catatan internalnya."))
    if any((note.get("seen_version"), note.get("text")) == (seen_version, text) for note in document.internal_notes or []):
        return document  # this very note, sent again from the same page
    changed = update_document(document, {}, push_internal=internal_entry(document, text, officer, seen_version))
    audit.append(actor_name(officer), changed.number, "catatan internal", changed.status, changed.status, text,
                 event=f"internal:{changed.id}:{changed.version}")
    return changed
