"""Signing in without the CAPTCHA: a one-time code to the account's e-mail or WhatsApp, then the password.

The alternative WCAG 2.2 SC 3.3.8 (Accessible Authentication) asks for: transcribing an image or an
audio code is a cognitive function test, while a sent code can be pasted or filled in by the device
(autocomplete="one-time-code") and the password by a password manager. It guards the password as the
CAPTCHA does, and better: nobody can try a password without first reading the account's messages.
Codes come and are counted as password-reset codes are (6 digits, 10 minutes, 5 tries, resend
throttled); an unknown username gets a code nobody receives, so the pages tell nothing about who
has an account. Once the code is accepted, the browser may retry the password for the code's
lifetime (wrong passwords count towards the account's lock as always).
"""
from __future__ import annotations

import logging

from flask import session

from forms.engine.text import gettext
from forms.identity.accounts import (
    contact_of,
    find_account,
    normalise_username,
    reset_subject,
)
from forms.identity.codes import VALID_FOR, CodeError, check_code, issue_code
from forms.identity.signin import authenticate
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError
from forms.store import Account, utcnow

PURPOSE = "kode_masuk"
log = logging.getLogger("loket.accounts")


def send_sign_in_code(username: str) -> None:
    """Send a code to the account's contact; for an unknown username issue one that is never sent."""
    session["code_user"] = normalise_username(username)  # asked again too soon: the earlier code still works
    session.pop("code_passed_until", None)
    account = find_account(username)
    contact = contact_of(account)
    channel, target = contact or ("", "")
    code = issue_code(PURPOSE, reset_subject(account, username), target, channel)
    if contact is None:
        return
    try:
        deliver(PURPOSE, channel, target, username=account.username, kode=code)
    except DeliveryError:
        log.exception("Kode masuk untuk %s tidak terkirim lewat %s", account.username, channel)


def pending_username() -> str | None:
    """The username this browser asked a code for, if any."""
    return session.get("code_user")


def code_passed() -> bool:
    """Whether this browser already gave the right code and may retry only the password."""
    until = session.get("code_passed_until")
    return until is not None and utcnow().timestamp() < until


def sign_in_with_code(code: str, password: str, address: str = "") -> Account:
    """The account, once the code (unless already accepted) and then the password are right."""
    username = pending_username()
    account = find_account(username or "")
    if not code_passed():
        check_code(PURPOSE, reset_subject(account, username or ""), code)
        if contact_of(account) is None:
            raise CodeError(gettext("Kode salah."))
        session["code_passed_until"] = (utcnow() + VALID_FOR).timestamp()
    account = authenticate(username or "", password, address)
    session.pop("code_user", None)
    session.pop("code_passed_until", None)
    return account
