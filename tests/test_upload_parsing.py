"""Uploads are judged by reading them whole: PDFs with markup, scripts, actions, attachments or a password are
refused, images beyond the pixel limit or broken are refused, good images are written again without metadata."""
from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from werkzeug.datastructures import FileStorage

from forms.engine.fields import Invalid, ParseContext
from forms.engine.filecheck import MAX_PIXELS, UploadRefused, inspect_upload
from forms.engine.schema import build_field
from forms.identity.accounts import create_account
from forms.store import IssuedDocument, SchemaVersion
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    api_upload,
    image_bytes,
    issue_over_api,
    issued,
    login,
    token,
)


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with(change) -> bytes:
    """A one-page PDF changed by `change(writer)` before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    change(writer)
    return written(writer)


def launch(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})


def huge_png(width: int = 30000, height: int = 30000) -> bytes:
    """A real 1×1 PNG whose header claims width × height pixels (a few dozen bytes; 900 Mpx when decoded)."""
    small = image_bytes("png", (1, 1))
    header = struct.pack(">II", width, height) + small[24:29]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return small[:16] + header + crc + small[33:]


BAD_FILES = {
    "HTML behind a PDF header": (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "pdf", "HTML atau skrip"),
    "a PDF pypdf cannot read": (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "pdf", "tidak dapat dibaca sebagai PDF"),
    "JavaScript run on opening": (pdf_with(lambda w: w.add_open_action(JavaScript("app.alert('halo');"))), "pdf", "JavaScript"),
    "a launch action": (pdf_with(launch), "pdf", "tindakan otomatis"),
    "an attached file": (pdf_with(lambda w: w.add_attachment("halaman.htm", b"isi")), "pdf", "berkas tersemat"),
    "a password on opening": (pdf_with(lambda w: w.encrypt("rahasia")), "pdf", "kata sandi"),
    "900 million pixels claimed": (huge_png(), "png", "juta piksel"),
    "pixels just over the limit": (huge_png(MAX_PIXELS // 1000 + 1, 1000), "png", "juta piksel"),
    "a truncated PNG": (image_bytes("png", (300, 300))[:60], "png", "tidak dapat dibaca sebagai gambar"),
    "a truncated JPEG": (image_bytes("jpg", (300, 300))[:200], "jpg", "tidak dapat dibaca sebagai gambar"),
}


@pytest.mark.parametrize("data, kind, words", BAD_FILES.values(), ids=list(BAD_FILES))
def test_inspection_refuses_with_the_reason(data, kind, words):
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(data, kind)
    assert words in str(refused.value) and str(refused.value).startswith("Berkas ditolak")


@pytest.mark.parametrize("data, kind, words", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_wizard_file_field_stores_nothing_it_refuses(data, kind, words):
    saved = []
    field = build_field({"name": "berkas", "type": "file"})
    ctx = ParseContext(tables=None, data={}, save_file=lambda *args: saved.append(args), upload_max_bytes=2 ** 21)
    with pytest.raises(Invalid) as refused:
        field.kind.parse(field, FileStorage(io.BytesIO(data), filename=f"lampiran.{kind}"), ctx)
    assert words in str(refused.value) and saved == []


PHOTO_REQUIREMENT = "foto_lokasi"  # a requirement of the bottled-water row that takes images as well as PDFs


@pytest.mark.parametrize("data, kind, words", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_requirement_upload_stores_nothing_it_refuses(app, api_people, data, kind, words):
    siti = api_people["siti"]
    document = siti.get(f"/documents/{issue_over_api(siti)['documents'][0]['id']}").get_json()
    response = api_upload(siti, document["id"], PHOTO_REQUIREMENT, data, f"syarat.{kind}")
    assert response.status_code == 422 and words in response.get_json()["error"]
    assert IssuedDocument.objects.get(id=document["id"]).fulfilment == {}


def test_a_good_photo_is_stored_without_its_metadata(app, api_people):
    exif = Image.Exif()
    exif[0x010F] = "Kamera Rahasia"  # Make
    exif[0x8825] = {2: (0.0, 20.0, 0.0)}  # GPS: where the photo was taken
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(photo.getvalue())).getexif()
    siti = api_people["siti"]
    document = siti.get(f"/documents/{issue_over_api(siti)['documents'][0]['id']}").get_json()
    code = PHOTO_REQUIREMENT
    assert api_upload(siti, document["id"], code, photo.getvalue(), "foto.jpg").status_code == 200
    stored = siti.get(f"/documents/{document['id']}/requirements/{code}")
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "JPEG" and image.size == (64, 48) and not image.getexif()


def test_a_plain_pdf_is_stored_as_sent(app, api_people):
    siti = api_people["siti"]
    document = siti.get(f"/documents/{issue_over_api(siti)['documents'][0]['id']}").get_json()
    code = document["requirements"][0]["code"]
    assert api_upload(siti, document["id"], code, PDF, "izin.pdf").status_code == 200
    assert siti.get(f"/documents/{document['id']}/requirements/{code}").data == PDF


@pytest.mark.parametrize("data, words", [(huge_png(), "juta piksel"), (image_bytes("png")[:60], "gambar")],
                         ids=["pixel bomb", "truncated"])
def test_a_printout_logo_is_read_before_it_is_kept(make_app, data, words):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    admin = app.test_client()
    assert login(admin, username="ani").status_code == 302
    published = SchemaVersion.objects(kind="document", key="cetakan", state="published").first()
    made = admin.post("/admin/document/cetakan/draf", data={"csrf_token": token(admin.get("/admin/")),
                                                              "from": str(published.version)})
    version = int(made.headers["Location"].rsplit("/", 1)[-1])
    draft = SchemaVersion.objects.get(kind="document", key="cetakan", version=version)
    page = admin.get(f"/admin/document/cetakan/{version}")
    response = admin.post(f"/admin/document/cetakan/{version}/kantor", data={
        "csrf_token": token(page), "revision": str(draft.revision), "logo": (io.BytesIO(data), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and words in admin.get(response.headers["Location"]).get_data(as_text=True)
    after = SchemaVersion.objects.get(kind="document", key="cetakan", version=version)
    assert json.loads(after.content) == json.loads(draft.content)


@pytest.mark.parametrize("lang, words", [("id", "Berkas ditolak: PDF memuat JavaScript."),
                                         ("en", "File refused: the PDF contains JavaScript.")])
def test_the_refusal_is_said_in_the_visitors_language(make_app, lang, words):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    document = issued(client)
    client.set_cookie("lang", lang)
    page = client.get(f"/dokumen/{document.id}")
    response = client.post(f"/dokumen/{document.id}/unggah/hasil_uji_air", content_type="multipart/form-data",
                           data={"csrf_token": token(page), "berkas": (io.BytesIO(BAD_FILES["JavaScript run on opening"][0]),
                                                                       "uji.pdf")})
    assert words in client.get(response.headers["Location"]).get_data(as_text=True)
    assert IssuedDocument.objects.get(id=document.id).fulfilment == {}
