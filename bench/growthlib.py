"""The growth benchmark's machinery: people, a template application, seeding, and the measured requests.

See bench/growth.py for what is measured and why; this module holds how.
"""
from __future__ import annotations

import copy
import io
import time

from flask import g

from bench.growth import (
    CSRF,
    PASSWORD,
    SCAN,
    VERSION,
    cpu,
    nik_for,
    p50,
    settings,
    startup,
    token,
)
from forms import create_app
from forms.casework.jobs import run_due

PROFILE = {"tempat_lahir": "Bangkinang", "tanggal_lahir": "1990-01-01", "alamat": "Jl. Melati No. 1", "rt": "001",
           "rw": "002", "provinsi": "14", "kabupaten": "14.01", "kecamatan": "14.01.01", "desa": "14.01.01.1011"}


ROLES = {"siti": ["pemohon"], "budi": ["pemohon"], "vera": ["verifikator"]}  # the measuring people


class Bench:
    """One embedded store grown step by step, with signed-in clients to measure it."""

    def __init__(self, folder: str, samples: int):
        self.folder, self.samples = folder, samples
        self.app = create_app(settings(folder))
        self.count = self.seeded()  # 0, or what a kept data folder holds (measured again without seeding)
        self.enlist()
        self.template = self.walk_template()
        self.pdfs: dict[str, bytes] = {}

    def enlist(self) -> None:
        """Fresh measuring people (applicants siti and budi, verifier vera), signed in, for one round of measures:
        what earlier rounds left on them (drafts, documents, the KBLI list of budi's NIB) would grow the
        figures with the rounds rather than with the store."""
        serial = int(time.time() * 10) % 10**6  # a kept data folder may be measured again: new names each time
        self.names = {role: f"{role}{serial}" for role in ROLES}
        self.numbers = {role: serial * 10 + index for index, role in enumerate(ROLES, start=1)}
        self.people = {role: self.person(role, roles) for role, roles in ROLES.items()}
        self.clients = {role: self.signed_in(role) for role in self.people}
        self.api_token = self.make_token("siti")

    # --- people and the template ---------------------------------------------------------------

    def person(self, role: str, roles: list[str]) -> str:
        """The account of a measuring person, made through the app's own create_account (full Argon2); its id."""
        from forms.identity.accounts import create_account
        username, number = self.names[role], self.numbers[role]
        with self.app.app_context():
            account = create_account(username, PASSWORD, role.title(), roles, email=f"{username}@contoh.id",
                                     phone=f"+62812{number:08d}", nik=f"1401020101{number:06d}" if "pemohon" in roles else None,
                                     profile=PROFILE if "pemohon" in roles else {})
        return str(account.id)

    def signed_in(self, role: str):
        """A test client with a server-side sign-in session (what the login page makes after its CAPTCHA)."""
        from forms.identity.accounts import start_session
        from forms.store import find_account_by_username
        client = self.app.test_client()
        with self.app.app_context():
            account = find_account_by_username(self.names[role])
            login = start_session(account)
        with client.session_transaction() as session:
            session["login"], session["account_id"] = login, str(account.id)
        assert client.get("/beranda", follow_redirects=True).status_code == 200  # officers land on /petugas/
        return client

    def make_token(self, role: str) -> str:
        """A personal API token of a measuring person."""
        from forms.identity.apitokens import create_token
        from forms.store import find_account_by_username
        with self.app.app_context():
            secret, _record = create_token(find_account_by_username(self.names[role]), "growth")
        return secret

    def walk_template(self) -> dict:
        """Walk Permohonan Baru once in the browser's way (HTTP); keep the complete draft's stored answers."""
        submission_id = self.fill_with_client("siti")
        from forms.store import find_submission
        with self.app.app_context():
            record = find_submission(submission_id)
            return {"form_id": record.form_id, "form_version": record.form_version,
                    "procedure": dict(record.procedure or {}), "answers": copy.deepcopy(record.answers),
                    "derived": copy.deepcopy(record.derived), "validated": list(record.validated)}

    def seeded(self) -> int:
        """How many seeded applicants (pemohon0, pemohon1, …) the store holds."""
        from forms.store import Account
        with self.app.app_context():
            return Account.objects(username__startswith="pemohon").count()

    def fill_with_client(self, username: str) -> str:
        """A complete Permohonan Baru draft filled step by step over HTTP; its id."""
        client = self.clients[username]
        page = client.get("/formulir/permohonan-baru")
        response = client.post("/formulir/permohonan-baru", data={"csrf_token": token(page)})
        submission_id = response.headers["Location"].rsplit("/", 1)[-1]
        for step, values in template_steps(self.people_nik(username)):
            self.post_step(client, submission_id, step, values)
        return submission_id

    def people_nik(self, role: str) -> str:
        return nik_for(self.numbers[role])

    def post_step(self, client, submission_id: str, step: str, values: dict, action: str = "next"):
        """GET a step, POST it with its CSRF token and version."""
        page = client.get(f"/isian/{submission_id}/langkah/{step}")
        text = page.get_data(as_text=True)
        data = {"csrf_token": CSRF.search(text).group(1), "_version": VERSION.search(text).group(1),
                "_action": action, **values}
        response = client.post(f"/isian/{submission_id}/langkah/{step}", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
        return response

    def fresh_draft(self, username: str) -> str:
        """A complete draft made from the template through the store's operations (as a finished walk leaves it)."""
        from forms import store
        owner = f"account:{self.people[username]}"
        with self.app.app_context():
            record = store.create_submission(self.template["form_id"], self.template["form_version"], owner,
                                             self.template["procedure"])
            store.save_answers(record, copy.deepcopy(self.template["answers"]), copy.deepcopy(self.template["derived"]),
                               list(self.template["validated"]))
        return str(record.id)

    def submit_with_client(self, username: str, submission_id: str) -> str:
        """POST the review page's submit, as the applicant's browser does; the submission id."""
        client = self.clients[username]
        review = client.get(f"/isian/{submission_id}/periksa")
        version = VERSION.search(review.get_data(as_text=True))
        data = {"csrf_token": token(review), "_version": version.group(1) if version else self.version_of(submission_id)}
        response = client.post(f"/isian/{submission_id}/kirim", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return submission_id

    def version_of(self, submission_id: str) -> int:
        from forms.store import find_submission
        with self.app.app_context():
            return find_submission(submission_id).version

    # --- seeding -------------------------------------------------------------------------------

    def grow_to(self, size: int) -> None:
        """Seed applications until the store holds `size` of them (besides the measuring people's)."""
        from forms import store
        started, first = time.perf_counter(), self.count
        with stored_pdfs(self):
            while self.count < size:
                with store.unit_of_work(self.app):  # SEED_BATCH applications per commit while seeding
                    for _ in range(min(SEED_BATCH, size - self.count)):
                        self.seed_one(self.count)
                        self.count += 1
                if self.count % 1000 == 0:
                    rate = (self.count - first) / (time.perf_counter() - started)
                    print(f"  seeded {self.count:,} applications ({rate:.0f}/s)", flush=True)

    def seed_one(self, number: int) -> None:
        """One applicant and one application, submitted, with uploads and (mostly) a workflow action."""
        from forms import store
        from forms.casework import filling, transitions
        from forms.catalog.runtime import schemas
        from forms.identity.passwords import hash_password
        from forms.views.applicant.submission import services_for
        app = self.app
        with app.test_request_context("/"), store.unit_of_work(app):
            account = store.add_account(username=f"pemohon{number}", password_hash=self.password_hash(hash_password),
                                        name=f"Pemohon {number}", roles=["pemohon"], email=f"p{number}@contoh.id",
                                        phone=f"+6281{number:09d}", nik=nik_for(number) if number < 10000
                                        else f"140101{1 + number // 10000:02d}0190{number % 10000:04d}", profile=PROFILE)
            g.account = account
            record = store.create_submission(self.template["form_id"], self.template["form_version"],
                                             f"account:{account.id}", self.template["procedure"])
            answers = varied(self.template["answers"], number)
            store.save_answers(record, answers, copy.deepcopy(self.template["derived"]), list(self.template["validated"]))
            form = schemas().get(record.form_id, record.form_version)
            filling.submit_draft(form, record, services_for(record), "http://localhost")
            run_due()  # the issuing and printing jobs a worker would run next
            for document in store.documents_of(record.id):
                self.act_on(document, account, number, transitions)

    def act_on(self, document, account, number: int, transitions) -> None:
        """Uploads and a workflow action for most documents (60 % sent for verification)."""
        codes = [item["kode"] for item in transitions.requirements(document)]
        chosen = codes if number % 5 < 3 else codes[:2]
        for code in chosen:
            document = transitions.upload(document, code, SCAN, f"{code}.pdf", account)
        if number % 5 < 3:
            transitions.transition(document, "ajukan_verifikasi", account)

    def password_hash(self, hasher) -> str:
        if not hasattr(self, "_hash"):
            self._hash = hasher(PASSWORD)
        return self._hash

    # --- measuring -----------------------------------------------------------------------------

    def measure(self) -> dict[str, float]:
        """Every request of the table, CPU p50 in ms, plus start-up seconds and RSS."""
        self.enlist()
        self.own_submitted = self.submit_with_client("siti", self.fresh_draft("siti"))
        with self.app.app_context():
            run_due()  # issued, as the submissions the API read measures usually are
        figures = {}
        figures["API read of a submission by id"] = p50(self.repeat(self.api_read))
        figures["applicant home /beranda"] = p50(self.repeat(lambda: self.get("siti", "/beranda")))
        figures["officer inbox"] = p50(self.repeat(lambda: self.get("vera", "/petugas/")))
        figures["wizard step save"] = p50(self.step_saves())
        submitted, submits = self.submits()
        figures["submit (request)"] = p50(submits)
        jobs = self.jobs()
        figures["issuing job (numbers, documents)"] = p50(jobs["submit"])
        figures["print job: Sertifikat Standar PDF"] = p50(jobs["print:issued_documents"])
        figures["print job: NIB PDF (owner's KBLI list)"] = p50(jobs["print:owner_numbers"])
        uploads, documents = self.uploads(submitted)
        figures["requirement upload"] = p50(uploads)
        figures["status transition"] = p50(self.transitions(documents))
        seconds, rss = self.restart()
        figures["start-up (s, fresh process)"] = seconds
        figures["RSS after start-up (MB)"] = rss
        return figures

    def repeat(self, call) -> list[float]:
        call()  # warm
        return [cpu(call) for _ in range(self.samples)]

    def get(self, username: str, path: str):
        response = self.clients[username].get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def api_read(self) -> None:
        response = self.clients["siti"].get(f"/api/v1/submissions/{self.own_submitted}",
                                            headers={"Authorization": f"Bearer {self.api_token}"})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    def step_saves(self) -> list[float]:
        draft = self.fresh_draft("siti")
        client = self.clients["siti"]
        samples = []
        for index in range(self.samples + 1):
            page = client.get(f"/isian/{draft}/langkah/data_pelaku")
            text = page.get_data(as_text=True)
            data = {"csrf_token": CSRF.search(text).group(1), "_version": VERSION.search(text).group(1),
                    "_action": "save", "npwp": self.people_nik("siti"), "email": f"siti{index}@contoh.id"}
            seconds = cpu(lambda draft=draft, data=data: client.post(f"/isian/{draft}/langkah/data_pelaku", data=data))
            samples += [seconds] if index else []
        return samples

    def submits(self) -> tuple[list[str], list[float]]:
        drafts = [self.fresh_draft("budi") for _ in range(self.samples)]
        samples = [cpu(lambda d=draft: self.submit_with_client("budi", d)) for draft in drafts]
        return drafts, samples

    def jobs(self) -> dict[str, list[float]]:
        """Run the measured submits' jobs one by one, as a worker does (PDFs in its thread); CPU of each, by kind."""
        from forms.casework.jobs import FIRST_KINDS, lease, run_claimed, worker_name
        from forms.store import claim_job, utcnow
        samples: dict[str, list[float]] = {"submit": [], "print:issued_documents": [], "print:owner_numbers": []}
        with self.app.app_context():
            while (job := claim_job(worker_name(), utcnow(), lease(), first=FIRST_KINDS)) is not None:
                # a print job's key names what it prints: print:<submission>:<collection>:<id>
                kind = f"print:{job.key.split(':')[2]}" if job.kind == "print" else job.kind
                samples.setdefault(kind, []).append(cpu(lambda job=job: run_claimed(job)))
        return samples

    def uploads(self, submitted: list[str]) -> tuple[list[float], list]:
        from forms import store
        from forms.casework import transitions
        samples, documents = [], []
        client = self.clients["budi"]
        with self.app.app_context():
            for submission_id in submitted:
                documents += store.documents_of(submission_id)
            plan = [(document, item["kode"]) for document in documents for item in transitions.requirements(document)]
        for document, code in plan:
            page = client.get(f"/dokumen/{document.id}")
            data = {"csrf_token": token(page), "berkas": (io_bytes(SCAN), f"{code}.pdf")}
            samples.append(cpu(lambda document=document, code=code, data=data: client.post(
                f"/dokumen/{document.id}/unggah/{code}", data=data,
                                                   content_type="multipart/form-data")))
        return samples, documents

    def transitions(self, documents: list) -> list[float]:
        client = self.clients["budi"]
        samples = []
        for document in documents:
            page = client.get(f"/dokumen/{document.id}")
            text = page.get_data(as_text=True)
            version = VERSION.search(text)
            data = {"csrf_token": token(page), "catatan": "", "_version": version.group(1) if version else ""}
            samples.append(cpu(lambda document=document, data=data: client.post(
                f"/dokumen/{document.id}/aksi/ajukan_verifikasi", data=data)))
        return samples

    def restart(self) -> tuple[float, float]:
        """Close the store, time a fresh process opening it, open it again here."""
        from forms.store import close_store
        close_store(self.app)
        try:
            return startup(self.folder)
        finally:
            self.app = create_app(settings(self.folder))
            for name in self.clients:
                self.clients[name].application = self.app

    def close(self) -> None:
        from forms.store import close_store
        close_store(self.app)


def io_bytes(data: bytes) -> io.BytesIO:
    """A fresh file object for one upload."""
    return io.BytesIO(data)


def varied(answers: dict, number: int) -> dict:
    """The template's answers with this application's own business name and e-mail."""
    changed = copy.deepcopy(answers)
    for row in (changed.get("detail_usaha") or {}).get("detail") or []:
        row["nama_usaha"] = f"Usaha {number}"
    if "data_pelaku" in changed:
        changed["data_pelaku"]["email"] = f"p{number}@contoh.id"
    return changed


SEED_BATCH = 10


class stored_pdfs:
    """While seeding: the first PDF rendered (and signed) per template is stored again for later documents (and its QR)."""

    def __init__(self, bench: Bench):
        self.bench = bench

    def __enter__(self):
        from forms.printing import issue
        self.make, self.qr = issue.make_signed_pdf, issue.qr_png
        cache = self.bench.pdfs

        def make(html, path, texts):
            if path not in cache:
                cache[path] = self.make(html, path, texts)
            return cache[path]

        def qr(text, spec, made=[]):  # noqa: B006 (the one QR image, made once: the stored PDF already holds one)
            if not made:
                made.append(self.qr(text, spec))
            return made[0]

        issue.make_signed_pdf, issue.qr_png = make, qr
        return self

    def __exit__(self, *_exc):
        from forms.printing import issue
        issue.make_signed_pdf, issue.qr_png = self.make, self.qr


def template_steps(nik: str) -> list[tuple[str, dict]]:
    """The steps of one Permohonan Baru for KBLI 11052 (a micro business, medium-high risk)."""
    detail = {"nama_usaha": "Usaha Maju", "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011",
              "alamat_usaha": "Jl. Pahlawan 5", "koordinat": "0.3312, 101.0251", "status_lahan": "sewa",
              "luas_lahan": "120", "satuan_luas": "m2", "modal_tanah": "0", "modal_bangunan": "0",
              "modal_mesin": "Rp150.000.000", "modal_lain": "0", "modal_kerja": "50.000.000", "tenaga_laki": "2",
              "tenaga_perempuan": "3"}
    return [
        ("data_pelaku", {"npwp": nik, "email": "siti@contoh.id"}),
        ("bidang_usaha", {"kegiatan-count": "1", "kegiatan-0-kbli": "11052", "kegiatan-0-uraian_kegiatan": "Air minum"}),
        ("detail_usaha", {f"detail-0-{name}": value for name, value in detail.items()}),
        ("produk", {"daftar_produk-count": "1", "daftar_produk-0-kbli_produk": "11052",
                    "daftar_produk-0-nama_produk": "Air minum isi ulang", "daftar_produk-0-kapasitas_produk": "1000",
                    "daftar_produk-0-satuan_produk": "unit/tahun"}),
        ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
        ("lingkungan", {"pernyataan_sppl": "1"}),
        ("pernyataan", {"pernyataan_data": "1", "pernyataan_tata_ruang": "1", "pernyataan_standar": "1"}),
        ("draf", {}),
    ]

