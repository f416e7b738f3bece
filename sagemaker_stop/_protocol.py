"""AWS JSON (1.1 for SageMaker, 1.0 for SQS), both directions, as pure functions.

Request: ``POST /`` with the operation's ``Content-Type`` (``application/x-amz-json-1.1``
or ``-1.0``: its :class:`~._operations.Service`) and ``X-Amz-Target:
SageMaker.<Operation>`` (``AmazonSQS.<Operation>``); the body is ``json.dumps`` of the
members (the same bytes botocore's JSONSerializer produces).

Response: any status, headers and bytes become either the operation's response object
or a :class:`SageMakerError` — never ``JSONDecodeError``, ``KeyError`` or friends.  Every
message the service sends is redacted (``_redact.py``): AWS's signature errors echo the
canonical request, session token included.  A redirect (3xx) is an error naming where
it pointed: a signed request is never followed anywhere else.  Error
codes are read the way every AWS SDK reads them (Smithy ``awsJson1_1`` protocol tests):
the ``X-Amzn-ErrorType`` header, else the body's ``__type``, else its ``code``; anything
up to ``#`` and from ``:`` on is dropped.  A query-compatible service (SQS) also names
its Query-era code in ``x-amzn-query-error``: see :func:`parse_error`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from ._effects import HttpResponse
from ._operations import Operation, R
from ._redact import redact, redact_url
from .errors import InvalidResponseError, SageMakerError, error_for_code


def encode_body(operation: Operation[Any]) -> bytes:
    return json.dumps(operation.to_json()).encode("utf-8")


def base_headers(operation: Operation[Any]) -> list[tuple[str, str]]:
    """The headers that are signed (``host`` and the date come from the signer)."""
    service = operation.service
    return [
        ("X-Amz-Target", operation.target),
        ("Content-Type", service.content_type),
        *service.headers,
    ]


def request_id_of(headers: Mapping[str, str]) -> Optional[str]:
    return headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or None


def _decode_json(body: bytes) -> Any:
    """Parsed JSON, or raise ValueError for anything that is not JSON text."""
    try:
        return json.loads(body)
    except RecursionError:  # absurdly deep nesting
        raise ValueError("JSON nested too deeply") from None
    # JSONDecodeError and UnicodeDecodeError are ValueErrors already.


def parse_response(
    operation: Operation[R], response: HttpResponse, secrets: Iterable[Optional[str]] = ()
) -> R:
    """The operation's response object, or raise the :class:`SageMakerError` it means;
    ``secrets`` (the credentials used) are redacted from its message wherever they
    appear."""
    request_id = request_id_of(response.headers)
    if not 200 <= response.status < 300:
        raise operation.refine_error(parse_error(response, secrets))
    body: Any = {}
    if response.body.strip():
        try:
            body = _decode_json(response.body)
        except ValueError as exc:
            raise InvalidResponseError(
                f"response body is not JSON ({exc.__class__.__name__})",
                http_status=response.status,
                request_id=request_id,
            ) from None
    if not isinstance(body, dict):
        raise InvalidResponseError(
            f"response body is a JSON {type(body).__name__}, not an object",
            http_status=response.status,
            request_id=request_id,
        )
    try:
        return operation.parse_response(
            body, http_status=response.status, request_id=request_id
        )
    except SageMakerError as exc:
        exc.http_status = response.status
        exc.request_id = request_id
        raise


def sanitize_error_code(raw: str) -> str:
    """``aws.protocoltests#FooError:http://internal...`` -> ``FooError``."""
    code = raw.split(":", 1)[0]
    return code.rsplit("#", 1)[-1].strip()


def parse_error(
    response: HttpResponse, secrets: Iterable[Optional[str]] = ()
) -> SageMakerError:
    """The typed exception for a non-2xx answer, whatever its body holds; its message
    redacted."""
    request_id = request_id_of(response.headers)
    body: Any = None
    if response.body.strip():
        try:
            body = _decode_json(response.body)
        except ValueError:
            body = None
    fields: Mapping[str, Any] = body if isinstance(body, dict) else {}

    code = ""
    header = response.headers.get("x-amzn-errortype")
    if header:
        code = sanitize_error_code(header)
    if not code:
        for key in ("__type", "code"):
            value = fields.get(key)
            if isinstance(value, str) and sanitize_error_code(value):
                code = sanitize_error_code(value)
                break

    message = ""
    for key in ("message", "Message", "errorMessage"):
        value = fields.get(key)
        if isinstance(value, str):
            message = value
            break
    if 300 <= response.status < 400:
        message = "; ".join(filter(None, (message, _redirect(response))))
    if not code:
        # No code anywhere (HTML from a proxy, an empty or truncated body): like
        # botocore, the HTTP status stands in for the code.
        code = str(response.status)
        if not message:
            message = _describe_body(response.body)
    error = error_for_code(
        code, redact(message, secrets), http_status=response.status, request_id=request_id
    )
    query_code = _query_error_code(response.headers)
    if query_code:
        # An awsQueryCompatible service (SQS) answers e.g. ``__type:
        # com.amazonaws.sqs#QueueDoesNotExist`` with ``x-amzn-query-error:
        # AWS.SimpleQueueService.NonExistentQueue;Sender``.  As botocore does
        # (parsers.py ``_do_query_compatible_error_parse``, handlers.py
        # ``_handle_sqs_compatible_error``): the class is the modeled error (``__type``),
        # the code the Query-era one (what boto3's ``Error.Code`` and the AWS CLI show).
        error.code = query_code
        error.args = (query_code, *error.args[1:])
    return error


def _query_error_code(headers: Mapping[str, str]) -> str:
    """The code of an ``x-amzn-query-error: <Code>;<Sender|Receiver>`` header, if any."""
    parts = headers.get("x-amzn-query-error", "").split(";")
    return parts[0].strip() if len(parts) == 2 else ""


def _redirect(response: HttpResponse) -> str:
    location = response.headers.get("location")
    where = redact_url(location) if location else "nowhere (no Location header)"
    return (
        f"HTTP {response.status} redirect to {where}, not followed: a signed request "
        "is only ever sent to its own endpoint"
    )


def _describe_body(body: bytes) -> str:
    if not body.strip():
        return "empty response body"
    snippet = body[:120].decode("utf-8", "replace").strip()
    return f"unparseable response body: {snippet!r}"
