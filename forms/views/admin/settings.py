"""Settings documents edited as forms: the printouts' office texts and logo, the service standard's components."""
from __future__ import annotations

import base64

from flask import (
    abort,
    flash,
    redirect,
    request,
    url_for,
)

from forms.catalog import formedit
from forms.catalog.items import DOCUMENT, PRINTOUTS
from forms.engine.filecheck import UploadRefused, inspect_upload
from forms.views.admin.common import MAX_LOGO, bp, content_of, draft_or_refuse
from forms.views.admin.pages import STANDARD, save, shown
from forms.web.bodylimits import body_limit, uploads_limit


@bp.post("/document/cetakan/<int:version>/kantor")
@body_limit(lambda version: uploads_limit(MAX_LOGO))
def save_office(version: int):
    """The office texts, signer and logo used by printouts, from a plain form."""
    record = draft_or_refuse(DOCUMENT, PRINTOUTS, version)
    content = content_of(record)
    office = content.setdefault("office", {})
    for name in ("government", "agency", "address", "contact", "place", "footer", "on_behalf"):
        if name in request.form:
            office[name] = request.form[name].strip()
    if "footer_points" in request.form:  # one numbered footer point per line
        office["footer_points"] = [line.strip() for line in request.form["footer_points"].splitlines() if line.strip()]
    signer = office.setdefault("signer", {})
    for name in ("name", "position", "rank", "nip"):
        if name in request.form:
            signer[name] = request.form[name].strip()
    logo = request.files.get("logo")
    if logo and logo.filename:
        data = logo.read(MAX_LOGO + 1)
        try:
            data = checked_logo(data)
        except UploadRefused as refused:
            flash(f"{refused} Tidak ada yang disimpan.", "warning")
            return redirect(url_for("admin.version", kind=DOCUMENT, key=PRINTOUTS, version=version))
        office["logo"] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return save(record, content, "Pengaturan kantor disimpan ke draf.", open_at="kantor")


def checked_logo(data: bytes) -> bytes:
    """An uploaded logo decoded and written again; UploadRefused when too large, not PNG, or not readable as one."""
    if len(data) > MAX_LOGO or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise UploadRefused("Logo harus berkas PNG paling besar 512 KB.")
    return inspect_upload(data, "png")


def edited_items(old: list, text: str) -> list:
    """Items from one-per-line text; an unchanged line keeps its translations."""
    by_text = {shown(item): item for item in old}
    return [by_text.get(line.strip(), line.strip()) for line in text.splitlines() if line.strip()]


@bp.post("/document/standar-pelayanan/<int:version>/komponen")
def save_standard(version: int):
    """The service standard's components edited as plain text, checked like every other save."""
    record = draft_or_refuse(DOCUMENT, STANDARD, version)
    content = content_of(record)
    key = request.form.get("component", "")
    component = next((c for c in content.get("components") or [] if isinstance(c, dict) and c.get("key") == key), None)
    if component is None:
        abort(404)
    if request.form.get("title", "").strip():
        formedit.set_text(component, "title", request.form["title"])
    if "text" in component and "text" in request.form:
        formedit.set_text(component, "text", request.form["text"])
    if isinstance(component.get("items"), list) and "items" in request.form:
        component["items"] = edited_items(component["items"], request.form["items"])
    return save(record, content, f"Komponen {component.get('no')} disimpan ke draf.", open_at=f"komponen-{key}")
