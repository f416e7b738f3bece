"""Fixtures for the command-line tests: an emulator, the installed console script run
as a subprocess against it, and ``cli.run`` in-process (so coverage counts)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Callable, Optional

import attrs
import pytest

from sagemaker_stop import cli
from sagemaker_stop.emulator import CallbackStep, LambdaStep, SageMakerEmulator, Step

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/cli-callbacks"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:cli-work"
SCRIPT = os.path.join(os.path.dirname(sys.executable), "sagemaker-stop")


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def emu() -> Iterator[SageMakerEmulator]:
    """Simulated time only moves when the test advances it."""
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline(
            "cb", [Step("Prep", "Processing", 10), CallbackStep("Ext", QUEUE)]
        )
        emulator.create_pipeline("train", [Step("Train", "Training", 3600)])
        emulator.create_pipeline(
            "lam", [LambdaStep("Invoke", FUNCTION, duration=30, timeout=600)]
        )
        emulator.create_pipeline(
            "lamslow", [LambdaStep("Invoke", FUNCTION, duration=900, timeout=60)]
        )
        yield emulator


def in_callback(emu: SageMakerEmulator) -> str:
    """An execution waiting in its Callback step."""
    arn = emu.start_execution("cb")
    emu.advance(11)
    assert emu.step_status(arn, "Ext") == "Executing"
    return arn


def missing_arn(emu: SageMakerEmulator) -> str:
    return emu.pipeline_arn("cb") + "/execution/doesnotexist1"


@pytest.fixture
def env(emu: SageMakerEmulator) -> dict[str, str]:
    """The subprocess environment: the emulator's credentials, nothing else of AWS."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base["AWS_ACCESS_KEY_ID"] = emu.credentials.access_key_id
    base["AWS_SECRET_ACCESS_KEY"] = emu.credentials.secret_access_key
    base["AWS_EC2_METADATA_DISABLED"] = "true"
    return base


@pytest.fixture
def script(emu: SageMakerEmulator, env: dict[str, str]) -> Callable[..., Result]:
    """Run the installed console script against the emulator."""
    assert os.path.exists(SCRIPT), "the package must be installed (pip install -e .)"

    def run(*args: str, stdin: str = "", timeout: float = 30) -> Result:
        argv = [SCRIPT, "--endpoint-url", emu.endpoint_url, "--region", emu.region, *args]
        proc = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, env=env, timeout=timeout
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def spawn(emu: SageMakerEmulator, env: dict[str, str]) -> Callable[..., subprocess.Popen[str]]:
    def start(*args: str) -> subprocess.Popen[str]:
        argv = [SCRIPT, "--endpoint-url", emu.endpoint_url, "--region", emu.region, *args]
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    return start


class FakeStream(io.StringIO):
    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def run(emu: SageMakerEmulator, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``cli.run`` in-process against the emulator (credentials from the environment)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", emu.credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", emu.credentials.secret_access_key)

    def call(
        *args: str,
        stdin: str = "",
        tty_in: bool = False,
        tty_err: bool = False,
        endpoint: bool = True,
    ) -> Result:
        out, err = FakeStream(), FakeStream(tty=tty_err)
        prefix = ["--endpoint-url", emu.endpoint_url, "--region", emu.region] if endpoint else []
        code = cli.run(
            [*prefix, *args], stdin=FakeStream(stdin, tty=tty_in), stdout=out, stderr=err
        )
        return Result(code, out.getvalue(), err.getvalue())

    return call


def when(predicate: Callable[[], bool], action: Callable[[], object], limit: float = 10) -> threading.Thread:
    """In a thread: once ``predicate()`` holds, do ``action()`` (the test's side of a wait)."""

    def body() -> None:
        deadline = time.monotonic() + limit
        while not predicate():
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        action()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def stopping(emu: SageMakerEmulator, arn: str) -> Callable[[], bool]:
    return lambda: emu.execution_status(arn) == "Stopping"


def first_line(text: str) -> Optional[str]:
    lines = text.splitlines()
    return lines[0] if lines else None
