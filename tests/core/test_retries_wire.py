"""Resilience over real loopback HTTP: scripted faults ending in success and in give-up.

The recorded requests prove one ClientRequestToken per call, a fresh signature per attempt
(each verified independently) and exact attempt counts — sync and async.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import pytest

from sagemaker_stop import (
    AccessDeniedException,
    AsyncSageMakerClient,
    Attempt,
    Credentials,
    InternalFailure,
    InvalidSignatureException,
    ResponseTooLargeError,
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
    ThrottlingException,
    Timeouts,
    ValidationException,
)

from ..conftest import ARN
from ..loopback import SECRET_KEY, Reply, Reset, WireServer


def fast(client: Any, *, tick: float = 0.0) -> Any:
    """No real backoff sleeps (random() -> 0); optionally a clock that moves `tick` s per read."""
    core = client.client._core
    core.retry._random = lambda: 0.0
    if tick:
        start = core.clock()
        counter = itertools.count()
        core.clock = lambda: start + tick * next(counter)
    return client


def tokens(server: WireServer) -> set[str]:
    return {r.json["ClientRequestToken"] for r in server.requests}


def test_5xx_then_success_retries_with_one_token_and_fresh_signatures(
    wire: WireServer, make_client: Any
) -> None:
    wire.push(Reply(500, {"__type": "InternalFailure"}), Reply(503, b"<html>busy</html>"))
    sm = fast(make_client(endpoint_url=wire.url), tick=1.0)
    resp = sm.stop_pipeline_execution(ARN)

    assert resp.pipeline_execution_arn == ARN and resp.request_id == "req-3"
    assert len(wire.requests) == 3
    assert all(r.auth.ok for r in wire.requests)
    assert len(tokens(wire)) == 1
    assert len({r.headers["authorization"] for r in wire.requests}) == 3
    assert [r.headers["amz-sdk-request"] for r in wire.requests] == [
        "attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]
    assert len({r.headers["amz-sdk-invocation-id"] for r in wire.requests}) == 1


def test_gives_up_after_max_attempts_with_the_last_error(wire: WireServer, make_client: Any) -> None:
    wire.push(*[Reply(500, {"__type": "InternalFailure", "message": "boom"})] * 5)
    sm = fast(make_client(endpoint_url=wire.url, max_attempts=4))
    with pytest.raises(InternalFailure) as caught:
        sm.stop_pipeline_execution(ARN)
    assert caught.value.http_status == 500 and caught.value.request_id == "req-4"
    assert len(wire.requests) == 4 and len(tokens(wire)) == 1


def test_max_attempts_one_means_no_retry(wire: WireServer, make_client: Any) -> None:
    wire.push(Reply(503, {"__type": "ServiceUnavailable"}))
    with pytest.raises(SageMakerError):
        fast(make_client(endpoint_url=wire.url, max_attempts=1)).stop_pipeline_execution(ARN)
    assert len(wire.requests) == 1


def test_aws_max_attempts_env_is_honoured(
    wire: WireServer, make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    wire.push(*[Reply(500)] * 3)
    with pytest.raises(SageMakerError):
        fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert len(wire.requests) == 2


@pytest.mark.parametrize("mid_body", [False, True])
def test_connection_reset_then_success(wire: WireServer, make_client: Any, mid_body: bool) -> None:
    wire.push(Reset(mid_body=mid_body))
    resp = fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert resp.pipeline_execution_arn == ARN
    assert len(wire.requests) == 2 and len(tokens(wire)) == 1


def test_resets_until_give_up_raise_a_connection_error(wire: WireServer, make_client: Any) -> None:
    wire.push(Reset(), Reset(), Reset())
    with pytest.raises(SageMakerConnectionError) as caught:
        fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert caught.value.__cause__ is not None
    assert len(wire.requests) == 3


def test_slow_answer_past_read_timeout_is_retried(wire: WireServer, make_client: Any) -> None:
    wire.push(Reply(200, {"PipelineExecutionArn": ARN}, delay=0.6))
    resp = fast(make_client(endpoint_url=wire.url, timeout=0.25)).stop_pipeline_execution(ARN)
    assert resp.pipeline_execution_arn == ARN
    assert len(wire.requests) == 2 and len(tokens(wire)) == 1


def test_read_timeouts_until_give_up_name_the_phase(wire: WireServer, make_client: Any) -> None:
    wire.push(*[Reply(200, {}, delay=0.4)] * 4)
    sm = fast(make_client(endpoint_url=wire.url, timeout=0.15, max_attempts=2))
    with pytest.raises(SageMakerTimeoutError) as caught:
        sm.stop_pipeline_execution(ARN)
    # timeout=0.15 bounds each attempt as a whole; it ran out while reading.
    assert caught.value.phase == "attempt" and caught.value.code == "AttemptTimeout"
    assert "while reading the answer" in str(caught.value)
    wire.script.clear()
    wire.push(*[Reply(200, {}, delay=0.4)] * 2)
    per_read = fast(make_client(endpoint_url=wire.url, timeout=Timeouts(read=0.15), max_attempts=2))
    with pytest.raises(SageMakerTimeoutError) as caught:
        per_read.stop_pipeline_execution(ARN)
    assert caught.value.phase == "read" and caught.value.code == "ReadTimeout"
    assert isinstance(caught.value, SageMakerConnectionError)


def test_throttling_is_retried(wire: WireServer, make_client: Any) -> None:
    wire.push(*[Reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})] * 2)
    resp = fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert resp.pipeline_execution_arn == ARN and len(wire.requests) == 3


def test_throttling_until_give_up(wire: WireServer, make_client: Any) -> None:
    wire.push(*[Reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})] * 3)
    with pytest.raises(ThrottlingException):
        fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert len(wire.requests) == 3


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (Reply(400, {"__type": "ValidationException"}), ValidationException),
        (Reply(400, {"__type": "AccessDeniedException"}), AccessDeniedException),
        (Reply(400, {"__type": "ResourceLimitExceeded"}), SageMakerError),
        (Reply(404, {"__type": "ResourceNotFound"}), SageMakerError),
    ],
)
def test_client_errors_are_never_retried(wire: WireServer, make_client: Any, reply: Reply, cls: type) -> None:
    wire.push(reply)
    with pytest.raises(cls):
        fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert len(wire.requests) == 1


def test_a_skewed_server_clock_is_learned_and_kept(make_client: Any) -> None:
    with WireServer(clock_skew=900) as server:  # the server is 15 minutes ahead
        sm = fast(make_client(endpoint_url=server.url))
        sm.stop_pipeline_execution(ARN)
        assert server.auth_failures() == ["InvalidSignatureException"]
        assert "Signature expired" in (server.requests[0].auth.message or "")
        assert server.requests[1].auth.ok
        assert len(tokens(server)) == 1
        assert 880 < sm.client._core.clock_offset < 920
        sm.stop_pipeline_execution(ARN)  # later calls are signed right first time
        assert len(server.requests) == 3 and server.requests[2].auth.ok


def test_a_server_clock_behind_is_corrected_too(make_client: Any) -> None:
    with WireServer(clock_skew=-1800) as server:
        sm = fast(make_client(endpoint_url=server.url))
        sm.stop_pipeline_execution(ARN)
        assert "not yet current" in (server.requests[0].auth.message or "")
        assert server.requests[1].auth.ok


def test_a_real_bad_signature_is_not_mistaken_for_skew(wire: WireServer, make_client: Any) -> None:
    sm = fast(make_client(endpoint_url=wire.url, credentials=Credentials("AKIDWIRETEST00000001", "wrong")))
    with pytest.raises(InvalidSignatureException):
        sm.stop_pipeline_execution(ARN)
    assert len(wire.requests) == 1
    assert sm.client._core.clock_offset == 0.0


def test_oversized_bodies_are_refused_not_read(wire: WireServer, make_client: Any) -> None:
    wire.push(Reply(200, b'{"PipelineExecutionArn": "' + b"x" * 5000 + b'"}'))
    sm = fast(make_client(endpoint_url=wire.url, max_response_bytes=1000))
    with pytest.raises(ResponseTooLargeError):
        sm.stop_pipeline_execution(ARN)
    assert len(wire.requests) == 1


def test_one_debug_record_per_attempt_without_secrets(
    wire: WireServer, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    wire.push(Reply(503, {"__type": "ServiceUnavailable"}))
    caplog.set_level(logging.DEBUG)
    creds = Credentials("AKIDWIRETEST00000001", SECRET_KEY)
    fast(make_client(endpoint_url=wire.url, credentials=creds)).stop_pipeline_execution(ARN)
    records = [r for r in caplog.records if r.name == "sagemaker_stop"]
    assert len(records) == 2
    assert "attempt 1/3" in records[0].getMessage() and "ServiceUnavailable" in records[0].getMessage()
    assert "retrying in" in records[0].getMessage()
    assert "attempt 2/3" in records[1].getMessage() and "req-2" in records[1].getMessage()
    text = caplog.text
    assert SECRET_KEY not in text and "Signature=" not in text and "AWS4-HMAC" not in text


def test_on_attempt_hook_sees_every_attempt(wire: WireServer, make_client: Any) -> None:
    seen: list[Attempt] = []
    wire.push(Reply(500))
    fast(make_client(endpoint_url=wire.url, on_attempt=seen.append)).stop_pipeline_execution(ARN)
    assert [(a.attempt, a.http_status, a.retry_in is not None) for a in seen] == [
        (1, 500, True), (2, 200, False)]
    assert seen[0].error is not None and seen[1].error is None
    assert seen[0].operation == "StopPipelineExecution"


async def test_cancelling_a_call_leaves_the_async_client_usable(
    wire: WireServer, creds: Credentials
) -> None:
    wire.push(Reply(200, {"PipelineExecutionArn": ARN}, delay=0.5))
    async with AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url) as sm:
        task = asyncio.ensure_future(sm.stop_pipeline_execution(ARN))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        resp = await sm.stop_pipeline_execution(ARN)
        assert resp.pipeline_execution_arn == ARN


async def test_async_backoff_sleeps_on_the_event_loop(wire: WireServer, creds: Credentials) -> None:
    """While one call backs off, another call on the same loop completes."""
    wire.push(Reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"}))
    async with AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url) as sm:
        sm._core.retry._random = lambda: 0.3  # backoff 0.3 x 1 s (throttling base)
        slow = asyncio.ensure_future(sm.stop_pipeline_execution(ARN))
        await asyncio.sleep(0.1)
        quick = await asyncio.wait_for(sm.stop_pipeline_execution(ARN), 0.25)
        assert quick.pipeline_execution_arn == ARN and not slow.done()
        assert (await slow).pipeline_execution_arn == ARN


def test_expired_credentials_are_refreshed_once_and_the_call_sent_again(
    make_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The service says the cached credentials expired (revoked early, or a source without
    an expiry): the client reloads them once and retries with the fresh ones."""
    import shlex
    import sys

    from ..loopback import Credentials as ServerCreds

    counter = tmp_path / "count"
    counter.write_text("0")
    script = (
        f"import json,pathlib; p=pathlib.Path({str(counter)!r}); n=int(p.read_text())+1; p.write_text(str(n));"
        "print(json.dumps({'Version':1,'AccessKeyId':'AKIDPROCESS%09d' % n,"
        "'SecretAccessKey':'process-secret'}))"
    )
    config = tmp_path / "config"
    config.write_text(f"[default]\ncredential_process = {shlex.quote(sys.executable)} -c {shlex.quote(script)}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    first, second = ServerCreds("AKIDPROCESS000000001", "process-secret"), ServerCreds("AKIDPROCESS000000002", "process-secret")
    with WireServer(credentials=(first, second)) as server:
        server.push(Reply(400, {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}))
        sm = fast(make_client(endpoint_url=server.url, credentials=None))
        assert sm.stop_pipeline_execution(ARN).http_status == 200
        used = [r.auth.access_key_id for r in server.requests]
        assert used == [first.access_key_id, second.access_key_id]
        assert len(tokens(server)) == 1
        assert counter.read_text() == "2"  # loaded once, refreshed once


def test_expired_static_credentials_are_not_retried_in_vain(wire: WireServer, make_client: Any) -> None:
    wire.push(Reply(400, {"__type": "ExpiredTokenException", "message": "expired"}))
    with pytest.raises(SageMakerError) as caught:
        fast(make_client(endpoint_url=wire.url)).stop_pipeline_execution(ARN)
    assert caught.value.code == "ExpiredTokenException"
    assert len(wire.requests) == 1  # explicit credentials cannot get any fresher
