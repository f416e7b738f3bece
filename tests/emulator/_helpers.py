"""Helpers shared by the emulator tests."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Sequence
from typing import Any, Optional

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials

from sagemaker_stop.emulator import SageMakerEmulator

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/callbacks"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:work"
TOKEN_A = "a" * 32
TOKEN_B = "b" * 40


def bodies(messages: Sequence[dict[str, Any]]) -> list[Any]:
    """The decoded bodies of SQS messages (ReceiveMessage items, as the emulator's queue
    helpers return them)."""
    return [json.loads(m["Body"]) for m in messages]


def make_client(emu: SageMakerEmulator, *, validate: bool = True, retries: int = 1) -> Any:
    return boto3.client(
        "sagemaker",
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id=emu.credentials.access_key_id,
        aws_secret_access_key=emu.credentials.secret_access_key,
        aws_session_token=emu.credentials.session_token,
        config=Config(
            parameter_validation=validate,
            retries={"total_max_attempts": retries, "mode": "standard"},
            read_timeout=5,
            connect_timeout=2,
        ),
    )


def sign(
    emu: SageMakerEmulator,
    operation: str,
    body: Any,
    *,
    access_key: Optional[str] = None,
    secret: Optional[str] = None,
    token: Optional[str] = None,
    region: Optional[str] = None,
    service: str = "sagemaker",
    path: str = "/",
    headers: Optional[dict[str, str]] = None,
) -> tuple[str, dict[str, str], bytes]:
    """A request signed by botocore's signer: (url, headers, body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=emu.endpoint_url + path,
        data=data,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"SageMaker.{operation}",
            **(headers or {}),
        },
    )
    creds = BotoCredentials(
        access_key or emu.credentials.access_key_id,
        secret or emu.credentials.secret_access_key,
        token,
    )
    SigV4Auth(creds, service, region or emu.region).add_auth(request)
    return request.url, dict(request.headers.items()), data


def raw_request(
    emu: SageMakerEmulator,
    path: str = "/",
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    *,
    method: str = "POST",
) -> bytes:
    """The bytes of an HTTP/1.1 request to ``emu``, framed as given: a
    ``Content-Length`` is added only when no framing header is."""
    pairs = [("Host", f"{emu.host}:{emu.port}"), *headers]
    if method == "POST" and not any(
        name.lower() in ("content-length", "transfer-encoding") for name, _ in pairs
    ):
        pairs.append(("Content-Length", str(len(body))))
    head = "".join(f"{name}: {value}\r\n" for name, value in pairs)
    return f"{method} {path} HTTP/1.1\r\n{head}\r\n".encode() + body


def signed_request(emu: SageMakerEmulator, operation: str, body: bytes) -> bytes:
    """A request signed by botocore, as bytes (see :func:`raw_request`)."""
    _, headers, data = sign(emu, operation, body)
    return raw_request(emu, headers=list(headers.items()), body=data)


def exchange(emu: SageMakerEmulator, data: bytes, timeout: float = 5.0) -> tuple[int, Any]:
    """Send ``data`` on a fresh connection; the answer's status and JSON body (the
    emulator closes the connection after a refused request, or answers within it)."""
    with socket.create_connection((emu.host, emu.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return answer.status, json.loads(answer.read())
