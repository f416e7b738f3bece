"""An independent AWS Signature Version 4 verifier (standard library only).

This deliberately does not use botocore: it recomputes the canonical request, the
string to sign and the signing key from the raw HTTP request with :mod:`hashlib` and
:mod:`hmac`, so a signing bug in a client cannot hide behind a shared implementation.

Its error messages have AWS's shapes (the canonical request and string to sign of a
signature mismatch; the ``Authorization`` header echoed by ``IncompleteSignature``),
with one deliberate difference: the session token and the signature in them are
``<redacted>`` (``sagemaker_stop._redact``), where AWS sends them in full.  The
unredacted canonical request and string to sign stay on :class:`AuthResult` for tests.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Optional
from urllib.parse import quote, unquote

from .._redact import redact

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 300
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."


class Credentials(NamedTuple):
    """A credential set the emulator accepts."""

    access_key_id: str
    secret_access_key: str
    session_token: Optional[str] = None


@dataclass(frozen=True)
class AuthResult:
    """The outcome of verifying one request.

    ``ok`` is true when the signature verified; otherwise ``status``, ``code`` and
    ``message`` hold the error the emulator answered with.
    """

    ok: bool
    status: int = 200
    code: Optional[str] = None
    message: Optional[str] = None
    access_key_id: Optional[str] = None
    signed_headers: tuple[str, ...] = ()
    canonical_request: Optional[str] = None
    string_to_sign: Optional[str] = None


def format_amz_date(epoch: float) -> str:
    return time.strftime(AMZ_DATE_FORMAT, time.gmtime(epoch))


def parse_amz_date(value: str) -> Optional[float]:
    try:
        parsed = time.strptime(value, AMZ_DATE_FORMAT)
    except ValueError:
        return None
    return float(calendar.timegm(parsed))


def _fail(
    status: int,
    code: str,
    message: str,
    access_key_id: Optional[str] = None,
    signed_headers: tuple[str, ...] = (),
) -> AuthResult:
    return AuthResult(
        ok=False,
        status=status,
        code=code,
        message=redact(message),
        access_key_id=access_key_id,
        signed_headers=signed_headers,
    )


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def canonical_uri(path: str) -> str:
    return quote(path or "/", safe="/~")


def canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append(
            (
                quote(unquote(key.replace("+", " ")), safe="-_.~"),
                quote(unquote(value.replace("+", " ")), safe="-_.~"),
            )
        )
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def _header_values(headers: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name]


def canonical_headers(headers: Sequence[tuple[str, str]], signed: Sequence[str]) -> str:
    lines = []
    for name in signed:
        values = [" ".join(v.split()) for v in _header_values(headers, name)]
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def parse_authorization(value: str) -> tuple[Optional[dict[str, str]], Optional[str]]:
    """Split an ``Authorization`` header into its parameters, or explain what is wrong."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        return None, f"Unsupported AWS 'algorithm': '{algorithm}'"
    params: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            params[key.strip()] = val.strip()
    missing = [p for p in ("Credential", "SignedHeaders", "Signature") if not params.get(p)]
    if missing:
        msg = " ".join(f"Authorization header requires '{p}' parameter." for p in missing)
        return None, f"{msg} Authorization={value}"
    return params, None


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    credentials: Mapping[str, Credentials],
    region: str,
    service: str,
    now: float,
) -> AuthResult:
    """Verify a SigV4 ``Authorization`` header the way AWS does."""
    auth_values = _header_values(headers, "authorization")
    if not auth_values:
        return _fail(403, "MissingAuthenticationToken", "Missing Authentication Token")
    if len(auth_values) > 1:
        return _fail(400, "IncompleteSignature", "Multiple Authorization headers.")
    auth = auth_values[0]
    params, problem = parse_authorization(auth)
    if params is None:
        return _fail(400, "IncompleteSignature", problem or "Malformed Authorization header.")
    scope_parts = params["Credential"].split("/")
    if len(scope_parts) != 5:
        return _fail(
            400,
            "IncompleteSignature",
            f"Credential should have exactly five slash-separated parts, not "
            f"'{params['Credential']}'. Authorization={auth}",
        )
    access_key, scope_date, scope_region, scope_service, terminator = scope_parts
    signed = tuple(params["SignedHeaders"].split(";"))

    dates = _header_values(headers, "x-amz-date")
    if not dates:
        return _fail(
            400,
            "IncompleteSignature",
            "Authorization header requires existence of either a 'X-Amz-Date' or a "
            f"'Date' header. Authorization={auth}",
        )
    amz_date = dates[0].strip()
    request_time = parse_amz_date(amz_date)
    if request_time is None:
        return _fail(
            400,
            "IncompleteSignature",
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
        )

    creds = credentials.get(access_key)
    if creds is None:
        return _fail(403, "UnrecognizedClientException", INVALID_TOKEN, access_key, signed)
    tokens = _header_values(headers, "x-amz-security-token")
    token = tokens[0].strip() if tokens else None
    if token != creds.session_token:
        return _fail(403, "UnrecognizedClientException", INVALID_TOKEN, access_key, signed)

    if request_time < now - MAX_SKEW_SECONDS:
        return _fail(
            400,
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than "
            f"{format_amz_date(now - MAX_SKEW_SECONDS)} ({format_amz_date(now)} - 5 min.)",
            access_key,
            signed,
        )
    if request_time > now + MAX_SKEW_SECONDS:
        return _fail(
            400,
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than "
            f"{format_amz_date(now + MAX_SKEW_SECONDS)} ({format_amz_date(now)} + 5 min.)",
            access_key,
            signed,
        )

    if scope_date != amz_date[:8]:
        return _fail(
            403,
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            f"date from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
            access_key,
            signed,
        )
    if scope_region != region:
        return _fail(
            403,
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{scope_region}'. ",
            access_key,
            signed,
        )
    if scope_service != service:
        return _fail(
            403,
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{service}'. ",
            access_key,
            signed,
        )
    if terminator != "aws4_request":
        return _fail(
            403,
            "InvalidSignatureException",
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'. ",
            access_key,
            signed,
        )
    if "host" not in signed:
        return _fail(
            403,
            "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            access_key,
            signed,
        )

    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers(headers, signed),
            params["SignedHeaders"],
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{scope_date}/{scope_region}/{scope_service}/{terminator}"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    key = signing_key(creds.secret_access_key, scope_date, scope_region, scope_service)
    expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected.encode("ascii"), params["Signature"].encode("utf-8"))
    return AuthResult(
        ok=ok,
        status=200 if ok else 403,
        code=None if ok else "InvalidSignatureException",
        message=None
        if ok
        else redact(
            f"{SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have "
            f"been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n"
            f"'{string_to_sign}'\n",
            (token,),
        ),
        access_key_id=access_key,
        signed_headers=signed,
        canonical_request=canonical_request,
        string_to_sign=string_to_sign,
    )
