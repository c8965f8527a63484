"""Signing in with a code sent to the account instead of the CAPTCHA (WCAG 2.2 SC 3.3.8's alternative)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from forms.engine.text import gettext
from forms.identity import twofactor
from forms.identity.accounts import AccountError, sign_in
from forms.identity.codes import CodeError
from forms.identity.signincodes import (
    code_passed,
    pending_username,
    send_sign_in_code,
    sign_in_with_code,
)
from forms.views.applicant.account import page
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter

bp = Blueprint("codesignin", __name__)


@bp.route("/masuk/lewat-kode", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("RESET_RATE_LIMIT"), methods=["POST"])
def ask():
    """A username, then a code to its e-mail or WhatsApp; the answer is the same whether or not it exists."""
    problem, username = None, request.form.get("username", "")
    if request.method == "POST":
        try:
            if not username.strip():
                raise AccountError(gettext("Nama pengguna wajib diisi."))
            send_sign_in_code(username)
        except AccountError as error:
            problem = error
        except CodeError as error:
            flash(f"{error} " + gettext("Gunakan kode yang sudah dikirim."), "warning")
        if problem is None:
            return redirect(url_for("codesignin.enter"))
    return page("account/code_sign_in.html", problem, username=username, asking=True)


@bp.route("/masuk/lewat-kode/isi", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("LOGIN_RATE_LIMIT"), methods=["POST"])
def enter():
    """The code from the message and the password; then signed in (or on to the second factor)."""
    username = pending_username()
    if not username:
        return redirect(url_for("codesignin.ask"))
    problem = None
    if request.method == "POST":
        try:
            account = sign_in_with_code(request.form.get("code", ""), request.form.get("password", ""),
                                        request.remote_addr or "")
        except (AccountError, CodeError) as error:
            problem = error
        else:
            if twofactor.enabled(account):
                twofactor.hold_sign_in(account, None)
                return redirect(url_for("security.second_factor"))
            sign_in(account)
            return redirect(url_for("account.home"))
    return page("account/code_sign_in.html", problem, username=username, asking=False, code_done=code_passed())
