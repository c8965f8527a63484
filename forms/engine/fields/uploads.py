"""Uploaded files: their kind told by their first bytes (never their name), then read whole (forms.engine.filecheck)
before they are stored under a safe name."""
from __future__ import annotations

import re

from forms.engine.fields.core import ASKED, FieldType, Invalid, field_type
from forms.engine.filecheck import UploadRefused, inspect_upload
from forms.engine.text import CONTROL_CHARS, format_number, gettext

FILE_SIGNATURES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
}


@field_type("file")
class File(FieldType):
    widget = "file"
    settings = ASKED + ("accept", "max_bytes")
    input_type = "file"
    keeps_previous = True
    is_upload = True

    def read(self, raw, key):
        return raw.file(key)

    def is_empty(self, raw):
        return raw is None or not getattr(raw, "filename", "")

    def parse(self, field, raw, ctx):
        data = raw.read((field.max_bytes or ctx.upload_max_bytes) + 1)
        limit = field.max_bytes or ctx.upload_max_bytes
        if not data:
            raise Invalid(gettext("Berkas kosong."))
        if len(data) > limit:
            raise Invalid(gettext("Berkas lebih dari %(size)s.", size=format_bytes(limit)))
        kind = sniff_kind(data)
        accepted = field.accept or ("pdf", "jpg", "png")
        if kind not in accepted:
            raise Invalid(gettext("Jenis berkas harus %(kinds)s (dicek dari isinya).",
                                  kinds=", ".join(k.upper() for k in accepted)))
        if ctx.save_file is None:
            raise Invalid(gettext("Unggahan tidak tersedia di sini."))
        try:
            data = inspect_upload(data, kind)
        except UploadRefused as refused:
            raise Invalid(str(refused)) from None
        return ctx.save_file(data, safe_filename(raw.filename, kind), FILE_SIGNATURES[kind][1])

    def display(self, field, value, tables, lang="id"):
        return f"{value['name']} ({format_bytes(value['size'])})" if value else ""


def sniff_kind(data: bytes) -> str | None:
    """The file kind by its first bytes, never by its name."""
    for kind, (magic, _mime) in FILE_SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def safe_filename(name: str, kind: str) -> str:
    """A display name without any path, control characters or odd symbols, ending in its real kind."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w .()-]", "_", CONTROL_CHARS.sub("", base)).strip(" .") or "berkas"
    stem = base.rsplit(".", 1)[0][:80] or "berkas"
    return f"{stem}.{kind}"


def format_bytes(size: int) -> str:
    """A byte count as KB or MB, Indonesian style."""
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1)} MB"
    return f"{max(1, round(size / 1024))} KB"
