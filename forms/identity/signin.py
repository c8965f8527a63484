"""Checking a sign-in so that every failure looks alike and guessing stays slow without locking owners out.

Every failed sign-in (unknown username, wrong password, locked or inactive account, a try made too
soon) gets the same status and message, and every path runs exactly one Argon2 verification (against
a dummy hash where there is no hash to check), so neither the answer nor its time tells them apart.

Guessing is slowed where it comes from rather than where it aims: failures are counted per
(username, address) and per address, and after a few free ones each failure makes the next try from
there wait, doubling (5 s, 10 s, … up to 15 minutes per pair, 1 minute per address). A try made while
waiting is not checked and not counted. Only LOGIN_LOCK_FAILURES wrong passwords in a row from
anywhere lock the account itself; its owner is told by e-mail or WhatsApp, and a password reset lifts
the lock. The counters live in the store (keys are hashes: no typed username or address is kept).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app

from forms.engine.text import N_, gettext
from forms.identity.accounts import (
    AccountError,
    AccountLocked,
    find_account,
    record_failure,
    record_success,
)
from forms.identity.passwords import hash_password, verify_password
from forms.store import (
    Account,
    clear_throttle,
    count_throttled_failure,
    hold_throttle,
    throttle_wait,
    utcnow,
)

REFUSED = N_("Gagal masuk: nama pengguna atau kata sandi salah, atau sudah terlalu banyak percobaan gagal "
             "(tunggu beberapa menit). Lupa kata sandi? Atur ulang lewat tautan di bawah.")


class SignInRefused(AccountError):
    """The one answer to every failed sign-in."""

    status = 422

    def __init__(self):
        super().__init__(gettext(REFUSED))


def authenticate(username: str, password: str, address: str = "", now: datetime | None = None) -> Account:
    """The account for a correct username and password tried from `address`; SignInRefused otherwise."""
    now = now or utcnow()
    account = find_account(username)
    pair, place = throttle_keys(username, address)
    waiting = throttle_wait((pair, place), now) is not None
    locked = account is not None and account.locked_until is not None and account.locked_until > now
    checkable = account is not None and not waiting and not locked
    matches = verify_password(account.password_hash if checkable else dummy_hash(), password)
    if waiting:
        raise SignInRefused()
    if not (checkable and matches and account.active):
        note_failure(account if checkable and not matches else None, pair, place, now)
        raise SignInRefused()
    clear_throttle(pair)
    record_success(account, password, now)
    return account


@cache
def dummy_hash() -> str:
    """A hash to verify against where there is no real one to check (same parameters, same work)."""
    return hash_password(secrets.token_urlsafe(16))


def throttle_keys(username: str, address: str) -> tuple[str, str]:
    """The keys failures are counted under: the (username, address) pair and the address, hashed."""
    name = username.strip().lower() if isinstance(username, str) else ""
    return (hashlib.sha256(f"pair\0{name}\0{address}".encode("utf-8", "surrogatepass")).hexdigest(),
            hashlib.sha256(f"addr\0{address}".encode()).hexdigest())


def note_failure(account: Account | None, pair: str, place: str, now: datetime) -> None:
    """Count a failure for the pair and the address (each may start a wait) and, for a wrong password, the account."""
    config = current_app.config
    forget_at = now + timedelta(hours=config["LOGIN_FORGET_HOURS"])
    for key, free, ceiling in ((pair, config["LOGIN_FREE_FAILURES"], config["LOGIN_MAX_DELAY_SECONDS"]),
                               (place, config["LOGIN_ADDRESS_FREE_FAILURES"], config["LOGIN_ADDRESS_MAX_DELAY_SECONDS"])):
        failures = count_throttled_failure(key, now, forget_at)
        if failures > free:
            hold_throttle(key, now + timedelta(seconds=delay_after(failures - free, ceiling)))
    if account is not None:
        try:
            record_failure(account, now)
        except AccountLocked:
            pass  # the owner was told; the answer stays the one for every failure


def delay_after(excess: int, ceiling: int) -> int:
    """Seconds the next try waits after the `excess`-th failure beyond the free ones: doubling, capped."""
    first = current_app.config["LOGIN_DELAY_SECONDS"]
    return min(ceiling, first * 2 ** min(excess - 1, 20))
