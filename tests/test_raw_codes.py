"""No code meant for the machine reaches a person: the applicant's and the public pages are scanned, in both
languages, for raw table codes (risk levels, products, environmental documents), workflow state names, owner
ids, "None" and the empty separators an absent value leaves ("RT /RW", ", ,")."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from forms.catalog.runtime import workflows
from tests.helpers import (
    ANSWER,
    NIK,
    REQUIREMENTS_11052,
    ROOT,
    WizardClient,
    detail,
    issue,
    kegiatan,
    ok,
    sent_for_verification,
    take_action,
    token,
)

IZIN_REQUIREMENTS = ("str_sip_penanggung_jawab", "daftar_tenaga_atlm", "daftar_peralatan", "kerja_sama_limbah_medis",
                     "denah_tata_letak", "dokumen_sppl")
TEKNIS = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari", "teknis-0-uraian_teknis": "Klinik",
          "teknis-0-penanggung_jawab_teknis": "dr. Rina"}


class VisibleText(HTMLParser):
    """The text a person reads: element text and the words of buttons, without scripts, styles or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    """The page's visible text, runs of white space made one space."""
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_codes(app) -> list[re.Pattern]:
    """What must never be read: state names of the workflows (those that are not plain words), the risk table's
    enumerated codes, owner ids, None, True/False, empty separators and decimal points on whole days."""
    with app.app_context():
        states = {name for flow in workflows().values() for name in flow.states if "_" in name}
    columns = json.loads((ROOT / "schemas" / "tables" / "kbli-risiko.json").read_text(encoding="utf-8"))["columns"]
    codes = {str(value) for column in ("risiko", "produk") for value in columns[column]["values"]
             if "_" in str(value) or str(value).isupper() and len(str(value)) > 1}  # not plain words like "izin"
    words = sorted(states | codes)
    return [re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])"),
            re.compile(r"\b(None|True|False)\b"), re.compile(r"\b(account|anon):[0-9a-f]"), re.compile(r"RT\s*/RW|,\s*,|\(\s*\)"),
            re.compile(r"\d\.0 hari"), re.compile(r"[a-z_]+: [a-z_]+ → ")]


def found_in(app, pages: dict[str, str]) -> dict[str, list[str]]:
    """Each page's raw codes (pages without any left out)."""
    patterns = raw_codes(app)
    found = {}
    for name, html in pages.items():
        text = visible(html)
        hits = [match.group(0) for pattern in patterns for match in pattern.finditer(text)]
        if hits:
            found[name] = hits
    return found


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    SKM_REQUIRED_FOR_DOWNLOAD=False, DEMO_MODE=False)


def journey_pages(app, people) -> dict[str, str]:
    """Every page of the applicant's journey and the public pages, with data behind them: an SS verified, an Izin
    waiting for requirements, and a second applicant without a registered address starting an application."""
    siti, budi = people["siti"], people["budi"]
    wizard = WizardClient(siti, "permohonan-baru").start()
    pages = {"data_pelaku (siti)": siti.get(wizard.url("data_pelaku")).get_data(as_text=True)}
    ok(wizard.fill("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}))
    ok(wizard.fill("bidang_usaha", kegiatan("11052", "86903")))
    ok(wizard.fill("detail_usaha", {**detail(0), **detail(1)}))
    for step in ("detail_usaha", "detail_teknis"):
        pages[step] = siti.get(wizard.url(step)).get_data(as_text=True)
    assert issue(wizard, "11052", "86903", teknis=TEKNIS).status_code == 302
    pages["status"] = siti.get(f"/isian/{wizard.submission_id}/status").get_data(as_text=True)
    from forms.store import IssuedDocument
    certificate, licence = sorted(IssuedDocument.objects(submission_id=wizard.submission().id), key=lambda d: d.kind != "sertifikat_standar")
    sent_for_verification(siti, certificate, REQUIREMENTS_11052)
    for code in REQUIREMENTS_11052:
        page = people["vera"].get(f"/petugas/dokumen/{certificate.id}")
        people["vera"].post(f"/petugas/dokumen/{certificate.id}/putusan/{code}",
                            data={"csrf_token": token(page), "putusan": "diterima", "alasan": ""})
    assert take_action(people["vera"], certificate, "verifikasi", officer=True).status_code == 302
    for path in ("/", "/beranda", "/pemenuhan", f"/dokumen/{certificate.id}", f"/dokumen/{licence.id}",
                 f"/isian/{wizard.submission_id}/status", f"/isian/{wizard.submission_id}/periksa", "/profil",
                 "/standar-pelayanan", "/ikm", "/lacak", "/verifikasi", "/pengaduan", "/masuk"):
        pages[path] = siti.get(path).get_data(as_text=True)
    lacak = siti.get("/lacak")
    pages["lacak (found)"] = siti.post("/lacak", data={"csrf_token": token(lacak), "nomor": certificate.number,
                                                       "nik": NIK}).get_data(as_text=True)
    other = WizardClient(budi, "permohonan-baru").start()
    pages["data_pelaku (budi, no address)"] = budi.get(other.url("data_pelaku")).get_data(as_text=True)
    return pages


def test_pages_show_labels_never_raw_codes(app, people):
    pages = journey_pages(app, people)
    assert found_in(app, pages) == {}
    assert "Menengah Tinggi" in visible(pages["/beranda"]) and "Tinggi" in visible(pages["detail_usaha"])


def test_english_pages_show_labels_never_raw_codes(app, people):
    for client in people.values():
        client.set_cookie("lang", "en")
    pages = journey_pages(app, people)
    assert found_in(app, pages) == {}
    assert "Medium-high" in visible(pages["/beranda"])


def test_the_scan_catches_what_it_looks_for(app):
    caught = found_in(app, {"page": "<p>Tingkat risiko: MT · sertifikat_standar</p><p>NIK None</p><p>Boleh: True</p>"
                                    "<p>submit: mengirim → terdaftar</p><p>account:6b15b395</p>"
                                    "<p>Alamat KTP , RT /RW , , ,</p><p>Sisa 5.0 hari kerja</p>"})
    assert set(caught["page"]) >= {"MT", "sertifikat_standar", "None", "True", "account:6", "RT /RW", "5.0 hari",
                                    "submit: mengirim → "}
    assert found_in(app, {"page": '<p class="badge-menunggu_verifikasi">Menunggu verifikasi</p>'}) == {}
