"""``ca_bundle=`` / ``AWS_CA_BUNDLE`` / the profile's ``ca_bundle``: a corporate
TLS-inspecting proxy's CA, trusted for every https call (SageMaker and the credential
services), against loopback TLS servers whose certificate a private CA signed."""

from __future__ import annotations

import datetime as _dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sagemaker_stop._config import resolve_config
from sagemaker_stop.errors import ConfigurationError, SageMakerConnectionError

from ..config.test_providers import SECRET, sts_ok
from ..conftest import ARN
from ..loopback import ACCESS_KEY, SECRET_KEY, Credentials, Loopback, WireServer

cryptography = pytest.importorskip("cryptography")


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA (ca.pem) and a server certificate for 127.0.0.1 it signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = _dt.datetime.now(_dt.timezone.utc)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("sagemaker-stop test CA"))
        .issuer_name(name("sagemaker-stop test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(pem))
    cert_file.write_bytes(leaf.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    ca_file, cert_file, key_file = _certificates(tmp_path_factory.mktemp("pki"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_file), str(key_file))
    return ca_file, context


def tls(server: Any, context: ssl.SSLContext) -> str:
    """Serve ``server`` over TLS; its https URL."""
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    return f"https://127.0.0.1:{server.port}"


@pytest.fixture
def tls_wire(pki: tuple[Path, ssl.SSLContext]) -> Iterator[tuple[WireServer, str]]:
    server = WireServer(
        credentials=(Credentials(ACCESS_KEY, SECRET_KEY), Credentials("STSKEY", SECRET, "STSTOKEN"))
    )
    url = tls(server, pki[1])
    with server:
        yield server, url


def test_ca_bundle_argument_trusts_the_private_ca(
    make_client: Any, tls_wire: tuple[WireServer, str], pki: tuple[Path, ssl.SSLContext]
) -> None:
    server, url = tls_wire
    client = make_client(endpoint_url=url, ca_bundle=str(pki[0]))
    assert client.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN
    assert server.requests[0].auth.ok


def test_without_the_bundle_the_certificate_is_refused(
    make_client: Any, tls_wire: tuple[WireServer, str]
) -> None:
    server, url = tls_wire
    client = make_client(endpoint_url=url, max_attempts=1)
    with pytest.raises(SageMakerConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        client.stop_pipeline_execution(ARN)
    assert server.requests == []


@pytest.mark.parametrize("where", ["environment", "profile"])
def test_aws_ca_bundle_and_profile_ca_bundle(
    make_client: Any,
    tls_wire: tuple[WireServer, str],
    pki: tuple[Path, ssl.SSLContext],
    tmp_path: Path,
    where: str,
) -> None:
    _, url = tls_wire
    environ = {"HOME": str(tmp_path)}
    if where == "environment":
        environ["AWS_CA_BUNDLE"] = str(pki[0])
    else:
        (tmp_path / ".aws").mkdir()
        (tmp_path / ".aws" / "config").write_text(f"[default]\nca_bundle = {pki[0]}\n")
    client = make_client(endpoint_url=url, environ=environ)
    assert client.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN
    expected = "environment variable AWS_CA_BUNDLE" if where == "environment" else "[default] ca_bundle"
    assert expected in client.client.config.source_of("ca_bundle")


def test_credential_services_use_the_bundle_too(
    make_client: Any,
    tls_wire: tuple[WireServer, str],
    pki: tuple[Path, ssl.SSLContext],
    tmp_path: Path,
) -> None:
    """Web identity credentials from an https STS behind the same private CA."""
    _, url = tls_wire
    sts = Loopback(lambda seen: sts_ok("AssumeRoleWithWebIdentity"))
    sts_url = tls(sts, pki[1])
    token = tmp_path / "token"
    token.write_text("eyJ.web.token")
    environ = {
        "HOME": str(tmp_path),
        "AWS_CA_BUNDLE": str(pki[0]),
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
        "AWS_ENDPOINT_URL_STS": sts_url,
    }
    with sts:
        client = make_client(endpoint_url=url, environ=environ, credentials=None)
        assert client.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN
    assert len(sts.seen) == 1


def test_a_missing_bundle_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigurationError, match=f"{missing} \\(from environment variable AWS_CA_BUNDLE\\)"):
        resolve_config(region="us-east-1", environ={"AWS_CA_BUNDLE": str(missing)}, home=str(tmp_path))
    with pytest.raises(ConfigurationError, match="from argument ca_bundle="):
        resolve_config(region="us-east-1", ca_bundle=str(missing), environ={}, home=str(tmp_path))


def test_one_tls_context_across_event_loops(
    tls_wire: tuple[WireServer, str],
    pki: tuple[Path, ssl.SSLContext],
    monkeypatch: pytest.MonkeyPatch,
    creds: Any,
) -> None:
    """The Lambda pattern: a module-level async client, one ``asyncio.run()`` per
    invocation.  Connections belong to each loop, but the CA bundle is loaded once (it
    took ~30 ms per invocation), and the certificate is still verified."""
    import asyncio
    import gc
    import warnings

    from sagemaker_stop import AsyncSageMakerClient, _transport

    server, url = tls_wire
    monkeypatch.setattr(_transport, "_TLS_CONTEXTS", {})
    built: list[str] = []
    create = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(str(kwargs.get("cafile")))
        return create(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    sm = AsyncSageMakerClient(
        region="us-east-1", endpoint_url=url, credentials=creds,
        ca_bundle=str(pki[0]), max_attempts=1,
    )
    unbundled = AsyncSageMakerClient(
        region="us-east-1", endpoint_url=url, credentials=creds,
        max_attempts=1,
    )

    async def invocation() -> None:
        assert (await sm.stop_pipeline_execution(ARN)).pipeline_execution_arn == ARN
        with pytest.raises(SageMakerConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            await unbundled.stop_pipeline_execution(ARN)

    other = AsyncSageMakerClient(
        region="us-east-1", endpoint_url=url, credentials=creds, ca_bundle=str(pki[0])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the dead loops' sockets
        for _ in range(3):
            asyncio.run(invocation())
        # One context per trust setting: the bundle, the default store (httpx's).
        assert len(built) == 2 and built.count(str(pki[0])) == 1
        # A new client with the same trust setting shares the context too.
        asyncio.run(other.stop_pipeline_execution(ARN))
        assert len(built) == 2
        for client in (sm, unbundled, other):
            asyncio.run(client.aclose())
        gc.collect()
    assert len(server.requests) == 4 and all(r.auth.ok for r in server.requests)
