"""Second-factor secrets are sealed under a key of their own, which an operator rotates with `totp-rekey`."""
from __future__ import annotations

import threading
from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken

from forms.identity.accounts import create_account, find_account
from forms.identity.totpkeys import create_key_file, legacy_key, seal, unseal
from forms.store import Account

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def enrolled(app, username="vera") -> tuple[str, str]:
    """An officer with a second factor: (secret in clear, as stored)."""
    secret = pyotp.random_base32()
    with app.app_context():
        account = create_account(username, "Rahasia#2026", username.title(), ["verifikator"])
        Account.objects(id=account.id).update_one(set__totp_secret=seal(secret))
        return secret, find_account(username).totp_secret


def stored_secret(app, username="vera") -> str:
    with app.app_context():
        return find_account(username).totp_secret


def opens(key: str, sealed: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(sealed.encode())
    except InvalidToken:
        return False
    return True


@pytest.fixture
def one_host(make_app):
    """An app on one host's own store, which keeps its key in the instance folder (with MONGODB_URI set for the
    run, the shared-database apps derive it from SECRET_KEY instead: see the last test)."""
    return make_app(STORE="memory", MONGODB_URI="")


def test_a_changed_secret_key_keeps_every_second_factor(one_host, make_app):
    secret, sealed = enrolled(one_host)
    other = make_app(SECRET_KEY="a-rotated-session-key", STORE="memory", MONGODB_URI="")
    with other.app_context():
        assert unseal(sealed) == secret


@pytest.mark.parametrize("settings, readable", [
    ({"TOTP_ENCRYPTION_KEY": KEY_A}, True),
    ({"TOTP_ENCRYPTION_KEY": KEY_B}, False),
    ({"TOTP_ENCRYPTION_KEY": KEY_B, "TOTP_ENCRYPTION_KEY_FALLBACKS": (KEY_A,)}, True),
], ids=["same key", "another key", "another key with the old one as fallback"])
def test_the_key_is_its_own_setting(make_app, settings, readable):
    first = make_app(TOTP_ENCRYPTION_KEY=KEY_A)
    secret, sealed = enrolled(first)
    assert opens(KEY_A, sealed) and not opens(KEY_B, sealed)
    with make_app(**settings).app_context():
        assert (unseal(sealed) == secret) is readable


def test_rekey_with_a_new_instance_key_reseals_everything(one_host):
    app = one_host
    secrets = [enrolled(app, name) for name in ("vera", "vino")]
    path = Path(app.instance_path) / "totp_key"
    (old_key,) = path.read_text().split()
    result = app.test_cli_runner().invoke(args=["totp-rekey", "--new-key"])
    assert result.exit_code == 0 and "2 akun disegel ulang" in result.output
    (new_key,) = path.read_text().split()
    assert new_key != old_key and oct(path.stat().st_mode & 0o777) == "0o600"
    for name, (secret, before) in zip(("vera", "vino"), secrets):
        after = stored_secret(app, name)
        assert after != before and opens(new_key, after) and not opens(old_key, after)
        with app.app_context():
            assert unseal(after) == secret


def test_rekey_after_a_new_key_in_the_settings(make_app):
    app = make_app(TOTP_ENCRYPTION_KEY=KEY_A)
    secret, _sealed = enrolled(app)
    app.config.update(TOTP_ENCRYPTION_KEY=KEY_B, TOTP_ENCRYPTION_KEY_FALLBACKS=(KEY_A,))  # the operator's change
    assert app.test_cli_runner().invoke(args=["totp-rekey"]).exit_code == 0
    after = stored_secret(app)
    assert opens(KEY_B, after) and not opens(KEY_A, after)
    app.config.update(TOTP_ENCRYPTION_KEY_FALLBACKS=())
    with app.app_context():
        assert unseal(after) == secret


def test_secrets_sealed_by_earlier_versions_are_read_and_resealed(one_host):
    app = one_host
    secret = pyotp.random_base32()
    with app.app_context():
        account = create_account("vera", "Rahasia#2026", "Vera", ["verifikator"])
        legacy = Fernet(legacy_key()).encrypt(secret.encode()).decode()
        Account.objects(id=account.id).update_one(set__totp_secret=legacy)
        assert unseal(legacy) == secret
    assert app.test_cli_runner().invoke(args=["totp-rekey"]).exit_code == 0
    (key,) = (Path(app.instance_path) / "totp_key").read_text().split()
    assert opens(key, stored_secret(app))


def test_rekey_names_secrets_no_key_opens_and_changes_nothing_of_them(app):
    enrolled(app, "vino")
    with app.app_context():
        account = create_account("vera", "Rahasia#2026", "Vera", ["verifikator"])
        Account.objects(id=account.id).update_one(set__totp_secret="gAAAA-rusak")
    result = app.test_cli_runner().invoke(args=["totp-rekey"])
    assert result.exit_code == 1 and "vera" in result.output and "1 akun disegel ulang" in result.output
    assert stored_secret(app) == "gAAAA-rusak"


@pytest.mark.parametrize("settings, args, words", [
    ({"TOTP_ENCRYPTION_KEY": KEY_A}, ["totp-rekey", "--new-key"], "LOKET_TOTP_ENCRYPTION_KEY_FALLBACKS"),
    ({"TOTP_ENCRYPTION_KEY": "bukan-kunci"}, ["totp-rekey"], "bukan kunci Fernet"),
], ids=["new key while the key is a setting", "a malformed key"])
def test_rekey_refuses_with_a_reason_and_changes_nothing(make_app, settings, args, words):
    app = make_app(TOTP_ENCRYPTION_KEY=KEY_A)
    _secret, sealed = enrolled(app)
    app.config.update(settings)
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and words in result.output
    assert stored_secret(app) == sealed


def test_processes_starting_together_agree_on_one_instance_key(app, tmp_path):
    path, barrier = tmp_path / "bersama" / "totp_key", threading.Barrier(8)

    def make():
        barrier.wait()
        create_key_file(path)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (key,) = path.read_text().split()
    Fernet(key.encode())
    assert sorted(item.name for item in path.parent.iterdir()) == ["totp_key"]


def test_with_mongodb_every_host_shares_the_key_of_the_required_secret_key(app):
    app.config["STORE"] = "mongodb"  # only the key choice reads this here; no host keeps a key of its own
    secret, sealed = enrolled(app)
    with app.app_context():
        legacy = legacy_key().decode()
    assert not (Path(app.instance_path) / "totp_key").exists() and opens(legacy, sealed)
    result = app.test_cli_runner().invoke(args=["totp-rekey", "--new-key"])
    assert result.exit_code != 0 and "LOKET_TOTP_ENCRYPTION_KEY" in result.output
    assert stored_secret(app) == sealed
    with app.app_context():
        assert unseal(sealed) == secret
