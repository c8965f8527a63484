"""Accounts: who may sign in, how a sign-in is checked and remembered, and who may open what.

A sign-in is a LoginSession in the store, found by the SHA-256 of a random token kept in the
browser's session cookie; deleting the LoginSession ends it even if an old cookie is replayed.
Many wrong passwords in a row lock an account for a while and tell its owner; the counter is updated
atomically so parallel guesses are all counted. How a sign-in is checked is forms.identity.signin.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)

from forms.catalog.runtime import office_clock
from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.identity.codes import CodeError, check_code, issue_code
from forms.identity.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError
from forms.store import (
    Account,
    Duplicate,
    add_account,
    add_login_session,
    count_failure,
    delete_api_tokens_of,
    end_login_session,
    end_sessions_of,
    find_account_by_username,
    find_active_account,
    find_login_session,
    has_accounts,
    note_sign_in,
    set_password_hash,
    touch_login_session,
    utcnow,
    value_taken,
)

log = logging.getLogger("loket.accounts")

ROLES = ("pemohon", "loket", "verifikator", "kepala", "admin")  # loket: the front office, files for walk-ins
IDLE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=5)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
RESET = "reset_sandi"
LOCKED = "akun_dikunci"
UNIQUE_FIELDS = (
    ("username", N_("Nama pengguna ini sudah dipakai. Pilih nama pengguna lain.")),
    ("nik", N_("NIK ini sudah terdaftar. Jika itu NIK Anda, masuk dengan akun yang ada atau atur ulang kata sandi.")),
    ("phone", N_("Nomor telepon ini sudah terdaftar pada akun lain.")),
)


class AccountError(FormsError):
    """An account could not be created or signed in; the message says why."""

    status = 422
    title = N_("Akun")


class PasswordRejected(AccountError):
    """A new password breaks the policy or was not repeated the same."""


class DuplicateAccount(AccountError):
    """The username, NIK or phone number already belongs to another account."""

    status = 409


class AccountLocked(AccountError):
    """Too many failures in a row; refused until `until` (stored UTC, shown in office time)."""

    status = 423

    def __init__(self, until: datetime, now: datetime):
        minutes = max(1, round((until - now).total_seconds() / 60))
        self.until = until
        local = office_clock().local(until)
        super().__init__(gettext("Akun dikunci sementara karena terlalu banyak percobaan gagal berturut-turut. "
                                 "Coba lagi setelah pukul %(time)s (%(date)s), sekitar %(minutes)s menit lagi.",
                                 time=f"{local:%H:%M %Z}", date=f"{local:%d-%m-%Y}", minutes=minutes))


def init_accounts(app: Flask) -> None:
    """Load the signed-in account on every request; seed demo accounts on a fresh embedded store."""
    app.config.setdefault("DEMO_ACCOUNTS_FILE", os.path.join(app.instance_path, "demo-accounts.txt"))
    app.before_request(load_account)
    app.extensions["loket.demo_accounts"] = seed_demo_accounts(app) if app.config["STORE"] == "embedded" else []


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively: stored and looked up in lower case."""
    return username.strip().lower() if isinstance(username, str) else ""


def find_account(username: str) -> Account | None:
    """The account with this username (any case), or None."""
    return find_account_by_username(normalise_username(username))


def create_account(username: str, password: str, name: str, roles: tuple[str, ...] | list[str] = ("pemohon",),
                   email: str | None = None, phone: str | None = None, nik: str | None = None,
                   profile: Mapping[str, Any] | None = None) -> Account:
    """A new account with a hashed password; AccountError for a bad value, DuplicateAccount if taken."""
    username = normalise_username(username)
    problem = account_problem(username, password, name, roles)
    if problem:
        raise AccountError(problem)
    values = {"username": username, "password_hash": hash_password(password), "name": name.strip(),
              "roles": list(roles), "email": (email or "").strip() or None, "phone": phone or None,
              "nik": nik or None, "profile": dict(profile or {})}
    try:
        return add_account(**values)
    except Duplicate:
        raise DuplicateAccount(duplicate_message(values)) from None


def account_problem(username: str, password: str, name: str, roles) -> str | None:
    """What is wrong with the values of a new account, as one sentence; None if fine."""
    if not USERNAME.fullmatch(username):
        return gettext("Nama pengguna 3–40 karakter: huruf, angka, titik, garis bawah atau tanda hubung, "
                       "diawali huruf atau angka.")
    if not (name or "").strip():
        return gettext("Nama wajib diisi.")
    unknown = [role for role in roles if role not in ROLES]
    if not roles or unknown:
        return gettext("Peran tidak dikenal: %(unknown)s. Pilihan: %(roles)s.",
                       unknown=", ".join(unknown) or gettext("(kosong)"), roles=", ".join(ROLES))
    return password_problem(password)


def duplicate_message(values: Mapping[str, Any]) -> str:
    """Which unique value of a new account is already taken, said plainly."""
    for field, message in UNIQUE_FIELDS:
        value = values.get(field)
        if value and value_taken(f"account.{field}", value):
            return gettext(message)
    return gettext("Akun dengan data ini sudah terdaftar.")


def record_failure(account: Account, now: datetime, counter: str = "failed_logins") -> None:
    """Count a wrong password (or code, in its own counter) atomically; the one that reaches the limit locks the
    account, tells its owner, and raises AccountLocked."""
    config = current_app.config
    limit = config["TOTP_LOCK_FAILURES"] if counter == "totp_failures" else config["LOGIN_LOCK_FAILURES"]
    until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    if count_failure(account.id, counter, limit, until):
        log.warning("Akun %s dikunci sampai %s UTC", account.username, until)
        tell_owner_of_lock(account, until)
        raise AccountLocked(until, now)


def tell_owner_of_lock(account: Account, until: datetime) -> None:
    """Send the account's owner word of the lock by their channel (e-mail first), with how to lift it."""
    contact = contact_of(account)
    if contact is None:
        return
    local = office_clock().local(until)
    try:
        deliver(LOCKED, contact[0], contact[1], username=account.username, sampai=f"{local:%d-%m-%Y %H:%M %Z}")
    except DeliveryError:
        log.exception("Pemberitahuan kunci akun %s tidak terkirim", account.username)


def record_success(account: Account, password: str, now: datetime) -> None:
    """Reset the failure count, note the sign-in, and upgrade an old hash."""
    note_sign_in(account.id, now, hash_password(password) if needs_rehash(account.password_hash) else None)


def set_password(account: Account, password: str) -> None:
    """Replace an account's password, unlock it, end every session it has and revoke its API tokens."""
    problem = password_problem(password)
    if problem:
        raise PasswordRejected(problem)
    set_password_hash(account.id, hash_password(password), unlock=True)
    end_sessions_of(account.id)
    delete_api_tokens_of(account.id)


def change_password(account: Account, current: str, password: str, repeated: str, keep_token: str) -> None:
    """A signed-in person's new password: the current one is checked (a wrong one counts towards the
    lock), the new one must meet the policy; every other session of the account ends, this one stays,
    and its API tokens are revoked (a token made with a stolen password must not outlive the change)."""
    if not verify_password(account.password_hash, current or ""):
        record_failure(account, utcnow())
        raise AccountError("Kata sandi sekarang salah.")
    problem = password_problem(password or "")
    if problem:
        raise PasswordRejected(problem)
    if password != repeated:
        raise PasswordRejected("Ulangan kata sandi tidak sama dengan kata sandi baru.")
    set_password_hash(account.id, hash_password(password))
    end_other_sessions(account, keep_token)
    delete_api_tokens_of(account.id)


def end_other_sessions(account: Account, keep_token: str) -> int:
    """End every session of the account except the one holding `keep_token`; how many ended."""
    return end_sessions_of(account.id, keep=token_hash(keep_token))


def contact_of(account: Account | None) -> tuple[str, str] | None:
    """Where an account receives codes: (channel, address), e-mail first; None if nowhere."""
    if account is None or not account.active:
        return None
    if account.email:
        return "email", account.email
    return ("whatsapp", account.phone) if account.phone else None


def reset_subject(account: Account | None, username: str) -> str:
    """The code subject of a reset; unknown or unreachable usernames get a code nobody receives."""
    return str(account.id) if contact_of(account) else f"tanpa-akun:{normalise_username(username)}"


def request_reset(username: str) -> None:
    """Send a reset code to the account's e-mail or WhatsApp; for an unknown username do the same, unsent.

    Both paths issue a code, so throttling and wrong-code answers cannot tell whether a username exists.
    """
    account = find_account(username)
    contact = contact_of(account)
    channel, target = contact or ("", "")
    code = issue_code(RESET, reset_subject(account, username), target, channel)
    if contact is None:
        return
    try:
        deliver(RESET, channel, target, username=account.username, kode=code)
    except DeliveryError:
        log.exception("Kode atur ulang untuk %s tidak terkirim lewat %s", account.username, channel)


def reset_password(username: str, code: str, password: str, repeated: str) -> Account:
    """Check a reset code and set the new password (password first, so a refused one keeps the code usable)."""
    problem = password_problem(password)
    if problem:
        raise PasswordRejected(problem)
    if password != repeated:
        raise PasswordRejected(gettext("Ulangan kata sandi tidak sama dengan kata sandi baru."))
    account = find_account(username)
    check_code(RESET, reset_subject(account, username), code)
    if account is None or not contact_of(account):
        raise CodeError(gettext("Kode salah."))
    set_password(account, password)
    return account


def token_hash(token: str) -> str:
    """What the store keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(account: Account) -> str:
    """A new LoginSession for the account; returns the token for the browser (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    add_login_session(token_hash(token), account.id)
    return token


def account_for_token(token: str, now: datetime | None = None) -> Account | None:
    """The active account of a live session token, or None (unknown, idle too long, or inactive)."""
    now = now or utcnow()
    login = find_login_session(token_hash(token))
    if login is None:
        return None
    if now - login.last_seen_at > IDLE_TIMEOUT:
        end_login_session(login.token_hash)
        return None
    if now - login.last_seen_at > TOUCH_EVERY:
        touch_login_session(login.id, now)
    return find_active_account(login.account_id)


def end_session(token: str) -> None:
    """Delete the LoginSession of a token, so its cookie no longer signs anyone in."""
    end_login_session(token_hash(token))


def sign_in(account: Account) -> None:
    """Start a fresh browser session for the account (a new session, against fixation)."""
    session.clear()
    session["login"] = start_session(account)
    session["account_id"] = str(account.id)
    g.account = account


def sign_out() -> None:
    """End the server-side session and forget the browser's."""
    if session.get("login"):
        end_session(session["login"])
    session.clear()
    g.account = None


def load_account() -> None:
    """before_request: g.account from the session token; a dead token clears the session."""
    g.account = None
    if request.endpoint == "static" or not ("login" in session or "account_id" in session):
        return
    account = account_for_token(session.get("login", ""))
    if account is None or str(account.id) != session.get("account_id"):
        session.clear()
        return
    g.account = account


def require_role(*roles: str) -> Callable:
    """View decorator: anonymous visitors go to the login page, accounts without one of `roles` get 403.

    With no roles, any signed-in account may pass.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            account = g.get("account")
            if account is None:
                target = request.full_path if request.query_string else request.path
                flash(gettext("Silakan masuk terlebih dahulu untuk membuka halaman itu."), "info")
                return redirect(url_for("account.login", next=target))
            if roles and not set(roles) & set(account.roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def generate_password(length: int = 16) -> str:
    """A random password that meets the policy (every character class present)."""
    classes = ("abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!@#?%+=")
    picks = [secrets.choice(chars) for chars in classes]
    picks += [secrets.choice("".join(classes)) for _ in range(length - len(picks))]
    secrets.SystemRandom().shuffle(picks)
    return "".join(picks)


def seed_demo_accounts(app: Flask) -> list[tuple[str, str, str]]:
    """On a store without accounts, one demo account per role; returns (username, role, password)."""
    with app.app_context():
        if has_accounts():
            return []
        created = []
        for role in ROLES:
            password = generate_password()
            account = create_account(f"{role}.demo", password, f"{role.capitalize()} Demo", [role])
            created.append((account.username, role, password))
    write_demo_file(Path(app.config["DEMO_ACCOUNTS_FILE"]), created)
    log.warning("Akun demo dibuat; kata sandinya ada di %s", app.config["DEMO_ACCOUNTS_FILE"])
    return created


def write_demo_file(path: Path, accounts: list[tuple[str, str, str]]) -> None:
    """Keep the demo passwords readable by the server's user only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# Akun demo Loket: nama pengguna, peran, kata sandi\n")
        handle.writelines(f"{username}\t{role}\t{password}\n" for username, role, password in accounts)
