"""Adaptive retry mode over loopback HTTP: a bulk stop against a rate-limited account.

The double (``bench/ratelimited.py``, the benchmark's) admits a few requests per second
and throttles the rest; it runs on the same virtual clock as the client, so waiting
takes no real time.  Sync (threads) and async (tasks) clients alike.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from typing import Any, Callable

import pytest

from bench.ratelimited import PIPELINE, RateLimitedDouble
from sagemaker_stop import (
    AsyncSageMakerClient,
    Credentials,
    SageMakerClient,
    ThrottlingException,
)

from ..conftest import ARN
from ..loopback import Reply, WireServer


class VirtualClock:
    """Monotonic time that sleeping moves on at once, for every thread and task.

    Sleepers run side by side, as they would in real time: a sleep of ``d`` seconds moves
    the clock to ``d`` after the time *this* thread or task last read (not after the time
    another sleeper has already moved it to), so four calls each waiting 0.25 s for a
    token let 0.25 s pass, not 1 s."""

    def __init__(self, frozen: bool = False) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()
        self._last_read: contextvars.ContextVar[float] = contextvars.ContextVar("last_read")
        #: Frozen: only sleeps move the clock (what a call measures cannot depend on how
        #: busy the machine is); otherwise it follows real time as well.
        self._real: Callable[[], float] = (lambda: 0.0) if frozen else time.monotonic

    def __call__(self) -> float:
        now = self._real() + self.offset
        self._last_read.set(now)
        return now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            start = self._last_read.get(self._real() + self.offset)
            self.offset = max(self.offset, start + seconds - self._real())

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def on_virtual_time(both: Any, clock: VirtualClock, random: float = 0.5) -> Any:
    core = both.client._core
    core.monotonic = clock
    core.retry._random = lambda: random  # the backoff's random factor: its mean by default
    both.client._io.sleep = clock.sleep if both.loop is None else clock.asleep
    return both


def bulk_stop(make_client: Any, mode: str, random: float = 0.5) -> tuple[list[Any], int]:
    """Stop 24 executions, 4 at a time, against an account that admits 6 requests a
    second (6 at once at most): the results and the number of throttled answers."""
    clock = VirtualClock()
    with RateLimitedDouble(rate=6, burst=6, executions=24, clock=clock) as double:
        sm = on_virtual_time(make_client(endpoint_url=double.url, retry_mode=mode), clock, random)
        results: list[Any] = sm.stop_pipeline_executions(PIPELINE, concurrency=4)
        stats = double.stats()
    assert stats["stops"] == sum(r.ok for r in results)
    return results, stats["throttled"]


def test_adaptive_mode_stops_every_execution_of_a_throttled_bulk_stop(make_client: Any) -> None:
    results, throttled = bulk_stop(make_client, "adaptive")
    assert [r.error for r in results if not r.ok] == []
    assert len(results) == 24 and all(r.outcome == "stopped" for r in results)
    assert throttled > 0  # it was throttled, and coped


def test_paced_retries_are_throttled_far_less_than_standard_modes(make_client: Any) -> None:
    """With short backoffs (random factor 0.1) standard mode's retries cannot outwait the
    limit: they are throttled again and again, and some calls run out of attempts."""
    standard, standard_throttled = bulk_stop(make_client, "standard", random=0.1)
    _, adaptive_throttled = bulk_stop(make_client, "adaptive", random=0.1)
    assert standard_throttled > 2 * adaptive_throttled
    assert all(isinstance(r.error, ThrottlingException) for r in standard if not r.ok)


def test_after_a_throttling_answer_every_call_of_the_client_waits_for_a_token(
    wire: WireServer, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The bucket is the client's: a throttled call slows down the next call too, and
    the wait is a sleep (on the event loop for the async client), never a busy loop."""
    clock = VirtualClock(frozen=True)  # the measured send rate: the calls', not the machine's
    sm = on_virtual_time(make_client(endpoint_url=wire.url, retry_mode="adaptive"), clock)
    limiter = sm.client._core.retry.limiter
    wire.push(Reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"}))
    sm.stop_pipeline_execution(ARN)
    assert limiter.enabled and limiter.rate < 2  # a fresh client: little measured yet
    slept = len(clock.sleeps)
    caplog.set_level(logging.DEBUG, logger="sagemaker_stop")
    sm.stop_pipeline_execution(ARN)  # not throttled itself, but paced
    assert len(wire.requests) == 3
    assert 0 < sum(clock.sleeps[slept:]) <= 1 / 0.5  # at worst one token at the 0.5/s floor
    assert "for the client-side rate limiter" in caplog.records[0].getMessage()


async def test_async_tasks_wait_for_tokens_without_blocking_the_loop(
    wire: WireServer, creds: Credentials
) -> None:
    async with AsyncSageMakerClient(
        region="us-east-1", credentials=creds, endpoint_url=wire.url, retry_mode="adaptive"
    ) as sm:
        limiter = sm._core.retry.limiter
        assert limiter is not None
        limiter.record(True, sm._core.monotonic())  # throttled: 0.5 tokens/s from now on
        waiting = asyncio.ensure_future(sm.stop_pipeline_execution(ARN))
        ticks = 0
        while not waiting.done() and ticks < 5:  # the loop keeps running meanwhile
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 5 and not waiting.done() and wire.requests == []
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting


def test_a_conflict_is_still_retried_as_a_stop_needs_in_every_mode(
    wire: WireServer, make_client: Any, clock: VirtualClock
) -> None:
    conflict = Reply(400, {"__type": "ConflictException", "Message": "between steps"})
    for mode, attempts in (("standard", 5), ("adaptive", 5), ("legacy", 5)):
        wire.requests.clear()
        sm = on_virtual_time(make_client(endpoint_url=wire.url, retry_mode=mode), clock)
        wire.push(*[conflict] * 4)
        assert sm.stop_pipeline_execution(ARN).pipeline_execution_arn == ARN
        assert len(wire.requests) == attempts, mode


def test_legacy_mode_makes_5_attempts(wire: WireServer, make_client: Any, clock: VirtualClock) -> None:
    sm = on_virtual_time(make_client(endpoint_url=wire.url, retry_mode="legacy"), clock)
    wire.push(*[Reply(500, {"__type": "InternalFailure"})] * 5)
    with pytest.raises(Exception, match="InternalFailure"):
        sm.stop_pipeline_execution(ARN)
    assert len(wire.requests) == 5
    assert clock.sleeps == [0.5, 1, 2, 4]  # random() x 2^(n-1) s, no quota


def test_the_sync_client_takes_a_retry_mode_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, creds: Credentials
) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    with SageMakerClient(region="us-east-1", credentials=creds) as sm:
        assert sm._core.retry.limiter is not None
    with SageMakerClient(region="us-east-1", credentials=creds, retry_mode="legacy") as sm:
        assert sm._core.retry.policy.max_attempts == 5


def test_a_send_token_wait_never_outlasts_the_call_timeout(creds: Credentials) -> None:
    """The rate limiter's wait counts against ``call_timeout``: a wait that would pass the
    deadline ends the call as a timeout naming it, before anything is sent."""
    from sagemaker_stop import SageMakerTimeoutError

    with WireServer() as wire, SageMakerClient(
        region="us-east-1", credentials=creds, endpoint_url=wire.url,
        retry_mode="adaptive", call_timeout=1.0,
    ) as sm:
        slept: list[float] = []
        sm._io.sleep = slept.append
        sm._core.retry.send_delay = lambda now: 5.0  # type: ignore[method-assign]
        with pytest.raises(SageMakerTimeoutError) as caught:
            sm.stop_pipeline_execution(ARN)
    assert caught.value.phase == "call" and "send token" in caught.value.message
    assert slept == [] and wire.requests == []
