"""Personal API tokens in the profile area: list, create (the token is shown once), revoke."""
from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.identity.accounts import require_role
from forms.identity.apitokens import TokenError, create_token, revoke_token, tokens_of

bp = Blueprint("tokens", __name__)


@bp.get("/profil/token")
@require_role()
def index():
    """The account's tokens: name, created, last used, and a revoke button each."""
    return page()


@bp.post("/profil/token")
@require_role()
def create():
    """Make a token and show it once; the page is not cached and the token is not kept anywhere readable."""
    name = request.form.get("nama", "")
    try:
        token, record = create_token(g.account, name)
    except TokenError as error:
        return page(problem=str(error), name=name), error.status
    return page(new_token=token, new_name=record.name)


@bp.post("/profil/token/<token_id>/cabut")
@require_role()
def revoke(token_id: str):
    """Revoke one of the account's tokens at once."""
    if revoke_token(g.account, token_id):
        flash("Token dicabut; aplikasi yang memakainya tidak dapat masuk lagi.", "success")
    else:
        flash("Token itu tidak ada (mungkin sudah dicabut).", "warning")
    return redirect(url_for("tokens.index"))


def page(**values):
    """The token page, never stored by caches (it may show a new token)."""
    response = make_response(render_template("account/tokens.html", tokens=tokens_of(g.account), **values))
    response.headers["Cache-Control"] = "no-store"
    return response
