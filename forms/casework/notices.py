"""Messages to an applicant about their documents: when they are first issued and at each status change a
workflow action announces. Each tells the new status and the next step the workflow declares for it, over
every channel the account has (e-mail, WhatsApp); a failed delivery is logged, never fatal to the job."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from forms.catalog.runtime import workflow_for
from forms.engine.text import tr
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError
from forms.store import IssuedDocument, holder_of


def next_step_text(document: IssuedDocument, status: str, lang: str = "id") -> str:
    """What the document's workflow tells the applicant to do in that status ('' where it says nothing)."""
    workflow = workflow_for(document.kind, document.workflow_version)
    state = workflow.states.get(status) if workflow is not None else None
    return tr(state.guidance["applicant"], lang) if state is not None and state.guidance else ""


def status_text(document: IssuedDocument, status: str, lang: str = "id") -> str:
    """A status of the document's workflow in words."""
    workflow = workflow_for(document.kind, document.workflow_version)
    state = workflow.states.get(status) if workflow is not None else None
    return tr(state.label, lang) if state is not None else status


def tell_owner(owner: str, message: str, subject: str, **values: str) -> None:
    """Send a named message to the holder of `owner` over each channel the account has."""
    account = holder_of(owner)
    if account is None:
        return
    for channel, target in (("email", account.email), ("whatsapp", account.phone)):
        if target:
            try:
                deliver(message, channel, target, nama=account.name, **values)
            except DeliveryError:
                current_app.logger.warning("message %s about %s over %s failed", message, subject, channel)


def tell_status(document: IssuedDocument, message: str, status: str, note: str | None) -> None:
    """Tell the applicant that a document is now in `status`, with what to do next."""
    tell_owner(document.owner, message, document.number, nomor=document.number, status=status_text(document, status),
               langkah=next_step_text(document, status) or "-", catatan=note or "-")


def tell_issued(owner: str, number: str, documents: Iterable[tuple[IssuedDocument, str]], message: str,
                link: str) -> None:
    """Tell the applicant which documents an application issued ((document, its label) pairs), with next steps."""
    lines = [f"- {label} {document.number}: {status_text(document, document.status)}" for document, label in documents]
    steps = [f"- {document.number}: {next_step_text(document, document.status)}" for document, _label in documents
             if next_step_text(document, document.status)]
    tell_owner(owner, message, number, nomor=number, dokumen="\n".join(lines) or "-",
               langkah="\n".join(steps) or "-", tautan=link)
