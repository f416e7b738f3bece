"""A throwaway certificate authority and a server certificate for ``127.0.0.1``, made at
run time (``cryptography``, in the ``test`` and ``bench`` extras), so the stub can serve
https and the measured clients verify it through ``AWS_CA_BUNDLE``, as they would a
corporate CA.  The bundle is the public store (certifi's, what httpx trusts by default)
with that CA appended, as a corporate bundle is: loading it costs what loading the
default store costs (~20-30 ms), not what one certificate would.  Nothing here is ever
trusted beyond one benchmark run's temporary directory."""

from __future__ import annotations

import datetime
import ipaddress
import os


def make_certificates(directory: str) -> tuple[str, str, str]:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` into ``directory``; returns
    their paths (CA bundle, certificate chain, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sagemaker-stop bench CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = tuple(os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key"))
    pem = serialization.Encoding.PEM
    import certifi

    with open(certifi.where(), "rb") as public, open(paths[0], "wb") as handle:
        handle.write(public.read().rstrip() + b"\n" + ca.public_bytes(pem))
    with open(paths[1], "wb") as handle:
        handle.write(server.public_bytes(pem))
    with open(paths[2], "wb") as handle:
        handle.write(
            key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return paths[0], paths[1], paths[2]


if __name__ == "__main__":
    import sys

    make_certificates(sys.argv[1])
