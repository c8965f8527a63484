"""Account security pages: changing the password, and the authenticator-app second factor (enrol, disable,
and the code asked at sign-in after the password).

The pages are reached from the profile. Changing the password or turning the factor on ends every
other session of the account; this browser stays signed in.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from forms.identity import twofactor
from forms.identity.accounts import (
    AccountError,
    AccountLocked,
    PasswordRejected,
    change_password,
    end_other_sessions,
    require_role,
)
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter

bp = Blueprint("security", __name__)

SMALL = "SMALL_BODY_MAX_BYTES"


@bp.get("/profil/keamanan")
@require_role()
def settings():
    """The password form and, for officers and admins, the state of the second factor."""
    return page()


def page(problem: Exception | None = None, field: str | None = None, status: int = 200):
    """The security page, with one problem beside its field when a change was refused."""
    account = g.account
    html = render_template("account/security.html", problem=str(problem) if problem else None,
                           problem_field=field, allowed=twofactor.allowed(account),
                           enabled=twofactor.enabled(account), since=twofactor.enabled_since(account),
                           pending=bool(account.totp_pending) and not twofactor.enabled(account))
    return html, (getattr(problem, "status", 422) if problem else status)


@bp.post("/profil/keamanan/sandi")
@body_limit(SMALL)
@limiter.limit(configured("RESET_RATE_LIMIT"))
@require_role()
def password():
    """Change the password: the current one, then the new one twice; other sessions end."""
    try:
        change_password(g.account, request.form.get("current", ""), request.form.get("password", ""),
                        request.form.get("password2", ""), session.get("login", ""))
    except PasswordRejected as error:
        return page(error, "password")
    except AccountError as error:
        return page(error, "current")
    flash(gettext("Kata sandi sudah diganti. Sesi di perangkat lain sudah diakhiri dan token API akun ini dicabut."),
          "success")
    return redirect(url_for("security.settings"))


@bp.post("/profil/keamanan/dua-langkah/mulai")
@body_limit(SMALL)
@require_role()
def enrol_start():
    """Draw a new secret and go to the page that shows it."""
    try:
        twofactor.begin_enrolment(g.account)
    except twofactor.TwoFactorError as error:
        return page(error)
    return redirect(url_for("security.enrol"))


@bp.route("/profil/keamanan/dua-langkah", methods=["GET", "POST"])
@body_limit(SMALL)
@limiter.limit(configured("TOTP_RATE_LIMIT"), methods=["POST"])
@require_role()
def enrol():
    """Show the pending secret (QR code and text) and turn the factor on with a correct code."""
    secret = twofactor.pending_secret(g.account)
    if secret is None:
        return redirect(url_for("security.settings"))
    problem = None
    if request.method == "POST":
        try:
            twofactor.confirm_enrolment(g.account, request.form.get("code", ""))
        except twofactor.TwoFactorError as error:
            problem = error
        else:
            end_other_sessions(g.account, session.get("login", ""))
            flash(gettext("Verifikasi dua langkah aktif. Mulai sekarang, setelah kata sandi Anda akan diminta kode "
                          "dari aplikasi autentikator. Sesi di perangkat lain sudah diakhiri."), "success")
            return redirect(url_for("security.settings"))
    uri = twofactor.provisioning_uri(g.account, secret)
    html = render_template("account/totp_enrol.html", secret=secret, grouped=" ".join(
        secret[i:i + 4] for i in range(0, len(secret), 4)), qr=twofactor.qr_data_uri(uri),
        problem=str(problem) if problem else None, problem_field="code" if problem else None)
    return html, 422 if problem else 200, {"Cache-Control": "no-store"}


@bp.post("/profil/keamanan/dua-langkah/nonaktif")
@body_limit(SMALL)
@limiter.limit(configured("TOTP_RATE_LIMIT"))
@require_role()
def disable():
    """Turn the factor off with the password and a current code."""
    try:
        twofactor.disable(g.account, request.form.get("password", ""), request.form.get("code", ""))
    except AccountError as error:
        return page(error, "disable")
    flash(gettext("Verifikasi dua langkah dinonaktifkan."), "info")
    return redirect(url_for("security.settings"))


@bp.route("/masuk/kode", methods=["GET", "POST"])
@body_limit(SMALL)
@limiter.limit(configured("TOTP_RATE_LIMIT"), methods=["POST"])
def second_factor():
    """At sign-in, after a correct password: the 6-digit code from the authenticator app."""
    account = twofactor.held_account()
    if account is None:
        flash(gettext("Silakan masuk lagi dengan nama pengguna dan kata sandi."), "info")
        return redirect(url_for("account.login"))
    problem = None
    if request.method == "POST":
        try:
            twofactor.check_code(account, request.form.get("code", ""))
        except AccountError as error:
            problem = error
            if isinstance(error, AccountLocked):
                session.clear()
        else:
            return redirect(twofactor.finish_sign_in(account) or url_for("account.home"))
    html = render_template("account/second_factor.html", problem=str(problem) if problem else None,
                           problem_field="code" if problem else None)
    return html, getattr(problem, "status", 422) if problem else 200
