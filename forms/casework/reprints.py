"""What follows a workflow transition, as a job: its audit line and event, the applicant's message, the new printout.

`transition` (forms.casework.transitions) queues this job *before* its conditional update, so a
crash after the update always leaves the job, and writes the audit line and the event at once. The
job finds its change by the event key in the document's history and repeats both (keyed, so nothing
is written twice), tells the applicant (at least once) and re-prints when the new state asks for it
(one printout version per change). If the update never happened (another officer was first), the
job finds no such entry and ends; if it has not happened *yet*, the job waits for a retry.
"""
from __future__ import annotations

from forms.casework.notices import tell_status
from forms.casework.transitions import TRANSITION_JOB, record_transition, workflow_of
from forms.engine.text import gettext
from forms.errors import FormsError
from forms.printing.issue import reissue
from forms.store import Job, find_document

__all__ = ["TRANSITION_JOB", "run_transition"]


class NotYet(FormsError):
    """The change a job follows is not stored yet (its request is still running): try again later."""


def run_transition(job: Job) -> None:
    """The transition job: audit line and event (again, keyed), message, and the re-print the new state asks for."""
    event = job.key.partition(":")[2]
    document_id, _, version = event.partition(":")
    document = find_document(document_id)
    if document is None:
        return
    entry = next((item for item in document.history if item.get("event") == event), None)
    if entry is None:
        if document.version < int(version):
            raise NotYet(gettext("Perubahan status belum tersimpan."))
        return
    record_transition(document, entry)
    workflow = workflow_of(document)
    action = workflow.actions.get(entry["action"])
    if action is not None and action.notify:
        tell_status(document, action.notify, entry["to"], entry["note"])
    if workflow.states[entry["to"]].reissue:
        reissue(document, key=f"{TRANSITION_JOB}:{event}")
