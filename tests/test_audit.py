"""The audit chain's head: appending reads one record; a lagging head (a crash between entry and head) heals."""
from __future__ import annotations

import threading

from forms.casework.audit import GENESIS, append, entry_hash, verify_chain
from forms.store import AuditEntry, AuditHead, audit_head, utcnow


def test_each_append_moves_the_head(app):
    with app.app_context():
        assert audit_head() is None
        first = append("sistem", "X-1", "submit", None, "terdaftar")
        second = append("sistem", "X-1", "verifikasi", "terdaftar", "terverifikasi")
        assert audit_head() == (2, second.hash) and second.prev_hash == first.hash
        assert verify_chain() == []


def test_an_entry_written_without_moving_the_head_is_followed_not_overwritten(app):
    with app.app_context():
        append("sistem", "X-1", "submit", None, "terdaftar")
        head = audit_head()
        values = {"seq": head[0] + 1, "at": utcnow(), "actor": "sistem", "subject": "X-2", "action": "submit",
                  "from_status": "", "to_status": "terdaftar", "note": "", "prev_hash": head[1]}
        AuditEntry(**values, hash=entry_hash(values)).save()  # the process died before the head moved
        assert audit_head() == head
        third = append("sistem", "X-3", "submit", None, "terdaftar")
        assert third.seq == 3 and AuditHead.objects.get(name="audit").seq == 3
        assert verify_chain() == []


def test_concurrent_appends_make_one_gapless_chain(app):
    with app.app_context():
        def write(number: int) -> None:
            with app.app_context():
                for index in range(10):
                    append(f"petugas-{number}", f"X-{number}-{index}", "catat", None, None)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert AuditEntry.objects.count() == 40 and audit_head()[0] == 40
        assert verify_chain() == []


def test_an_empty_trail_starts_at_genesis(app):
    with app.app_context():
        assert append("sistem", "X-1", "submit", None, None).prev_hash == GENESIS
