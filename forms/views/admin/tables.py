"""Reference-table rows: searched, edited and added one at a time in a draft."""
from __future__ import annotations

import json

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog.items import TABLE, CatalogError
from forms.catalog.lifecycle import save_draft
from forms.engine.jsontext import JsonRefused, parse_json
from forms.views.admin.common import (
    ROWS_PER_PAGE,
    actor,
    bp,
    content_of,
    draft_or_refuse,
    record_or_404,
)


@bp.get("/table/<key>/<int:version>/baris")
def table_rows(key: str, version: int):
    """Search a table's rows; a draft's rows can be edited and added to."""
    record = record_or_404(TABLE, key, version)
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        flash("Tabel ini dibaca dari berkas CSV; baris tidak disunting di sini.", "info")
        return redirect(url_for("admin.version", kind=TABLE, key=key, version=version))
    words = request.args.get("q", "").strip().lower()[:80]
    found = [(index, row) for index, row in enumerate(rows)
             if not words or words in " ".join(str(value) for value in row.values()).lower()]
    page = max(1, request.args.get("hal", 1, type=int))
    shown_rows = found[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    return render_template("admin/rows.html", record=record, content=content, columns=columns_of(rows),
                           rows=[(index, row, editable_values(row)) for index, row in shown_rows], words=words,
                           page=page, pages=max(1, -(-len(found) // ROWS_PER_PAGE)), total=len(found),
                           editable=record.state == "draft", edit=request.args.get("ubah", type=int))


def columns_of(rows: list) -> list[str]:
    """Every column named by any row, in first-seen order."""
    columns: list[str] = []
    for row in rows:
        for name in row if isinstance(row, dict) else ():
            if name not in columns:
                columns.append(name)
    return columns


def editable_values(row: dict) -> dict[str, str]:
    """A row's cells as text inputs show them (lists and objects as JSON)."""
    return {name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for name, value in row.items()}


@bp.post("/table/<key>/<int:version>/baris")
def save_row(key: str, version: int):
    """Change one row (by position) or add a new one; the table is checked as a whole before saving."""
    record = draft_or_refuse(TABLE, key, version)
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        abort(404)
    values, problem = posted_row(rows)
    if problem is None:
        place_row(rows, values)
        problem = duplicate_key(content, rows)
    if problem:
        flash(f"{problem} Tidak ada yang disimpan.", "warning")
        return redirect(url_for("admin.table_rows", key=key, version=version))
    content["rows"] = rows
    try:
        problems = save_draft(current_app._get_current_object(), record, content, actor())
    except CatalogError as error:
        problems = error.problems
    if problems:
        flash("Tidak disimpan: " + problems[0], "warning")
    else:
        flash("Baris disimpan ke draf.", "success")
    return redirect(url_for("admin.table_rows", key=key, version=version, q=request.form.get("q", "")))


def posted_row(rows: list) -> tuple[dict, str | None]:
    """The posted cells by column (list and object columns as JSON), or a problem with one of them."""
    values = {}
    for name in columns_of(rows):
        text = request.form.get(f"kolom_{name}", "")
        sample = next((row.get(name) for row in rows if isinstance(row, dict) and name in row), "")
        if isinstance(sample, (list, dict)):
            try:
                values[name] = parse_json(text or ("[]" if isinstance(sample, list) else "{}"),
                                          current_app.config["JSON_MAX_BYTES"])
            except JsonRefused as error:
                return values, f"Kolom '{name}': {error}"
        elif text.strip():
            values[name] = text.strip()
    return values, None


def place_row(rows: list, values: dict) -> None:
    """Add the row, or replace or delete the one at the posted index (404 for an index that is not there)."""
    index = request.form.get("index", type=int)
    if index is None:
        rows.append(values)
    elif 0 <= index < len(rows):
        if request.form.get("hapus"):
            del rows[index]
        else:
            rows[index] = values
    else:
        abort(404)


def duplicate_key(content: dict, rows: list) -> str | None:
    """A problem naming the first key that two rows share, or None."""
    keys = content["key"] if isinstance(content["key"], list) else [content["key"]]
    seen = set()
    for row in rows:
        identity = tuple(str(row.get(name, "")) for name in keys)
        if identity in seen:
            return f"Baris dengan kunci {' / '.join(identity)} sudah ada."
        seen.add(identity)
    return None
