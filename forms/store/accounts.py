"""Operations on accounts and what hangs off them: sign-in sessions, API tokens and one-time codes.

forms.identity decides (passwords, locks, second factor, codes); these operations are its only way
to the stored records. Counters and one-time uses are single conditional updates, so parallel
requests cannot count twice or use a code or time step twice.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import Account, ApiToken, Code, LoginSession, SignInThrottle


@translate_errors
def find_account_by_username(username: str) -> Account | None:
    """The account with exactly this (already normalised) username, or None."""
    return Account.objects(username=username).first()


@translate_errors
def find_account_by_id(account_id: Any) -> Account | None:
    """An account by id, active or not; None for an unknown or malformed id."""
    wanted = parse_id(account_id)
    return Account.objects(id=wanted).first() if wanted is not None else None


@translate_errors
def find_active_account(account_id: Any) -> Account | None:
    """An active account by id; None for an unknown, malformed or deactivated one."""
    wanted = parse_id(account_id)
    return Account.objects(id=wanted, active=True).first() if wanted is not None else None


@translate_errors
def add_account(*, username: str, password_hash: str, name: str, roles: list[str], email: str | None,
                phone: str | None, nik: str | None, profile: Mapping[str, Any]) -> Account:
    """Store a new account; Duplicate when its username, NIK or phone number is taken."""
    return Account(username=username, password_hash=password_hash, name=name, roles=roles, email=email,
                   phone=phone, nik=nik, profile=dict(profile)).save()


@translate_errors
def has_accounts() -> bool:
    """Whether any account is stored."""
    return bool(Account.objects.count())


@translate_errors
def accounts_with_roles(roles: Iterable[str]) -> list[Account]:
    """The accounts holding any of the roles, by username."""
    return list(Account.objects(roles__in=list(roles)).order_by("username"))


@translate_errors
def account_names(account_ids: Iterable[str]) -> dict[str, str]:
    """Names of the accounts with these ids, keyed by id as text (malformed ids are skipped)."""
    wanted = [oid for oid in map(parse_id, account_ids) if oid is not None]
    return {str(account.id): account.name for account in Account.objects(id__in=wanted).only("name")}


@translate_errors
def count_failure(account_id: Any, counter: str, limit: int, locked_until: datetime) -> bool:
    """Add one to a failure counter; the failure reaching `limit` locks the account and resets it (True)."""
    Account.objects(id=account_id).update_one(**{f"inc__{counter}": 1})
    return bool(Account.objects(id=account_id, **{f"{counter}__gte": limit}).update_one(
        set__locked_until=locked_until, **{f"set__{counter}": 0}))


@translate_errors
def throttle_wait(keys: Iterable[str], now: datetime) -> datetime | None:
    """The latest time before which a sign-in under any of these throttle keys is not checked, if still ahead."""
    waits = [record.wait_until for record in SignInThrottle.objects(key__in=list(keys), expires_at__gt=now)
             if record.wait_until and record.wait_until > now]
    return max(waits, default=None)


@translate_errors
def count_throttled_failure(key: str, now: datetime, forget_at: datetime) -> int:
    """Add one failure under a throttle key (starting again once the old count expired); the count after it."""
    SignInThrottle.objects(key=key, expires_at__lte=now).delete()
    record = SignInThrottle.objects(key=key).modify(upsert=True, new=True, inc__failures=1, set__expires_at=forget_at)
    return record.failures


@translate_errors
def hold_throttle(key: str, wait_until: datetime) -> None:
    """Set the time before which the next sign-in under a throttle key is not checked."""
    SignInThrottle.objects(key=key).update_one(set__wait_until=wait_until)


@translate_errors
def clear_throttle(key: str) -> None:
    """Forget the failures under a throttle key (a correct sign-in from that pair)."""
    SignInThrottle.objects(key=key).delete()


@translate_errors
def note_sign_in(account_id: Any, now: datetime, password_hash: str | None = None) -> None:
    """A correct password: failures reset, lock lifted, time noted, and a newer hash kept if given."""
    changes = {"set__failed_logins": 0, "unset__locked_until": True, "set__last_login_at": now}
    if password_hash is not None:
        changes["set__password_hash"] = password_hash
    Account.objects(id=account_id).update_one(**changes)


@translate_errors
def set_password_hash(account_id: Any, password_hash: str, unlock: bool = False) -> None:
    """Keep a new password hash and reset the failure count; with `unlock`, lift a lock too."""
    changes = {"set__password_hash": password_hash, "set__failed_logins": 0}
    if unlock:
        changes["unset__locked_until"] = True
    Account.objects(id=account_id).update_one(**changes)


@translate_errors
def set_roles(account_id: Any, roles: list[str]) -> None:
    """Replace an account's roles."""
    Account.objects(id=account_id).update_one(set__roles=roles)


@translate_errors
def set_account_active(account_id: Any, active: bool) -> None:
    """Enable or disable an account (its sessions are ended separately)."""
    Account.objects(id=account_id).update_one(set__active=active)


@translate_errors
def reload_account(account: Account) -> None:
    """Read an account's stored values again, in place (after one of these updates)."""
    account.reload()


@translate_errors
def set_pending_totp(account_id: Any, sealed_secret: str) -> None:
    """Keep the sealed secret of an enrolment not yet confirmed (replacing an earlier one)."""
    Account.objects(id=account_id).update_one(set__totp_pending=sealed_secret)


@translate_errors
def confirm_totp(account_id: Any, sealed_secret: str, step: int, now: datetime) -> bool:
    """Make the pending secret the account's, if it is still `sealed_secret`; whether it was."""
    return bool(Account.objects(id=account_id, totp_pending=sealed_secret).update_one(
        set__totp_secret=sealed_secret, unset__totp_pending=True, set__totp_last_step=step,
        set__totp_enabled_at=now))


@translate_errors
def use_totp_step(account_id: Any, step: int) -> bool:
    """Accept a time step only if later than the last accepted one (and reset code failures); whether it was."""
    return bool(Account.objects(id=account_id, totp_last_step__lt=step).update_one(
        set__totp_last_step=step, set__totp_failures=0))


@translate_errors
def remove_totp(account_id: Any) -> None:
    """Forget an account's second factor: its secret, a pending one, and when it was turned on."""
    Account.objects(id=account_id).update_one(unset__totp_secret=True, unset__totp_pending=True,
                                              unset__totp_enabled_at=True)


@translate_errors
def accounts_with_totp() -> list[tuple[Any, str, dict[str, str]]]:
    """(id, username, sealed values by field) of every account holding a second-factor secret or a pending one."""
    fields = ("totp_secret", "totp_pending")
    found = Account.objects(__raw__={"$or": [{name: {"$nin": [None, ""]}} for name in fields]}).only(
        "username", *fields)
    return [(account.id, account.username, {name: getattr(account, name) for name in fields if getattr(account, name)})
            for account in found]


@translate_errors
def reseal_totp(account_id: Any, old: Mapping[str, str], new: Mapping[str, str]) -> int:
    """Replace sealed second-factor values, only if they are still `old` (an enrolment meanwhile wins); 1 if replaced."""
    return Account.objects(id=account_id, **old).update_one(**{f"set__{name}": value for name, value in new.items()})


@translate_errors
def add_login_session(token_hash: str, account_id: Any) -> LoginSession:
    """Store a new sign-in session by the hash of its token."""
    return LoginSession(token_hash=token_hash, account_id=account_id).save()


@translate_errors
def find_login_session(token_hash: str) -> LoginSession | None:
    """The session whose token has this hash, or None."""
    return LoginSession.objects(token_hash=token_hash).first()


@translate_errors
def touch_login_session(session_id: Any, now: datetime) -> None:
    """Note that a session was seen now."""
    LoginSession.objects(id=session_id).update_one(set__last_seen_at=now)


@translate_errors
def end_login_session(token_hash: str) -> None:
    """Delete the session whose token has this hash."""
    LoginSession.objects(token_hash=token_hash).delete()


@translate_errors
def end_sessions_of(account_id: Any, keep: str | None = None) -> int:
    """Delete every session of an account except the one whose token hash is `keep`; how many ended."""
    query = LoginSession.objects(account_id=account_id)
    if keep is not None:
        query = query.filter(token_hash__ne=keep)
    return query.delete()


@translate_errors
def count_api_tokens(account_id: Any) -> int:
    """How many API tokens an account has."""
    return ApiToken.objects(account_id=account_id).count()


@translate_errors
def add_api_token(account_id: Any, name: str, token_hash: str, hint: str) -> ApiToken:
    """Store a new API token by its hash."""
    return ApiToken(account_id=account_id, name=name, token_hash=token_hash, hint=hint).save()


@translate_errors
def api_tokens_of(account_id: Any) -> list[ApiToken]:
    """An account's API tokens, newest first."""
    return list(ApiToken.objects(account_id=account_id).order_by("-created_at"))


@translate_errors
def delete_api_token(account_id: Any, token_id: str) -> bool:
    """Delete one of an account's tokens; False when the id is malformed, not theirs, or gone."""
    wanted = parse_id(token_id)
    return wanted is not None and bool(ApiToken.objects(id=wanted, account_id=account_id).delete())


@translate_errors
def delete_api_tokens_of(account_id: Any) -> int:
    """Delete every API token of an account; how many there were."""
    return ApiToken.objects(account_id=account_id).delete()


@translate_errors
def find_api_token(token_hash: str) -> ApiToken | None:
    """The API token with this hash, or None."""
    return ApiToken.objects(token_hash=token_hash).first()


@translate_errors
def touch_api_token(token_id: Any, now: datetime) -> None:
    """Note that a token was used now."""
    ApiToken.objects(id=token_id).update_one(set__last_used_at=now)


@translate_errors
def latest_code(purpose: str, subject: str) -> Code | None:
    """The most recently issued code for a purpose and subject."""
    return Code.objects(purpose=purpose, subject=subject).order_by("-created_at").first()


@translate_errors
def add_code(purpose: str, subject: str, code_hash: str, created_at: datetime, expires_at: datetime,
             target: str | None = None, channel: str | None = None) -> Code:
    """Store a one-time code by its hash."""
    return Code(purpose=purpose, subject=subject, code_hash=code_hash, target=target, channel=channel,
                created_at=created_at, expires_at=expires_at).save()


@translate_errors
def delete_codes(purpose: str, subject: str) -> None:
    """Delete every code of a purpose and subject."""
    Code.objects(purpose=purpose, subject=subject).delete()


@translate_errors
def delete_expired_codes(purpose: str, now: datetime) -> None:
    """Delete the codes of a purpose that expired before `now`."""
    Code.objects(purpose=purpose, expires_at__lt=now).delete()


@translate_errors
def take_code(purpose: str, subject: str) -> Code | None:
    """Remove a code of a purpose and subject and return it, in one step; None if there is none."""
    return Code.objects(purpose=purpose, subject=subject).modify(remove=True)


@translate_errors
def count_code_try(code_id: Any, max_tries: int) -> Code | None:
    """Count one try of an unused code with tries left; the code after counting, or None if none were left."""
    return Code.objects(id=code_id, tries__lt=max_tries, used_at=None).modify(inc__tries=1, new=True)


@translate_errors
def mark_code_used(code_id: Any, now: datetime) -> None:
    """Mark a code used, if it was not already."""
    Code.objects(id=code_id, used_at=None).update_one(set__used_at=now)
