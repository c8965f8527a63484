"""Password policy (the OSS rule) and hashing with a memory-hard KDF (Argon2id)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST
from flask import current_app, has_app_context

from forms.engine.text import N_, gettext

HASHER = PasswordHasher()  # Argon2id, 64 MiB, 3 passes: the library's RFC 9106 low-memory profile
TEST_HASHER = PasswordHasher.from_parameters(CHEAPEST)  # 8 KiB, 1 pass: only for apps made with TESTING=True

RULES = (
    (re.compile(r".{8,}", re.DOTALL), N_("paling sedikit 8 karakter")),
    (re.compile(r"[a-z]"), N_("huruf kecil")),
    (re.compile(r"[A-Z]"), N_("huruf besar")),
    (re.compile(r"\d"), N_("angka")),
    (re.compile(r"[^A-Za-z0-9]"), N_("simbol (mis. ! @ # ?)")),
)


def password_problem(password: str) -> str | None:
    """What a password lacks under the OSS rule, as one sentence; None if it is fine."""
    if len(password) > 128:
        return gettext("Kata sandi paling banyak 128 karakter.")
    missing = [gettext(label) for pattern, label in RULES if not pattern.search(password)]
    if missing:
        return gettext("Kata sandi harus memuat %(missing)s.", missing=", ".join(missing))
    return None


def hasher() -> PasswordHasher:
    """The production hasher; the cheapest one in an app running tests, where a hash costs seconds otherwise."""
    return TEST_HASHER if has_app_context() and current_app.testing else HASHER


def hash_password(password: str) -> str:
    """An Argon2id hash of a password."""
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash (False for a malformed hash)."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return hasher().check_needs_rehash(password_hash)
