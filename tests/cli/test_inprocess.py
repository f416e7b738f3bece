"""``sagemaker_stop.cli`` in-process: parsing, formatting, exit codes and every command
against the emulator (these runs count toward coverage; the subprocess ones do not)."""

from __future__ import annotations

import datetime
import io
import json
import logging
import signal
import sys
import threading
import types
from contextlib import redirect_stderr as contextlib_redirect
from typing import Any, Callable

import pytest

from sagemaker_stop import (
    ConfigurationError,
    ConflictException,
    NoCredentialsError,
    ParamValidationError,
    ResourceNotFound,
    WaitTimeoutError,
    cli,
)
from sagemaker_stop.cli import app, console, exits, parser, render
from sagemaker_stop.emulator import SageMakerEmulator, Step

from .conftest import (
    FUNCTION,
    QUEUE,
    FakeStream,
    Result,
    in_callback,
    missing_arn,
    stopping,
    when,
)

Run = Callable[..., Result]


# --------------------------------------------------------------------------- pure parts


def test_worst_precedence() -> None:
    assert exits.worst([]) == 0
    assert exits.worst([0, 3, 4]) == 4
    assert exits.worst([3, 4, 1, 0]) == 1
    assert exits.worst([1, 2]) == 2
    assert exits.worst([0, 3]) == 3
    assert exits.worst([2, 130]) == 130


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ResourceNotFound("x"), 1),
        (ConflictException("x"), 1),
        (ParamValidationError("F", "bad"), 2),
        (ConfigurationError("no region"), 2),
        (NoCredentialsError("none"), 2),
        (exits.UsageError("x"), 2),
        (WaitTimeoutError("slow"), 3),
        (KeyboardInterrupt(), 130),
        (RuntimeError("boom"), 1),
        (exits.Declined("no"), 1),
    ],
)
def test_exit_code_for(exc: BaseException, code: int) -> None:
    assert exits.exit_code_for(exc) == code


def test_error_line_and_json() -> None:
    exc = ResourceNotFound("gone\nreally", request_id="rid-1", http_status=400)
    assert render.error_line(exc) == "ResourceNotFound: gone really (HTTP 400, request id rid-1)"
    assert render.error_json(exc) == {
        "Code": "ResourceNotFound", "Message": "gone\nreally", "HttpStatus": 400,
        "RequestId": "rid-1",
    }
    assert render.error_line(ParamValidationError("F", "bad")) == "ParamValidationError: Invalid F: bad"
    assert render.error_line(exits.UsageError("plain")) == "plain"
    assert render.error_line(OSError("disk")) == "OSError: disk"
    assert render.error_json(OSError("disk")) == {"Code": "OSError", "Message": "disk"}


def test_to_json_datetimes() -> None:
    when_ = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert json.loads(render.to_json({"t": when_})) == {"t": "2026-01-02T03:04:05+00:00"}
    with pytest.raises(TypeError):
        render.to_json({"x": object()})


def test_globals_before_or_after_the_command() -> None:
    args = parser.parse_args(["--region", "eu-west-1", "stop", "--output", "json", "A"])
    assert (args.region, args.output, args.arns) == ("eu-west-1", "json", ["A"])
    args = parser.parse_args(["--output", "json", "stop", "--region", "us-west-2", "A"])
    assert (args.region, args.output) == ("us-west-2", "json")
    args = parser.parse_args(["stop", "A"])
    assert (args.region, args.output, args.debug, args.max_attempts) == (None, "text", False, None)
    args = parser.parse_args(
        ["--output", "json", "callback", "succeed", "--token", "T", "--output", "a=b=c"]
    )
    assert (args.output, args.outputs) == ("json", [("a", "b=c")])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stop", "--timeout", "0", "A"], "must be a number of seconds > 0"),
        (["stop", "--timeout", "nan", "A"], "must be a number of seconds > 0"),
        (["stop", "--timeout", "soon", "A"], "not a number"),
        (["--max-attempts", "0", "stop", "A"], "must be at least 1"),
        (["--max-attempts", "x", "stop", "A"], "not an integer"),
        (["--retry-mode", "fast", "stop", "A"], "invalid choice"),
        (["callback", "succeed", "--token", "T", "--output", "novalue"], "expected NAME=VALUE"),
        (["stop", "--status", "Running", "--pipeline", "p"], "invalid choice"),
        (["callback", "fail", "--token", "T"], "--reason"),
        ([], "required"),
    ],
)
def test_argparse_errors_exit_2(argv: list[str], message: str) -> None:
    out, err = cli_streams()
    assert cli.run(argv, stdout=out, stderr=err) == 2
    assert message in err.getvalue() and out.getvalue() == ""


def test_retry_mode_option_reaches_the_client() -> None:
    from sagemaker_stop.cli.connect import make_client

    assert parser.parse_args(["stop", "A"]).retry_mode is None
    for argv, mode in ((["--retry-mode", "adaptive", "stop", "A"], "adaptive"),
                       (["stop", "--retry-mode", "legacy", "A"], "legacy")):
        with make_client(parser.parse_args(argv)) as client:
            assert client._core.retry.policy.mode == mode


def cli_streams() -> tuple[Any, Any]:
    from .conftest import FakeStream

    return FakeStream(), FakeStream()


def test_help_and_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = cli_streams()
    assert cli.run(["--version"], stdout=out, stderr=err) == 0
    assert out.getvalue().startswith("sagemaker-stop ")
    out, err = cli_streams()
    assert cli.run(["status", "--help"], stdout=out, stderr=err) == 0
    assert "held" in out.getvalue() or "holds" in out.getvalue()


def test_main_returns_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["sagemaker-stop", "--version"])
    assert cli.main() == 0
    assert cli.main(["stop"]) == 2



@pytest.mark.parametrize("module", ["sagemaker_stop.cli", "sagemaker_stop"])
def test_dash_m_modules_exit_with_the_code(
    module: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import runpy

    monkeypatch.setattr(sys, "argv", ["sagemaker-stop", "stop"])
    with pytest.raises(SystemExit) as raised:
        runpy.run_module(module, run_name="__main__")
    assert raised.value.code == 2
    assert "at least one execution ARN" in capsys.readouterr().err



def _shown(output: str, show: Callable[[render.Renderer], None]) -> tuple[str, str]:
    """What the renderer writes (stdout, stderr) for results made without any service."""
    out, err = cli_streams()
    show(render.Renderer(console.Console(out, err), output))
    return out.getvalue(), err.getvalue()


def test_command_results_render_as_text_and_as_json() -> None:
    from sagemaker_stop.cli.results import CallbackResult, StartResult, StopOutcome

    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc123"
    other = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/def456"
    assert _shown("text", lambda r: r.started(StartResult(arn))) == (f"{arn}\n", "")
    out, err = _shown("json", lambda r: r.started(StartResult(arn)))
    assert (json.loads(out), err) == ({"PipelineExecutionArn": arn}, "")

    answered = CallbackResult(arn, "fail")
    assert _shown("text", lambda r: r.answered(answered)) == (f"{arn}\tcallback step failed\n", "")
    out, _ = _shown("json", lambda r: r.answered(answered))
    assert json.loads(out) == {"PipelineExecutionArn": arn, "Callback": "fail"}

    gone = ResourceNotFound("gone", request_id="rid-2", http_status=400)
    outcomes = [StopOutcome(arn, "requested", "Stopping"), StopOutcome(other).failed(gone),
                StopOutcome(arn, "requested", "Stopping", timed_out=True, code=3)]
    assert outcomes[1].code == 1 and outcomes[1].error is gone
    out, err = _shown("text", lambda r: r.stop_outcomes(outcomes, 1))
    assert out == f"{arn}\tstop requested\n{arn}\ttimed out (still Stopping)\n"
    assert err == f"error: {other}: ResourceNotFound: gone (HTTP 400, request id rid-2)\n"
    out, err = _shown("json", lambda r: r.stop_outcomes(outcomes, 1))
    assert json.loads(out) == {"Executions": [
        {"PipelineExecutionArn": arn, "Stop": "requested",
         "PipelineExecutionStatus": "Stopping", "ExitCode": 0},
        {"PipelineExecutionArn": other, "ExitCode": 1, "Error": {
            "Code": "ResourceNotFound", "Message": "gone", "HttpStatus": 400,
            "RequestId": "rid-2"}},
        {"PipelineExecutionArn": arn, "Stop": "requested",
         "PipelineExecutionStatus": "Stopping", "TimedOut": True, "ExitCode": 3},
    ], "ExitCode": 1}
    assert err == f"error: {other}: ResourceNotFound: gone (HTTP 400, request id rid-2)\n"


def test_failures_render_as_text_and_as_json() -> None:
    usage = exits.UsageError("give at least one execution ARN")
    assert _shown("text", lambda r: r.failure(usage, 2)) == (
        "", "sagemaker-stop: error: give at least one execution ARN\n")
    out, err = _shown("json", lambda r: r.failure(KeyboardInterrupt(), 130))
    assert err == "interrupted\n"
    assert json.loads(out) == {"Error": {"Code": "KeyboardInterrupt", "Message": ""},
                               "ExitCode": 130}


# --------------------------------------------------------------------------- stop


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stop"], "at least one execution ARN"),
        (["stop", "--status", "Executing", "A"], "--status goes with --pipeline"),
        (["stop", "--yes", "A"], "--yes goes with --pipeline"),
        (["stop", "--dry-run", "A"], "--dry-run goes with --pipeline"),
        (["stop", "--pipeline", "p", "A"], "not both"),
        (["stop", "--pipeline", "p", "--client-request-token", "t" * 40], "single ARN"),
        (["stop", "--pipeline", "bad name!", "--yes"], "Invalid PipelineName"),
        (["stop", "--client-request-token", "t" * 40, "A", "B"], "single ARN"),
    ],
)
def test_stop_usage_errors(run: Run, emu: SageMakerEmulator, argv: list[str], message: str) -> None:
    result = run(*argv)
    assert result.code == 2 and message in result.err and result.out == ""
    assert emu.requests == []


def test_stop_and_already_ended(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    token = "t" * 40
    result = run("stop", "--client-request-token", token, arn)
    assert (result.code, result.out) == (0, f"{arn}\tstop requested\n")
    assert emu.requests_for("StopPipelineExecution")[0].client_request_token == token
    emu.send_step_success(emu.callback_token(arn))
    result = run("stop", arn)  # ExecutionNotStoppable + a terminal description
    assert (result.code, result.out) == (0, f"{arn}\talready ended (Stopped)\n")


class VirtualClock:
    """A monotonic clock that only moves when slept on; ``at(t, action)`` runs an action
    (the test's side of a wait) once the clock has reached ``t``, inside the sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.actions: list[tuple[float, Callable[[], object]]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        for due, action in list(self.actions):
            if self.now >= due:
                self.actions.remove((due, action))
                action()

    def at(self, elapsed: float, action: Callable[[], object]) -> None:
        self.actions.append((self.now + elapsed, action))


@pytest.fixture
def virtual(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    """``stop --wait``'s display on a virtual clock (its sleeps are the wait's sleeps)."""
    import functools

    from sagemaker_stop.cli import progress, stop

    clock = VirtualClock()
    monkeypatch.setattr(
        stop, "DISPLAY", functools.partial(progress.WaitDisplay, clock=clock.clock, sleep=clock.sleep)
    )
    return clock


def frames(err: str) -> list[str]:
    """What each redraw of the progress line showed (notes are whole lines)."""
    return [frame for line in err.split("\n") for frame in line.split("\r") if frame.strip()]


def test_wait_progress_on_a_terminal(
    run: Run, emu: SageMakerEmulator, virtual: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    arn = in_callback(emu)
    token = emu.callback_token(arn)
    # polls at 0, 3 and 7.5 s: the consumer answers during the second sleep
    virtual.at(7.0, lambda: emu.send_step_failure(token, "x"))
    result = run("stop", "--wait", "--poll-interval", "3", arn, tty_err=True)
    assert (result.code, result.out) == (0, f"{arn}\tStopped\n")
    assert result.err.endswith("\r")  # the progress line is cleared at the end
    lines = result.err.split("\n")
    # the full explanation, the token and the command that releases it: once each
    held = [line for line in lines if "held by: Callback step Ext is waiting for" in line]
    assert len(held) == 1 and "SendPipelineExecutionStepSuccess/Failure" in held[0]
    assert [line.strip() for line in lines if "token:" in line] == [f"token:  {token}"]
    (answer,) = [line for line in lines if "answer (after cleaning up):" in line]
    assert answer.endswith(
        f"sagemaker-stop --region {emu.region} --endpoint-url {emu.endpoint_url} "
        f"callback fail --token {token} --reason 'stopped'"
    )
    # the live line: fits 60 columns, short, and ticks every second between the polls
    shown = [f for f in frames(result.err) if f.startswith("[")]
    assert shown and all(len(f) <= 59 for f in shown)
    assert shown[0] == "[    0s] Stopping: held by Callback step Ext"
    seconds = [int(f[1:6]) for f in shown]
    assert seconds == sorted(seconds) and set(range(0, 8)) <= set(seconds)
    # the ticks neither delayed nor repeated anything: 3 polls, 3 + 4.5 s slept in all
    assert len(emu.requests_for("DescribePipelineExecution")) == 3
    assert sum(virtual.sleeps) == pytest.approx(7.5)


def test_a_long_progress_line_is_cut_to_the_terminal(
    run: Run, emu: SageMakerEmulator, virtual: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    a, b = emu.start_execution("lam"), in_callback(emu)
    virtual.at(2.0, lambda: emu.advance(40))  # the Lambda function finishes
    virtual.at(4.0, lambda: emu.send_step_failure(emu.callback_token(b), "x"))
    result = run("stop", "--wait", "--poll-interval", "1", a, b, tty_err=True)
    assert result.code == 0
    shown = [f for f in frames(result.err) if f.startswith("[")]
    assert shown and all(len(f) <= 29 for f in shown)
    assert any(f.endswith("\u2026") for f in shown)  # cut, with an ellipsis
    # each explanation on its own lines, in full, once, named by its execution
    lines = [line.rpartition("\r")[2] for line in result.err.split("\n")]  # after a redraw
    assert [line.split(" is ")[0] for line in lines if "held by:" in line] == [
        f"{a.rpartition('/')[2]}: held by: Lambda step Invoke",
        f"{b.rpartition('/')[2]}: held by: Callback step Ext",
    ]


def test_the_console_cuts_the_line_and_falls_back_to_dots() -> None:
    from sagemaker_stop.cli.console import Console

    class Ascii(FakeStream):
        encoding = "ascii"

    for stream, ellipsis in ((FakeStream(tty=True), "\u2026"), (Ascii(tty=True), "...")):
        shown = Console(io.StringIO(), stream, columns=lambda: 21)
        shown.progress("x" * 50)
        shown.progress("short")  # pads over the longer line before it
        first, second = stream.getvalue().split("\r")[1:]
        assert first == "x" * (20 - len(ellipsis)) + ellipsis
        assert second == "short" + " " * 15


def test_the_display_ticks_each_second_of_a_sleep() -> None:
    from sagemaker_stop.cli.console import Console
    from sagemaker_stop.cli.progress import WaitDisplay

    err = FakeStream(tty=True)
    clock = VirtualClock()
    display = WaitDisplay(Console(io.StringIO(), err, columns=lambda: 80),
                          clock=clock.clock, sleep=clock.sleep)
    display.sleep(0.3)  # nothing shown yet: nothing drawn
    assert err.getvalue() == "" and clock.sleeps == [pytest.approx(0.3)]
    display._text = "Stopping"
    display.sleep(2.5)
    assert clock.sleeps[1:] == pytest.approx([0.7, 1.0, 0.8])  # cut at whole seconds only
    assert [f[:8] for f in frames(err.getvalue())] == ["[    1s]", "[    2s]", "[    2s]"]


def test_wait_off_a_terminal_does_not_look_for_the_holding_step(
    run: Run, emu: SageMakerEmulator
) -> None:
    arn = emu.start_execution("lam")
    when(stopping(emu, arn), lambda: emu.advance(40))
    result = run("stop", "--wait", "--poll-interval", "0.05", arn)  # stderr: not a tty
    assert (result.code, result.out, result.err) == (0, f"{arn}\tStopped\n", "")
    assert emu.requests_for("DescribePipelineExecution")
    assert emu.requests_for("ListPipelineExecutionSteps") == []


def test_wait_survives_a_failing_holding_step_lookup(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("lam")
    emu.fail(count=50, operation="ListPipelineExecutionSteps", status=503)
    when(lambda: len(emu.requests_for("ListPipelineExecutionSteps")) >= 3,
         lambda: emu.advance(40))
    result = run("--max-attempts", "1", "stop", "--wait", "--poll-interval", "0.05", arn,
                 tty_err=True)
    assert (result.code, result.out) == (0, f"{arn}\tStopped\n")
    assert "error" not in result.err


def test_wait_several_mixed_outcomes(run: Run, emu: SageMakerEmulator) -> None:
    stopped = emu.start_execution("train")
    failed = emu.start_execution("lamslow")
    held = in_callback(emu)
    missing = missing_arn(emu)
    # the stops are sent concurrently: time moves once both have landed
    when(lambda: stopping(emu, failed)() and stopping(emu, stopped)(), lambda: emu.advance(100))
    result = run("--output", "json", "stop", "--timeout", "1", "--poll-interval", "0.05",
                 stopped, failed, held, missing, tty_err=True)
    document = json.loads(result.out)
    codes = {e["PipelineExecutionArn"]: e["ExitCode"] for e in document["Executions"]}
    assert codes == {stopped: 0, failed: 4, held: 3, missing: 1}
    assert result.code == document["ExitCode"] == 1  # an error wins over Failed and timeouts
    by_arn = {e["PipelineExecutionArn"]: e for e in document["Executions"]}
    assert by_arn[held]["TimedOut"] is True
    assert by_arn[failed]["FailureReason"].startswith("Step failure: Invoke")
    assert held.rpartition("/")[2] + ": Stopping" in result.err  # progress labels


def test_wait_text_failed_and_timed_out(run: Run, emu: SageMakerEmulator) -> None:
    failed = emu.start_execution("lamslow")
    held = in_callback(emu)
    when(stopping(emu, failed), lambda: emu.advance(100))
    result = run("stop", "--timeout", "0.6", "--poll-interval", "0.05", failed, held)
    assert result.code == 4
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{failed}\tFailed: Step failure")
    assert lines[1] == f"{held}\ttimed out (still Stopping)"


def test_error_while_waiting(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.fail(count=5, operation="DescribePipelineExecution")
    result = run("--max-attempts", "1", "stop", "--wait", arn)
    assert result.code == 1
    assert result.err.startswith("error: InternalFailure")
    assert result.out == ""


def test_no_credentials_is_a_usage_error(
    run: Run, emu: SageMakerEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    a, b = emu.start_execution("train"), emu.start_execution("train")
    result = run("stop", a, b)
    assert result.code == 2 and result.err.startswith("error: NoCredentials: no AWS credentials found\n")
    assert result.err.count("error:") == 1  # once, not per execution
    # the CLI's own words: what was tried, in order, and the likeliest fixes
    (tried,) = [line for line in result.err.splitlines() if "tried, in order:" in line]
    sources = [part.split(" (")[0] for part in tried.split(": ", 1)[1].split("), ")]
    assert sources[0] == "environment" and sources.index("shared-files") < sources.index(
        "ec2-instance-metadata"
    )
    for fix in ("--profile NAME", "AWS_PROFILE", "aws sso login", "AWS_ACCESS_KEY_ID"):
        assert fix in result.err
    assert "credentials=" not in result.err and len(result.err) < 800
    assert emu.requests == []
    document = json.loads(run("--output", "json", "stop", a).out)
    assert document["Error"]["Code"] == "NoCredentials"
    assert document["Error"]["Tried"][0] == {"Source": "environment", "Detail": "not set"}
    # the library's message is the library's
    from sagemaker_stop import NoCredentialsError, SageMakerClient

    with SageMakerClient(region="us-east-1") as sm, pytest.raises(NoCredentialsError) as caught:
        sm.describe_pipeline_execution(a)
    assert "Pass credentials= to the client" in str(caught.value)
    assert caught.value.tried == tuple(
        (t["Source"], t["Detail"]) for t in document["Error"]["Tried"]
    )
    import pickle

    assert pickle.loads(pickle.dumps(caught.value)).tried == caught.value.tried


def test_missing_profile_is_a_usage_error(run: Run, emu: SageMakerEmulator) -> None:
    result = run("--profile", "nope", "status", missing_arn(emu))
    assert result.code == 2 and "nope" in result.err and emu.requests == []


def test_debug_logging_restored(run: Run, emu: SageMakerEmulator) -> None:
    logger = logging.getLogger("sagemaker_stop")
    before = (logger.level, list(logger.handlers))
    result = run("--debug", "stop", emu.start_execution("train"))
    assert result.code == 0 and "DEBUG" in result.err
    assert (logger.level, list(logger.handlers)) == before


def test_interrupted(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(app, "_dispatch", interrupt)
    result = run("stop", "A")
    assert (result.code, result.err, result.out) == (130, "interrupted\n", "")
    result = run("--output", "json", "stop", "A")
    assert json.loads(result.out)["ExitCode"] == 130


# --------------------------------------------------------------------------- bulk


def test_bulk_refused_off_a_terminal(run: Run, emu: SageMakerEmulator) -> None:
    emu.start_execution("train")
    result = run("stop", "--pipeline", "train", stdin="y\n")
    assert result.code == 2 and "pass --yes" in result.err and emu.requests == []


def test_bulk_confirmed_on_a_terminal(run: Run, emu: SageMakerEmulator) -> None:
    arns = [emu.start_execution("train") for _ in range(2)]
    result = run("stop", "--pipeline", "train", stdin="y\n", tty_in=True)
    assert result.code == 0
    assert "Stop these 2 execution(s) of pipeline train? [y/N]" in result.err
    assert all(arn in result.err for arn in arns)
    assert {emu.execution_status(a) for a in arns} == {"Stopping"}


def test_bulk_declined(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("train")
    result = run("stop", "--pipeline", "train", stdin="\n", tty_in=True)
    assert result.code == 1 and "declined: nothing was stopped" in result.err
    assert emu.requests_for("StopPipelineExecution") == []
    assert emu.execution_status(arn) == "Executing"


def test_bulk_dry_run(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("train")
    result = run("stop", "--pipeline", "train", "--dry-run")
    assert (result.code, result.out) == (0, f"{arn}\twould stop\n")
    result = run("--output", "json", "stop", "--pipeline", "train", "--dry-run")
    assert json.loads(result.out)["Executions"] == [
        {"PipelineExecutionArn": arn, "Stop": "dry run"}]
    assert emu.requests_for("StopPipelineExecution") == []


def test_bulk_nothing_to_stop(run: Run, emu: SageMakerEmulator) -> None:
    result = run("stop", "--pipeline", "train", "--yes")
    assert (result.code, result.out) == (0, "")
    assert result.err == "no Executing executions of pipeline train\n"
    result = run("--output", "json", "stop", "--pipeline", "train", "--yes")
    assert json.loads(result.out) == {"Executions": [], "ExitCode": 0}
    result = run("stop", "--pipeline", "train", tty_in=True)  # nothing to confirm
    assert result.code == 0 and "[y/N]" not in result.err


def test_bulk_statuses_and_wait(run: Run, emu: SageMakerEmulator) -> None:
    executing = emu.start_execution("train")
    already = emu.start_execution("train")
    emu.stop_execution(already)
    emu.advance(5)  # stop_delay 3 s: it has ended Stopped
    already_stopping = emu.start_execution("train")
    emu.stop_execution(already_stopping)
    when(stopping(emu, executing), lambda: emu.advance(5))
    result = run("--output", "json", "stop", "--pipeline", "train", "--yes", "--timeout", "10",
                 "--poll-interval", "0.05", "--status", "Executing", "--status", "Stopping",
                 "--status", "Stopped")
    document = json.loads(result.out)
    stops = {e["PipelineExecutionArn"]: (e["Stop"], e["PipelineExecutionStatus"])
             for e in document["Executions"]}
    assert stops == {executing: ("requested", "Stopped"),
                     already_stopping: ("already stopping", "Stopped"),
                     already: ("already ended", "Stopped")}
    assert result.code == document["ExitCode"] == 0


def test_bulk_wait_an_execution_that_failed_before_its_stop_exits_4(
    run: Run, emu: SageMakerEmulator
) -> None:
    emu.create_pipeline("boom", [Step("A", "Training", 100, fail_reason="boom")])
    arn = emu.start_execution("boom")
    emu.delay(1.0, operation="StopPipelineExecution")  # the listing saw it Executing ...
    when(lambda: bool(emu.requests_for("ListPipelineExecutions")), lambda: emu.advance(200))
    result = run("--output", "json", "stop", "--pipeline", "boom", "--yes", "--wait",
                 "--timeout", "5")
    (entry,) = json.loads(result.out)["Executions"]  # ... it ended Failed before the stop
    assert (entry["PipelineExecutionArn"], entry["Stop"]) == (arn, "already ended")
    assert entry["PipelineExecutionStatus"] == "Failed" and entry["ExitCode"] == 4
    assert result.code == 4
    assert emu.execution_status(arn) == "Failed"


def test_bulk_text_outcomes(run: Run, emu: SageMakerEmulator) -> None:
    stopping_arn = emu.start_execution("train")
    emu.stop_execution(stopping_arn)
    ended = emu.start_execution("train")
    emu.stop_execution(ended)
    emu.advance(5)
    emu.stop_execution(stopping_arn := emu.start_execution("train"))
    result = run("stop", "--pipeline", "train", "--yes", "--status", "Stopping",
                 "--status", "Stopped")
    assert result.code == 0
    assert f"{stopping_arn}\talready stopping" in result.out
    assert f"{ended}\talready ended (Stopped)" in result.out


def test_bulk_stop_error_result(run: Run, emu: SageMakerEmulator) -> None:
    a = emu.start_execution("train")
    emu.fail(count=1, operation="StopPipelineExecution")
    result = run("--max-attempts", "1", "stop", "--pipeline", "train", "--yes")
    assert result.code == 1
    assert result.err.startswith("error: InternalFailure")
    assert emu.execution_status(a) == "Executing"


def test_bulk_confirmed_stop_error(run: Run, emu: SageMakerEmulator) -> None:
    a, b = emu.start_execution("train"), emu.start_execution("train")
    emu.fail(count=1, operation="StopPipelineExecution")
    result = run("--max-attempts", "1", "stop", "--pipeline", "train", stdin="yes\n",
                 tty_in=True)
    assert result.code == 1
    assert "InternalFailure" in result.err
    assert sorted([emu.execution_status(a), emu.execution_status(b)]) == ["Executing", "Stopping"]


def _interrupt_at(emu: SageMakerEmulator, operation: str, n: int) -> None:
    """Ctrl-C: SIGINT to the main thread (the CLI's) once the emulator has applied its
    ``n``-th ``operation`` request."""
    original = emu._api._handlers[operation]
    count = 0

    def handler(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        nonlocal count
        out = original(body, now)
        count += 1
        if count == n:
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        return out

    emu._api._handlers[operation] = handler


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("confirmed", [False, True], ids=["yes", "confirmed"])
def test_an_interrupted_bulk_stop_reports_every_execution_it_stopped(
    run: Run, emu: SageMakerEmulator, output: str, confirmed: bool
) -> None:
    arns = [emu.start_execution("train") for _ in range(40)]
    _interrupt_at(emu, "StopPipelineExecution", 10)
    answer = ("--pipeline", "train") if confirmed else ("--pipeline", "train", "--yes")
    result = run("--output", output, "stop", *answer, stdin="y\n", tty_in=confirmed)
    stopped = {arn for arn in arns if emu.execution_status(arn) == "Stopping"}
    assert 10 <= len(stopped) < 40  # the stops in flight ended; no new one started
    assert result.code == 130
    if output == "json":
        document = json.loads(result.out)
        assert document["Interrupted"] is True and document["ExitCode"] == 130
        reported = {e["PipelineExecutionArn"]: e["Stop"] for e in document["Executions"]}
    else:
        reported = dict(line.split("\t") for line in result.out.splitlines())
    assert set(reported) == stopped
    assert set(reported.values()) == {"requested" if output == "json" else "stop requested"}
    assert result.err.endswith(
        f"interrupted: {len(stopped)} stop(s) requested, {len(stopped)} execution(s) "
        "handled before it; no more requests were sent\n"
    )


def test_an_interrupted_wait_still_reports_the_stops(run: Run, emu: SageMakerEmulator) -> None:
    a, b = emu.start_execution("train"), emu.start_execution("train")
    _interrupt_at(emu, "DescribePipelineExecution", 1)
    result = run("--output", "json", "stop", "--wait", "--poll-interval", "0.05", a, b)
    assert result.code == 130
    document = json.loads(result.out)
    assert [(e["PipelineExecutionArn"], e["Stop"]) for e in document["Executions"]] == [
        (a, "requested"), (b, "requested")]
    assert document["Interrupted"] is True and document["ExitCode"] == 130
    assert {emu.execution_status(a), emu.execution_status(b)} == {"Stopping"}


def test_interrupted_before_any_stop(run: Run, emu: SageMakerEmulator) -> None:
    emu.start_execution("train")
    _interrupt_at(emu, "ListPipelineExecutions", 1)
    result = run("stop", "--pipeline", "train", "--yes")
    assert (result.code, result.out) == (130, "")
    assert "interrupted: 0 stop(s) requested" in result.err
    assert emu.requests_for("StopPipelineExecution") == []


# --------------------------------------------------------------------------- status, callback


def test_status_lambda_holding_and_ended(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("lam")
    emu.advance(5)
    emu.stop_execution(arn)
    result = run("status", arn)
    assert "held by: Lambda step Invoke is waiting for Lambda function" in result.out
    assert f"function: {FUNCTION}" in result.out
    document = json.loads(run("--output", "json", "status", arn).out)
    assert document["HeldBy"][0]["FunctionArn"] == FUNCTION
    assert document["HeldBy"][0]["WaitingFor"] == "Lambda function to finish"

    failed = emu.start_execution("lamslow")
    emu.advance(100)
    result = run("status", failed)
    assert "status:     Failed" in result.out and "failure:    Step failure" in result.out
    assert "running steps: none" in result.out and "held by" not in result.out
    document = json.loads(run("--output", "json", "status", failed).out)
    assert document["FailureReason"].startswith("Step failure")
    assert document["RunningSteps"][:1] == [] and document["HeldBy"] == []


def test_status_plain_step_and_callback_executing(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("train")
    emu.stop_execution(arn)
    result = run("status", arn)
    assert "held by: Training step Train is stopping" in result.out
    arn = in_callback(emu)
    document = json.loads(run("--output", "json", "status", arn).out)
    assert document["HeldBy"] == []
    assert document["RunningSteps"][0]["SqsQueueUrl"] == QUEUE


def test_status_not_found(run: Run, emu: SageMakerEmulator) -> None:
    result = run("status", missing_arn(emu))
    assert result.code == 1 and result.err.startswith("error: ResourceNotFound")


def _one_json_error(result: Result, code: int, error_code: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.out)  # exactly one document on stdout
    assert result.code == document["ExitCode"] == code
    assert document["Error"]["Code"] == error_code and document["Error"]["Message"]
    return document


def test_json_failures_print_one_document(run: Run, emu: SageMakerEmulator) -> None:
    missing = missing_arn(emu)
    document = _one_json_error(run("--output", "json", "status", missing), 1, "ResourceNotFound")
    error = document["Error"]
    assert error["HttpStatus"] == 400 and error["RequestId"]
    assert result_err_line(run("status", missing)).startswith("error: ResourceNotFound")

    arn = in_callback(emu)
    token = emu.callback_token(arn)
    emu.send_step_success(token)
    _one_json_error(run("--output", "json", "callback", "fail", "--token", token,
                        "--reason", "late"), 1, "ConflictException")
    _one_json_error(run("--output", "json", "stop", "--pipeline", "nosuchpipeline", "--yes"),
                    1, "ResourceNotFound")
    usage = run("--output", "json", "stop", "--pipeline", "train", "--yes", arn)
    _one_json_error(usage, 2, "UsageError")
    assert "not both" in usage.err
    _one_json_error(run("--output", "json", "stop", "not-an-arn"), 2, "ParamValidationError")
    emu.start_execution("train")
    declined = run("--output", "json", "stop", "--pipeline", "train", stdin="n\n", tty_in=True)
    _one_json_error(declined, 1, "Declined")
    # text mode is unchanged: nothing on stdout
    assert run("stop", "--pipeline", "train", "--yes", arn).out == ""


def result_err_line(result: Result) -> str:
    assert result.out == ""
    return result.err


def test_callback_json(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.stop_execution(arn)
    result = run("--output", "json", "callback", "fail", "--token", emu.callback_token(arn),
                 "--reason", "cleaned up", "--client-request-token", "c" * 32)
    assert json.loads(result.out) == {"PipelineExecutionArn": arn, "Callback": "fail"}
    assert emu.execution_status(arn) == "Stopped"
    result = run("callback", "succeed", "--token", emu.callback_token(arn))
    assert result.code == 1 and result.err.startswith("error: ConflictException")


def test_callback_with_a_bare_token_and_no_region_says_region_option(
    run: Run, emu: SageMakerEmulator
) -> None:
    arn = in_callback(emu)
    token = emu.callback_token(arn)
    result = run("--endpoint-url", emu.endpoint_url, "callback", "succeed", "--token", token,
                 endpoint=False)
    assert result.code == 2 and result.out == ""
    assert result.err == (
        "error: ConfigurationError: no AWS region: give --region REGION (or set AWS_REGION, "
        "or add 'region = ...' to the profile); only an execution ARN names its own region\n"
    )
    assert "region=" not in result.err and emu.requests == []
    document = json.loads(run("--output", "json", "--endpoint-url", emu.endpoint_url,
                              "callback", "fail", "--token", token, "--reason", "x",
                              endpoint=False).out)
    assert "--region REGION" in document["Error"]["Message"]
    # an ARN names its region: stop and status need no --region
    assert run("--endpoint-url", emu.endpoint_url, "status", arn, endpoint=False).code == 0


def test_a_refused_connection_names_the_url_it_tried(run: Run) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on (bound, never listening)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        url = f"http://user:hunter2@127.0.0.1:{port}/base"
        result = run("--endpoint-url", url, "--region", "us-east-1", "--max-attempts", "1",
                     "status", "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc",
                     endpoint=False)
    assert result.code == 1
    assert result.err.startswith(
        f"error: ConnectionError: connect error (http://user@127.0.0.1:{port}/base): "
    )
    assert "hunter2" not in result.err


# --------------------------------------------------------------------------- emulator, demo


def _options(p: Any) -> list[tuple[tuple[str, ...], Any, Any]]:
    return [(tuple(a.option_strings), a.type, a.help) for a in p._actions]


def test_both_emulator_commands_have_one_command_line() -> None:
    from sagemaker_stop.emulator import _command

    standalone = _command.build_parser("python -m sagemaker_stop.emulator")
    sub = parser.build_parser()._subparsers._group_actions[0].choices["emulator"]  # type: ignore[union-attr]
    assert _options(sub) == _options(standalone)
    assert "--profile" not in sub.format_help()  # --region is the emulated one here
    args = parser.parse_args(["emulator", "--region", "eu-west-1", "--port", "0"])
    assert _command.settings(args) == {
        **_command.DEFAULTS, "region": "eu-west-1", "port": 0
    }
    before = parser.parse_args(["--region", "eu-west-1", "emulator"])  # a global before it
    assert _command.settings(before)["region"] == "eu-west-1"


@pytest.fixture
def serve_once(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The emulator's serve loop ends at once (as by Ctrl-C); what it served is kept."""
    from sagemaker_stop.emulator import _command

    served: list[Any] = []

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_command.time, "sleep", interrupt)
    monkeypatch.setattr(_command.signal, "signal", lambda *a: served.append(a))
    return served


def test_emulator_command_serves_and_stops(serve_once: list[Any]) -> None:
    out, err = cli_streams()
    code = cli.run(["emulator", "--port", "0", "--speed", "60", "--region", "eu-west-1",
                    "--quiet"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert text.startswith("SageMaker emulator listening on http://127.0.0.1:")
    assert "export AWS_REGION=eu-west-1" in text
    assert "# pipelines: demo-training, demo-callback, demo-lambda; speed 60x" in text
    assert serve_once  # SIGTERM handled (it stops the loop like Ctrl-C)


@pytest.mark.parametrize("prefix", [["emulator"], None])
def test_emulator_errors_are_one_line(
    prefix: Any, tmp_path: Any, serve_once: list[Any]
) -> None:
    from sagemaker_stop.emulator import _command

    def run(*argv: str) -> Result:
        out, err = cli_streams()
        with contextlib_redirect(err):  # where argparse writes
            if prefix is None:
                try:
                    code = _command.main(list(argv), out=out, err=err)
                except SystemExit as exc:  # argparse's usage errors
                    code = int(exc.code or 0)
            else:
                code = cli.run([*prefix, *argv], stdout=out, stderr=err)
        return Result(code, out.getvalue(), err.getvalue())

    prog = "python -m sagemaker_stop.emulator" if prefix is None else "sagemaker-stop emulator"

    def one_line(result: Result, code: int, message: str) -> None:
        assert result.code == code, result
        assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
        assert result.err.strip().endswith(message), result.err
        assert result.err.startswith(f"{prog}: error: "), result.err

    missing = tmp_path / "nope.json"
    one_line(run("--pipelines", str(missing)), 2,
             f"--pipelines {missing}: No such file or directory")
    path = tmp_path / "pipelines.json"
    cases = [
        ([{"name": "p", "steps": [{"name": "A"}, {"name": "B", "type": "Callback"}]}],
         "pipeline 'p': step 2: missing field 'sqs_queue_url'"),
        (["p"], "pipeline 1: a pipeline is a JSON object {\"name\": ..., \"steps\": [...]}"),
        ([{"steps": []}], "pipeline 1: missing field 'name'"),
        ([{"name": "p", "steps": [{"name": "A", "duration": "ten"}]}],
         "pipeline 'p': step 1: field 'duration' must be a number of seconds, not a string"),
        ([{"name": "p", "steps": [{"name": "A", "sqs_queue": "q"}]}],
         "pipeline 'p': step 1: unknown field 'sqs_queue' for a Training step (known: "
         "name, type, display_name, description, duration, fail_reason)"),
        ([{"name": "p", "steps": "A"}], "pipeline 'p': field 'steps' must be an array, not a string"),
        ([{"name": "p"}, {"name": "p"}], "pipeline 'p': pipeline 'p' already exists"),
        ({"name": "p"}, "must hold a JSON array of pipelines"),
    ]
    for document, message in cases:
        path.write_text(json.dumps(document))
        one_line(run("--pipelines", str(path)), 2, f"{path}: {message}"
                 if not message.startswith("must") else message)
    path.write_text("[{")
    assert "not valid JSON" in run("--pipelines", str(path)).err
    with SageMakerEmulator() as taken:  # the port is in use
        one_line(run("--port", str(taken.port)), 1,
                 f"cannot listen on 127.0.0.1:{taken.port}: the port is in use (another "
                 "emulator?); --port 0 picks a free one")
    bad = run("--port", "70000")
    assert bad.code == 2 and "not a port number 0-65535: '70000'" in bad.err
    assert "Traceback" not in bad.err


def test_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("sagemaker_stop.demo")
    calls: list[list[str]] = []

    def returning(value: Any) -> Callable[[list[str]], Any]:
        def main(argv: list[str]) -> Any:
            calls.append(argv)
            return value

        return main

    module.main = returning(0)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sagemaker_stop.demo", module)
    out, err = cli_streams()
    assert cli.run(["demo"], stdout=out, stderr=err) == 0
    assert cli.run(["demo", "--speed", "60"], stdout=out, stderr=err) == 0
    assert calls == [[], ["--speed", "60.0"]]
    module.main = returning(None)  # type: ignore[attr-defined]
    assert cli.run(["demo"], stdout=out, stderr=err) == 0
    module.main = returning(4)  # type: ignore[attr-defined]
    assert cli.run(["demo"], stdout=out, stderr=err) == 4
    del module.main  # type: ignore[attr-defined]
    out, err = cli_streams()
    assert cli.run(["demo"], stdout=out, stderr=err) == 2
    assert "no main() function" in err.getvalue()


def test_demo_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sagemaker_stop.demo", None)
    out, err = cli_streams()
    assert cli.run(["demo"], stdout=out, stderr=err) == 2
    assert err.getvalue() == (
        "sagemaker-stop: error: the demo is not available in this installation "
        "(no sagemaker_stop.demo module)\n"
    )


def test_demo_broken_import_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    def broken(name: str) -> Any:
        raise ModuleNotFoundError("No module named 'somedep'", name="somedep")

    monkeypatch.setattr(importlib, "import_module", broken)
    out, err = cli_streams()
    assert cli.run(["demo"], stdout=out, stderr=err) == 1
    assert err.getvalue().startswith("error: ModuleNotFoundError: No module named 'somedep'")


def test_isatty_of_odd_streams() -> None:
    class Closed:
        def isatty(self) -> bool:
            raise ValueError("I/O operation on closed file")

    assert console.isatty(Closed()) is False
    assert console.isatty(object()) is False


def test_status_callback_and_answer_in_text(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.stop_execution(arn)
    token = emu.callback_token(arn)
    result = run("status", arn)
    assert f"  queue:  {QUEUE}" in result.out and f"  token:  {token}" in result.out
    held = json.loads(run("--output", "json", "status", arn).out)["HeldBy"][0]
    assert held["WaitingFor"] == "SendPipelineExecutionStepSuccess/Failure"
    result = run("callback", "succeed", "--token", token, "--output", "k=v")
    assert (result.code, result.out) == (0, f"{arn}\tcallback step succeeded\n")
    assert emu.execution_status(arn) == "Stopped"


def test_status_json_plain_holder(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("train")
    emu.stop_execution(arn)
    held = json.loads(run("--output", "json", "status", arn).out)["HeldBy"][0]
    assert "WaitingFor" not in held and held["Description"] == "Training step Train is stopping"


def test_debug_traceback_in_process(run: Run, emu: SageMakerEmulator) -> None:
    result = run("--debug", "status", missing_arn(emu))
    assert result.code == 1 and "Traceback (most recent call last)" in result.err


def test_a_conflict_that_outlives_its_retries_is_not_hidden(
    run: Run, emu: SageMakerEmulator
) -> None:
    arn = in_callback(emu)
    emu.conflict(5, execution_arn=arn)  # every attempt of the stop lands between steps
    result = run("stop", arn)
    assert result.code == 1
    assert result.err.startswith("error: ConflictException: ")
    stops = emu.requests_for("StopPipelineExecution")
    assert len(stops) == 5 and len({r.client_request_token for r in stops}) == 1
    assert emu.execution_status(arn) == "Executing"


def test_a_transient_conflict_is_ridden_out(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.conflict(2, execution_arn=arn)
    result = run("--output", "json", "stop", arn)
    assert result.code == 0, result.err
    assert json.loads(result.out)["Executions"][0]["Stop"] == "requested"
    assert [r.error_code for r in emu.requests_for("StopPipelineExecution")] == [
        "ConflictException", "ConflictException", None
    ]
    assert emu.execution_status(arn) == "Stopping"


def test_already_failed_with_and_without_wait(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("lamslow")
    emu.advance(100)
    assert emu.execution_status(arn) == "Failed"
    result = run("stop", arn)
    assert (result.code, result.out) == (0, f"{arn}\talready ended (Failed)\n")
    result = run("stop", "--wait", arn)
    assert (result.code, result.out) == (4, f"{arn}\talready ended (Failed)\n")


def test_a_poll_interval_above_the_default_cap_is_honoured(
    run: Run, emu: SageMakerEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sagemaker_stop import SageMakerClient

    seen: dict[str, Any] = {}
    real = SageMakerClient.wait_for_pipeline_execution

    def spy(self: Any, arn: str, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(self, arn, **kwargs)

    monkeypatch.setattr(SageMakerClient, "wait_for_pipeline_execution", spy)
    arn = emu.start_execution("lam")
    result = run("stop", "--wait", "--timeout", "0.3", "--poll-interval", "90", arn)
    assert result.code == 3  # timed out: the execution was still Stopping
    assert seen["poll"] == 90 and seen["max_poll"] >= 90


# --------------------------------------------------------------------------- stop semantics


def test_stopping_an_execution_already_stopping_exits_0(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.stop_execution(arn)  # someone else's stop: the Callback step holds it Stopping
    result = run("stop", arn)
    assert (result.code, result.out, result.err) == (0, f"{arn}\talready stopping\n", "")
    assert [r.error_code for r in emu.requests_for("StopPipelineExecution")] == [
        "ValidationException"
    ]
    result = run("--output", "json", "stop", arn)
    (doc,) = json.loads(result.out)["Executions"]
    assert doc["Stop"] == "already stopping" and doc["PipelineExecutionStatus"] == "Stopping"
    assert (result.code, doc["ExitCode"]) == (0, 0)


def test_stop_wait_of_an_execution_already_stopping_waits(run: Run, emu: SageMakerEmulator) -> None:
    arn = in_callback(emu)
    emu.stop_execution(arn)
    when(lambda: len(emu.requests_for("DescribePipelineExecution")) >= 2,
         lambda: emu.send_step_failure(emu.callback_token(arn), "cleaned up"))
    result = run("stop", "--wait", "--poll-interval", "0.05", arn)
    assert (result.code, result.out) == (0, f"{arn}\tStopped\n")


def test_already_ended_in_json(run: Run, emu: SageMakerEmulator) -> None:
    arn = emu.start_execution("lamslow")
    emu.advance(100)
    result = run("--output", "json", "stop", "--wait", arn)
    (doc,) = json.loads(result.out)["Executions"]
    assert (doc["Stop"], doc["PipelineExecutionStatus"]) == ("already ended", "Failed")
    assert result.code == doc["ExitCode"] == 4


# --------------------------------------------------------------------------- start


def test_start_prints_the_new_arn(run: Run, emu: SageMakerEmulator) -> None:
    token = "s" * 40
    result = run("start", "train", "--parameter", "InputUri=s3://b/in", "--parameter", "N=3",
                 "--display-name", "nightly", "--description", "from the CLI",
                 "--client-request-token", token)
    assert result.code == 0, result.err
    arn = result.out.strip()
    assert arn.startswith(emu.pipeline_arn("train") + "/execution/")
    assert emu.describe_execution(arn)["PipelineExecutionDisplayName"] == "nightly"
    (sent,) = emu.requests_for("StartPipelineExecution")
    assert sent.json == {
        "PipelineName": "train",
        "PipelineExecutionDisplayName": "nightly",
        "PipelineParameters": [{"Name": "InputUri", "Value": "s3://b/in"},
                               {"Name": "N", "Value": "3"}],
        "PipelineExecutionDescription": "from the CLI",
        "ClientRequestToken": token,
    }
    again = run("--output", "json", "start", "train", "--client-request-token", token)
    assert json.loads(again.out) == {"PipelineExecutionArn": arn}  # idempotent


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["start", "bad name!"], "PipelineName"),
        (["start", "train", "--parameter", "no-equals"], "NAME=VALUE"),
        (["start", "train", "--parameter", "bad name=1"], "PipelineParameters.Name"),
        (["start", "train", "--client-request-token", "short"], "ClientRequestToken"),
    ],
)
def test_start_refuses_bad_input_before_sending(
    run: Run, emu: SageMakerEmulator, argv: list[str], message: str
) -> None:
    result = run(*argv)
    assert result.code == 2 and message in result.err and result.out == ""
    assert emu.requests == []


def test_start_of_an_unknown_pipeline_exits_1(run: Run, emu: SageMakerEmulator) -> None:
    result = run("start", "nope")
    assert result.code == 1 and result.err.startswith("error: ResourceNotFound: ")


def test_stop_against_a_double_answering_like_the_live_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not the emulator: a scripted loopback double with the live answers (Airflow's
    evidence): "not Executing" -> describe -> already ended; a conflict -> retried."""
    from ..loopback import ACCESS_KEY, SECRET_KEY, Reply, WireServer

    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abcdef123456"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    not_executing = Reply(400, {"__type": "com.amazon.coral.validate#ValidationException",
                                "message": "Only pipelines with 'Executing' status can be stopped"})
    conflict = Reply(400, {"__type": "com.amazonaws.sagemaker#ConflictException", "Message": "x"})
    described = Reply(200, {"PipelineExecutionArn": arn, "PipelineExecutionStatus": "Failed"})
    with WireServer() as wire:
        wire.push(conflict, not_executing, described)
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["--endpoint-url", wire.url, "stop", "--wait", arn],
                       stdin=io.StringIO(), stdout=out, stderr=err)
        targets = [r.headers["x-amz-target"] for r in wire.requests]
    assert (code, out.getvalue(), err.getvalue()) == (4, f"{arn}\talready ended (Failed)\n", "")
    assert targets == ["SageMaker.StopPipelineExecution"] * 2 + [
        "SageMaker.DescribePipelineExecution"
    ]


def test_the_command_shown_names_what_this_shell_would_lack() -> None:
    """The release command carries --region only when the region came from the ARN (a
    callback token names none), and the options this command line was given."""
    import argparse

    from sagemaker_stop import SageMakerClient
    from sagemaker_stop.cli.connect import command_options
    from sagemaker_stop.cli.render import release_command

    arn = "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p/execution/abc"
    args = argparse.Namespace(region=None, profile="dev", endpoint_url=None)
    with SageMakerClient(environ={}) as sm:  # no region configured
        options = command_options(args, sm, arn)
    assert options == ("--region", "eu-west-1", "--profile", "dev")
    with SageMakerClient(region="us-west-2", environ={}) as sm:  # this shell has one
        assert command_options(args, sm, arn) == ("--profile", "dev")
    assert release_command("abcdEFGH12", ("--profile", "my dev")) == (
        "sagemaker-stop --profile 'my dev' callback fail --token abcdEFGH12 --reason 'stopped'"
    )
