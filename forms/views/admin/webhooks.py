"""The admin's webhook page: register addresses, see and rotate secrets once, pause, test, and read the delivery log."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.identity.accounts import require_role
from forms.outreach.webhooks import (
    WebhookError,
    add_hook,
    delete_hook,
    find_hook,
    hooks,
    queue_ping,
    recent_deliveries,
    retry,
    rotate_secret,
    set_active,
)

bp = Blueprint("webhooks", __name__)


@bp.get("/admin/webhook")
@require_role("admin")
def index():
    """Registered hooks, a form to add one, and the newest deliveries."""
    return page()


@bp.post("/admin/webhook")
@require_role("admin")
def create():
    """Register an address; its secret is shown on this answer only."""
    url, description = request.form.get("url", ""), request.form.get("keterangan", "")
    try:
        hook, secret = add_hook(url, description, g.account.username)
    except WebhookError as error:
        return page(problem=str(error), url=url, description=description), error.status
    return page(secret=secret, secret_for=hook.url)


def hook_or_404(hook_id: str):
    """A registered hook, or 404."""
    hook = find_hook(hook_id)
    if hook is None:
        abort(404)
    return hook


@bp.post("/admin/webhook/<hook_id>/rahasia")
@require_role("admin")
def rotate(hook_id: str):
    """Give a hook a new secret and show it once."""
    hook = hook_or_404(hook_id)
    return page(secret=rotate_secret(hook), secret_for=hook.url)


@bp.post("/admin/webhook/<hook_id>/aktif")
@require_role("admin")
def toggle(hook_id: str):
    """Pause or resume a hook."""
    hook = hook_or_404(hook_id)
    set_active(hook, not hook.active)
    flash("Webhook diaktifkan kembali." if not hook.active else "Webhook dijeda; perubahan status tidak dikirim ke sana.",
          "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/admin/webhook/<hook_id>/uji")
@require_role("admin")
def ping(hook_id: str):
    """Queue a test event to one hook."""
    queue_ping(hook_or_404(hook_id))
    flash("Kiriman uji masuk antrean; hasilnya tampil di log kiriman.", "info")
    return redirect(url_for("webhooks.index"))


@bp.post("/admin/webhook/<hook_id>/hapus")
@require_role("admin")
def delete(hook_id: str):
    """Remove a hook and its delivery log."""
    delete_hook(hook_or_404(hook_id))
    flash("Webhook dihapus.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/admin/webhook/kiriman/<delivery_id>/ulang")
@require_role("admin")
def resend(delivery_id: str):
    """Send one delivery again, with a fresh round of attempts."""
    if retry(delivery_id):
        flash("Kiriman dijadwalkan ulang.", "success")
    else:
        flash("Kiriman itu tidak ada atau sedang dikirim.", "warning")
    return redirect(url_for("webhooks.index"))


def page(**values):
    """The webhook page (never cached: it may show a secret)."""
    registered = hooks()
    response = make_response(render_template("admin/webhooks.html", hooks=registered,
                                              urls={hook.id: hook.url for hook in registered},
                                              deliveries=recent_deliveries(),
                                              admin_endpoints=lambda: current_app.view_functions, **values))
    response.headers["Cache-Control"] = "no-store"
    return response
