"""Workflow tests: real clients over loopback HTTP against the emulator, in virtual time.

``world.client()`` makes a sync or async client (the ``client_kind`` parameter runs every
test both ways) whose clock and sleep are virtual: sleeping advances the emulator's
simulated time *and* its wall clock (``clock_skew``) together with the client's clock, so
signatures stay valid and a one-hour wait takes milliseconds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import Credentials
from sagemaker_stop.emulator import CallbackStep, LambdaStep, SageMakerEmulator, Step
from sagemaker_stop.emulator.pytest_plugin import sagemaker_emulator  # noqa: F401

from ..clients import Both

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/callbacks"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:cleanup"


class VirtualTime:
    def __init__(self, emu: SageMakerEmulator) -> None:
        self.emu = emu
        self.offset = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.offset += seconds
            self.emu.clock_skew += seconds
            self.emu.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


class World:
    def __init__(self, emu: SageMakerEmulator, kind: str) -> None:
        self.emu = emu
        self.kind = kind
        self.time = VirtualTime(emu)
        self.made: list[Both] = []

    def client(self, kind: str = "", **kwargs: Any) -> Both:
        """A client of this test's kind (``kind="sync"``: e.g. for a callback consumer,
        which runs elsewhere, not on the waiting client's event loop)."""
        kind = kind or self.kind
        kwargs.setdefault("region", "us-east-1")
        kwargs.setdefault("endpoint_url", self.emu.endpoint_url)
        kwargs.setdefault(
            "credentials",
            Credentials(
                self.emu.credentials.access_key_id, self.emu.credentials.secret_access_key
            ),
        )
        both = Both(kind, **kwargs)
        both.client._core.clock = self.time.clock
        both.client._core.monotonic = self.time.monotonic
        both.client._io.sleep = self.time.sleep if kind == "sync" else self.time.asleep
        self.made.append(both)
        return both

    def collect(self, both: Both, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Drain a sync or async iterator method into a list."""
        iterator = getattr(both.client, method)(*args, **kwargs)
        if both.loop is None:
            return list(iterator)

        async def drain() -> list[Any]:
            return [item async for item in iterator]

        return both.loop.run_until_complete(drain())

    # --- pipelines -----------------------------------------------------------------

    def callback_pipeline(self, name: str = "cb") -> str:
        self.emu.create_pipeline(
            name,
            [
                Step("Prepare", "Processing", 10),
                CallbackStep("Approve", QUEUE, {"job": "j-1"}),
                Step("Train", "Training", 100),
            ],
        )
        return name

    def lambda_pipeline(self, name: str, duration: float, timeout: float) -> str:
        self.emu.create_pipeline(
            name,
            [
                LambdaStep(
                    "Cleanup", FUNCTION, duration, timeout, output_parameters={"done": "yes"}
                ),
                Step("Train", "Training", 100),
            ],
        )
        return name


@pytest.fixture
def world(
    sagemaker_emulator: SageMakerEmulator,  # noqa: F811
    client_kind: str,
) -> Iterator[World]:
    w = World(sagemaker_emulator, client_kind)
    yield w
    for both in w.made:
        both.close()
