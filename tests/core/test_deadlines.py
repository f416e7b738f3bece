"""A timeout is a promise about wall time: a server that trickles its answer one byte at a
time (tripping no per-read timeout) cannot keep a call alive past ``timeout`` (one
attempt), ``call_timeout`` (the whole call) or a wait's ``timeout`` — owned pools and
caller-owned httpx clients, sync and async."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sagemaker_stop import (
    AsyncSageMakerClient,
    ConfigurationError,
    Credentials,
    SageMakerClient,
    SageMakerTimeoutError,
    WaitTimeoutError,
)

from ..conftest import ARN
from ..loopback import Loopback, Reply, Trickle, WireServer

#: An answer that takes 100 x 0.05 = 5 s to arrive, no read waiting more than 0.05 s.
SLOW = Trickle(Reply(200, {"PipelineExecutionArn": ARN, "pad": "x" * 60}), every=0.05)
SLOW_HEAD = Trickle(Reply(200, {"PipelineExecutionArn": ARN}), every=0.05, head=True)
#: Slack for thread and event-loop scheduling on a loaded 2-core machine.
SLACK = 0.3


class Clock:
    def __enter__(self) -> Clock:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started


def test_a_trickled_body_cannot_stretch_an_attempt(wire: WireServer, client: Any) -> None:
    wire.push(SLOW)
    sm = client(endpoint_url=wire.url, timeout=0.3, max_attempts=1)
    with Clock() as clock, pytest.raises(SageMakerTimeoutError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert 0.28 <= clock.elapsed < 0.3 + SLACK  # was: the whole 5 s trickle
    assert caught.value.phase == "attempt" and caught.value.code == "AttemptTimeout"
    assert "0.3 s" in str(caught.value)


@pytest.mark.parametrize("pool", ["caller's client"])
def test_trickled_headers_cannot_stretch_an_attempt(wire: WireServer, client: Any) -> None:
    # (Our own pools hold every read to the deadline, headers or body alike.)
    wire.push(SLOW_HEAD)
    sm = client(endpoint_url=wire.url, timeout=0.3, max_attempts=1)
    with Clock() as clock, pytest.raises(SageMakerTimeoutError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert clock.elapsed < 0.3 + SLACK
    assert caught.value.phase == "attempt"


@pytest.mark.parametrize("client_kind", ["sync"])  # one flow for both clients
def test_call_timeout_bounds_retries_and_backoff(wire: WireServer, make_client: Any) -> None:
    wire.push(*[SLOW] * 5)
    sm = make_client(endpoint_url=wire.url, timeout=0.2, call_timeout=0.5, max_attempts=5)
    core = sm.client._core
    core.retry._random = lambda: 0.05  # a short backoff: retries happen, within the call
    attempts: list[Any] = []
    core.on_attempt = attempts.append
    with Clock() as clock, pytest.raises(SageMakerTimeoutError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert clock.elapsed < 0.5 + SLACK  # five attempts alone would take 1 s, plus backoff
    assert 2 <= len(attempts) < 5 and attempts[-1].retry_in is None
    # The attempt that ran out: its own bound, or the last one cut to the call's.
    assert caught.value.phase in ("call", "attempt")


def test_call_timeout_bounds_a_credentials_refresh(
    monkeypatch: pytest.MonkeyPatch, wire: WireServer, client_kind: str
) -> None:
    # The container endpoint trickles its answer: 3 attempts of 2 s each, alone.
    slow = Trickle(Reply(200, {"AccessKeyId": "AKID", "SecretAccessKey": "s"}), every=0.05)
    with Loopback(lambda seen: slow) as container:
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url + "/creds")
        kwargs: dict[str, Any] = {"region": "us-east-1", "endpoint_url": wire.url, "call_timeout": 0.3}
        with Clock() as clock, pytest.raises(SageMakerTimeoutError) as caught:
            if client_kind == "sync":
                with SageMakerClient(**kwargs) as sm:
                    sm.stop_pipeline_execution(ARN)
            else:
                async def run() -> None:
                    async with AsyncSageMakerClient(**kwargs) as sm:
                        await sm.stop_pipeline_execution(ARN)

                asyncio.run(run())
    assert clock.elapsed < 0.3 + SLACK
    assert caught.value.phase == "call"
    assert wire.requests == []  # never got as far as sending


@pytest.mark.parametrize("client_kind", ["sync"])
def test_a_waits_timeout_bounds_the_holding_step_lookup(wire: WireServer, make_client: Any) -> None:
    stopping = Reply(200, {"PipelineExecutionArn": ARN, "PipelineExecutionStatus": "Stopping"})
    wire.push(stopping, SLOW)  # the describe answers at once, the steps lookup trickles
    sm = make_client(endpoint_url=wire.url, timeout=10.0)
    progress: list[Any] = []
    with Clock() as clock, pytest.raises(WaitTimeoutError) as caught:
        sm.wait_for_pipeline_execution(ARN, timeout=0.3, poll=0.1, on_progress=progress.append)
    assert clock.elapsed < 0.3 + SLACK
    assert caught.value.last_status == "Stopping"
    assert [p.holding_step for p in progress] == [None]  # best effort, cut by the deadline


@pytest.mark.parametrize("client_kind", ["sync"])
def test_stop_and_wait_bounds_the_stop_before_the_wait(wire: WireServer, make_client: Any) -> None:
    wire.push(SLOW)
    sm = make_client(endpoint_url=wire.url, timeout=10.0)
    with Clock() as clock, pytest.raises(WaitTimeoutError) as caught:
        sm.stop_and_wait(ARN, timeout=0.3)
    assert clock.elapsed < 0.3 + SLACK
    assert isinstance(caught.value.__cause__, SageMakerTimeoutError)
    assert caught.value.__cause__.phase == "wait"


def test_an_answer_in_time_is_unaffected(wire: WireServer, client: Any) -> None:
    sm = client(endpoint_url=wire.url, timeout=5.0, call_timeout=10.0)
    assert sm.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN
    assert sm.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN  # connection reused


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "3", True])
def test_timeouts_are_checked_before_anything_is_sent(bad: Any, creds: Credentials) -> None:
    for option in ("timeout", "call_timeout"):
        with pytest.raises(ConfigurationError, match=option):
            SageMakerClient(region="us-east-1", credentials=creds, **{option: bad})


def test_bounded_cuts_every_effect_to_the_time_left() -> None:
    from sagemaker_stop._effects import (
        HttpRequest,
        RunProcess,
        Send,
        Sleep,
        Timeouts,
        TransportFailure,
        bounded,
    )

    now = [100.0]
    seen: list[Any] = []

    def flow() -> Any:
        seen.append((yield Send(HttpRequest("GET", "http://h/", (), timeouts=Timeouts.of(5.0)))))
        seen.append((yield Sleep(10.0)))
        seen.append((yield RunProcess(("p",), timeout=60.0)))
        try:
            yield Sleep(1.0)
        except SageMakerTimeoutError:
            raise TransportFailure("read", "gave up").to_error() from None
        return "unreachable"

    gen = bounded(flow(), 2.0, "call", lambda: now[0])
    send = next(gen)
    assert send.request.timeouts.attempt == 2.0 and send.request.bound == "call"
    now[0] += 0.5
    assert gen.send("response") == Sleep(1.5)
    now[0] += 1.0
    process = gen.send(None)
    assert process.timeout == pytest.approx(0.5)
    now[0] += 1.0  # past the deadline: the flow gets the timeout, not another effect
    with pytest.raises(SageMakerTimeoutError) as caught:
        gen.send(None)
    assert caught.value.phase == "call"
    assert str(caught.value.__cause__).startswith("ConnectionError: read error")
    assert seen == ["response", None, None]


def test_no_time_left_fails_the_next_socket_operation() -> None:
    import httpcore

    from sagemaker_stop._transport import _DEADLINE, _left

    token = _DEADLINE.set(time.monotonic() - 0.1)
    try:
        with pytest.raises(httpcore.ReadTimeout):
            _left(5.0, httpcore.ReadTimeout)
    finally:
        _DEADLINE.reset(token)
    assert _left(5.0, httpcore.ReadTimeout) == 5.0  # no deadline: the operation's own
