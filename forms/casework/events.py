"""Status changes as events: the store and the casework announce them, listeners (webhooks) react.

The modules that change a status do not know who listens, so adding a listener never touches them.
A listener runs in the request that made the change, after the change is stored; it must be quick
(queue work, do not send it) and must not raise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

signals = Namespace()
status_changed = signals.signal("status-changed")


@dataclass(frozen=True)
class StatusChange:
    """One status change of a submission or an issued document."""

    subject: str  # "submission" or "document"
    id: str
    number: str | None
    kind: str  # the form id of a submission, the kind of a document
    old: str | None
    new: str
    action: str
    at: datetime
    code: str | None = None  # the external status code of the new state (e.g. OSS PIA), if any
    key: str | None = None  # names the change once: announcing it again (a job's re-run) queues nothing more


def announce(change: StatusChange) -> None:
    """Tell every listener about a change that has been stored."""
    status_changed.send(None, change=change)
