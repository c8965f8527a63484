"""A bad-input corpus against every step of every form in schemas/forms, and escaping wherever answers are shown.

Each form is walked as an applicant would (one journey per form; the licence application twice, so
that the step only high-risk activities have is reached too). At every step, before the valid
answers are saved, the corpus is posted into the inputs the page renders:

- REFUSED values (oversize, a 5,000-digit number, NUL and other control characters, a bidi override)
  go into every input: the step must answer 422 with a message, and the submission must not change;
- TOLERATED values (operator-looking strings, markup, combining characters, 4-byte emoji, invalid
  UTF-8, two values for one input, a file where text is expected) must never give a 5xx: either
  refused as above, or stored as plain values of the field's declared type;
- forged keys ('$where', 'answers.x', 'status', dotted and bracketed variants, other steps' field
  names) are posted beside valid answers: only the step's own schema fields may be stored.

The valid answers put the same HTML/script payload into every free-text input, so the journey ends
with the payload in every place it is shown: review and status pages, officer pages, public
follow-up and tracking pages, the draft preview and the signed printouts (PDF text via pypdf), where it
must appear as text, never as markup.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from forms.catalog.runtime import schemas
from forms.engine.text import text_problem
from forms.identity.accounts import create_account
from forms.store import Code, IssuedDocument, find_submission, refuse_operator_keys
from tests.helpers import (
    AKUN,
    ANSWER,
    COMPLAINT,
    DEMO_DIRI,
    DEMO_PRODUK,
    DEMO_USAHA,
    FORMULIR,
    NIK,
    PASSWORD,
    PELAKU,
    PROFILE,
    ROOT,
    WizardClient,
    detail,
    inline_code,
    kegiatan,
    login,
    products,
    token,
    village_code,
)

MARKERS = [0]


def payload() -> str:
    """Markup with a numbered marker (XSS<n>), so each field's text can be found wherever it is shown."""
    MARKERS[0] += 1
    return f'<i>XSS{MARKERS[0]}</i><script>1</script>"&'


MARKED = re.compile(r"XSS\d+")
REFUSED = {
    "oversize": "x" * 5000,
    "huge-number": "9" * 5000,
    "nul": "ab\x00cd",
    "escape-sequence": "\x1b[31mmerah",
    "rtl-override": "abc\u202egnp.exe",
}
TOLERATED = {
    "operator-string": '{"$gt": ""}',
    "dollar-word": "$where",
    "markup": '<script>alert(1)</script><b>"&',
    "combining": "e\u0301\u0301\u0301 zalgo",
    "emoji": "\U0001F600\U0001F1EE\U0001F1E9\U0001D54F",
    "long-valid": "panjang " * 20,
}
FORGED = {"$where": "1", "answers.x": "1", "status": "terbit", "owner": "x", "derived": "x", "validated": "x",
          "_id": "x", "version": "99", "__proto__": "x"}
INPUT = re.compile(r'<(input|select|textarea)\b([^>]*)>')
NAME = re.compile(r'\bname="([^"]+)"')
TYPE = re.compile(r'\btype="([^"]+)"')
SKIP_INPUTS = {"csrf_token", "_version"}

Values = dict[str, Any] | Callable[["Journey"], dict[str, Any]]


class Journey:
    """One walk through one form, attacking each step before saving it validly."""

    def __init__(self, app, client, form_id: str, steps: list[tuple[str, Values]]):
        self.app, self.client, self.form_id, self.steps = app, client, form_id, steps
        self.attacked: set[str] = set()
        self.wizard = WizardClient(client, form_id).start()
        self.form = schemas_of(app).get(form_id)

    def run(self) -> Journey:
        for step_name, values in self.steps:
            self.client.get(self.wizard.url(step_name))  # opening a code step sends its code
            values = values(self) if callable(values) else dict(values)
            attack_step(self, step_name, values)
            self.attacked.add(step_name)
            self.prepare_valid(step_name)
            page = self.client.get(self.wizard.url(step_name))
            response = post(self, step_name, {**with_payload(self, page, values), "_action": "next"}, page)
            assert response.status_code == 302, (step_name, errors_of(response))
        return self

    def prepare_valid(self, step_name: str) -> None:
        """Refused codes were counted as tries: let the valid code be tried again."""
        if any(field.type == "otp" for field in self.form.step(step_name).fields):
            with self.app.app_context():
                Code.objects(subject=self.wizard.submission_id).update(set__tries=0)

    def submit(self):
        page = self.client.get(self.wizard.url() + "/periksa")
        assert page.status_code == 200
        response = self.client.post(self.wizard.url() + "/kirim",
                                    data={"csrf_token": token(page), "_version": self.snapshot()["version"]})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return page, self.client.get(response.headers["Location"])

    def snapshot(self) -> dict:
        with self.app.app_context():
            submission = find_submission(self.wizard.submission_id)
            return {"version": submission.version, "status": submission.status, "owner": submission.owner,
                    "answers": submission.answers, "derived": submission.derived,
                    "raw": str(submission.to_mongo())}


def schemas_of(app):
    with app.app_context():
        return schemas()


def inputs_of(page) -> dict[str, str]:
    """The input names a step page renders, with their type (text, file, select, …)."""
    found = {}
    for tag, attributes in INPUT.findall(page.get_data(as_text=True)):
        name = NAME.search(attributes)
        kind = TYPE.search(attributes)
        if name and name.group(1) not in SKIP_INPUTS:
            found[name.group(1)] = tag if tag != "input" else (kind.group(1) if kind else "text")
    return found


def field_of(journey: Journey, name: str):
    """The schema field behind an input name (repeat rows are named group-<i>-sub; '-ulang' repeats a field)."""
    base = name.rsplit("-", 1)[-1] if re.search(r"-\d+-", name) else name.removesuffix("-ulang")
    return journey.form.fields.get(base) or next(
        (sub for field in journey.form.fields.values() for sub in field.fields if sub.name == base), None)


def with_payload(journey: Journey, page, values: dict) -> dict:
    """Valid answers with the markup payload in every free-text input (no pattern to meet)."""
    data = dict(values)
    for name in inputs_of(page):
        field = field_of(journey, name)
        if field is not None and field.type in ("text", "textarea") and not field.pattern and name in data \
                and not field.unique:
            data[name] = payload()
    return data


def post(journey: Journey, step_name: str, data: dict, page=None, raw_tail: str = "", files: dict | None = None):
    """POST a step with the page's CSRF token and version (multipart, or a hand-made urlencoded body)."""
    page = page or journey.client.get(journey.wizard.url(step_name))
    base = {"csrf_token": token(page), "_version": re.search(r'name="_version" value="(\d+)"',
                                                             page.get_data(as_text=True)).group(1)}
    if raw_tail:
        pairs = [(key, item) for key, value in {**base, **data}.items()
                 for item in (value if isinstance(value, list) else [value])]
        body = "&".join(f"{quote(str(key))}={quote(str(value))}" for key, value in pairs) + raw_tail
        return scanned(journey.client.post(journey.wizard.url(step_name), data=body.encode("ascii"),
                                           content_type="application/x-www-form-urlencoded"))
    return scanned(journey.client.post(journey.wizard.url(step_name), data={**base, **data, **(files or {})},
                                       content_type="multipart/form-data"))


def scanned(response):
    """A step page, checked for code the CSP would block (see tests/test_access_matrix.py)."""
    if response.mimetype == "text/html":
        assert not inline_code(response.get_data(as_text=True)), inline_code(response.get_data(as_text=True))
    return response


def errors_of(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)', response.get_data(as_text=True))


def attack_step(journey: Journey, step_name: str, valid: dict) -> None:
    """The whole corpus against one step; the submission must stay sound after each post."""
    page = journey.client.get(journey.wizard.url(step_name))
    assert page.status_code == 200, (journey.form_id, step_name, page.status_code)
    inputs = {name: kind for name, kind in inputs_of(page).items() if not name.endswith("-count")}
    editable = [name for name, kind in inputs.items() if kind not in ("hidden", "file")]
    for label, value in REFUSED.items():
        if editable:
            before = journey.snapshot()
            response = post(journey, step_name, {**valid, **{name: value for name in editable}, "_action": "next"})
            expect_refused(journey, step_name, label, response, before)
    for label, value in TOLERATED.items():
        expect_sound(journey, step_name, label,
                     lambda value=value: post(journey, step_name, {**valid, **{name: value for name in editable}, "_action": "save"}))
    expect_sound(journey, step_name, "two-values", lambda: post(
        journey, step_name, {**valid, **{name: [valid.get(name, "1"), "2"] for name in editable}, "_action": "save"}))
    expect_sound(journey, step_name, "invalid-utf8", lambda: post(
        journey, step_name, {**valid, "_action": "save"}, raw_tail="".join(f"&{quote(n)}=%FF%FE%ED%A0%80" for n in editable)))
    expect_sound(journey, step_name, "file-for-text", lambda: post(
        journey, step_name, {key: value for key, value in valid.items() if key not in editable} | {"_action": "save"},
        files={name: (io.BytesIO(b"<script>x</script>"), "x.html") for name in editable}))
    forge(journey, step_name, valid, editable)


def expect_refused(journey: Journey, step_name: str, label: str, response, before: dict) -> None:
    """422 with a message beside a field, and nothing stored."""
    where = (journey.form_id, step_name, label)
    assert response.status_code == 422, (where, response.status_code)
    assert errors_of(response), where
    after = journey.snapshot()
    assert (after["version"], after["answers"], after["derived"]) == (
        before["version"], before["answers"], before["derived"]), where


def expect_sound(journey: Journey, step_name: str, label: str, send: Callable) -> None:
    """No 5xx; a refusal stores nothing, an acceptance stores only declared fields with plain values."""
    before = journey.snapshot()
    response = send()
    where = (journey.form_id, step_name, label)
    assert response.status_code in (302, 422), (where, response.status_code)
    if response.status_code == 422:
        expect_refused(journey, step_name, label, response, before)
        return
    after = journey.snapshot()
    check_stored(journey, step_name, after["answers"].get(step_name, {}), where)
    assert after["status"] == before["status"] and after["owner"] == before["owner"], where


def check_stored(journey: Journey, step_name: str, stored: dict, where) -> None:
    """Every stored answer of the step belongs to a field of the step and has that field's plain type."""
    step = journey.form.step(step_name)
    fields = {field.name: field for field in step.fields}
    assert set(stored) <= set(fields), (where, set(stored) - set(fields))
    refuse_operator_keys(stored)
    for name, value in stored.items():
        check_value(fields[name], value, where)


def check_value(field, value, where) -> None:
    """A stored value of a field: text is clean NFC text, numbers are numbers, rows hold their sub-fields."""
    if field.type in ("text", "textarea"):
        assert isinstance(value, str) and text_problem(value) is None, (where, field.name, value)
        assert unicodedata.is_normalized("NFC", value) and value == value.strip(), (where, field.name)
    elif field.type in ("number", "money"):
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (where, field.name, value)
    elif field.type == "checkboxes":
        assert isinstance(value, list) and all(isinstance(item, str) for item in value), (where, field.name)
    elif field.type == "file":
        assert set(value) == {"id", "name", "size", "content_type", "sha256"}, (where, field.name)
    elif field.type == "repeat":
        names = {sub.name for sub in field.fields} | ({field.rows_from["key"]} if field.rows_from else set())
        subs = {sub.name: sub for sub in field.fields}
        for row in value:
            assert set(row) <= names, (where, field.name, set(row) - names)
            for name, item in row.items():
                if name in subs:
                    check_value(subs[name], item, where)
    else:
        assert isinstance(value, (str, bool, int)), (where, field.name, type(value))


def forge(journey: Journey, step_name: str, valid: dict, editable: list[str]) -> None:
    """Valid answers plus forged keys: saved, but only the step's schema fields are stored."""
    others = {name: "DITANAM" for name in journey.form.fields if name not in {f.name for f in journey.form.step(step_name).fields}}
    variants = {f"{name}.$gt": "DITANAM" for name in editable} | {f"{name}[$ne]": "DITANAM" for name in editable}
    before = journey.snapshot()
    response = post(journey, step_name, {**valid, **FORGED, **variants, **others, "_action": "save"})
    where = (journey.form_id, step_name, "forged-keys")
    assert response.status_code in (302, 422), (where, response.status_code, errors_of(response))
    after = journey.snapshot()
    assert "DITANAM" not in after["raw"] and "$where" not in after["raw"], where
    assert after["status"] == before["status"] and after["owner"] == before["owner"], where
    for other, answers in after["answers"].items():
        if other != step_name:
            assert set(answers) == set(before["answers"].get(other, {})), (where, other)
    check_stored(journey, step_name, after["answers"].get(step_name, {}), where)


def assert_escaped(page: str, where: str, shown: bool = True) -> None:
    """Every marked answer on an HTML page is escaped text (never markup); where answers are shown, some are."""
    markers = MARKED.findall(page)
    assert "<script>1</script>" not in page and not re.search(r"<i>XSS\d", page), where
    assert all(f"&lt;i&gt;{marker}&lt;/i&gt;&lt;script&gt;1&lt;/script&gt;" in page for marker in markers), where
    assert markers or not shown, f"{where}: no answer shown"


def assert_printed_as_text(text: str, where: str) -> None:
    """In a PDF's text every marked answer appears with its tags as characters (markup would have vanished)."""
    markers = MARKED.findall(text)
    assert markers, f"{where}: no answer printed"
    for marker in markers:
        assert f"<i>{marker}</i><script>1</script>" in text, (where, marker)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def outbox_code(app) -> str:
    files = sorted(Path(app.config["OUTBOX_DIR"]).iterdir(), key=lambda path: path.stat().st_mtime)
    return re.search(r"\b(\d{6})\b", files[-1].read_text()).group(1)


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False)


def officer(app):
    with app.app_context():
        create_account("vera", PASSWORD, "Vera", ["verifikator"])
    client = app.test_client()
    assert login(client, username="vera").status_code == 302
    return client


def demo_steps() -> list[tuple[str, Values]]:
    return [("data_diri", DEMO_DIRI), ("usaha", DEMO_USAHA), ("produk", DEMO_PRODUK), ("lampiran", {"pernyataan": "1"})]


def registration_steps() -> list[tuple[str, Values]]:
    return [("skala_usaha", {"skala_usaha": "umk"}), ("jenis_pelaku", {"jenis_pelaku": "perseorangan"}),
            ("formulir", dict(FORMULIR, desa=village_code())),
            ("verifikasi", lambda journey: {"kode": outbox_code(journey.app)}), ("akun", AKUN),
            ("data_pelaku_usaha", PELAKU)]


def complaint_steps() -> list[tuple[str, Values]]:
    return [("aduan", COMPLAINT), ("kontak", {"identitas": "anonim"})]


def survey_steps() -> list[tuple[str, Values]]:
    return [("responden", {"jenis_kelamin": "P", "usia": "u35", "pendidikan": "s1", "pekerjaan": "wirausaha"}),
            ("penilaian", {f"u{number}": "4" for number in range(1, 10)}), ("saran", {"saran": "Baik"})]


def test_demo_form(app, client):
    journey = Journey(app, client, "demo", demo_steps()).run()
    review, status = journey.submit()
    assert_escaped(review.get_data(as_text=True), "demo review")
    assert_escaped(status.get_data(as_text=True), "demo status")


def test_registration_form(app, client):
    journey = Journey(app, client, "pendaftaran", registration_steps()).run()
    review, status = journey.submit()
    assert_escaped(review.get_data(as_text=True), "registration review")
    assert_escaped(status.get_data(as_text=True), "registration status", shown=False)
    assert login(client, username="siti.aminah", password=AKUN["kata_sandi"]).status_code == 302
    for path in ("/beranda", "/profil"):
        assert_escaped(client.get(path).get_data(as_text=True), path)  # the name is the payload


def test_complaint_form_and_the_officer_reply(app, client):
    journey = Journey(app, client, "pengaduan", complaint_steps()).run()
    review, status = journey.submit()
    text = status.get_data(as_text=True)
    assert_escaped(review.get_data(as_text=True), "complaint review")
    number = re.search(r"(ADU-\d{4}-\d{6})", text).group(1)
    code = re.search(r"Kode akses pengaduan Anda: ([A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)
    desk = officer(app)
    ticket = f"/petugas/pengaduan/{journey.wizard.submission_id}"
    assert_escaped(desk.get("/petugas/pengaduan").get_data(as_text=True), "queue")
    page = desk.get(ticket)
    assert_escaped(page.get_data(as_text=True), "officer ticket")
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    for bad in REFUSED.values():
        refused = desk.post(ticket, data={"csrf_token": token(page), "_version": version, "jawaban": bad,
                                          "status": "diproses"}, follow_redirects=True)
        assert "flash flash-warning" in refused.get_data(as_text=True), bad[:20]
        assert journey.snapshot()["version"] == int(version), bad[:20]
    sent = desk.post(ticket, data={"csrf_token": token(page), "_version": version, "jawaban": payload(),
                                   "status": "diproses"})
    assert sent.status_code == 302 and journey.snapshot()["version"] == int(version) + 1
    page = client.get("/pengaduan/ikuti")
    follow = client.post("/pengaduan/ikuti", data={"csrf_token": token(page), "nomor": number, "kode": code})
    assert follow.status_code == 200
    assert_escaped(follow.get_data(as_text=True), "follow page")


def test_survey_form(app, client):
    journey = Journey(app, client, "skm", survey_steps()).run()
    review, _status = journey.submit()
    assert_escaped(review.get_data(as_text=True), "survey review")
    desk = officer(app)
    csv = desk.get("/ikm/jawaban.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and csv.headers["X-Content-Type-Options"] == "nosniff"
    assert_escaped(desk.get("/ikm").get_data(as_text=True), "ikm page", shown=False)


@pytest.fixture
def applicant(app, client):
    """An applicant whose name is the payload (it is printed on every document)."""
    with app.app_context():
        create_account("siti", PASSWORD, payload(), ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    assert login(client).status_code == 302
    return client


def licence_steps(code: str, teknis: dict | None = None) -> list[tuple[str, Values]]:
    steps = [("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}), ("bidang_usaha", kegiatan(code)),
             ("detail_usaha", detail(0))]
    if teknis is not None:
        steps.append(("detail_teknis", teknis))
    return steps + [("produk", products(code)), ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
                    ("lingkungan", {"pernyataan_sppl": "1"}),
                    ("pernyataan", {"pernyataan_data": "1", "pernyataan_tata_ruang": "1", "pernyataan_standar": "1"}), ("draf", {})]


def test_licence_application_to_signed_printouts(app, applicant):
    journey = Journey(app, applicant, "permohonan-baru", licence_steps("11052")).run()
    draft = applicant.get(journey.wizard.url() + "/draf.pdf")
    assert draft.status_code == 200
    assert_printed_as_text(pdf_text(draft.data), "draft preview")
    review, status = journey.submit()
    assert_escaped(review.get_data(as_text=True), "licence review")
    assert_escaped(status.get_data(as_text=True), "licence status")
    with app.app_context():
        document = IssuedDocument.objects(submission_id=journey.wizard.submission_id).first()
    nib = journey.snapshot()["derived"]["nib"]
    for number in (document.number, nib):
        printout = applicant.get(f"/dokumen/{number}.pdf")
        assert printout.status_code == 200
        assert_printed_as_text(pdf_text(printout.data), f"printout {number}")
    for path in ("/beranda", "/pemenuhan", f"/dokumen/{document.id}"):
        assert_escaped(applicant.get(path).get_data(as_text=True), path, shown=path != "/pemenuhan")
    desk = officer(app)
    case = desk.get(f"/petugas/dokumen/{document.id}").get_data(as_text=True)
    assert_escaped(case, "officer case")
    assert_escaped(desk.get("/petugas/?status=" + document.status).get_data(as_text=True), "inbox", shown=False)
    page = applicant.get("/lacak")
    tracked = applicant.post("/lacak", data={"csrf_token": token(page), "nomor": document.number, "nik": NIK})
    assert tracked.status_code == 200
    assert_escaped(tracked.get_data(as_text=True), "tracking", shown=False)


def high_risk_steps() -> list[tuple[str, Values]]:
    """The licence application up to the step only high-risk activities have."""
    teknis = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari",
              "teknis-0-uraian_teknis": "Klinik", "teknis-0-penanggung_jawab_teknis": "dr. Rina"}
    steps = licence_steps("86903", teknis)
    return steps[:steps.index(("detail_teknis", teknis)) + 1]


def test_licence_application_high_risk_step(app, applicant):
    journey = Journey(app, applicant, "permohonan-baru", high_risk_steps()).run()
    assert "detail_teknis" in journey.attacked


def journeys() -> list[tuple[str, list[tuple[str, Values]]]]:
    """Every journey above, by form: a journey attacks each step it walks."""
    return [("demo", demo_steps()), ("pendaftaran", registration_steps()), ("pengaduan", complaint_steps()),
            ("skm", survey_steps()), ("permohonan-baru", licence_steps("11052")),
            ("permohonan-baru", high_risk_steps())]


def test_every_step_of_every_form_is_attacked_by_a_journey(app):
    """A new form or step fails here until a journey above walks (and so attacks) it."""
    attacked = {(form_id, step_name) for form_id, steps in journeys() for step_name, _values in steps}
    every = {(form.id, step.name) for form in schemas_of(app).latest() for step in form.steps}
    assert every <= attacked, sorted(every - attacked)
    forms_dir = {path.stem for path in (ROOT / "schemas" / "forms").glob("*.json")}
    assert forms_dir == {form_id for form_id, _step in every}
