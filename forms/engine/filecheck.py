"""Uploads judged by parsing them, not by their first bytes: what an officer opens must be a plain document.

A file that starts with `%PDF-` may still be HTML with a script, carry JavaScript that runs when it is
opened, launch a program or hide other files; an image header may claim 900 million pixels in a few
kilobytes. PDFs are therefore opened with pypdf and every object reachable from the trailer is
checked for active content; images are decoded by Pillow within a pixel limit and re-encoded, so
what is stored is pixels written by us (without the sender's metadata). A refusal says why.
"""
from __future__ import annotations

import io
import re
import zlib

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from forms.engine.text import gettext
from forms.errors import FormsError

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; a phone camera's picture is 12 to 50
MAX_PDF_OBJECTS = 100_000
MARKUP = re.compile(rb"<\s*(?:script|html|!doctype\s+html|iframe|object|embed|svg)\b", re.IGNORECASE)
ACTIVE_KEYS = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm", "/Rendition"}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG"}
# What a malformed file can make pypdf or Pillow raise while reading it (zlib: broken compressed streams).
UNREADABLE = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
              zlib.error, EOFError, OSError, SyntaxError)


class UploadRefused(FormsError):
    """An uploaded file was refused after reading it; the message names the reason."""

    status = 422


def inspect_upload(data: bytes, kind: str) -> bytes:
    """The bytes to store for an upload of this kind (re-encoded for images); UploadRefused when it is not safe."""
    if kind == "pdf":
        check_pdf(data)
        return data
    return reencode_image(data, kind)


def check_pdf(data: bytes) -> None:
    """Refuse a PDF holding markup, one pypdf cannot read, a locked one, or one with active content."""
    if MARKUP.search(data):
        raise UploadRefused(gettext("Berkas ditolak: isinya memuat HTML atau skrip, bukan dokumen PDF biasa."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(gettext("Berkas ditolak: PDF dilindungi kata sandi. Unggah salinan tanpa kata sandi."))
        if not len(reader.pages):
            raise UploadRefused(gettext("Berkas ditolak: PDF tidak memiliki halaman."))
        problem = active_content(reader)
    except UNREADABLE:
        raise UploadRefused(gettext("Berkas ditolak: tidak dapat dibaca sebagai PDF (rusak atau bukan PDF).")) from None
    if problem:
        raise UploadRefused(problem)


def active_content(reader: PdfReader) -> str | None:
    """Why the PDF is refused (JavaScript, a launch or other action, embedded files), or None; walked without recursion."""
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer]
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return gettext("Berkas ditolak: PDF terlalu rumit untuk diperiksa.")
        if isinstance(item, DictionaryObject):
            problem = dictionary_problem(item)
            if problem:
                return problem
            pending.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))
    return None


def dictionary_problem(item: DictionaryObject) -> str | None:
    """Why one PDF dictionary is refused, or None."""
    keys = set(dict.keys(item))
    action = dict.get(item, "/S")
    if "/JavaScript" in keys or "/JS" in keys or (isinstance(action, NameObject) and action == "/JavaScript"):
        return gettext("Berkas ditolak: PDF memuat JavaScript.")
    if keys & ACTIVE_KEYS or (isinstance(action, NameObject) and action in ACTIVE_ACTIONS):
        return gettext("Berkas ditolak: PDF memuat tindakan otomatis atau berkas tersemat (mis. membuka program "
                       "atau HTML).")
    return None


def reencode_image(data: bytes, kind: str) -> bytes:
    """The image decoded within MAX_PIXELS and written again in its own format; UploadRefused otherwise."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != IMAGE_FORMATS[kind]:
                raise UploadRefused(gettext("Berkas ditolak: isi gambar tidak sesuai jenisnya."))
            if image.width * image.height > MAX_PIXELS:
                raise UploadRefused(gettext("Berkas ditolak: gambar %(width)s × %(height)s piksel melebihi batas "
                                            "%(limit)s juta piksel.", width=image.width, height=image.height,
                                            limit=MAX_PIXELS // 1_000_000))
            image.load()
            return written(ImageOps.exif_transpose(image), kind)
    except Image.DecompressionBombError:
        raise UploadRefused(gettext("Berkas ditolak: gambar melebihi batas %(limit)s juta piksel.",
                                    limit=MAX_PIXELS // 1_000_000)) from None
    except (*UNREADABLE, UnidentifiedImageError):
        raise UploadRefused(gettext("Berkas ditolak: tidak dapat dibaca sebagai gambar (rusak atau bukan gambar).")) \
            from None


def written(image: Image.Image, kind: str) -> bytes:
    """An image encoded afresh (no metadata carried over)."""
    out = io.BytesIO()
    if kind == "jpg":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG")
    return out.getvalue()
