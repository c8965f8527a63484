"""Accounts as casework meets them: the holder behind an owner key, and the officers a case can go to."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import Account

ACCOUNT_OWNER = "account:"
ACCOUNT_ID = re.compile(r"[0-9a-f]{24}")


@translate_errors
def holder_of(owner: str, *fields: str) -> Account | None:
    """The account behind an owner key ('account:<id>'), only the named fields when given; None for other owners."""
    account_id = parse_id(owner[len(ACCOUNT_OWNER):]) if owner.startswith(ACCOUNT_OWNER) else None
    if account_id is None:
        return None
    query = Account.objects(id=account_id)
    return (query.only(*fields) if fields else query).first()


@translate_errors
def active_officers(roles: Iterable[str]) -> list[Account]:
    """Active accounts holding any of the roles (only id, name and roles), to give a case to."""
    return list(Account.objects(roles__in=list(roles), active=True).only("id", "name", "roles"))


@translate_errors
def find_officer(account_id: Any, roles: Iterable[str], active_only: bool = False) -> Account | None:
    """An account holding any of the roles by its id (24 lowercase hex digits), or None for any other value."""
    if not isinstance(account_id, str) or not ACCOUNT_ID.fullmatch(account_id):
        return None
    query = Account.objects(id=account_id, roles__in=list(roles))
    return (query.filter(active=True) if active_only else query).first()

