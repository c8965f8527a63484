"""Officer accounts: created with a one-time password, roles changed, disabled."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog import adminlog
from forms.errors import FormsError
from forms.identity.accounts import (
    create_account,
    generate_password,
    normalise_username,
)
from forms.store import (
    accounts_with_roles,
    end_sessions_of,
    find_account_by_id,
    set_account_active,
    set_roles,
)
from forms.views.admin.common import OFFICER_ROLES, actor, bp


@bp.get("/akun")
def accounts():
    """Officer and admin accounts (applicants register themselves)."""
    words = request.args.get("q", "").strip().lower()[:60]
    found = [a for a in accounts_with_roles(OFFICER_ROLES)
             if not words or words in f"{a.username} {a.name} {a.email or ''}".lower()]
    return render_template("admin/accounts.html", accounts=found, roles=OFFICER_ROLES, words=words,
                           created=None)


@bp.post("/akun")
def create_officer():
    """A new officer account with a one-time password shown once to the admin."""
    role = request.form.get("role", "")
    if role not in OFFICER_ROLES:
        flash("Pilih peran petugas.", "warning")
        return redirect(url_for("admin.accounts"))
    username = normalise_username(request.form.get("username", ""))
    password = generate_password()
    try:
        account = create_account(username, password, request.form.get("name", "").strip(), (role,),
                                 email=request.form.get("email", "").strip() or None)
    except FormsError as error:
        flash(str(error), "warning")
        return redirect(url_for("admin.accounts"))
    adminlog.record(actor(), "buat_akun", "account", account.username, note=f"peran {role}")
    found = accounts_with_roles(OFFICER_ROLES)
    return render_template("admin/accounts.html", accounts=found, roles=OFFICER_ROLES, words="",
                           created={"username": account.username, "password": password})


@bp.post("/akun/<account_id>")
def update_officer(account_id: str):
    """Change an officer's role, or disable / enable the account (disabling ends its sessions)."""
    account = find_account_by_id(account_id)
    if account is None or not set(account.roles) & set(OFFICER_ROLES):
        abort(404)
    if account.id == g.account.id:
        flash("Anda tidak dapat mengubah peran atau menonaktifkan akun Anda sendiri.", "warning")
        return redirect(url_for("admin.accounts"))
    role = request.form.get("role")
    if role is not None:
        if role not in OFFICER_ROLES:
            flash("Peran tidak dikenal.", "warning")
            return redirect(url_for("admin.accounts"))
        set_roles(account.id, [role])
        adminlog.record(actor(), "ubah_peran", "account", account.username, note=f"{','.join(account.roles)} → {role}")
    if request.form.get("active") in ("0", "1"):
        active = request.form["active"] == "1"
        set_account_active(account.id, active)
        if not active:
            end_sessions_of(account.id)
        adminlog.record(actor(), "aktifkan" if active else "nonaktifkan", "account", account.username)
    flash(f"Akun {account.username} diperbarui.", "success")
    return redirect(url_for("admin.accounts"))
