"""Run the same test through the sync and the async client.

``Both`` wraps either client behind one blocking interface; the async one runs on its own
event loop, kept for the client's life, so its connection pool stays on one loop.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any, Callable

from sagemaker_stop import AsyncSageMakerClient, SageMakerClient


class Both:
    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        if kind == "sync":
            self.client: Any = SageMakerClient(**kwargs)
            self.loop = None
        else:
            self.loop = asyncio.new_event_loop()
            self.client = self.loop.run_until_complete(self._make_async(kwargs))

    @staticmethod
    async def _make_async(kwargs: dict[str, Any]) -> AsyncSageMakerClient:
        return AsyncSageMakerClient(**kwargs)

    def _run(self, value: Any) -> Any:
        if self.loop is None:
            return value
        return self.loop.run_until_complete(value)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(method(*args, **kwargs))

        return call

    def close(self) -> None:
        if self.loop is None:
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


def boto3_sent(
    monkeypatch: Any,
    service: str,
    region: str,
    creds: Any,
    when: datetime.datetime,
    call: Callable[[Any], Any],
) -> Any:
    """The request boto3 signs at ``when`` for ``call(client)`` (a differential test's
    reference); nothing is sent: every request is answered ``{}`` before the wire."""
    import boto3
    import botocore.auth
    from botocore.awsrequest import AWSResponse

    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when.replace(tzinfo=None))
    client = boto3.client(
        service,
        region_name=region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
    )
    captured: list[Any] = []

    def before_send(request: Any, **_: Any) -> AWSResponse:
        captured.append(request)
        raw = type("Raw", (), {"stream": lambda self, *a, **k: iter([b"{}"])})()
        return AWSResponse(request.url, 200, {"x-amzn-requestid": "r"}, raw)

    client.meta.events.register("before-send", before_send)
    call(client)
    return captured[0]
