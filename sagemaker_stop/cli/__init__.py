"""``sagemaker-stop``: stop SageMaker Pipelines executions from a terminal or a CI job.

This module imports only the standard library up front; the client, the operations and
the emulator are imported when a command needs them (``--version`` and ``--help`` take a
few tens of milliseconds).

Exit codes (see :data:`EXIT_CODES`):

====  ===================================================================================
0     done
1     a service or network error (or the bulk-stop confirmation was declined)
2     a usage or validation error: nothing was sent (bad arguments, an invalid ARN or
      token, a configuration error, no credentials found)
3     ``--wait`` timed out before the execution ended
4     ``--wait``: the execution ended Failed
130   interrupted (Ctrl-C)
====  ===================================================================================

With several executions the most serious outcome wins: 130, 2, 1, 4, 3, then 0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import logging
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, TextIO

from .. import _defaults
from .._version import __version__

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .._pipeline_operations import DescribePipelineExecutionResponse, PipelineExecutionStep
    from ..client import SageMakerClient

PROG = "sagemaker-stop"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130

#: Exit code -> meaning (the table in ``--help``).
EXIT_CODES = {
    EXIT_OK: "done",
    EXIT_ERROR: "service or network error (or confirmation declined)",
    EXIT_USAGE: "usage or validation error; nothing was sent",
    EXIT_TIMEOUT: "--wait timed out",
    EXIT_FAILED: "--wait: the execution ended Failed",
    EXIT_INTERRUPTED: "interrupted",
}

#: Which code wins when several executions end differently (most serious first).
_PRECEDENCE = (EXIT_INTERRUPTED, EXIT_USAGE, EXIT_ERROR, EXIT_FAILED, EXIT_TIMEOUT, EXIT_OK)

_RUNNING_STEP = ("Starting", "Executing", "Stopping")
DEFAULT_POLL = _defaults.POLL
DEFAULT_TIMEOUT = 3600.0
STATUSES = (
    "Executing",
    "Stopping",
    "Stopped",
    "Failed",
    "Succeeded",
    "CompletedWithFailures",
)


def worst(codes: Sequence[int]) -> int:
    """The exit code of several outcomes: the most serious one (0 when there are none)."""
    return min(codes, key=_PRECEDENCE.index, default=EXIT_OK)


class UsageError(Exception):
    """Bad command-line input found after parsing (exit 2, nothing sent)."""


# --------------------------------------------------------------------------- parser

_EXIT_TABLE = "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items())

_MAIN_EPILOG = f"""\
examples:
  {PROG} stop arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc123
  {PROG} stop --wait --timeout 900 ARN
  {PROG} stop --pipeline my-pipeline --yes
  {PROG} start my-pipeline --parameter InputUri=s3://bucket/data
  {PROG} status ARN
  {PROG} callback succeed --token TOKEN --output model=s3://bucket/model.tar.gz
  {PROG} --output json stop --wait ARN1 ARN2

Region, profile, endpoint and credentials come from the options, then the usual
AWS environment variables (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, ...), then ~/.aws/config and ~/.aws/credentials. Without a
region, the region in the execution ARN is used.

exit codes:
{_EXIT_TABLE}
With several executions the most serious outcome wins: 2, 1, 4, 3, then 0.
"""

_STOP_EPILOG = f"""\
examples:
  {PROG} stop ARN                      ask SageMaker to stop one execution
  {PROG} stop ARN1 ARN2 ARN3           ... or several
  {PROG} stop --wait ARN               ... and wait until it has ended
  {PROG} stop --timeout 600 ARN        wait at most 10 minutes (implies --wait)
  {PROG} stop --pipeline my-pipeline   stop every Executing execution of a pipeline
  {PROG} stop --pipeline my-pipeline --status Executing --status Stopping --yes --wait

A stop is usually not instant: a running Callback step holds the execution in
Stopping until someone calls SendPipelineExecutionStepSuccess/Failure for it
(see '{PROG} status' and '{PROG} callback'), a running Lambda step until its
function finishes. An execution that is already Stopping, or has already ended,
is reported as such ("already stopping", "already ended (Stopped)") with exit 0;
a transient ConflictException (the stop landed between two steps) is retried.

Bulk stop (--pipeline) lists the matching executions and asks for confirmation
on a terminal; with stdin not a terminal it refuses (exit 2) unless --yes is
given. --dry-run only lists them.

exit codes: 0 done (with --wait: ended Stopped or Succeeded), 1 service or
network error, 2 usage error (nothing sent), 3 --wait timed out, 4 --wait:
ended Failed. Several executions: 2, 1, 4, 3, then 0 wins.
"""

_STATUS_EPILOG = f"""\
examples:
  {PROG} status ARN
  {PROG} --output json status ARN

Shows the execution's status, its running steps, and, while it is Stopping,
what holds it: a Callback step waiting for SendPipelineExecutionStepSuccess/
Failure (with its SQS queue and callback token), or a Lambda step waiting for
its function to finish.
"""

_CALLBACK_EPILOG = f"""\
examples:
  {PROG} callback succeed --token abcdEFGH12
  {PROG} callback succeed --token abcdEFGH12 --output model=s3://b/m.tar.gz --output acc=0.93
  {PROG} callback fail --token abcdEFGH12 --reason "job cancelled"

Answers a Callback step (the token is in the step's SQS message, or shown by
'{PROG} status'). On a Stopping execution either answer lets it end Stopped.
"""

_START_EPILOG = f"""\
examples:
  {PROG} start my-pipeline
  {PROG} start my-pipeline --parameter InputUri=s3://bucket/data --display-name nightly
  ARN=$({PROG} start my-pipeline) && {PROG} stop --wait "$ARN"

Prints the new execution's ARN on stdout (with --output json: one JSON document).
"""

_EMULATOR_EPILOG = f"""\
examples:
  {PROG} emulator --port 8000 --speed 60
  {PROG} emulator --port 0 --quiet          # a free port; the URL is printed

Runs a local SageMaker Pipelines endpoint with the real stop semantics (like
'python -m sagemaker_stop.emulator') until Ctrl-C. It prints the export lines
(AWS_ENDPOINT_URL_SAGEMAKER, credentials, region) that point this tool at it.
"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _add_globals(
    parser: argparse.ArgumentParser, *, top: bool, output: bool = True
) -> None:
    """The global options, accepted before or after the command (as the AWS CLI does).

    On the subcommands they default to SUPPRESS so they never overwrite a value given
    before the command.  ``callback succeed`` uses ``--output`` for output parameters:
    there the output format must come before the command.
    """

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument("--region", default=default(None), help="AWS region (e.g. eu-west-1)")
    group.add_argument("--profile", default=default(None), help="named profile in ~/.aws/config")
    group.add_argument(
        "--endpoint-url", default=default(None), metavar="URL", help="use this endpoint URL"
    )
    group.add_argument(
        "--max-attempts",
        type=_positive_int,
        default=default(None),
        metavar="N",
        help="attempts per API call, retries included (default: 3)",
    )
    if output:
        group.add_argument(
            "--output",
            choices=("text", "json"),
            default=default("text"),
            help="text (default) or json: one JSON document on stdout",
        )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log requests to stderr and show tracebacks",
    )


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Stop Amazon SageMaker Pipelines executions, and see the stop through.",
        epilog=_MAIN_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_globals(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    def command(name: str, help: str, epilog: Optional[str] = None) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help, description=help, epilog=epilog, formatter_class=formatter
        )
        return sub

    stop = command("stop", "stop pipeline executions", _STOP_EPILOG)
    stop.add_argument("arns", nargs="*", metavar="ARN", help="pipeline execution ARN(s)")
    stop.add_argument(
        "--pipeline-execution-arn",
        action="append",
        dest="more_arns",
        default=[],
        metavar="ARN",
        help="an execution ARN (the AWS CLI spelling; may be repeated)",
    )
    stop.add_argument(
        "--pipeline",
        metavar="NAME",
        help="stop every matching execution of this pipeline (name or ARN)",
    )
    stop.add_argument(
        "--status",
        action="append",
        choices=STATUSES,
        metavar="STATUS",
        help="with --pipeline: the statuses to stop (repeatable; default: Executing)",
    )
    stop.add_argument(
        "--yes", "-y", action="store_true", help="with --pipeline: do not ask for confirmation"
    )
    stop.add_argument(
        "--dry-run", action="store_true", help="with --pipeline: list, do not stop"
    )
    stop.add_argument("--wait", action="store_true", help="wait until the execution(s) ended")
    stop.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="give up waiting after this long (exit 3; implies --wait; default: 3600)",
    )
    stop.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=DEFAULT_POLL,
        metavar="SECONDS",
        help=f"first delay between status checks (default: {DEFAULT_POLL:g}; grows x1.5)",
    )
    stop.add_argument(
        "--client-request-token",
        metavar="TOKEN",
        help="idempotency token, 32-128 characters (single ARN only)",
    )
    _add_globals(stop, top=False)

    start = command("start", "start a pipeline execution and print its ARN", _START_EPILOG)
    start.add_argument("pipeline", metavar="PIPELINE", help="pipeline name or ARN")
    start.add_argument(
        "--parameter",
        dest="parameters",
        action="append",
        type=_name_value,
        default=[],
        metavar="NAME=VALUE",
        help="a pipeline parameter (repeatable)",
    )
    start.add_argument("--display-name", metavar="NAME", help="the execution's display name")
    start.add_argument("--description", metavar="TEXT", help="the execution's description")
    start.add_argument("--client-request-token", metavar="TOKEN", help="idempotency token")
    _add_globals(start, top=False)

    status = command("status", "show an execution's status and what holds its stop",
                     _STATUS_EPILOG)
    status.add_argument("arn", metavar="ARN", help="pipeline execution ARN")
    _add_globals(status, top=False)

    callback = command("callback", "answer a Callback step", _CALLBACK_EPILOG)
    answers = callback.add_subparsers(dest="answer", metavar="ANSWER")
    answers.required = True
    succeed = answers.add_parser(
        "succeed",
        help="SendPipelineExecutionStepSuccess",
        description="Let a Callback step succeed (SendPipelineExecutionStepSuccess).",
        epilog=_CALLBACK_EPILOG,
        formatter_class=formatter,
    )
    succeed.add_argument("--token", required=True, help="the step's callback token")
    succeed.add_argument(
        "--output",
        "--output-parameter",
        dest="outputs",
        action="append",
        type=_name_value,
        default=[],
        metavar="NAME=VALUE",
        help="an output parameter (repeatable); here --output is not the output format:"
        " give that before the command",
    )
    fail = answers.add_parser(
        "fail",
        help="SendPipelineExecutionStepFailure",
        description="Let a Callback step fail (SendPipelineExecutionStepFailure).",
        epilog=_CALLBACK_EPILOG,
        formatter_class=formatter,
    )
    fail.add_argument("--token", required=True, help="the step's callback token")
    fail.add_argument("--reason", required=True, metavar="TEXT", help="the failure reason")
    for sub in (succeed, fail):
        sub.add_argument("--client-request-token", metavar="TOKEN", help="idempotency token")
        _add_globals(sub, top=False, output=sub is not succeed)
    _add_globals(callback, top=False)

    emulator = command("emulator", "run a local SageMaker Pipelines emulator", _EMULATOR_EPILOG)
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    emulator.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    emulator.add_argument("--stop-delay", type=float, help="seconds a plain step stays Stopping")
    emulator.add_argument("--pipelines", metavar="FILE", help="JSON pipeline definitions")
    emulator.add_argument("--quiet", action="store_true", help="do not log requests")
    _add_globals(emulator, top=False)

    demo = command("demo", "run the guided demo against a bundled emulator (sagemaker_stop.demo)")
    demo.add_argument(
        "--speed", type=_positive_float, help="simulated seconds per real second (demo default)"
    )
    _add_globals(demo, top=False)
    return parser


# --------------------------------------------------------------------------- output


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_json(document: Any) -> str:
    """One JSON document (datetimes as ISO 8601)."""
    return json.dumps(document, indent=2, default=_json_default)


def _iso(value: Optional[datetime.datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


def error_line(exc: BaseException) -> str:
    """An error as one line: ``ResourceNotFound: message (request id ...)``."""
    from ..errors import ParamValidationError, SageMakerError

    if isinstance(exc, SageMakerError):
        text = str(exc)
    elif isinstance(exc, ParamValidationError):
        text = f"ParamValidationError: {exc}"
    elif isinstance(exc, (UsageError, Declined)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def error_json(exc: BaseException) -> dict[str, Any]:
    from ..errors import SageMakerError

    if isinstance(exc, SageMakerError):
        return {
            "Code": exc.code,
            "Message": exc.message,
            "HttpStatus": exc.http_status,
            "RequestId": exc.request_id,
        }
    return {"Code": type(exc).__name__, "Message": str(exc)}


def exit_code_for(exc: BaseException) -> int:
    """The exit code an exception maps to."""
    from .._waiter import WaitTimeoutError
    from ..errors import ConfigurationError, NoCredentialsError, ParamValidationError

    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, (UsageError, ParamValidationError, ConfigurationError)):
        return EXIT_USAGE
    if isinstance(exc, NoCredentialsError):
        return EXIT_USAGE  # nothing could be sent
    if isinstance(exc, WaitTimeoutError):
        return EXIT_TIMEOUT
    return EXIT_ERROR


def step_json(step: PipelineExecutionStep) -> dict[str, Any]:
    out: dict[str, Any] = {
        "StepName": step.step_name,
        "StepType": step.kind,
        "StepStatus": step.status,
        "StartTime": step.start_time,
    }
    callback, lam = step.metadata.callback, step.metadata.lambda_
    if callback is not None:
        out["CallbackToken"] = callback.callback_token
        out["SqsQueueUrl"] = callback.sqs_queue_url
    if lam is not None:
        out["FunctionArn"] = lam.arn
    return out


def holding_json(step: PipelineExecutionStep) -> dict[str, Any]:
    from .._waiter import describe_holding

    out = step_json(step)
    if step.metadata.callback is not None:
        out["WaitingFor"] = "SendPipelineExecutionStepSuccess/Failure"
    elif step.metadata.lambda_ is not None:
        out["WaitingFor"] = "Lambda function to finish"
    out["Description"] = describe_holding(step)
    return out


def description_json(d: DescribePipelineExecutionResponse) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PipelineExecutionArn": d.pipeline_execution_arn,
        "PipelineArn": d.pipeline_arn,
        "PipelineExecutionDisplayName": d.pipeline_execution_display_name,
        "PipelineExecutionStatus": d.status,
        "CreationTime": d.creation_time,
        "LastModifiedTime": d.last_modified_time,
    }
    if d.failure_reason is not None:
        out["FailureReason"] = d.failure_reason
    return out


# --------------------------------------------------------------------------- context


class Console:
    """Where output goes: results on stdout, progress and errors on stderr."""

    def __init__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
        self.json = args.output == "json"
        self.debug = bool(args.debug)
        self.stdout = stdout
        self.stderr = stderr
        self.live = _isatty(stderr)
        self._line = 0

    def out(self, text: str) -> None:
        print(text, file=self.stdout)

    def error(self, exc: BaseException, about: Optional[str] = None) -> None:
        """One line on stderr: ``error: [ARN: ]Code: message (request id ...)``."""
        self.clear()
        prefix = f"{about}: " if about else ""
        print(f"error: {prefix}{error_line(exc)}", file=self.stderr)

    def note(self, text: str) -> None:
        """A human note on stderr (never in json mode's stdout)."""
        self.clear()
        print(text, file=self.stderr)

    def progress(self, text: str) -> None:
        """One updating line on a terminal; nothing otherwise."""
        if not self.live:
            return
        pad = max(0, self._line - len(text))
        self.stderr.write("\r" + text + " " * pad)
        self.stderr.flush()
        self._line = len(text)

    def clear(self) -> None:
        if self._line:
            self.stderr.write("\r" + " " * self._line + "\r")
            self.stderr.flush()
            self._line = 0


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def make_client(args: argparse.Namespace) -> SageMakerClient:
    from ..client import SageMakerClient

    return SageMakerClient(
        region=args.region,
        endpoint_url=args.endpoint_url,
        max_attempts=args.max_attempts,
        profile=args.profile,
    )


# --------------------------------------------------------------------------- stop


class Outcome:
    """What happened to one execution."""

    def __init__(self, arn: str) -> None:
        self.arn = arn
        #: "requested" | "already stopping" | "already ended" | None
        self.stop: Optional[str] = None
        self.description: Optional[DescribePipelineExecutionResponse] = None
        self.status: Optional[str] = None
        self.error: Optional[BaseException] = None
        self.timed_out = False
        self.code = EXIT_OK

    def fail(self, exc: BaseException) -> None:
        self.error = exc
        self.code = exit_code_for(exc)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"PipelineExecutionArn": self.arn}
        if self.stop is not None:
            out["Stop"] = self.stop
        if self.status is not None:
            out["PipelineExecutionStatus"] = self.status
        d = self.description
        if d is not None:
            if d.failure_reason is not None:
                out["FailureReason"] = d.failure_reason
            if d.last_modified_time is not None:
                out["LastModifiedTime"] = d.last_modified_time
        if self.timed_out:
            out["TimedOut"] = True
        if self.error is not None and not self.timed_out:
            out["Error"] = error_json(self.error)
        out["ExitCode"] = self.code
        return out

    def text(self) -> str:
        """The result line on stdout (errors go to stderr instead)."""
        if self.timed_out:
            return f"{self.arn}\ttimed out (still {self.status})"
        if self.stop == "already ended":
            return f"{self.arn}\talready ended" + (f" ({self.status})" if self.status else "")
        if self.stop == "already stopping" and self.description is None:
            return f"{self.arn}\talready stopping"
        if self.description is not None and self.status is not None:
            reason = self.description.failure_reason
            return f"{self.arn}\t{self.status}" + (f": {reason}" if reason else "")
        return f"{self.arn}\tstop requested"


def _stop_one(client: SageMakerClient, request: Any, outcome: Outcome) -> None:
    """Send one StopPipelineExecution; an execution that is already Stopping or has
    ended (the service answers ExecutionNotStoppable) is reported as such."""
    from .. import _bulk

    _apply(outcome, client._run(_bulk.stop_one(client._core, request)))


def _is_fatal(exc: BaseException) -> bool:
    """Errors that would be the same for every execution: stop trying the rest."""
    return exit_code_for(exc) == EXIT_USAGE


def _wait_one(
    client: SageMakerClient,
    console: Console,
    outcome: Outcome,
    timeout: float,
    poll: float,
    started: float,
    label: str,
) -> None:
    from .._waiter import WaitTimeoutError

    def on_progress(report: Any) -> None:
        elapsed = time.monotonic() - started
        text = f"[{elapsed:5.0f}s] {label}{report.status}"
        if report.waiting_for:
            text += f": {report.waiting_for}"
        console.progress(text)

    try:  # progress (and its ListPipelineExecutionSteps calls) only when it is shown
        description = client.wait_for_pipeline_execution(
            outcome.arn,
            timeout=timeout,
            poll=poll,
            max_poll=max(poll, _defaults.MAX_POLL),  # a longer first delay is not cut
            on_progress=on_progress if console.live else None,
        )
    except WaitTimeoutError as exc:
        outcome.fail(exc)
        outcome.timed_out = True
        outcome.description = exc.last_description
        outcome.status = exc.last_status or outcome.status
        return
    outcome.description = description
    outcome.status = description.status
    if description.status == "Failed":
        outcome.code = EXIT_FAILED


def _confirm(console: Console, stdin: TextIO, question: str) -> bool:
    console.stderr.write(f"{question} [y/N] ")
    console.stderr.flush()
    answer = stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _check_stop_args(args: argparse.Namespace) -> list[Any]:
    """Usage rules of ``stop``; returns the validated requests (nothing is sent yet)."""
    from .._operations import StopPipelineExecution
    from .._pipeline_operations import ListPipelineExecutions

    arns = list(args.arns) + list(args.more_arns)
    if args.pipeline is None:
        if not arns:
            raise UsageError("give at least one execution ARN, or --pipeline NAME")
        for option in ("status", "yes", "dry_run"):
            if getattr(args, option):
                raise UsageError(f"--{option.replace('_', '-')} goes with --pipeline")
        if args.client_request_token is not None and len(arns) > 1:
            raise UsageError("--client-request-token needs a single ARN")
        return [StopPipelineExecution(arn, args.client_request_token) for arn in arns]
    if arns:
        raise UsageError("give execution ARNs or --pipeline, not both")
    if args.client_request_token is not None:
        raise UsageError("--client-request-token needs a single ARN, not --pipeline")
    ListPipelineExecutions(pipeline_name=args.pipeline)  # validates the name
    return []


def _from_bulk(result: Any) -> Outcome:
    outcome = Outcome(result.pipeline_execution_arn)
    _apply(outcome, result)
    return outcome


def _apply(outcome: Outcome, result: Any) -> None:
    """Record a :class:`~sagemaker_stop.StopResult` on ``outcome``."""
    from .._bulk import ALREADY_FINISHED, ALREADY_STOPPING, ERROR
    from .._pipeline_operations import TERMINAL_STATUSES

    if result.outcome == ERROR:
        outcome.fail(result.error)
    elif result.outcome == ALREADY_FINISHED:
        outcome.stop = "already ended"
        after = result.status_after or result.status_before
        outcome.status = after if after in TERMINAL_STATUSES else None
    else:
        outcome.stop = "already stopping" if result.outcome == ALREADY_STOPPING else "requested"
        outcome.status = "Stopping"


class Declined(Exception):
    """The bulk-stop confirmation was answered no (exit 1)."""


def _stop_pipeline(
    client: SageMakerClient, args: argparse.Namespace, console: Console, stdin: TextIO
) -> Optional[list[Outcome]]:
    """Bulk stop; None after a dry run."""
    from .._operations import StopPipelineExecution

    statuses = args.status or ["Executing"]
    if args.yes and not args.dry_run:
        results = client.stop_pipeline_executions(args.pipeline, statuses)
        outcomes = [_from_bulk(r) for r in results]
    else:
        arns = [
            s.pipeline_execution_arn
            for s in client.iter_pipeline_executions(args.pipeline)
            if s.pipeline_execution_arn and s.status in statuses
        ]
        if args.dry_run:
            if console.json:
                listed = [{"PipelineExecutionArn": arn, "Stop": "dry run"} for arn in arns]
                console.out(to_json({"Executions": listed, "ExitCode": EXIT_OK}))
            else:
                for arn in arns:
                    console.out(f"{arn}\twould stop")
            return None
        if arns:
            for arn in arns:
                console.note(f"  {arn}")
            question = f"Stop these {len(arns)} execution(s) of pipeline {args.pipeline}?"
            if not _confirm(console, stdin, question):
                raise Declined("declined: nothing was stopped")
        outcomes = []
        for arn in arns:
            outcome = Outcome(arn)
            outcomes.append(outcome)
            try:
                _stop_one(client, StopPipelineExecution(arn), outcome)
            except Exception as exc:
                outcome.fail(exc)
    if not outcomes:
        console.note(f"no {'/'.join(statuses)} executions of pipeline {args.pipeline}")
    return outcomes


def _wait_all(
    client: SageMakerClient, console: Console, outcomes: list[Outcome], args: argparse.Namespace
) -> None:
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    started = time.monotonic()
    for outcome in outcomes:
        if outcome.stop == "already ended" and outcome.status == "Failed":
            outcome.code = EXIT_FAILED  # --wait reports how it ended, whoever ended it
        if outcome.stop not in ("requested", "already stopping"):
            continue
        remaining = max(timeout - (time.monotonic() - started), 0.001)
        label = "" if len(outcomes) == 1 else outcome.arn.rpartition("/")[2] + ": "
        try:
            _wait_one(client, console, outcome, remaining, args.poll_interval, started, label)
        except Exception as exc:
            outcome.fail(exc)
    console.clear()


def cmd_stop(args: argparse.Namespace, console: Console, stdin: TextIO) -> int:
    requests = _check_stop_args(args)
    if args.pipeline is not None and not (args.yes or args.dry_run) and not _isatty(stdin):
        raise UsageError(
            "refusing to stop executions in bulk without confirmation: stdin is not a "
            "terminal; pass --yes to confirm (or --dry-run to list them)"
        )
    with make_client(args) as client:
        if args.pipeline is not None:
            found = _stop_pipeline(client, args, console, stdin)
            if found is None:
                return EXIT_OK
            outcomes = found
        else:
            outcomes = []
            for request in requests:
                outcome = Outcome(request.pipeline_execution_arn)
                outcomes.append(outcome)
                try:
                    _stop_one(client, request, outcome)
                except Exception as exc:
                    if _is_fatal(exc):  # the same for every execution: nothing was sent
                        raise
                    outcome.fail(exc)
        if args.wait or args.timeout is not None:
            _wait_all(client, console, outcomes, args)
    return _report(console, outcomes)


def _report(console: Console, outcomes: list[Outcome]) -> int:
    code = worst([o.code for o in outcomes])
    if console.json:
        console.out(to_json({"Executions": [o.to_json() for o in outcomes], "ExitCode": code}))
    for outcome in outcomes:
        if outcome.error is not None and not outcome.timed_out:
            console.error(outcome.error, None if len(outcomes) == 1 else outcome.arn)
        elif not console.json:
            console.out(outcome.text())
    return code


# --------------------------------------------------------------------------- status


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    from .._pipeline_operations import DescribePipelineExecution
    from .._waiter import describe_holding

    request = DescribePipelineExecution(args.arn)  # validated before anything is sent
    with make_client(args) as client:
        description = client.send(request)
        steps = list(client.iter_pipeline_execution_steps(args.arn))
    running = [s for s in steps if s.status in _RUNNING_STEP]
    holding = running if description.status == "Stopping" else []

    if console.json:
        document = description_json(description)
        document["RunningSteps"] = [step_json(s) for s in running]
        document["HeldBy"] = [holding_json(s) for s in holding]
        console.out(to_json(document))
        return EXIT_OK

    lines = [
        f"execution:  {description.pipeline_execution_arn or args.arn}",
        f"status:     {description.status}",
    ]
    if description.pipeline_execution_display_name:
        lines.append(f"name:       {description.pipeline_execution_display_name}")
    lines.append(f"created:    {_iso(description.creation_time)}")
    lines.append(f"modified:   {_iso(description.last_modified_time)}")
    if description.failure_reason:
        lines.append(f"failure:    {description.failure_reason}")
    if running:
        lines.append("running steps:")
        for s in running:
            lines.append(
                f"  {s.step_name} ({s.kind}): {s.status} since {_iso(s.start_time)}"
            )
    else:
        lines.append("running steps: none")
    for s in holding:
        lines.append(f"held by: {describe_holding(s)}")
        callback = s.metadata.callback
        if callback is not None:
            lines.append(f"  queue:  {callback.sqs_queue_url}")
            lines.append(f"  token:  {callback.callback_token}")
            lines.append(  # as a consumer should: clean up, then report failure
                f"  answer (after cleaning up): {PROG} callback fail "
                f"--token {callback.callback_token} --reason 'stopped'"
            )
        elif s.metadata.lambda_ is not None:
            lines.append(f"  function: {s.metadata.lambda_.arn}")
            lines.append("  it ends Stopped when the function finishes, Failed if it times out")
    console.out("\n".join(lines))
    return EXIT_OK


# --------------------------------------------------------------------------- start


def cmd_start(args: argparse.Namespace, console: Console) -> int:
    from .._pipeline_operations import StartPipelineExecution

    request = StartPipelineExecution(  # validated before anything is sent
        pipeline_name=args.pipeline,
        pipeline_execution_display_name=args.display_name,
        pipeline_execution_description=args.description,
        pipeline_parameters=list(args.parameters),
        client_request_token=args.client_request_token,
    )
    with make_client(args) as client:
        response = client.send(request)
    if console.json:
        console.out(to_json({"PipelineExecutionArn": response.pipeline_execution_arn}))
    else:
        console.out(str(response.pipeline_execution_arn))
    return EXIT_OK


# --------------------------------------------------------------------------- callback


def cmd_callback(args: argparse.Namespace, console: Console) -> int:
    with make_client(args) as client:
        if args.answer == "succeed":
            response = client.send_pipeline_execution_step_success(
                args.token, list(args.outputs), args.client_request_token
            )
        else:
            response = client.send_pipeline_execution_step_failure(
                args.token, args.reason, args.client_request_token
            )
    if console.json:
        console.out(to_json({
            "PipelineExecutionArn": response.pipeline_execution_arn,
            "Callback": args.answer,
        }))
    else:
        verb = "succeeded" if args.answer == "succeed" else "failed"
        console.out(f"{response.pipeline_execution_arn}\tcallback step {verb}")
    return EXIT_OK


# --------------------------------------------------------------------------- emulator, demo


def cmd_emulator(args: argparse.Namespace, console: Console) -> int:
    from ..emulator.__main__ import main as emulator_main

    argv = ["--host", args.host, "--port", str(args.port), "--speed", str(args.speed)]
    if args.region:
        argv += ["--region", args.region]
    if args.stop_delay is not None:
        argv += ["--stop-delay", str(args.stop_delay)]
    if args.pipelines:
        argv += ["--pipelines", args.pipelines]
    if args.quiet:
        argv.append("--quiet")
    return emulator_main(argv, out=console.stdout)


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    import importlib

    try:
        module = importlib.import_module("sagemaker_stop.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "sagemaker_stop.demo":
            raise
        raise UsageError(
            "the demo is not available in this installation (no sagemaker_stop.demo module)"
        ) from None
    demo_main: Optional[Callable[[list[str]], Any]] = getattr(module, "main", None)
    if demo_main is None:
        raise UsageError("sagemaker_stop.demo has no main() function")
    result = demo_main([] if args.speed is None else ["--speed", str(args.speed)])
    return result if isinstance(result, int) else EXIT_OK


# --------------------------------------------------------------------------- main


@contextlib.contextmanager
def _debug_logging(debug: bool, stderr: TextIO) -> Iterator[None]:
    """With ``--debug``: DEBUG records of the ``sagemaker_stop`` logger go to stderr."""
    if not debug:
        yield
        return
    logger = logging.getLogger("sagemaker_stop")
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def parse_args(
    argv: Sequence[str], stdout: Optional[TextIO] = None, stderr: Optional[TextIO] = None
) -> argparse.Namespace:
    """Parse the command line (argparse's messages go to ``stdout``/``stderr``)."""
    parser = build_parser()
    with contextlib.redirect_stdout(stdout or sys.stdout), contextlib.redirect_stderr(
        stderr or sys.stderr
    ):
        return parser.parse_args(argv)


def _dispatch(args: argparse.Namespace, console: Console, stdin: TextIO) -> int:
    if args.command == "stop":
        return cmd_stop(args, console, stdin)
    if args.command == "start":
        return cmd_start(args, console)
    if args.command == "status":
        return cmd_status(args, console)
    if args.command == "callback":
        return cmd_callback(args, console)
    if args.command == "emulator":
        return cmd_emulator(args, console)
    return cmd_demo(args, console)


def _json_failure(console: Console, exc: BaseException, code: int) -> None:
    """With ``--output json``, a command that failed as a whole still prints exactly one
    JSON document on stdout: ``{"Error": {...}, "ExitCode": n}`` (the error as in the
    ``stop`` results); the human message stays on stderr."""
    if console.json:
        console.out(to_json({"Error": error_json(exc), "ExitCode": code}))


def run(
    argv: Optional[Sequence[str]] = None,
    *,
    stdin: Optional[TextIO] = None,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the command line; returns the exit code (never raises SystemExit)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        args = parse_args(argv, stdout, stderr)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    console = Console(args, stdout, stderr)
    try:
        with _debug_logging(console.debug, stderr):
            return _dispatch(args, console, stdin)
    except KeyboardInterrupt as exc:
        console.note("interrupted")
        _json_failure(console, exc, EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if console.debug:
            console.clear()
            traceback.print_exc(file=stderr)
        if isinstance(exc, UsageError):
            console.note(f"{PROG}: error: {exc}")
        else:
            console.error(exc)
        code = exit_code_for(exc)
        _json_failure(console, exc, code)
        return code
    finally:
        stdout.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The ``sagemaker-stop`` console script: returns the exit code."""
    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
