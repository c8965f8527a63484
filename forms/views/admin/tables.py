"""Reference-table rows: searched, edited and added one at a time in a draft."""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog import tablerows
from forms.catalog.items import TABLE, CatalogError
from forms.catalog.lifecycle import save_draft
from forms.engine.text import gettext
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
    return render_rows(record, edit=request.args.get("ubah", type=int))


def render_rows(record, edit: int | None = None, typed: dict | None = None, problems: dict | None = None,
                status: int = 200):
    """The rows page; after a refused save, the typed cells and a message per cell."""
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        flash(gettext("Tabel ini dibaca dari berkas CSV; baris tidak disunting di sini."), "info")
        return redirect(url_for("admin.version", kind=TABLE, key=record.key, version=record.version))
    words = request.values.get("q", "").strip().lower()[:80]
    found = [(index, row) for index, row in enumerate(rows)
             if not words or words in " ".join(str(value) for value in row.values()).lower()]
    page = max(1, request.args.get("hal", 1, type=int))
    shown_rows = found[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    if edit is not None and edit not in dict(shown_rows) and 0 <= edit < len(rows):
        shown_rows.insert(0, (edit, rows[edit]))
    return render_template("admin/rows.html", record=record, content=content, columns=tablerows.columns_of(content),
                           rows=[(index, row, {n: tablerows.cell_text(v) for n, v in row.items()})
                                 for index, row in shown_rows], words=words, page=page, typed=typed or {},
                           cell_problems=problems or {}, pages=max(1, -(-len(found) // ROWS_PER_PAGE)),
                           total=len(found), editable=record.state == "draft", edit=edit), status


@bp.post("/table/<key>/<int:version>/baris")
def save_row(key: str, version: int):
    """Change one row (by position), delete it, or add a new one; checked cell by cell, then as a whole table."""
    record = draft_or_refuse(TABLE, key, version)
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        abort(404)
    index = request.form.get("index", type=int)
    row, problems = tablerows.read_row(tablerows.columns_of(content), request.form)
    if request.form.get("hapus"):
        problems = {}
    else:
        problems = problems or duplicate_key(content, rows, row, index)
    if problems:
        flash(gettext("Baris tidak disimpan: %(problem)s", problem="; ".join(
            f"{name}: {message}" for name, message in problems.items())), "warning")
        return render_rows(record, edit=-1 if index is None else index, typed=dict(request.form),
                           problems=problems, status=422)
    place_row(rows, row, index)
    try:
        saved = save_draft(current_app._get_current_object(), record, content, actor())
    except CatalogError as error:
        saved = error.problems
    if saved:
        flash(gettext("Tidak disimpan: %(problem)s", problem=saved[0]), "warning")
        return render_rows(record, edit=-1 if index is None else index, typed=dict(request.form), status=422)
    flash(gettext("Baris disimpan ke draf."), "success")
    return redirect(url_for("admin.table_rows", key=key, version=version, q=request.form.get("q", "")))


def place_row(rows: list, values: dict, index: int | None) -> None:
    """Add the row, or replace or delete the one at the posted index (404 for an index that is not there)."""
    if index is None:
        rows.append(values)
    elif 0 <= index < len(rows):
        if request.form.get("hapus"):
            del rows[index]
        else:
            rows[index] = values
    else:
        abort(404)


def duplicate_key(content: dict, rows: list, row: dict, index: int | None) -> dict[str, str]:
    """A problem on the key column when another row already has this row's key."""
    keys = content["key"] if isinstance(content["key"], list) else [content["key"]]
    keys = [*keys, content["band"]["min"]] if isinstance(content.get("band"), dict) else keys  # rows of a key split by band
    identity = tuple(str(row.get(name, "")) for name in keys)
    for other_index, other in enumerate(rows):
        if other_index != index and tuple(str(other.get(name, "")) for name in keys) == identity:
            return {keys[0]: gettext("Baris dengan kunci %(key)s sudah ada.", key=" / ".join(identity))}
    return {}
