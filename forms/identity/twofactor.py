"""An optional second factor for officers and admins: 6-digit codes from an authenticator app (TOTP, RFC 6238).

Enrolling draws a secret, shows it once as a QR code and as text, and turns the factor on only after
a correct code. Secrets are stored encrypted (Fernet, under a key of their own: forms.identity.totpkeys),
so a copy of the database alone does not yield them. Each code is accepted once: the last accepted
time step is stored with a conditional update, so a replayed or parallel code is refused. Wrong
codes are counted apart from wrong passwords (a correct password does not reset them) and lock the
account the same way.
"""
from __future__ import annotations

import base64
import io
import time
from datetime import datetime

import pyotp
import qrcode
from flask import current_app, session

from forms.identity.accounts import AccountError, AccountLocked, record_failure, sign_in
from forms.identity.passwords import verify_password
from forms.identity.totpkeys import seal, unseal
from forms.store import (
    Account,
    confirm_totp,
    find_active_account,
    reload_account,
    remove_totp,
    set_pending_totp,
    use_totp_step,
    utcnow,
)

CODE_DIGITS = 6
PERIOD = 30
DRIFT_STEPS = 1  # accept the code of the step before and after (clocks drift, typing takes time)


class TwoFactorError(AccountError):
    """A second-factor code or change was refused; the message says why."""

    status = 422
    title = "Verifikasi dua langkah"


def allowed(account: Account | None) -> bool:
    """Whether this account may use the second factor (officer and admin roles by default)."""
    return account is not None and bool(set(account.roles) & set(current_app.config["TOTP_ROLES"]))


def enabled(account: Account | None) -> bool:
    """Whether signing in to this account asks for an authenticator code."""
    return account is not None and bool(account.totp_secret)


def begin_enrolment(account: Account) -> str:
    """Draw a new pending secret for the account (replacing an unfinished one) and return it in clear."""
    if not allowed(account):
        raise TwoFactorError("Verifikasi dua langkah hanya tersedia untuk akun petugas dan admin.")
    if enabled(account):
        raise TwoFactorError("Verifikasi dua langkah sudah aktif. Nonaktifkan dulu untuk mendaftarkan aplikasi lain.")
    secret = pyotp.random_base32()
    set_pending_totp(account.id, seal(secret))
    reload_account(account)
    return secret


def pending_secret(account: Account) -> str | None:
    """The secret of an unfinished enrolment, in clear, or None."""
    return unseal(account.totp_pending) if not enabled(account) else None


def provisioning_uri(account: Account, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    issuer = current_app.config.get("TOTP_ISSUER") or current_app.config["SITE_NAME"]
    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=PERIOD).provisioning_uri(name=account.username,
                                                                                   issuer_name=issuer)


def qr_data_uri(text: str) -> str:
    """A QR code as a data: PNG for an <img> (the CSP allows data: images, nothing inline runs)."""
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (within the allowed drift), or None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=PERIOD)
    now = time.time() if now is None else now
    step = int(now // PERIOD)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def confirm_enrolment(account: Account, code: str, now: float | None = None) -> None:
    """Turn the factor on when the code matches the pending secret; the code counts as used."""
    secret = pending_secret(account)
    if secret is None:
        raise TwoFactorError("Belum ada pendaftaran yang berjalan. Mulai lagi dari halaman keamanan akun.")
    step = matching_step(secret, code, now)
    if step is None:
        raise TwoFactorError("Kode salah. Pastikan jam ponsel tepat, lalu ketik kode 6 angka yang sedang tampil.")
    if not confirm_totp(account.id, account.totp_pending, step, utcnow()):
        raise TwoFactorError("Pendaftaran ini sudah diubah dari tab lain. Muat ulang halaman.")
    reload_account(account)


def check_code(account: Account, code: str, now: float | None = None) -> None:
    """Accept an authenticator code once; a wrong or reused one counts as a failed sign-in."""
    if account.locked_until and account.locked_until > utcnow():
        raise AccountLocked(account.locked_until, utcnow())
    secret = unseal(account.totp_secret)
    if secret is None:
        raise TwoFactorError("Kunci verifikasi dua langkah akun ini tidak dapat dibaca. Hubungi admin.")
    step = matching_step(secret, code, now)
    if step is None or not use_totp_step(account.id, step):
        record_failure(account, utcnow(), counter="totp_failures")
        raise TwoFactorError("Kode salah atau sudah dipakai. Ketik kode 6 angka yang sedang tampil di aplikasi.")


def disable(account: Account, password: str, code: str, now: float | None = None) -> None:
    """Turn the factor off: needs the password and a current code."""
    if not enabled(account):
        raise TwoFactorError("Verifikasi dua langkah tidak aktif.")
    if not verify_password(account.password_hash, password or ""):
        record_failure(account, utcnow())
        raise TwoFactorError("Kata sandi salah.")
    check_code(account, code, now)
    remove_totp(account.id)
    reload_account(account)


def enabled_since(account: Account) -> datetime | None:
    """When the factor was turned on."""
    return account.totp_enabled_at


PENDING = "second_factor"
PENDING_FOR = 300  # seconds between a correct password and the code


def hold_sign_in(account: Account, target: str | None) -> None:
    """After a correct password: remember whose code is awaited (a fresh session, nobody signed in yet)."""
    session.clear()
    session[PENDING] = {"account": str(account.id), "next": target, "since": int(time.time())}


def held_account() -> Account | None:
    """The account whose code this browser may enter now, or None (none awaited, or waited too long)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_FOR:
        session.pop(PENDING, None)
        return None
    return find_active_account(pending.get("account"))


def finish_sign_in(account: Account) -> str | None:
    """The code was right: sign in for real (a new session) and return where the visitor was going."""
    target = (session.get(PENDING) or {}).get("next")
    sign_in(account)
    return target
