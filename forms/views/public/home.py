"""Public pages: the home page listing the forms, the language switch, health."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog.runtime import schemas
from forms.store import list_submissions
from forms.views.applicant.account import safe_next
from forms.web.bodylimits import body_limit
from forms.web.security import current_owner

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The forms offered here and, for a returning visitor, their submissions."""
    forms = [form for form in schemas().latest() if form.menu]
    owner = current_owner()
    mine = list_submissions(owner) if owner else []
    titles = {form.id: form.title for form in schemas().latest()}
    return render_template("home.html", forms=forms, mine=mine, titles=titles)


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
