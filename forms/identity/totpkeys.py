"""The key that seals second-factor secrets: its own setting, apart from SECRET_KEY, and rotatable.

Secrets are sealed with Fernet under TOTP_ENCRYPTION_KEY (or, when unset, the first line of
`<instance>/totp_key`, made on first use, 0600; with MONGODB_URI, where several hosts share the
accounts, the key derived from the required SECRET_KEY, as before, unless the setting names one). Older keys (TOTP_ENCRYPTION_KEY_FALLBACKS, or the
file's later lines) still open what they sealed, and so does the key earlier versions derived from
SECRET_KEY, so an upgrade or a rotation loses no second factor. `flask --app server totp-rekey`
seals every stored secret again under the current key (with `--new-key`, it first makes a new
instance key, keeping the old one readable until every secret is resealed).
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from forms.config import create_private_file
from forms.errors import FormsError
from forms.store import accounts_with_totp, reseal_totp

KEY_FILE = "totp_key"


class TotpKeyError(FormsError):
    """The second-factor key cannot be used or rotated as asked; the message says why."""


@dataclass
class Rekeyed:
    """What a rekey did: accounts resealed, and usernames whose secrets no key opens."""

    resealed: int = 0
    unreadable: list[str] = field(default_factory=list)


def key_path() -> Path:
    """Where the instance keeps its own key when no setting names one."""
    return Path(current_app.instance_path) / KEY_FILE


def configured_keys() -> list[str]:
    """The keys in force, current first: the settings', or the instance file's (made on first use)."""
    config = current_app.config
    if config.get("TOTP_ENCRYPTION_KEY"):
        return [config["TOTP_ENCRYPTION_KEY"], *config.get("TOTP_ENCRYPTION_KEY_FALLBACKS", ())]
    if config["STORE"] == "mongodb":
        return list(config.get("TOTP_ENCRYPTION_KEY_FALLBACKS", ()))  # sealed under the SECRET_KEY-derived key
    path = key_path()
    if not path.exists():
        create_key_file(path)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def create_key_file(path: Path) -> None:
    """Make the instance key once; of processes starting together exactly one key wins."""
    create_private_file(path, Fernet.generate_key().decode("ascii") + "\n")


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the instance key file in one step, readable by the server's user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".baru")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def legacy_key() -> bytes:
    """The key earlier versions derived from SECRET_KEY: still opens what they sealed."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"loket-totp", info=b"totp secrets").derive(
        current_app.config["SECRET_KEY"].encode())
    return base64.urlsafe_b64encode(derived)


def cipher() -> MultiFernet:
    """Seals with the current key (the legacy one when none is in force), opens with any key in force or the legacy one."""
    try:
        keys = [Fernet(key.encode("ascii") if isinstance(key, str) else key) for key in configured_keys()]
    except (ValueError, UnicodeEncodeError) as error:
        raise TotpKeyError("TOTP_ENCRYPTION_KEY bukan kunci Fernet (32 bita, base64 url-safe).") from error
    return MultiFernet([*keys, Fernet(legacy_key())])


def seal(secret: str) -> str:
    """A secret as stored."""
    return cipher().encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str | None) -> str | None:
    """A stored secret in clear, or None (none stored, or sealed under a key no longer in force)."""
    if not sealed:
        return None
    try:
        return cipher().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def rekey(new_key: bool = False) -> Rekeyed:
    """Seal every stored secret again under the current key (first making a new instance key when asked)."""
    if new_key:
        if current_app.config["STORE"] == "mongodb" and not current_app.config.get("TOTP_ENCRYPTION_KEY"):
            raise TotpKeyError("Dengan MONGODB_URI, semua host memakai satu kunci: isi LOKET_TOTP_ENCRYPTION_KEY dengan "
                               "kunci baru (Fernet), lalu jalankan totp-rekey tanpa --new-key.")
        if current_app.config.get("TOTP_ENCRYPTION_KEY"):
            raise TotpKeyError("Kunci diatur lewat LOKET_TOTP_ENCRYPTION_KEY: isi kunci baru di sana, pindahkan yang "
                               "lama ke LOKET_TOTP_ENCRYPTION_KEY_FALLBACKS, lalu jalankan totp-rekey tanpa --new-key.")
        write_key_file(key_path(), [Fernet.generate_key().decode("ascii"), *configured_keys()])
    done, current = Rekeyed(), cipher()
    for account_id, username, sealed in accounts_with_totp():
        try:
            fresh = {name: current.rotate(value.encode("ascii")).decode("ascii") for name, value in sealed.items()}
        except (InvalidToken, ValueError):
            done.unreadable.append(username)
            continue
        done.resealed += reseal_totp(account_id, sealed, fresh)
    if new_key:  # whatever an older key opened is sealed afresh; what none opened, none will
        write_key_file(key_path(), configured_keys()[:1])
    return done
