"""The installed ``sagemaker-stop`` console script, run as a subprocess against the emulator."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
from typing import Callable

from sagemaker_stop import __version__
from sagemaker_stop.emulator import SageMakerEmulator

from .conftest import QUEUE, SCRIPT, Result, in_callback, missing_arn, stopping, when

Script = Callable[..., Result]


def test_version_and_help(script: Script) -> None:
    result = script("--version")
    assert (result.code, result.out.strip()) == (0, f"sagemaker-stop {__version__}")
    result = script("--help")
    assert result.code == 0
    assert "examples:" in result.out and "exit codes:" in result.out
    for command in ("stop", "status", "callback", "emulator", "demo"):
        assert command in result.out
    result = script("stop", "--help")
    assert result.code == 0 and "--pipeline" in result.out and "--client-request-token" in result.out


def test_stop_one(script: Script, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    result = script("stop", arn)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"{arn}\tstop requested\n"
    assert emu.execution_status(arn) == "Stopping"


def test_stop_several_with_aws_cli_spelling(script: Script, emu: SageMakerEmulator) -> None:
    a, b, c = (emu.start_execution("train") for _ in range(3))
    result = script("stop", a, b, "--pipeline-execution-arn", c)
    assert result.code == 0
    assert [line.split("\t")[0] for line in result.out.splitlines()] == [a, b, c]
    assert {emu.execution_status(x) for x in (a, b, c)} == {"Stopping"}


def test_wait_ends_stopped_after_the_callback_is_answered(
    spawn: Callable[..., subprocess.Popen[str]], emu: SageMakerEmulator
) -> None:
    arn = in_callback(emu)
    proc = spawn("stop", "--wait", "--poll-interval", "0.1", arn)
    when(stopping(emu, arn), lambda: emu.send_step_failure(emu.callback_token(arn), "cleaned up"))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == f"{arn}\tStopped\n"
    assert err == ""  # stderr is not a terminal: no progress lines


def test_wait_through_a_lambda_step(
    spawn: Callable[..., subprocess.Popen[str]], emu: SageMakerEmulator
) -> None:
    arn = emu.start_execution("lam")
    emu.advance(20)  # 10 s of the function left
    proc = spawn("--output", "json", "stop", "--wait", "--poll-interval", "0.1", arn)
    when(stopping(emu, arn), lambda: emu.advance(15))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    document = json.loads(out)
    assert document["ExitCode"] == 0
    [execution] = document["Executions"]
    assert execution["PipelineExecutionStatus"] == "Stopped"
    assert execution["Stop"] == "requested"


def test_lambda_timeout_ends_failed_exit_4(
    spawn: Callable[..., subprocess.Popen[str]], emu: SageMakerEmulator
) -> None:
    arn = emu.start_execution("lamslow")
    emu.advance(10)
    proc = spawn("stop", "--wait", "--poll-interval", "0.1", arn)
    when(stopping(emu, arn), lambda: emu.advance(60))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 4, err
    assert out.startswith(f"{arn}\tFailed: Step failure: Invoke: Lambda function")


def test_wait_times_out_exit_3(script: Script, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    result = script("stop", "--timeout", "0.5", "--poll-interval", "0.1", arn)
    assert result.code == 3
    assert result.out == f"{arn}\ttimed out (still Stopping)\n"


def test_not_found_is_one_line_exit_1(script: Script, emu: SageMakerEmulator) -> None:
    arn = missing_arn(emu)
    result = script("stop", arn)
    assert (result.code, result.out) == (1, "")
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: ResourceNotFound: Pipeline execution")
    assert "request id" in result.err and "Traceback" not in result.err


def test_debug_shows_traceback_and_logs(script: Script, emu: SageMakerEmulator) -> None:
    result = script("--debug", "status", missing_arn(emu))
    assert result.code == 1
    assert "Traceback" in result.err and "sagemaker_stop DEBUG" in result.err
    assert result.err.rstrip().splitlines()[-1].startswith("error: ResourceNotFound")


def test_validation_error_exit_2_sends_nothing(script: Script, emu: SageMakerEmulator) -> None:
    good = in_callback(emu)
    result = script("stop", good, "arn:aws:sagemaker:us-east-1:123:pipeline/p")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("error: ParamValidationError: Invalid PipelineExecutionArn")
    result = script("callback", "succeed", "--token", "short")
    assert result.code == 2 and "CallbackToken" in result.err
    result = script("stop", "--client-request-token", "t" * 40, good, good)
    assert result.code == 2 and "single ARN" in result.err
    result = script("stop", "--frobnicate", good)  # argparse
    assert result.code == 2 and "unrecognized arguments" in result.err
    assert emu.requests == []
    assert emu.execution_status(good) == "Executing"


def test_output_json_only_json_on_stdout(script: Script, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    missing = missing_arn(emu)
    result = script("--output", "json", "stop", arn, missing)
    assert result.code == 1
    document = json.loads(result.out)  # the whole of stdout is one document
    assert document["ExitCode"] == 1
    ok, bad = document["Executions"]
    assert ok == {"PipelineExecutionArn": arn, "Stop": "requested",
                  "PipelineExecutionStatus": "Stopping", "ExitCode": 0}
    assert bad["Error"]["Code"] == "ResourceNotFound" and bad["ExitCode"] == 1
    assert bad["Error"]["RequestId"]
    assert result.err.startswith(f"error: {missing}: ResourceNotFound")


def test_status_names_the_holding_callback_step_and_queue(
    script: Script, emu: SageMakerEmulator, env: dict[str, str]
) -> None:
    arn = in_callback(emu)
    emu.stop_execution(arn)
    result = script("status", arn)
    assert result.code == 0, result.err
    assert "status:     Stopping" in result.out
    assert "held by: Callback step Ext is waiting for SendPipelineExecutionStepSuccess/Failure" in result.out
    assert f"queue:  {QUEUE}" in result.out
    token = emu.callback_token(arn)
    # the command shown answers the step, run as it is (with the options this run was given)
    (line,) = [line for line in result.out.splitlines() if "answer (after cleaning up): " in line]
    command = line.split("answer (after cleaning up): ", 1)[1]
    assert command == (
        f"sagemaker-stop --region {emu.region} --endpoint-url {emu.endpoint_url} "
        f"callback fail --token {token} --reason 'stopped'"
    )

    document = json.loads(script("--output", "json", "status", arn).out)
    assert document["PipelineExecutionStatus"] == "Stopping"
    [held] = document["HeldBy"]
    assert (held["StepName"], held["SqsQueueUrl"], held["CallbackToken"]) == ("Ext", QUEUE, token)
    assert document["CreationTime"].endswith("+00:00")  # ISO 8601
    argv = shlex.split(command)
    answered = subprocess.run([SCRIPT, *argv[1:]], capture_output=True, text=True, env=env,
                              timeout=30)
    assert answered.returncode == 0, answered.stderr
    assert emu.execution_status(arn) == "Stopped"


def test_bulk_stop_with_yes(script: Script, emu: SageMakerEmulator) -> None:
    running = [emu.start_execution("train") for _ in range(3)]
    done = emu.start_execution("cb")  # another pipeline: untouched
    result = script("stop", "--pipeline", "train", "--yes")
    assert result.code == 0, result.err
    assert sorted(line.split("\t")[0] for line in result.out.splitlines()) == sorted(running)
    assert {emu.execution_status(a) for a in running} == {"Stopping"}
    assert emu.execution_status(done) == "Executing"


def test_bulk_stop_without_yes_off_a_terminal_is_refused(
    script: Script, emu: SageMakerEmulator
) -> None:
    arn = emu.start_execution("train")
    result = script("stop", "--pipeline", "train", stdin="y\n")
    assert result.code == 2 and "--yes" in result.err
    assert emu.requests == [] and emu.execution_status(arn) == "Executing"


def test_callback_succeed_and_fail(script: Script, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    result = script("callback", "succeed", "--token", emu.callback_token(arn),
                    "--output", "model=s3://b/m", "--output", "acc=0.9")
    assert (result.code, result.out) == (0, f"{arn}\tcallback step succeeded\n")
    assert emu.execution_status(arn) == "Succeeded"
    [step] = [s for s in emu.list_steps(arn) if s["StepName"] == "Ext"]
    assert step["Metadata"]["Callback"]["OutputParameters"] == [
        {"Name": "model", "Value": "s3://b/m"}, {"Name": "acc", "Value": "0.9"}]

    other = in_callback(emu)
    result = script("callback", "fail", "--token", emu.callback_token(other), "--reason", "no")
    assert (result.code, result.out) == (0, f"{other}\tcallback step failed\n")
    assert emu.execution_status(other) == "Failed"


def test_emulator_command(env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [SCRIPT, "emulator", "--port", "0", "--speed", "5", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("SageMaker emulator listening on http://127.0.0.1:")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_settings_from_the_environment(env: dict[str, str], emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    env = dict(env, AWS_ENDPOINT_URL=emu.endpoint_url, AWS_REGION=emu.region)
    proc = subprocess.run([SCRIPT, "stop", arn], capture_output=True, text=True, env=env,
                          timeout=30)
    assert (proc.returncode, proc.stdout) == (0, f"{arn}\tstop requested\n"), proc.stderr
    env["AWS_PROFILE"] = "missing"  # a profile asked for must exist: exit 2, nothing sent
    count = len(emu.requests)
    proc = subprocess.run([SCRIPT, "status", arn], capture_output=True, text=True, env=env,
                          timeout=30)
    assert proc.returncode == 2 and "missing" in proc.stderr
    assert len(emu.requests) == count


def test_from_nothing_to_a_stopped_execution_with_shipped_commands(
    script: Script, emu: SageMakerEmulator
) -> None:
    """The README's emulator walk-through: start, stop, see it stopped, stop again."""
    emu.speed = 10.0  # simulated time runs, as under `sagemaker-stop emulator`
    started = script("start", "train")
    assert started.code == 0, started.err
    arn = started.out.strip()
    stopped = script("stop", "--wait", "--timeout", "20", "--poll-interval", "0.1", arn)
    assert stopped.out == f"{arn}\tStopped\n"
    again = script("stop", arn)
    assert (again.code, again.out) == (0, f"{arn}\talready ended (Stopped)\n")


def test_python_dash_m_exits_with_the_cli_code(env: dict[str, str], emu: SageMakerEmulator) -> None:
    """``python -m sagemaker_stop.cli`` and ``python -m sagemaker_stop`` are the command,
    exit code included (1: a stop that failed, not found; 2: a usage error; 0: --version)."""
    missing = missing_arn(emu)
    for module in ("sagemaker_stop.cli", "sagemaker_stop"):
        base = [sys.executable, "-m", module]
        proc = subprocess.run(
            [*base, "--endpoint-url", emu.endpoint_url, "--region", emu.region,
             "stop", missing], capture_output=True, text=True, env=env, timeout=30)
        assert (proc.returncode, proc.stdout) == (1, ""), module
        assert proc.stderr.startswith("error: ResourceNotFound: "), proc.stderr
        assert emu.requests_for("StopPipelineExecution")[-1].status == 400
        proc = subprocess.run([*base, "stop"], capture_output=True, text=True, env=env,
                              timeout=30)
        assert proc.returncode == 2 and "at least one execution ARN" in proc.stderr, module
        proc = subprocess.run([*base, "--version"], capture_output=True, text=True, env=env,
                              timeout=30)
        assert (proc.returncode, proc.stdout) == (0, f"sagemaker-stop {__version__}\n"), module
