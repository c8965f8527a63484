"""Printout costs, same process, same run: xhtml2pdf template vs a reportlab canvas of the same content,
QR generation (fixed version and mask vs qrcode's defaults), signing, and serving a stored PDF.

    python bench/printouts.py [--rounds 30]

The two renderers run interleaved (one of each per round) so that a busy machine slows both alike;
medians are printed. Both include making the QR code PNG, as each certificate needs its own.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from forms import create_app
from forms.printing.issue import document_context, print_settings, render_version
from forms.printing.render import png_data_uri, qr_png, render_pdf
from forms.printing.signing import office_signer, sign_pdf
from forms.store import IssuedDocument, OwnerNumber, Submission, utcnow

URL = "https://dpmptsp.kamparkab.go.id/verifikasi/Qm9ndXNUb2tlbkJlbmNoMQ"
ANSWERS = {
    "data_pelaku": {"nama": "Siti Aminah", "nik": "3201014501900001", "npwp": "3201014501900001",
                    "alamat_ktp": "Jl. Melati No. 1, RT 001/RW 002, Bangkinang, Bangkinang Kota, Kabupaten Kampar"},
}
ROW = {"kbli": "11052", "nama_usaha": "Usaha Maju", "skala": "mikro", "risiko": "MT", "lingkungan": "SPPL",
       "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011", "alamat_usaha": "Jl. Pahlawan 5",
       "koordinat": "0.3312, 101.0251"}


def timed(function, *args) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def sample_document() -> tuple[IssuedDocument, Submission]:
    """An issued certificate and its application in the (in-memory) store."""
    submission = Submission(form_id="permohonan-baru", form_version=1, owner="bench", status="terbit",
                            answers={**ANSWERS, "detail_usaha": {"detail": [ROW]}}, submitted_at=utcnow()).save()
    OwnerNumber(name="nib", owner="bench", number="7418759781001").save()
    document = IssuedDocument(submission_id=submission.id, owner="bench", kind="sertifikat_standar",
                              number="SS-20260000001", key="11052", data=ROW, status="belum_terverifikasi").save()
    return document, submission


def canvas_certificate(context: dict, logo: bytes) -> bytes:
    """The Sertifikat Standar's content drawn directly on a reportlab canvas (same texts, images and wrapping)."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    office = context["office"]
    page.drawImage(ImageReader(io.BytesIO(logo)), 51, height - 100, 54, 63)
    for y, size, text in ((height - 55, 12, office["government"].upper()), (height - 70, 10, office["agency"].upper())):
        page.setFont("Helvetica-Bold", size)
        page.drawCentredString(width / 2 + 20, y, text)
    page.setFont("Helvetica", 8)
    page.drawCentredString(width / 2 + 20, height - 82, office["address"])
    page.drawCentredString(width / 2 + 20, height - 92, office["contact"])
    page.line(51, height - 104, width - 51, height - 104)
    page.setFont("Helvetica", 9)
    page.drawCentredString(width / 2, height - 125, "PERIZINAN BERUSAHA BERBASIS RISIKO")
    page.setFont("Helvetica-Bold", 19)
    page.drawCentredString(width / 2, height - 148, "SERTIFIKAT STANDAR")
    page.setFont("Helvetica-Bold", 11)
    page.drawCentredString(width / 2, height - 165, f"Nomor: {context['number']}")
    page.rect(140, height - 200, width - 280, 24)
    page.setFont("Helvetica-Bold", 14)
    page.drawCentredString(width / 2, height - 193, context["state"]["stamp"])
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13)
    small = ParagraphStyle("small", fontName="Helvetica", fontSize=7.5, leading=9)
    y = draw_paragraph(page, "Berdasarkan Peraturan Pemerintah Nomor 28 Tahun 2025 tentang Penyelenggaraan Perizinan "
                       f"Berusaha Berbasis Risiko, {office['government']} melalui {office['agency']} menerbitkan "
                       "Sertifikat Standar untuk kegiatan usaha dengan tingkat risiko menengah tinggi kepada:",
                       body, 51, height - 215, width - 102)
    values, data, label = context["values"], context["data"], context["label"]
    left = [("Nama pelaku usaha", context["holder"]), ("NIK", "320101******0001"), ("NPWP", "320101******0001"),
            ("Alamat", values["alamat_ktp"]), ("Nomor Induk Berusaha (NIB)", values["nib"])]
    right = [("Nama usaha", data["nama_usaha"]), ("KBLI", f"{context['key']} — {context['key_title']}"),
             ("Lokasi usaha", (f"{data['alamat_usaha']}, {label('desa-kelurahan', data['desa_usaha'])}, "
                               f"Kec. {label('kecamatan', data['kecamatan_usaha'])} ({data['koordinat']})")),
             ("Skala usaha", label("skala", data["skala"])),
             ("Tingkat risiko", f"{label('risiko', data['risiko'])} · Persetujuan lingkungan: {data['lingkungan']}")]
    bottom = y
    for x, fields in ((51, left), (width / 2 + 5, right)):
        column_y = y - 6
        for name, value in fields:
            column_y = draw_paragraph(page, name, small, x, column_y - 7, 240)
            column_y = draw_paragraph(page, str(value), body, x, column_y, 240)
        bottom = min(bottom, column_y)
    y = draw_paragraph(page, f"<b>Status: {context['state']['label']}.</b> Sertifikat Standar ini diterbitkan "
                       "berdasarkan pernyataan mandiri pelaku usaha dan belum berlaku untuk kegiatan "
                       f"operasional/komersial sampai pemenuhan standar usaha diverifikasi oleh {office['agency']} "
                       f"{office['government']}. Pelaku usaha wajib memenuhi standar usaha sesuai ketentuan "
                       "peraturan perundang-undangan.", body, 51, bottom - 10, width - 102)
    page.drawImage(ImageReader(io.BytesIO(qr_png(context["verify_url"], print_settings().data["qr"]))),
                   51, y - 124, 110, 110)
    draw_paragraph(page, "Pindai kode QR untuk memeriksa keaslian dan status terbaru dokumen ini, atau buka:<br/>"
                   + context["verify_url"], small, 170, y - 14, 110)
    signer = office["signer"]
    column_y = y - 14
    for text in (f"Diterbitkan di {office['place']}, {context['issued_at']}", f"{signer['position']},",
                 "Ditandatangani secara elektronik", f"<b>{signer['name']}</b>", signer["rank"], f"NIP. {signer['nip']}"):
        column_y = draw_paragraph(page, text, body, 320, column_y - 2, 230)
    draw_paragraph(page, office["footer"], small, 51, 80, width - 102)
    page.showPage()
    page.save()
    return out.getvalue()


def draw_paragraph(page, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw wrapped text with its top at `top`; return the y below it."""
    paragraph = Paragraph(text, style)
    _width, height = paragraph.wrap(width, 800)
    paragraph.drawOn(page, x, top - height)
    return top - height


def measure(rounds: int) -> None:
    """Print the figures (the office certificate is made in a temporary instance folder, removed after)."""
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as instance:
        measure_in(instance, rounds)


def measure_in(instance: str, rounds: int) -> None:
    """Print the figures, with the app's instance folder in `instance`."""
    app = create_app({"STORE": "memory", "SECRET_KEY": "bench", "PUBLIC_URL": "https://dpmptsp.kamparkab.go.id"})
    app.instance_path = instance
    with app.app_context(), app.test_request_context():
        settings = print_settings()
        logo = (settings.folder / settings.data["office"]["logo"]).read_bytes()
        document, submission = sample_document()
        office = office_signer(app)
        context = document_context(settings, document, submission, URL)
        html_pdf = render_pdf(settings, context["template"], context)
        canvas_certificate(context, logo)
        html_ms, canvas_ms, qr_fixed, qr_default, sign_ms = [], [], [], [], []
        for _round in range(rounds):
            html_ms.append(timed(lambda: render_pdf(settings, context["template"],
                                                    {**context, "qr": png_data_uri(qr_png(URL, settings.data["qr"]))})))
            canvas_ms.append(timed(canvas_certificate, context, logo))
            qr_fixed.append(timed(qr_png, URL, settings.data["qr"]))
            qr_default.append(timed(lambda: qrcode.make(URL).save(io.BytesIO(), "PNG")))
            sign_ms.append(timed(sign_pdf, office, html_pdf, settings.data["signature"]))
        issue_ms = [timed(render_version, document, submission, f"bench:{index}") for index in range(max(3, rounds // 5))]
    report("xhtml2pdf template (Sertifikat Standar, with QR)", html_ms)
    report("reportlab canvas, same content (with QR)", canvas_ms)
    print(f"  ratio xhtml2pdf / canvas: {statistics.median(html_ms) / statistics.median(canvas_ms):.2f}x")
    report("QR PNG, fixed version 6 + mask, pixels set directly", qr_fixed)
    report("QR PNG, qrcode.make defaults (best mask search)", qr_default)
    report("PAdES signature (pyHanko, RSA-3072)", sign_ms)
    report("whole issue of one printout (context + QR + render + sign + store)", issue_ms)
    measure_serving(app, document.number, rounds)


def measure_serving(app, number: str, rounds: int) -> None:
    """GET of a stored printout by its owner over the test client: store read only, no rendering."""
    from forms.identity.accounts import create_account
    from forms.store import Printout
    from tests.helpers import ANSWER, PASSWORD, login

    app.config.update(TESTING=True, CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        account = create_account("bench", PASSWORD, "Bench", ["pemohon"])
        Printout.objects(number=number).update(set__owner=f"account:{account.id}")
    client = app.test_client()
    login(client, "bench")
    rendered = []
    import forms.printing.issue as printouts
    original, printouts.render_pdf = printouts.render_pdf, lambda *a, **k: rendered.append(1)
    try:
        serve_ms = [timed(lambda: client.get(f"/dokumen/{number}.pdf").get_data()) for _round in range(rounds)]
    finally:
        printouts.render_pdf = original
    report(f"serve stored PDF over HTTP (renders during serving: {len(rendered)})", serve_ms)


def report(what: str, samples: list[float]) -> None:
    """One line: median and spread in milliseconds."""
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9) - 1] if len(ordered) >= 10 else ordered[-1]
    print(f"{what:<75} median {statistics.median(samples):7.2f} ms   min {ordered[0]:7.2f}   p90 {p90:7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    measure(parser.parse_args().rounds)
