"""The office's electronic signature on printouts (PAdES, pyHanko) and the check of an uploaded copy.

The key and certificate come from SIGNING_KEY / SIGNING_CERT (PEM files, the certificate file may
carry its chain after it). Where none are configured, a self-signed office certificate is made once
into the instance folder and its SHA-256 fingerprint is printed, so a fresh machine signs at once
and the fingerprint can be compared with the one on the verification page. Several server nodes must
share one configured key: each node would otherwise make its own.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask import Flask
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from forms.engine.text import gettext
from forms.printing.render import PrintoutError

KEY_FILE, CERT_FILE = "office-key.pem", "office-cert.pem"
FIELD_NAME = "TandaTanganElektronik"
_lock = threading.Lock()


class CachedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the key parsed once: it re-parses (and re-checks an RSA key) per signature."""

    def __init__(self, private_key: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the cached key for RSA PKCS#1 v1.5 and ECDSA; anything else the usual way."""
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            return super().sign_raw(data, digest_algorithm)
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            return self.private_key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class OfficeSigner:
    """The loaded signing key and certificate, and what the verification page may show of them."""

    signer: CachedKeySigner
    certificate: asn1_x509.Certificate
    fingerprint: str
    subject: str
    reserve: int  # hex digits kept for the CMS signature, so pyHanko need not make a trial signature to size it


@dataclass(frozen=True)
class SignatureCheck:
    """The result of checking a PDF's signature against the office certificate."""

    valid: bool
    problem: str = ""
    signed_at: datetime | None = None


def office_signer(app: Flask) -> OfficeSigner:
    """The app's signer, loaded (or first created) on first use and then kept."""
    signer = app.extensions.get("loket.signer")
    if signer is None:
        with _lock:
            signer = app.extensions.get("loket.signer")
            if signer is None:
                signer = app.extensions["loket.signer"] = load_signer(*credential_paths(app))
    return signer


def credential_paths(app: Flask) -> tuple[Path, Path, bytes | None]:
    """(key, certificate, password) from the configuration, else the instance's own pair, made if missing."""
    password = app.config.get("SIGNING_KEY_PASSWORD") or None
    password = password.encode() if password else None
    if app.config.get("SIGNING_KEY") or app.config.get("SIGNING_CERT"):
        if not (app.config.get("SIGNING_KEY") and app.config.get("SIGNING_CERT")):
            raise PrintoutError("SIGNING_KEY and SIGNING_CERT must be set together.")
        return Path(app.config["SIGNING_KEY"]), Path(app.config["SIGNING_CERT"]), password
    folder = Path(app.instance_path) / "signing"
    if not (folder / CERT_FILE).exists():
        names = app.extensions["loket.printouts"].data["signature"]
        create_office_certificate(folder, names["common_name"], names["organization"])
    return folder / KEY_FILE, folder / CERT_FILE, None


def create_office_certificate(folder: Path, common_name: str, organization: str) -> None:
    """Make a self-signed RSA-3072 signing certificate (10 years) into folder, atomically; print its fingerprint."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    certificate = self_signed_certificate(key, common_name, organization)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=folder.parent))
    descriptor = os.open(staging / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    (staging / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    try:
        staging.rename(folder)  # fails if another process made the folder first: theirs is used
    except OSError:
        for name in (KEY_FILE, CERT_FILE):
            (staging / name).unlink()
        staging.rmdir()
        return
    fingerprint = format_fingerprint(certificate.fingerprint(hashes.SHA256()))
    print(f"Sertifikat tanda tangan kantor dibuat di {folder / CERT_FILE}; SHA-256: {fingerprint}",
          file=sys.stderr, flush=True)


def self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str, organization: str) -> x509.Certificate:
    """A certificate for document signing (digital signature + non-repudiation), signed by its own key."""
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))


def load_signer(key_path: Path, cert_path: Path, password: bytes | None) -> OfficeSigner:
    """Read the key and certificate (chain) files into a signer; PrintoutError naming the file on failure."""
    try:
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
        chain = x509.load_pem_x509_certificates(cert_path.read_bytes())
    except (OSError, ValueError, TypeError) as error:
        raise PrintoutError(f"Kunci/sertifikat tanda tangan tidak dapat dibaca ({key_path}, {cert_path}): {error}") \
            from error
    certificates = [asn1_x509.Certificate.load(item.public_bytes(serialization.Encoding.DER)) for item in chain]
    key_info = asn1_keys.PrivateKeyInfo.load(private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = CachedKeySigner(private_key, signing_cert=certificates[0], signing_key=key_info,
                             cert_registry=SimpleCertificateStore.from_certs(certificates[1:]))
    return OfficeSigner(signer=signer, certificate=certificates[0],
                        fingerprint=format_fingerprint(chain[0].fingerprint(hashes.SHA256())),
                        subject=chain[0].subject.rfc4514_string(),
                        reserve=2 * (sum(len(item.dump()) for item in certificates) + 4096))


def format_fingerprint(digest: bytes) -> str:
    """A fingerprint as people compare it: 'AB:CD:…'."""
    return ":".join(f"{byte:02X}" for byte in digest)


def sign_pdf(office: OfficeSigner, pdf: bytes, texts: Mapping[str, str]) -> bytes:
    """The PDF with an invisible PAdES signature of the office appended (an incremental update)."""
    metadata = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=texts["reason"],
                                            location=texts["location"])
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        signer = signers.PdfSigner(metadata, signer=office.signer)
        return outside_event_loop(lambda: signer.sign_pdf(writer, bytes_reserved=office.reserve)).getvalue()
    except (PdfError, SigningError, ValueError) as error:
        raise PrintoutError(f"PDF tidak dapat ditandatangani: {error}") from error


def check_signature(office: OfficeSigner, pdf: bytes) -> SignatureCheck:
    """Whether the PDF carries an intact signature by the office certificate covering the whole file."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return SignatureCheck(False, gettext("Berkas bukan PDF yang dapat dibaca."))
    if not signatures:
        return SignatureCheck(False, gettext("Berkas tidak memuat tanda tangan elektronik."))
    try:
        context = ValidationContext(trust_roots=[office.certificate])
        status = outside_event_loop(lambda: validate_pdf_signature(signatures[-1], context))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as error:
        return SignatureCheck(False, gettext("Tanda tangan tidak dapat diperiksa: %(error)s", error=error))
    if not (status.intact and status.valid):
        return SignatureCheck(False, gettext("Isi berkas sudah berubah setelah ditandatangani."))
    if not status.trusted or status.signing_cert.sha256 != office.certificate.sha256:
        return SignatureCheck(False, gettext("Tanda tangan bukan dari sertifikat kantor ini."))
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, gettext("Ada tambahan pada berkas setelah ditandatangani."))
    return SignatureCheck(True, signed_at=status.signer_reported_dt)


def outside_event_loop(function: Callable[[], Any]) -> Any:
    """Call pyHanko's synchronous API, which runs asyncio.run(), even where this thread already runs an
    event loop (an async server, or Playwright's sync API in the tests): then in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of bytes, as stored with every file."""
    return hashlib.sha256(data).hexdigest()
