"""Public pages: the office's home (what the service is, for whom, its steps and doors), the language switch, health."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog.runtime import schemas
from forms.office.publicinfo import public_info
from forms.store import list_submissions
from forms.views.applicant.account import safe_next
from forms.web.bodylimits import body_limit
from forms.web.security import current_owner

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The portal: the service, who it is for, its steps and the doors for this visitor; demo forms in demo mode."""
    portal = public_info().portal
    who = "account" if g.get("account") is not None else "guest"
    doors = [door for door in portal["doors"] if door["for"] in (who, "all")]
    demos = [form for form in schemas().latest() if form.demo] if current_app.config["DEMO_MODE"] else []
    owner, survey = current_owner(), public_info().survey.form
    mine = [item for item in list_submissions(owner) if item.form_id != survey] if owner and who == "guest" else []
    titles = {form.id: form.title for form in schemas().latest()}
    return render_template("home.html", portal=portal, doors=doors, demos=demos, mine=mine, titles=titles)


@bp.post("/bahasa")
@body_limit("SMALL_BODY_MAX_BYTES")
def set_language():
    """Switch the interface language (kept in a cookie)."""
    lang = request.form.get("lang", "id")
    target = safe_next(request.form.get("next")) or url_for("public.home")
    response = make_response(redirect(target))
    response.set_cookie("lang", lang if lang in ("id", "en") else "id", max_age=365 * 86400, samesite="Lax",
                        httponly=True, secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/sehat")
def health():
    """Liveness probe."""
    return {"status": "ok"}
