"""Password policy (the OSS rule) and hashing with a memory-hard KDF (Argon2id)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()  # Argon2id, 64 MiB, 3 passes: the library's RFC 9106 low-memory profile

RULES = (
    (re.compile(r".{8,}", re.S), "paling sedikit 8 karakter"),
    (re.compile(r"[a-z]"), "huruf kecil"),
    (re.compile(r"[A-Z]"), "huruf besar"),
    (re.compile(r"\d"), "angka"),
    (re.compile(r"[^A-Za-z0-9]"), "simbol (mis. ! @ # ?)"),
)


def password_problem(password: str) -> str | None:
    """What a password lacks under the OSS rule, as one Indonesian sentence; None if it is fine."""
    if len(password) > 128:
        return "Kata sandi paling banyak 128 karakter."
    missing = [label for pattern, label in RULES if not pattern.search(password)]
    if missing:
        return "Kata sandi harus memuat " + ", ".join(missing) + "."
    return None


def hash_password(password: str) -> str:
    """An Argon2id hash of a password."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash (False for a malformed hash)."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return HASHER.check_needs_rehash(password_hash)
