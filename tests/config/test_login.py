"""``aws login`` profiles (``login_session``), against a loopback AWS Sign-In double that
verifies each request's DPoP proof; cache files as the AWS CLI v2 writes them
(``awscli/customizations/login/utils.py``). Includes the cross-SDK vectors
``fixtures/smithy-rs/aws-config/login-provider-test-cases.json`` (their clock:
2025-11-19T00:00:00Z)."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from sagemaker_stop._credentials._context import Context
from sagemaker_stop._credentials._login import dpop_proof
from sagemaker_stop._settings import SharedConfig
from sagemaker_stop.errors import ConfigurationError, CredentialsError

from ..loopback import Loopback, Reply, Request
from .conformance import FIXTURES
from .conftest import Drivers, Home

pytest.importorskip("cryptography")

VECTORS = json.loads((FIXTURES / "aws-config" / "login-provider-test-cases.json").read_text())
NOW = _dt.datetime(2025, 11, 19, tzinfo=_dt.timezone.utc).timestamp()
SESSION = "arn:aws:sts::012345678910:assumed-role/Admin/admin"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_dpop(proof: str, url: str, now: float) -> dict[str, Any]:
    """Check an RFC 9449 proof as the service would: ES256 over ``header.payload`` with
    the key in its own ``jwk``, ``htm``/``htu`` naming this request, a fresh ``iat``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    header_b64, payload_b64, signature_b64 = proof.split(".")
    header = json.loads(_b64url_decode(header_b64))
    payload = json.loads(_b64url_decode(payload_b64))
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    jwk = header["jwk"]
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64url_decode(jwk["x"]), "big"),
        int.from_bytes(_b64url_decode(jwk["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    raw = _b64url_decode(signature_b64)
    assert len(raw) == 64
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(signature, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    assert (payload["htm"], payload["htu"], payload["iat"]) == ("POST", url, int(now))
    assert len(payload["jti"]) == 36
    return jwk


class SignIn:
    """``POST /v1/token``: checks the proof, records the body, answers as scripted."""

    def __init__(self, server: Loopback) -> None:
        self.server = server
        self.reply = Reply(404)
        self.proof_keys: list[dict[str, Any]] = []
        server.handler = self.answer

    def answer(self, seen: Request) -> Reply:
        assert seen.path == "/v1/token" and seen.method == "POST"
        assert seen.headers["content-type"] == "application/json"
        assert "authorization" not in seen.headers  # unsigned: the proof is the auth
        self.proof_keys.append(verify_dpop(seen.headers["dpop"], self.server.url + "/v1/token", NOW))
        return self.reply


@pytest.fixture
def signin(server: Loopback) -> SignIn:
    return SignIn(server)


def setup(home: Home, cache: dict[str, Any], signin: Optional[SignIn] = None) -> tuple[dict[str, str], Path]:
    home.config(f"[profile signin]\nlogin_session = {SESSION}\nregion = us-east-1\n")
    folder = home.path / "login-cache"
    folder.mkdir(exist_ok=True)
    for name, content in cache.items():
        (folder / name).write_text(json.dumps(content))
    env = {"AWS_LOGIN_CACHE_DIRECTORY": str(folder)}
    if signin is not None:
        env["AWS_ENDPOINT_URL_SIGNIN"] = signin.server.url
    return env, folder


def cache_name() -> str:
    return hashlib.sha256(SESSION.encode()).hexdigest() + ".json"


def get(home: Home, env: dict[str, str], drivers: Drivers) -> Any:
    return home.source(env, profile="signin", clock=lambda: NOW).get_sync(drivers.run)


@pytest.mark.parametrize("case", VECTORS, ids=lambda c: c["documentation"])
def test_login_vectors(case: dict[str, Any], home: Home, drivers: Drivers, signin: SignIn) -> None:
    env, folder = setup(home, case.get("cacheContents", {}), signin)
    calls = case.get("mockApiCalls", [])
    if calls:
        call = calls[0]
        signin.reply = (
            Reply(call["responseCode"], {"error": "invalid_request", "message": "no"})
            if "responseCode" in call
            else Reply(200, call["response"]["tokenOutput"], headers={"Content-Type": "application/json"})
        )
    try:
        creds: Any = get(home, env, drivers)
    except (CredentialsError, ConfigurationError) as exc:
        creds = exc
    for outcome in case["outcomes"]:
        if outcome["result"] == "error":
            assert isinstance(creds, CredentialsError), creds
        elif outcome["result"] == "credentials":
            assert not isinstance(creds, Exception), creds
            assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
                outcome["accessKeyId"],
                outcome["secretAccessKey"],
                outcome["sessionToken"],
            )
            assert creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ") == outcome["expiresAt"]
            assert creds.source == "login"
        else:  # the cache file after the refresh, exactly
            for name, content in outcome.items():
                if name != "result":
                    assert json.loads((folder / name).read_text()) == content
    if calls and "response" in calls[0]:
        (seen,) = signin.server.seen
        assert seen.json == calls[0]["request"]["tokenInput"]


CACHED = VECTORS[-2]["cacheContents"][cache_name()]  # the expired token that refreshes


def test_a_token_refreshed_by_another_process_is_used_as_is(
    home: Home, drivers: Drivers, signin: SignIn
) -> None:
    env, folder = setup(home, {cache_name(): CACHED}, signin)
    fresh = json.loads(json.dumps(CACHED))
    fresh["accessToken"].update(accessKeyId="OTHERPROCESS", expiresAt="2025-11-19T01:00:00Z")
    (folder / cache_name()).write_text(json.dumps(fresh))
    assert get(home, env, drivers).access_key_id == "OTHERPROCESS"
    assert signin.server.seen == []


async def test_refresh_async(home: Home, drivers: Drivers, signin: SignIn) -> None:
    env, _ = setup(home, {cache_name(): CACHED}, signin)
    signin.reply = Reply(200, VECTORS[-2]["mockApiCalls"][0]["response"]["tokenOutput"])
    source = home.source(env, profile="signin", clock=lambda: NOW)
    creds = await source.get_async(drivers.run_async)
    assert creds.access_key_id == "NEWREFRESHEDKEY"


@pytest.mark.parametrize(
    ("reason", "match"),
    [
        ("TOKEN_EXPIRED", "session has expired .*run 'aws login --profile signin' again"),
        ("USER_CREDENTIALS_CHANGED", "credentials have changed"),
        ("INSUFFICIENT_PERMISSIONS", "'signin:CreateOAuth2Token'"),
    ],
)
def test_refusals_say_what_to_do(
    home: Home, drivers: Drivers, signin: SignIn, reason: str, match: str
) -> None:
    env, folder = setup(home, {cache_name(): CACHED}, signin)
    before = (folder / cache_name()).read_text()
    signin.reply = Reply(
        400, {"error": reason, "message": "denied"}, headers={"x-amzn-ErrorType": "AccessDeniedException"}
    )
    with pytest.raises(CredentialsError, match=match) as info:
        get(home, env, drivers)
    assert CACHED["refreshToken"] not in str(info.value)
    assert (folder / cache_name()).read_text() == before


def test_without_cryptography_expired_credentials_say_what_to_do(
    home: Home, drivers: Drivers, signin: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, _ = setup(home, {cache_name(): CACHED}, signin)
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.serialization", None)
    with pytest.raises(
        CredentialsError, match=r"run 'aws login --profile signin' again, or install .*sagemaker-stop\[login\]"
    ):
        get(home, env, drivers)
    assert signin.server.seen == []


def test_the_token_endpoint_follows_the_sign_in_region(home: Home) -> None:
    from sagemaker_stop._credentials._login import _token_url

    shared = SharedConfig.load({}, str(home.path))
    context = Context(environ={}, home=str(home.path), shared=shared, region="eu-west-1")
    assert _token_url(context, {}, "x") == "https://eu-west-1.signin.aws.amazon.com/v1/token"
    assert _token_url(context, {"signInRegion": "cn-north-1"}, "x") == (
        "https://cn-north-1.signin.amazonaws.cn/v1/token"
    )
    with pytest.raises(ConfigurationError, match="no region"):
        _token_url(Context(environ={}, home=str(home.path), shared=shared), {}, "x")


def test_dpop_proof_matches_botocore_layout() -> None:
    """Header and payload members in botocore's order (``_build_dpop_header``)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    proof = dpop_proof(ec.generate_private_key(ec.SECP256R1()), "https://x/v1/token", NOW, "j" * 36)
    header, payload, _ = proof.split(".")
    assert list(json.loads(_b64url_decode(header))) == ["typ", "alg", "jwk"]
    assert list(json.loads(_b64url_decode(header))["jwk"]) == ["kty", "x", "y", "crv"]
    assert json.loads(_b64url_decode(payload)) == {
        "htm": "POST", "htu": "https://x/v1/token", "iat": int(NOW), "jti": "j" * 36
    }
    verify_dpop(proof, "https://x/v1/token", NOW)
