"""Command-line tasks an operator runs with `flask --app server …`, such as creating officer accounts.

Officers and admins have no self-registration; an operator creates them here. Passwords are typed
twice with hidden input, or read from standard input for scripts, never taken as an argument
(arguments show up in shell history and process lists).
"""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from forms.identity.accounts import ROLES, AccountError, create_account
from forms.identity.totpkeys import TotpKeyError, rekey


def init_cli(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_user)
    app.cli.add_command(sla_run)
    app.cli.add_command(audit_verify)
    app.cli.add_command(webhook_run)
    app.cli.add_command(worker)
    app.cli.add_command(totp_rekey)
    app.cli.add_command(files_sweep)


@click.command("worker")
@with_appcontext
def worker() -> None:
    """Run jobs, the deadline watcher and the webhook sender until stopped (Ctrl-C or SIGTERM); several may run at once."""
    import signal
    import threading

    from flask import current_app

    from forms.casework.workers import start_workers, stop_workers
    app = current_app._get_current_object()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    threads = start_workers(app, stop)
    click.echo(f"Pekerja Loket berjalan ({len(threads)} utas); hentikan dengan Ctrl-C.")
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    stop_workers(app, stop, threads)


@click.command("totp-rekey")
@click.option("--new-key", is_flag=True, help="Buat kunci baru di folder instance dulu (bila kunci tidak diatur lewat "
                                              "LOKET_TOTP_ENCRYPTION_KEY).")
@with_appcontext
def totp_rekey(new_key: bool) -> None:
    """Seal every stored second-factor secret again under the current key; exit 1 if some no key opens."""
    try:
        done = rekey(new_key)
    except TotpKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{done.resealed} akun disegel ulang dengan kunci sekarang.")
    if done.unreadable:
        click.echo("Tidak dapat dibuka dengan kunci mana pun (minta pemiliknya mendaftar ulang): "
                   + ", ".join(done.unreadable), err=True)
        raise SystemExit(1)


@click.command("webhook-run")
@with_appcontext
def webhook_run() -> None:
    """Send every queued webhook delivery that is due (retries included) and say how they ended."""
    from forms.outreach.webhooks import deliver_due
    done = deliver_due()
    counts: dict[str, int] = {}
    for delivery in done:
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    click.echo(f"{len(done)} kiriman webhook diproses" + (f": {summary}." if summary else "."))


@click.command("files-sweep")
@with_appcontext
def files_sweep() -> None:
    """Delete stored files no record refers to (replaced uploads, deleted drafts) older than FILE_GRACE_HOURS."""
    from forms.casework.workers import sweep_files
    click.echo(f"{sweep_files()} berkas tanpa rujukan dihapus.")


@click.command("sla-run")
@with_appcontext
def sla_run() -> None:
    """Approve, as the workflow files say (fiktif positif), every case whose service time has lapsed."""
    from forms.casework.transitions import deemed_approvals
    done = deemed_approvals()
    click.echo(f"{len(done)} dokumen disetujui otomatis" + (": " + ", ".join(done) if done else "."))


@click.command("audit-verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain of the audit trail; exit 1 when history was changed."""
    from forms.casework.audit import verify_chain
    problems = verify_chain()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("Jejak audit utuh.")


@click.command("create-user")
@click.option("--username", required=True, help="Nama pengguna (disimpan huruf kecil).")
@click.option("--name", required=True, help="Nama lengkap.")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLES),
              help="Peran; boleh diulang untuk beberapa peran.")


@click.option("--email", default=None, help="Alamat e-mail (untuk kode atur ulang kata sandi).")
@click.option("--phone", default=None, help="Nomor WhatsApp dalam bentuk +62….")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari baris pertama stdin.")
@with_appcontext
def create_user(username: str, name: str, roles: tuple[str, ...], email: str | None, phone: str | None,
                password_stdin: bool) -> None:
    """Create an account with the given roles."""
    password = read_password(password_stdin)
    try:
        account = create_account(username, password, name, list(roles), email=email, phone=phone)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Akun dibuat: {account.username} ({', '.join(account.roles)})")


def read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
