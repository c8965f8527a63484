"""How long a failed sign-in takes on each path, with the production Argon2 parameters, interleaved in one run.

    python bench/signin_timing.py [--rounds 15]

Calls forms.identity.signin.authenticate in process (no HTTP, no CAPTCHA) on the embedded store for
an unknown username, a wrong password, a locked account, an inactive account, a try made while the
address waits, and a correct password; the paths take turns in every round, so the machine's
load drifting hits them alike. Prints the median and the spread per path: the failures should be
indistinguishable (one Argon2 verification each), and none should be fast.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "Rahasia#2026"


def prepared(folder: str):
    """An app with production hashing and the accounts each path needs."""
    from forms import create_app
    from forms.identity.accounts import create_account
    from forms.store import Account, utcnow
    app = create_app({"SECRET_KEY": "bench-secret", "DATA_DIR": folder + "/data", "STORE": "embedded",
                      "OUTBOX_DIR": folder + "/outbox", "DEMO_ACCOUNTS_FILE": folder + "/demo.txt"})
    app.instance_path = folder + "/instance"
    with app.app_context():
        for name in ("siti", "budi", "tutup", "nonaktif"):
            create_account(name, PASSWORD, name.title(), ["pemohon"])
        Account.objects(username="tutup").update_one(set__locked_until=utcnow() + timedelta(days=1))
        Account.objects(username="nonaktif").update_one(set__active=False)
    return app


PATHS = {
    "unknown username": ("tidakada", PASSWORD, "10.0.0.1"),
    "wrong password": ("siti", "Salah#2026", "10.0.0.2"),
    "locked account": ("tutup", PASSWORD, "10.0.0.3"),
    "inactive account": ("nonaktif", PASSWORD, "10.0.0.4"),
    "address waiting": ("budi", PASSWORD, "10.0.0.9"),
    "correct (reference)": ("budi", PASSWORD, "10.0.0.5"),
}


def make_address_wait(app) -> None:
    """Enough failures from 10.0.0.9 that its next try waits."""
    from forms.identity.signin import SignInRefused, authenticate
    with app.app_context():
        for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
            try:
                authenticate("budi", "Salah#2026", "10.0.0.9")
            except SignInRefused:
                pass


def timed(app, username: str, password: str, address: str) -> float:
    """Milliseconds of one sign-in attempt."""
    from forms.identity.signin import SignInRefused, authenticate
    with app.app_context():
        started = time.perf_counter()
        try:
            authenticate(username, password, address)
        except SignInRefused:
            pass
        return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = prepared(folder)
        app.config.update(LOGIN_DELAY_SECONDS=3600, LOGIN_MAX_DELAY_SECONDS=3600)  # the wait outlasts the run
        make_address_wait(app)
        # the other failing paths must not start waiting or lock during the run
        app.config.update(LOGIN_FREE_FAILURES=10 ** 6, LOGIN_ADDRESS_FREE_FAILURES=10 ** 6, LOGIN_LOCK_FAILURES=10 ** 6)
        times = {name: [] for name in PATHS}
        for _ in range(args.rounds):
            for name, (username, password, address) in PATHS.items():
                times[name].append(timed(app, username, password, address))
    print(f"{'path':22} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, values in times.items():
        print(f"{name:22} {statistics.median(values):10.1f} {min(values):8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
