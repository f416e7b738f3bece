"""What the credential services' calls share: retries, JSON answers and their errors.

STS (query protocol, :mod:`._sts`), the IAM Identity Center portal and SSO-OIDC
(:mod:`._sso`) and AWS Sign-In (:mod:`._login`) are each called with
:func:`send_with_retries`: up to 3 attempts for a transport failure, HTTP 429 / 5xx, or
an error code the caller names as transient, with a short backoff.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Callable, Optional, Union

from .._effects import Flow, HttpRequest, HttpResponse, Send, Sleep, Timeouts, TransportFailure
from ..errors import CredentialsError
from ._util import json_object

MAX_ATTEMPTS = 3
TIMEOUTS = Timeouts(connect=5.0, read=10.0, write=10.0, pool=10.0)

Answer = Union[HttpResponse, TransportFailure]


def send_with_retries(
    build: Callable[[], HttpRequest],
    *,
    what: str,
    service: str,
    error_code: Callable[[HttpResponse], Optional[str]],
    transient_codes: frozenset[str] = frozenset(),
) -> Flow[HttpResponse]:
    """Send ``build()`` (built afresh per attempt: signatures and proofs are per request);
    the last answer; a transport failure that persists is a :class:`CredentialsError`."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        request = build()
        response: Answer = yield Send(request)
        if attempt < MAX_ATTEMPTS and _transient(response, error_code, transient_codes):
            yield Sleep(0.1 * 2**attempt)
            continue
        if not isinstance(response, HttpResponse):
            raise CredentialsError(
                f"{what}: could not reach {service} at {request.url}: "
                f"{response.kind} ({response.detail})"
            ) from response.cause
        return response
    raise AssertionError("unreachable")  # pragma: no cover


def _transient(
    response: Answer, error_code: Callable[[HttpResponse], Optional[str]], codes: frozenset[str]
) -> bool:
    if not isinstance(response, HttpResponse):
        return True
    if response.status >= 500 or response.status == 429:
        return True
    return response.status != 200 and error_code(response) in codes


def json_body(response: HttpResponse, what: str) -> dict[str, Any]:
    """A JSON object answer (never quoting the body: it holds secrets)."""
    return json_object(
        response.body, f"{what}: the answer is not JSON", f"{what}: the answer is not a JSON object"
    )


def rest_json_error(response: HttpResponse) -> tuple[Optional[str], Optional[str]]:
    """``(code, message)`` of a REST-JSON error: the ``x-amzn-errortype`` header, else the
    body's ``__type`` / ``code`` (``namespace#`` and ``:suffix`` stripped), and the body's
    ``message`` / ``error_description``."""
    data: Any = None
    with contextlib.suppress(UnicodeDecodeError, ValueError):
        data = json.loads(response.body.decode("utf-8"))
    body = data if isinstance(data, dict) else {}
    raw = response.headers.get("x-amzn-errortype") or body.get("__type") or body.get("code")
    code = raw.split(":", 1)[0].rsplit("#", 1)[-1] if isinstance(raw, str) and raw else None
    message = body.get("message") or body.get("Message") or body.get("error_description")
    return code, message if isinstance(message, str) else None
