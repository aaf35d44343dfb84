"""The tests' TLS trust: one certificate of their own, that no server anywhere presents.

Every httpx client (each `httpx.get` a test makes, each client the Teams SDK or the app makes)
builds a TLS context from certifi's bundle of about 150 authorities: about 40 ms of CPU each,
thousands of times in a run. The tests speak plain HTTP to 127.0.0.1 only, so they and the
processes they start trust a bundle of one certificate instead (SSL_CERT_FILE, which httpx and
OpenSSL read): a context costs next to nothing, and no test could complete a TLS handshake
with a real server even by mistake.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def write_lone_authority(path: Path) -> Path:
    """A self-signed CA certificate (its key thrown away) written to `path` in PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Review Watch tests: trusts no server")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path
