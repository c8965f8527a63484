"""Signing in and out, password reset by a code, and the signed-in person's home and profile pages."""
from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from forms.casework.reminders import owner_obligations
from forms.casework.tracking import document_views, status_label
from forms.casework.transitions import is_officer
from forms.catalog.runtime import office_clock, schemas
from forms.engine.idnumbers import format_phone
from forms.engine.text import N_, gettext
from forms.identity import twofactor
from forms.identity.accounts import (
    AccountError,
    PasswordRejected,
    normalise_username,
    request_reset,
    require_role,
    reset_password,
    sign_in,
    sign_out,
)
from forms.identity.captchas import (
    CaptchaError,
    check_captcha,
    draw,
    issue_challenge,
    speak,
)
from forms.identity.codes import CodeError
from forms.identity.signin import authenticate
from forms.office.publicinfo import public_info
from forms.store import DRAFT, list_submissions, utcnow
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter
from forms.web.security import current_owner
from forms.web.templating import current_language

bp = Blueprint("account", __name__)

FIELD_OF = ((CaptchaError, "captcha"), (CodeError, "code"), (PasswordRejected, "password"))
SENT = N_("Jika nama pengguna itu terdaftar, kode 6 angka sudah dikirim ke e-mail atau WhatsApp akun "
          "tersebut. Kode berlaku 10 menit.")


@bp.route("/masuk", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    """Username, password and the image code; on success a fresh session and the applicant home."""
    target = safe_next(request.values.get("next"))
    if g.account is not None and request.method == "GET":
        return redirect(target or url_for("account.home"))
    problem, username = None, request.form.get("username", "")
    if request.method == "POST":
        try:
            check_captcha(request.form.get("captcha", ""))
            account = authenticate(username, request.form.get("password", ""), request.remote_addr or "")
        except (CaptchaError, AccountError) as error:
            problem = error
        else:
            if twofactor.enabled(account):
                twofactor.hold_sign_in(account, target)
                return redirect(url_for("security.second_factor"))
            sign_in(account)
            return redirect(target or url_for("account.home"))
    return page("account/login.html", problem, username=username, next=target,
                refresh_url=url_for("account.login", next=target),
                sign_in_doors=[door for door in public_info().portal["doors"] if door.get("on_sign_in")])


@bp.get("/masuk/captcha.png")
@limiter.limit(configured("CAPTCHA_RATE_LIMIT"))
def captcha_image():
    """A new image code for this browser; never cached, since each one is answerable once."""
    response = make_response(draw(issue_challenge()))
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/masuk/captcha.wav")
@limiter.limit(configured("CAPTCHA_RATE_LIMIT"))
def captcha_audio():
    """A new spoken code (six digits, in the page's language): the image's alternative, as limited as the image."""
    response = make_response(speak(issue_challenge(audio=True), current_language()))
    response.headers["Content-Type"] = "audio/wav"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Accept-Ranges"] = "none"  # one request per playing: a second would be a new code
    return response


@bp.post("/keluar")
@body_limit("SMALL_BODY_MAX_BYTES")
def logout():
    """End the session on the server too, so an old cookie signs nobody in."""
    sign_out()
    flash(gettext("Anda sudah keluar."), "info")
    return redirect(url_for("account.login"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("RESET_RATE_LIMIT"), methods=["POST"])
def forgot():
    """Ask for a reset code; the answer is the same whether or not the username exists."""
    problem, username = None, request.form.get("username", "")
    if request.method == "POST":
        try:
            check_captcha(request.form.get("captcha", ""))
            if not username.strip():
                raise AccountError(gettext("Nama pengguna wajib diisi."))
            request_reset(username)
            flash(gettext(SENT), "info")
        except (CaptchaError, AccountError) as error:
            problem = error
        except CodeError as error:  # asked again too soon: the earlier code still works
            flash(f"{error} " + gettext("Gunakan kode yang sudah dikirim."), "warning")
        if problem is None:
            session["reset_user"] = normalise_username(username)
            return redirect(url_for("account.reset"))
    return page("account/forgot.html", problem, username=username, refresh_url=url_for("account.forgot"))


@bp.route("/lupa-sandi/kode", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("RESET_RATE_LIMIT"), methods=["POST"])
def reset():
    """Enter the code and a new password; every session of the account ends."""
    username = session.get("reset_user")
    if not username:
        return redirect(url_for("account.forgot"))
    problem, code = None, request.form.get("code", "").strip()
    if request.method == "POST":
        try:
            reset_password(username, code, request.form.get("password", ""), request.form.get("password2", ""))
        except (AccountError, CodeError) as error:
            problem = error
        else:
            session.pop("reset_user", None)
            flash(gettext("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("account.login"))
    keep = isinstance(problem, PasswordRejected)  # the code was not tried: keep it in the form
    return page("account/reset.html", problem, username=username, code=code if keep else "")


@bp.get("/beranda")
@require_role()
def home():
    """The signed-in person's submissions with their issued documents, and where to start a new one.

    Officers who do not also apply work from their inbox: it is their home."""
    if is_officer(g.account) and "pemohon" not in g.account.roles:
        return redirect(url_for("officer.inbox"))
    forms = {form.id: form for form in schemas().latest()}
    startable = [form for form in forms.values() if form.access == "account" and form.menu]
    start = url_for("wizard.start", form_id=startable[0].id) if startable else url_for("public.home")
    lang = current_language()
    rows, survey = [], public_info().survey.form
    for submission in list_submissions(current_owner()):
        if submission.form_id == survey:  # the survey is anonymous: never listed as the person's application
            continue
        form = schemas().get(submission.form_id, submission.form_version) or forms.get(submission.form_id)
        rows.append({"submission": submission, "form": form,
                     "status": status_label(form, submission.status, lang) if form else submission.status,
                     "documents": document_views(form, submission, lang) if form else []})
    today = office_clock().local(utcnow()).date()
    return render_template("account/home.html", rows=rows, forms=forms, startable=startable, start_url=start,
                           draft=DRAFT, obligations=owner_obligations(current_owner(), today))


@bp.get("/profil")
@require_role()
def profile():
    """What the account holds about its owner, as registered."""
    account = g.account
    rows = [(gettext("Nama"), account.name), (gettext("Nama pengguna"), account.username), ("NIK", masked(account.nik)),
            ("E-mail", account.email), (gettext("Telepon"), format_phone(account.phone) if account.phone else None)]
    rows += [(humanise(key), shown(value)) for key, value in account.profile.items()]
    return render_template("account/profile.html", rows=rows, roles=account.roles)


def page(template: str, problem: Exception | None, **values: Any):
    """Render a form page with a fresh image code; 422 (or the error's status) when something was wrong."""
    field = next((name for kind, name in FIELD_OF if isinstance(problem, kind)), None)
    html = render_template(template, problem=str(problem) if problem else None, problem_field=field,
                           captcha_nonce=secrets.token_hex(4), **values)
    return html, getattr(problem, "status", 200) if problem else 200


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it is a path on this site.

    Browsers read a backslash as a slash and drop tabs and newlines, so '/' + backslash + 'host' and
    '/' + tab + '/host' would leave the site: refused like '//host'.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return None if any(ord(char) < 32 or ord(char) == 127 for char in target) else target


def masked(value: str | None, keep: int = 4) -> str | None:
    """All but the last `keep` characters hidden: 3201014501900001 → ************0001."""
    return "*" * (len(value) - keep) + value[-keep:] if value else None


def humanise(key: str) -> str:
    """A profile key as a label: tempat_lahir → Tempat lahir."""
    return key.replace("_", " ").strip().capitalize()


def shown(value: Any) -> str:
    """A profile value as text (lists joined, mappings as 'key: value')."""
    if isinstance(value, dict):
        return ", ".join(f"{humanise(str(key))}: {item}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
