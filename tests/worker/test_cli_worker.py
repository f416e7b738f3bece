"""``sagemaker-stop worker -- COMMAND``: the command's contract (arguments on stdin,
outputs on stdout, the failure reason from stderr) and the worker's own shutdown on
SIGTERM.  (SIGTERM to a command on a stop: ``test_worker.py``, both shells.)"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import cli
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

from .conftest import wait_until

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/cli-work"
SCRIPT = os.path.join(os.path.dirname(sys.executable), "sagemaker-stop")
JOB = textwrap.dedent(
    """
    import json, os, signal, sys, time
    args = json.load(sys.stdin)
    print("working on", os.environ["SAGEMAKER_CALLBACK_TOKEN"], file=sys.stderr)
    if "sleep" in args:
        def stop(*_):
            open(args["marker"], "w").write("SIGTERM")
            sys.exit(143)
        signal.signal(signal.SIGTERM, stop)
        open(args["marker"] + ".ready", "w").close()
        time.sleep(args["sleep"])
    if "fail" in args:
        sys.exit(print("no luck with key", os.environ["AWS_SECRET_ACCESS_KEY"], file=sys.stderr) or 3)
    print(json.dumps({"double": args["n"] * 2, "arn": os.environ["SAGEMAKER_PIPELINE_EXECUTION_ARN"],
                      "delivery": os.environ["SAGEMAKER_CALLBACK_RECEIVE_COUNT"]}))
    """
)


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[SageMakerEmulator]:
    with SageMakerEmulator() as emulator:
        for name, value in emulator.env.items():
            monkeypatch.setenv(name, value)
        emulator.create_pipeline("ok", [CallbackStep("Job", QUEUE, {"n": 21}), Step("T", "Training", 9)])
        emulator.create_pipeline("bad", [CallbackStep("Job", QUEUE, {"fail": 1})])
        yield emulator


def worker(*options: str, json_output: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    prefix = ["--output", "json"] if json_output else []
    code = cli.run(
        [*prefix, "worker", "--queue", QUEUE, *options, "--", sys.executable, "-c", JOB],
        stdout=out, stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def test_the_command_gets_the_arguments_and_its_stdout_answers_the_step(
    emu: SageMakerEmulator,
) -> None:
    ok, bad = emu.start_execution("ok"), emu.start_execution("bad")
    code, out, err = worker("--wait-time", "0", "--exit-when-idle", json_output=True)
    assert code == 0, err
    assert json.loads(out)["Succeeded"] == 1 and json.loads(out)["Failed"] == 1
    (job,) = [s for s in emu.list_steps(ok) if s["StepName"] == "Job"]
    assert job["Metadata"]["Callback"]["OutputParameters"] == [
        {"Name": "double", "Value": "42"}, {"Name": "arn", "Value": ok},
        {"Name": "delivery", "Value": "1"},
    ]
    # The failure reason is stderr's last line, with the secret masked.
    reason = emu.describe_execution(bad)["FailureReason"]
    assert reason == "Step failure: Job: no luck with key ***"
    assert emu.credentials.secret_access_key not in err
    assert "succeeded in" in err and "failed in" in err
    assert emu.queue_messages(QUEUE) == []


def test_a_worker_without_a_command_is_a_usage_error(emu: SageMakerEmulator) -> None:
    err = io.StringIO()
    assert cli.run(["worker", "--queue", QUEUE], stdout=io.StringIO(), stderr=err) == 2
    assert "give the command to run" in err.getvalue()


def test_help_documents_the_command_contract() -> None:
    out = io.StringIO()
    assert cli.run(["worker", "--help"], stdout=out, stderr=io.StringIO()) == 0
    text = out.getvalue()
    for fragment in ("SAGEMAKER_CALLBACK_TOKEN", "one JSON object", "last", "SIGTERM", "exit 75"):
        assert fragment in text, fragment


def test_sigterm_shuts_the_worker_down_after_its_running_command(
    emu: SageMakerEmulator, tmp_path: Any
) -> None:
    assert os.path.exists(SCRIPT), "the package must be installed (pip install -e .)"
    marker = tmp_path / "nap"
    emu.create_pipeline(
        "nap", [CallbackStep("Job", QUEUE, {"sleep": 0.3, "marker": str(marker), "n": 1})]
    )
    arn = emu.start_execution("nap")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | emu.env
    process = subprocess.Popen(
        [SCRIPT, "worker", "--queue", QUEUE, "--wait-time", "0", "--", sys.executable, "-c", JOB],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        wait_until(lambda: os.path.exists(f"{marker}.ready"), timeout=10)
        process.send_signal(signal.SIGTERM)  # the command is still sleeping: let it finish
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test fails
            process.kill()
    assert process.returncode == 0, err
    assert "shutting down" in err and "worker done: 1 succeeded" in out
    assert emu.step_status(arn, "Job") == "Succeeded"
