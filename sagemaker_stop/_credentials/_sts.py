"""STS ``AssumeRoleWithWebIdentity`` (unsigned) and ``AssumeRole`` (SigV4) as flows.

Query protocol: a form-encoded POST, an XML answer. Errors arrive as
``<ErrorResponse><Error><Code>``; they become a CredentialsError naming the code.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any, Optional

from .._effects import Flow, HttpRequest, HttpResponse
from .._endpoints import sts_endpoint
from .._redact import redact
from ..errors import CredentialsError
from ._types import Credentials
from ._util import parse_expiration
from ._wire import TIMEOUTS, send_with_retries

VERSION = "2011-06-15"
_RETRYABLE_CODES = frozenset(
    {
        "IDPCommunicationError",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalFailure",
        "ServiceUnavailable",
    }
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element, *path: str) -> Optional[ET.Element]:
    current: Optional[ET.Element] = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _text(element: ET.Element, *path: str) -> Optional[str]:
    found = _find(element, *path)
    return found.text.strip() if found is not None and found.text else None


def _parse_error(body: bytes) -> tuple[Optional[str], Optional[str]]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None, None
    if _local(root.tag) == "ErrorResponse":
        return _text(root, "Error", "Code"), _text(root, "Error", "Message")
    if _local(root.tag) == "Error":
        return _text(root, "Code"), _text(root, "Message")
    return None, None


def parse_response(response: HttpResponse, action: str, what: str, source: str) -> Credentials:
    """Credentials from a successful answer; CredentialsError otherwise."""
    if response.status != 200:
        code, message = _parse_error(response.body)
        # STS's signature errors echo the canonical request, session token included.
        detail = redact(f"{code}: {message}" if code and message else code or "no error code")
        raise CredentialsError(
            f"{what}: STS {action} failed with HTTP {response.status} ({detail[:300]})",
            code=code or "CredentialsError",
            http_status=response.status,
        )
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError:
        raise CredentialsError(f"{what}: STS {action} answer is not XML") from None
    creds = _find(root, f"{action}Result", "Credentials")
    if creds is None:
        raise CredentialsError(f"{what}: STS {action} answer has no Credentials")
    access_key = _text(creds, "AccessKeyId")
    secret = _text(creds, "SecretAccessKey")
    token = _text(creds, "SessionToken")
    if not access_key or not secret or not token:
        raise CredentialsError(f"{what}: STS {action} answer lacks a key or token")
    return Credentials(
        access_key_id=access_key,
        secret_access_key=secret,
        session_token=token,
        expiration=parse_expiration(_text(creds, "Expiration"), what),
        source=source,
    )


def call(
    *,
    action: str,
    params: dict[str, str],
    region: Optional[str],
    endpoint_url: Optional[str],
    what: str,
    source: str,
    signer: Any = None,
    use_fips: bool = False,
    use_dualstack: bool = False,
) -> Flow[Credentials]:
    """POST ``Action=<action>`` to STS, retrying transient failures up to 3 times.

    ``signer(url, headers, body) -> headers`` signs the request (None: unsigned)."""
    url = endpoint_url or sts_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
    body = urllib.parse.urlencode({"Action": action, "Version": VERSION, **params}).encode()
    headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]

    def build() -> HttpRequest:
        sent_headers = signer(url, headers, body) if signer else headers
        return HttpRequest("POST", url, tuple(sent_headers), body, timeouts=TIMEOUTS)

    response = yield from send_with_retries(
        build,
        what=what,
        service="STS",
        error_code=lambda answer: _parse_error(answer.body)[0],
        transient_codes=_RETRYABLE_CODES,
    )
    return parse_response(response, action, what, source)
