"""``aws login`` (console) credentials: a profile's ``login_session``.

As botocore's ``LoginProvider`` / ``LoginCredentialFetcher`` (``credentials.py``) and
``LoginTokenLoader`` (``utils.py``), and the AWS CLI v2 ``aws login`` that writes the
cache (``awscli/customizations/login/utils.py``):

* the cache is ``<dir>/<sha256 of the login_session>.json``, ``<dir>`` being
  ``AWS_LOGIN_CACHE_DIRECTORY`` (``~`` and variables expanded) or
  ``~/.aws/login/cache``; it holds ``accessToken`` (``accessKeyId``,
  ``secretAccessKey``, ``sessionToken``, ``accountId``, ``expiresAt``), ``clientId``,
  ``refreshToken``, ``idToken`` and ``dpopKey`` (a PEM ``EC PRIVATE KEY``, P-256);
* the file is read afresh on every load (another process may have refreshed it); its
  credentials are used while more than 5 minutes are left;
* otherwise they are refreshed: AWS Sign-In ``CreateOAuth2Token`` (``POST /v1/token``
  on ``https://{region}.signin.aws.amazon.com``, the region being the token's
  ``signInRegion`` or the configured one; JSON ``{"clientId", "grantType":
  "refresh_token", "refreshToken"}``, unsigned) with a ``DPoP`` header: an ES256 JWT
  (RFC 9449) signed with the cached key, carrying its public key. The new
  credentials and refresh token are written back. Signing needs ``cryptography``
  (``pip install 'sagemaker-stop[login]'``), imported only here, only to refresh.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from typing import Any, Optional

from .._effects import Flow, HttpRequest
from .._endpoints import signin_endpoint
from .._settings import Profile, env_get, expand_path
from ..errors import ConfigurationError, CredentialsError
from ._context import Context
from ._types import Credentials
from ._util import parse_expiration, read_json_cache, utc_stamp, write_json_cache
from ._wire import TIMEOUTS, json_body, rest_json_error, send_with_retries

#: botocore's LoginCredentialFetcher._REFRESH_THRESHOLD.
REFRESH_THRESHOLD = 5 * 60.0
_REQUIRED = ("accessToken", "refreshToken", "dpopKey", "clientId")
_KEYS = ("accessKeyId", "secretAccessKey", "sessionToken")


def cache_path(context: Context, session: str) -> str:
    folder = env_get(context.environ, "AWS_LOGIN_CACHE_DIRECTORY")
    if folder is None:
        folder = os.path.join(context.home, ".aws", "login", "cache")
    else:
        folder = expand_path(folder, context.environ, context.home)
    return os.path.join(folder, hashlib.sha256(session.encode("utf-8")).hexdigest() + ".json")


def _credentials(token: dict[str, Any], what: str) -> Credentials:
    access = token.get("accessToken")
    if not isinstance(access, dict):
        raise CredentialsError(f"{what}: the cached login token has no accessToken object")
    missing = [key for key in _KEYS if not isinstance(access.get(key), str) or not access[key]]
    if missing:
        raise CredentialsError(f"{what}: the cached login token lacks {', '.join(missing)}")
    return Credentials(
        access_key_id=access["accessKeyId"],
        secret_access_key=access["secretAccessKey"],
        session_token=access["sessionToken"],
        expiration=parse_expiration(access.get("expiresAt"), what),
        source="login",
    )


def _again(profile: str) -> str:
    return f"run 'aws login --profile {profile}' again"


def _load(context: Context, profile: Profile, session: str, what: str) -> dict[str, Any]:
    token = read_json_cache(cache_path(context, session), what)
    if token is None:
        raise CredentialsError(
            f"{what}: no login session is cached for {session} (looked for "
            f"{cache_path(context, session)}); {_again(profile.name)}"
        )
    missing = [key for key in _REQUIRED if key not in token]
    if missing:
        raise CredentialsError(
            f"{what}: the cached login token lacks {', '.join(missing)}; {_again(profile.name)}"
        )
    return token


def login_credentials(context: Context, profile: Profile) -> Flow[Credentials]:
    """The credentials of an ``aws login`` profile, refreshed when close to expiry."""
    session = profile.get("login_session") or ""
    what = f"profile {profile.name!r} (aws login session)"
    token = _load(context, profile, session, what)
    creds = _credentials(token, what)
    expires = creds.expiry_timestamp()
    if expires is not None and expires - context.clock() > REFRESH_THRESHOLD:
        return creds
    fresh = yield from _refresh(context, profile, token, what)
    write_json_cache(cache_path(context, session), fresh)
    return _credentials(fresh, what)


def _private_key(pem: Any, what: str) -> Any:
    try:
        from cryptography.hazmat.primitives.serialization import load_der_private_key
    except ImportError:
        return None
    lines = str(pem).splitlines()
    body = "".join(line for line in lines if not line.startswith("-----")).strip()
    try:
        return load_der_private_key(base64.b64decode(body), password=None)
    except (ValueError, TypeError):
        raise CredentialsError(f"{what}: the cached dpopKey is not a valid private key") from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def dpop_proof(key: Any, url: str, now: float, jti: Optional[str] = None) -> str:
    """The ``DPoP`` header: botocore's ``_build_dpop_header`` (the same JSON member
    order), signed with ``cryptography`` instead of awscrt."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "crv": "P-256",
    }
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}
    payload = {"htm": "POST", "htu": url, "iat": int(now), "jti": jti or str(uuid.uuid4())}
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64url(json.dumps(payload, separators=(",", ":")).encode())
    )
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _token_url(context: Context, token: dict[str, Any], what: str) -> str:
    base = context.endpoint_url("signin")
    if base is None:
        region = token.get("signInRegion") or context.region
        if not isinstance(region, str) or not region:
            raise ConfigurationError(
                f"{what}: no region to refresh the login session in: set AWS_REGION or "
                "the profile's region"
            )
        base = signin_endpoint(
            region, use_fips=context.use_fips, use_dualstack=context.use_dualstack
        )
    return base.rstrip("/") + "/v1/token"


def _refresh(
    context: Context, profile: Profile, token: dict[str, Any], what: str
) -> Flow[dict[str, Any]]:
    key = _private_key(token["dpopKey"], what)
    if key is None:
        raise CredentialsError(
            f"{what}: the cached credentials have expired; {_again(profile.name)}, or "
            "install the 'login' extra (pip install 'sagemaker-stop[login]') to refresh "
            "them automatically"
        )
    url = _token_url(context, token, what)
    body = json.dumps(
        {
            "clientId": token["clientId"],
            "grantType": "refresh_token",
            "refreshToken": token["refreshToken"],
        }
    ).encode()

    def build() -> HttpRequest:  # a fresh proof (jti, iat) for every attempt
        headers = (
            ("Content-Type", "application/json"),
            ("DPoP", dpop_proof(key, url, context.clock())),
        )
        return HttpRequest("POST", url, headers, body, timeouts=TIMEOUTS)

    response = yield from send_with_retries(
        build,
        what=what,
        service="AWS Sign-In",
        error_code=lambda answer: rest_json_error(answer)[0],
        transient_codes=frozenset({"TooManyRequestsError"}),
    )
    if response.status != 200:
        raise _refusal(response, profile, what)
    output = json_body(response, what)
    access = output.get("accessToken")
    expires_in = output.get("expiresIn")
    if (
        not isinstance(access, dict)
        or not isinstance(expires_in, int)
        or not isinstance(output.get("refreshToken"), str)
    ):
        raise CredentialsError(
            f"{what}: AWS Sign-In answered without accessToken, expiresIn or refreshToken; "
            f"{_again(profile.name)}"
        )
    old = token["accessToken"] if isinstance(token["accessToken"], dict) else {}
    # Exactly what botocore's LoginCredentialFetcher.refresh_credentials writes back.
    fresh = dict(token)
    fresh["accessToken"] = {
        "accessKeyId": access.get("accessKeyId"),
        "secretAccessKey": access.get("secretAccessKey"),
        "sessionToken": access.get("sessionToken"),
        "accountId": old.get("accountId"),
        "expiresAt": utc_stamp(context.clock() + expires_in),
    }
    fresh["refreshToken"] = output["refreshToken"]
    return fresh


def _refusal(response: Any, profile: Profile, what: str) -> CredentialsError:
    """botocore's errors for ``AccessDeniedException``: its ``error`` member says why."""
    code, message = rest_json_error(response)
    try:
        reason = json.loads(response.body.decode("utf-8")).get("error")
    except (UnicodeDecodeError, ValueError, AttributeError):
        reason = None
    if reason in ("TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED"):
        text = f"your session has expired or your credentials have changed; {_again(profile.name)}"
    elif reason == "INSUFFICIENT_PERMISSIONS":
        text = (
            "refreshing needs permission for the 'signin:CreateOAuth2Token' action, "
            "which is missing"
        )
    else:
        detail = f"{code}: {message}" if code and message else code or "no error code"
        text = f"refreshing failed with HTTP {response.status} ({detail[:300]}); " + _again(
            profile.name
        )
    return CredentialsError(
        f"{what}: {text}", code=code or "CredentialsError", http_status=response.status
    )
