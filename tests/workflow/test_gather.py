"""The Gather effect: bounded concurrency, outcomes in order, failures as values."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from sagemaker_stop._drive import AsyncIO, SyncIO
from sagemaker_stop._effects import Flow, Gather, Sleep
from sagemaker_stop._transport import AsyncSender, SyncSender


class Meter:
    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def leave(self) -> None:
        with self.lock:
            self.active -= 1


def job(meter: Meter, value: int) -> Flow[int]:
    meter.enter()
    try:
        yield Sleep(0.02)
    finally:
        meter.leave()
    if value % 3 == 0:
        raise ValueError(f"job {value} failed")
    return value * 10


def batch(meter: Meter, n: int, concurrency: int) -> Flow[list[Any]]:
    outcomes = yield Gather(tuple(job(meter, i) for i in range(1, n + 1)), concurrency)
    empty = yield Gather((), concurrency)
    assert empty == []
    return list(outcomes)


def _check(outcomes: list[Any], meter: Meter, concurrency: int) -> None:
    assert len(outcomes) == 7
    for i, outcome in enumerate(outcomes, 1):
        if i % 3 == 0:
            assert isinstance(outcome, ValueError) and str(outcome) == f"job {i} failed"
        else:
            assert outcome == i * 10
    assert 1 < meter.peak <= concurrency


def test_sync_gather_runs_flows_on_a_bounded_thread_pool() -> None:
    meter = Meter()
    started = time.monotonic()
    outcomes = SyncIO(SyncSender(), None).run(batch(meter, 7, 3))
    _check(outcomes, meter, 3)
    assert time.monotonic() - started < 0.02 * 7  # concurrent, not one after another


@pytest.mark.parametrize("concurrency", [2, 5])
async def test_async_gather_runs_flows_under_a_semaphore(concurrency: int) -> None:
    meter = Meter()
    outcomes = await AsyncIO(AsyncSender(), None).run(batch(meter, 7, concurrency))
    _check(outcomes, meter, concurrency)
    assert asyncio.get_running_loop() is not None
