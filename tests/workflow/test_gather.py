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


def _signal_main_thread() -> None:
    import signal

    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


class Ledger:
    """Which flows began and ended, and when the caller got control back."""

    def __init__(self, seconds: Any = lambda index: 0.01) -> None:
        self.began: list[int] = []
        self.ended: list[int] = []
        self.lock = threading.Lock()
        self.seconds = seconds

    def flow(self, index: int) -> Flow[int]:
        with self.lock:
            self.began.append(index)
        yield Sleep(self.seconds(index))
        with self.lock:
            self.ended.append(index)
        return index


def _interrupted_gather(ledger: Ledger, n: int, concurrency: int) -> list[int]:
    """Run the gather until Ctrl-C; what had begun when it returned control."""
    flows = tuple(ledger.flow(i) for i in range(n))
    try:
        SyncIO(SyncSender(), None).run(_just(Gather(flows, concurrency)))
    except KeyboardInterrupt:
        with ledger.lock:
            assert sorted(ledger.began) == sorted(ledger.ended)  # nothing left running
            return list(ledger.began)
    raise AssertionError("not interrupted")


def _just(effect: Gather) -> Flow[list[Any]]:
    return (yield effect)


def test_an_interrupted_sync_gather_returns_after_its_running_flows_and_starts_no_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while the gather is still starting its threads (here: as the second
    starts): the caller gets control back only when nothing runs, and nothing runs
    later (a bulk stop reports every stop it sent, and closes no pool under one).  A
    ThreadPoolExecutor fails this: its shutdown does not wait for the thread whose
    start was interrupted, which goes on running a flow (the second, longer one)."""
    real_start = threading.Thread.start
    starts = 0

    def start(self: threading.Thread) -> None:
        nonlocal starts
        real_start(self)
        starts += 1
        if starts == 2 and self.name.startswith("sagemaker-stop"):
            _signal_main_thread()
            time.sleep(0.01)  # the KeyboardInterrupt lands in this start()

    monkeypatch.setattr(threading.Thread, "start", start)
    ledger = Ledger(seconds=lambda index: 0.05 if index == 0 else 0.2)
    began = _interrupted_gather(ledger, 40, 8)
    time.sleep(0.1)
    assert ledger.began == began  # no flow began after control came back


def test_a_sync_gather_interrupted_while_its_flows_run_waits_for_them() -> None:
    ledger = Ledger()
    timer = threading.Timer(0.03, _signal_main_thread)
    timer.start()
    began = _interrupted_gather(ledger, 400, 4)
    timer.join()
    time.sleep(0.05)
    assert 0 < len(began) < 400 and ledger.began == began
