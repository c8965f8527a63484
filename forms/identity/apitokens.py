"""Personal API tokens: created and revoked by their owner in the browser, presented as `Authorization: Bearer`.

A token is 256 random bits shown once; the store keeps only its SHA-256 (a token is not a password
a person chose, so a fast hash is enough) and its first characters as a hint. A token acts as its
account: the same roles and the same object-level access as the pages. A deactivated account's
tokens stop working at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from forms.errors import FormsError
from forms.store import (
    Account,
    ApiToken,
    add_api_token,
    api_tokens_of,
    count_api_tokens,
    delete_api_token,
    find_active_account,
    find_api_token,
    touch_api_token,
    utcnow,
)

PREFIX = "lkt_"
MAX_TOKENS = 20
MAX_NAME = 80
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(FormsError):
    """A token could not be created; the message says why."""

    status = 422
    title = "Token API"


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(account: Account, name: str) -> tuple[str, ApiToken]:
    """A new token for the account: (the token, shown once; its stored record)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Beri nama token, mis. \u201cintegrasi SIMDA\u201d, agar mudah dikenali.")
    if len(name) > MAX_NAME:
        raise TokenError(f"Nama token paling banyak {MAX_NAME} karakter.")
    if count_api_tokens(account.id) >= MAX_TOKENS:
        raise TokenError(f"Satu akun paling banyak {MAX_TOKENS} token. Cabut token yang tidak dipakai lagi.")
    token = PREFIX + secrets.token_urlsafe(32)
    record = add_api_token(account.id, name, token_hash(token), token[:8])
    return token, record


def tokens_of(account: Account) -> list[ApiToken]:
    """The account's tokens, newest first."""
    return api_tokens_of(account.id)


def revoke_token(account: Account, token_id: str) -> bool:
    """Delete one of the account's tokens; False when it is not theirs or already gone."""
    return delete_api_token(account.id, token_id)


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = (header or "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def account_for_api_token(token: str, now: datetime | None = None) -> Account | None:
    """The active account a token belongs to (its last use noted, at most once a minute), or None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    record = find_api_token(token_hash(token))
    if record is None:
        return None
    now = now or utcnow()
    if record.last_used_at is None or now - record.last_used_at > TOUCH_EVERY:
        touch_api_token(record.id, now)
    return find_active_account(record.account_id)
