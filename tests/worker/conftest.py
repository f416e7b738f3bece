"""Workers against the emulator: one runner for the sync worker (threads) and the async
one (tasks, on an event loop of their own), so each test runs both ways.

Simulated time only moves when a test advances it (visibility timeouts too); the
workers' own timers (heartbeats, long polls) run on the real clock, kept short."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable, Optional

import pytest

from sagemaker_stop import (
    AsyncCallbackWorker,
    CallbackWorker,
)
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/work"
#: Fast settings: short polls every 20 ms (a shutdown need not wait for a long poll),
#: heartbeats every 0.1 s (real), a short grace.
FAST = {"wait_time": 0, "poll_interval": 0.02, "visibility_timeout": 30, "heartbeat": 0.1,
        "cancel_grace": 1.0}


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


class Runner:
    """A worker of one kind, running in the background until :meth:`stop`."""

    def __init__(
        self, kind: str, emu: SageMakerEmulator, handler: Any, queue: str = QUEUE,
        **options: Any,
    ) -> None:
        self.kind = kind
        self.emu = emu
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.worker: Any = None
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        ready = threading.Event()
        opts = {**FAST, **options}

        def sync_main() -> None:
            with emu.client() as sm:
                self.worker = CallbackWorker(queue, handler, client=sm, **opts)
                ready.set()
                self._collect(self.worker.run)

        async def async_main() -> None:
            self.loop = asyncio.get_running_loop()
            async with emu.async_client() as sm:
                self.worker = AsyncCallbackWorker(queue, handler, client=sm, **opts)
                ready.set()
                try:
                    self.result = await self.worker.run()
                except Exception as exc:
                    self.error = exc

        target = sync_main if kind == "sync" else (lambda: asyncio.run(async_main()))
        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()
        assert ready.wait(5)

    def _collect(self, run: Callable[[], Any]) -> None:
        try:
            self.result = run()
        except Exception as exc:
            self.error = exc

    @property
    def stats(self) -> Any:
        return self.worker.stats

    def shutdown(self, cancel: bool = False) -> None:
        if self.loop is None:
            self.worker.shutdown(cancel)
        else:
            self.loop.call_soon_threadsafe(self.worker.shutdown, cancel)

    def stop(self, cancel: bool = True, timeout: float = 10.0) -> Any:
        """Shut down (by default cancelling: nothing waits for the long poll) and wait."""
        self.shutdown(cancel)
        return self.join(timeout)

    def join(self, timeout: float = 10.0) -> Any:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the worker did not stop"
        return self.result


@pytest.fixture
def emu() -> Iterator[SageMakerEmulator]:
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline(
            "cb",
            [Step("Prep", "Processing", 10), CallbackStep("Work", QUEUE, {"n": 1}),
             Step("Train", "Training", 100)],
        )
        yield emulator


@pytest.fixture
def start(emu: SageMakerEmulator) -> Callable[[], str]:
    """Start an execution and bring it to its Callback step (its message queued)."""

    def go() -> str:
        arn = emu.start_execution("cb")
        emu.advance(11)
        return arn

    return go


@pytest.fixture
def run_worker(client_kind: str, emu: SageMakerEmulator) -> Iterator[Callable[..., Runner]]:
    made: list[Runner] = []

    def make(handler: Any, **options: Any) -> Runner:
        runner = Runner(client_kind, emu, handler, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        if runner.thread.is_alive():
            runner.stop()
