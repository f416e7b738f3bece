"""How results and errors look: text lines or one JSON document on stdout (``--output``),
error lines on stderr.  The commands compute result values; :class:`Renderer` shows them."""

from __future__ import annotations

import datetime
import json
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

from .console import Console
from .exits import Declined, UsageError
from .parser import PROG

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .._pipeline_operations import DescribePipelineExecutionResponse, PipelineExecutionStep
    from .results import (
        CallbackResult,
        ConfigReport,
        StartResult,
        StatusReport,
        StopOutcome,
        WorkerResult,
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_json(document: Any) -> str:
    """One JSON document (datetimes as ISO 8601)."""
    return json.dumps(document, indent=2, default=_json_default)


def _iso(value: Optional[datetime.datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


# --------------------------------------------------------------------------- errors


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


#: The likeliest fixes when no credentials were found, in the command line's terms.
CREDENTIAL_FIXES = (
    "--profile NAME (or AWS_PROFILE=NAME): a profile of ~/.aws/config; for an SSO "
    "profile run 'aws sso login --profile NAME' first",
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment",
)
NO_REGION = (
    "no AWS region: give --region REGION (or set AWS_REGION, or add 'region = ...' to the "
    "profile); only an execution ARN names its own region"
)


def error_lines(exc: BaseException) -> list[str]:
    """An error as the command line says it: :func:`error_line`, except where the
    library's message speaks of its own arguments (``region=``, ``credentials=``): then
    in terms of the command's options — for missing credentials, what was tried in
    order and the likeliest fixes, on lines of their own."""
    from .._config import NoRegionError
    from ..errors import NoCredentialsError

    if isinstance(exc, NoRegionError):
        return [f"ConfigurationError: {NO_REGION}"]
    if isinstance(exc, NoCredentialsError) and exc.tried:
        tried = ", ".join(f"{source} ({why})" for source, why in exc.tried)
        return [
            f"{exc.code}: no AWS credentials found",
            f"  tried, in order: {tried}",
            "  to fix, one of:",
            *(f"    {fix}" for fix in CREDENTIAL_FIXES),
        ]
    return [error_line(exc)]


def error_json(exc: BaseException) -> dict[str, Any]:
    from .._config import NoRegionError
    from ..errors import NoCredentialsError, SageMakerError

    if isinstance(exc, SageMakerError):
        out: dict[str, Any] = {
            "Code": exc.code,
            "Message": exc.message,
            "HttpStatus": exc.http_status,
            "RequestId": exc.request_id,
        }
        if isinstance(exc, NoCredentialsError) and exc.tried:
            out["Tried"] = [{"Source": source, "Detail": why} for source, why in exc.tried]
        return out
    if isinstance(exc, NoRegionError):
        return {"Code": "ConfigurationError", "Message": NO_REGION}
    return {"Code": type(exc).__name__, "Message": str(exc)}


# --------------------------------------------------------------------------- stop


def outcome_json(outcome: StopOutcome) -> dict[str, Any]:
    """One execution of a stop, as an entry of ``Executions``."""
    out: dict[str, Any] = {"PipelineExecutionArn": outcome.arn}
    if outcome.stop is not None:
        out["Stop"] = outcome.stop
    if outcome.status is not None:
        out["PipelineExecutionStatus"] = outcome.status
    d = outcome.description
    if d is not None:
        if d.failure_reason is not None:
            out["FailureReason"] = d.failure_reason
        if d.last_modified_time is not None:
            out["LastModifiedTime"] = d.last_modified_time
    if outcome.timed_out:
        out["TimedOut"] = True
    if outcome.error is not None and not outcome.timed_out:
        out["Error"] = error_json(outcome.error)
    out["ExitCode"] = outcome.code
    return out


def outcome_line(outcome: StopOutcome) -> str:
    """The result line of one execution on stdout (errors go to stderr instead)."""
    arn, status = outcome.arn, outcome.status
    if outcome.timed_out:
        return f"{arn}\ttimed out (still {status})"
    if outcome.stop == "already ended":
        return f"{arn}\talready ended" + (f" ({status})" if status else "")
    if outcome.stop == "already stopping" and outcome.description is None:
        return f"{arn}\talready stopping"
    if outcome.description is not None and status is not None:
        reason = outcome.description.failure_reason
        return f"{arn}\t{status}" + (f": {reason}" if reason else "")
    return f"{arn}\tstop requested"


# --------------------------------------------------------------------------- status


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


def status_json(report: StatusReport) -> dict[str, Any]:
    document = description_json(report.description)
    document["RunningSteps"] = [step_json(s) for s in report.running]
    document["HeldBy"] = [holding_json(s) for s in report.holding]
    return document


def status_text(report: StatusReport) -> str:
    description = report.description
    lines = [
        f"execution:  {description.pipeline_execution_arn or report.arn}",
        f"status:     {description.status}",
    ]
    if description.pipeline_execution_display_name:
        lines.append(f"name:       {description.pipeline_execution_display_name}")
    lines.append(f"created:    {_iso(description.creation_time)}")
    lines.append(f"modified:   {_iso(description.last_modified_time)}")
    if description.failure_reason:
        lines.append(f"failure:    {description.failure_reason}")
    if report.running:
        lines.append("running steps:")
        for s in report.running:
            lines.append(
                f"  {s.step_name} ({s.kind}): {s.status} since {_iso(s.start_time)}"
            )
    else:
        lines.append("running steps: none")
    for s in report.holding:
        lines.extend(holding_lines(s, report.options))
    return "\n".join(lines)


def release_command(token: str, options: Sequence[str] = ()) -> str:
    """The command that answers a Callback step holding a stop: failure, as a consumer
    should after cleaning up (the execution then ends Stopped)."""
    words = " ".join(shlex.quote(word) for word in (PROG, *options, "callback", "fail"))
    return f"{words} --token {shlex.quote(token)} --reason 'stopped'"


def holding_lines(step: PipelineExecutionStep, options: Sequence[str] = ()) -> list[str]:
    """What holds a Stopping execution, as ``status`` and ``stop --wait`` show it: the
    step in words, then for a Callback step its queue, its token and the command that
    answers it (``options``: the global options that command needs), for a Lambda step
    its function."""
    from .._waiter import describe_holding

    lines = [f"held by: {describe_holding(step)}"]
    callback, lam = step.metadata.callback, step.metadata.lambda_
    if callback is not None:
        lines.append(f"  queue:  {callback.sqs_queue_url}")
        lines.append(f"  token:  {callback.callback_token}")
        if callback.callback_token:
            command = release_command(callback.callback_token, options)
            lines.append(f"  answer (after cleaning up): {command}")
    elif lam is not None:
        lines.append(f"  function: {lam.arn}")
        lines.append("  it ends Stopped when the function finishes, Failed if it times out")
    return lines


# --------------------------------------------------------------------------- renderer


class Renderer:
    """Shows a command's results and errors as ``--output`` asks, through the console:
    text lines, or exactly one JSON document on stdout; error lines always on stderr."""

    def __init__(self, console: Console, output: str) -> None:
        self.console = console
        self.json = output == "json"

    def error(self, exc: BaseException, about: Optional[str] = None) -> None:
        """On stderr: ``error: [ARN: ]Code: message (request id ...)`` (for missing
        credentials a few lines: see :func:`error_lines`)."""
        prefix = f"{about}: " if about else ""
        first, *rest = error_lines(exc)
        self.console.note(f"error: {prefix}{first}")
        for line in rest:
            self.console.note(line)

    def failure(self, exc: BaseException, code: int) -> None:
        """A command that failed as a whole: the message on stderr and, with ``--output
        json``, still exactly one JSON document on stdout, ``{"Error": {...}, "ExitCode":
        n}`` (the error as in the ``stop`` results)."""
        if isinstance(exc, KeyboardInterrupt):
            self.console.note("interrupted")
        elif isinstance(exc, UsageError):
            self.console.note(f"{PROG}: error: {exc}")
        else:
            self.error(exc)
        if self.json:
            self.console.out(to_json({"Error": error_json(exc), "ExitCode": code}))

    def stop_outcomes(
        self, outcomes: Sequence[StopOutcome], code: int, *, interrupted: bool = False
    ) -> None:
        """The executions of a stop: a line each (an error line on stderr for a failed
        one, named by its ARN when there are several), or one JSON document.  After an
        interrupt: the executions handled until then (``"Interrupted": true``)."""
        if self.json:
            document: dict[str, Any] = {"Executions": [outcome_json(o) for o in outcomes]}
            if interrupted:
                document["Interrupted"] = True
            document["ExitCode"] = code
            self.console.out(to_json(document))
        for outcome in outcomes:
            if outcome.error is not None and not outcome.timed_out:
                self.error(outcome.error, None if len(outcomes) == 1 else outcome.arn)
            elif not self.json:
                self.console.out(outcome_line(outcome))
        if interrupted:
            stopped = sum(o.stop == "requested" for o in outcomes)
            self.console.note(
                f"interrupted: {stopped} stop(s) requested, {len(outcomes)} execution(s) "
                "handled before it; no more requests were sent"
            )

    def dry_run(self, arns: Sequence[str], code: int) -> None:
        """The executions a bulk stop would stop."""
        if self.json:
            listed = [{"PipelineExecutionArn": arn, "Stop": "dry run"} for arn in arns]
            self.console.out(to_json({"Executions": listed, "ExitCode": code}))
        else:
            for arn in arns:
                self.console.out(f"{arn}\twould stop")

    def status(self, report: StatusReport) -> None:
        self.console.out(to_json(status_json(report)) if self.json else status_text(report))

    def started(self, result: StartResult) -> None:
        arn = result.pipeline_execution_arn
        self.console.out(to_json({"PipelineExecutionArn": arn}) if self.json else str(arn))

    def config(self, report: ConfigReport) -> None:
        """``config``: a line per setting (value, then where it came from), or one JSON
        document; a credentials failure also as an error line on stderr."""
        if self.json:
            self.console.out(to_json({
                "Settings": [
                    {"Setting": s.setting, "Value": s.value, "Source": s.source}
                    for s in report.settings
                ],
                **({"Error": error_json(report.error)} if report.error else {}),
            }))
        else:
            width = max(len(s.setting) for s in report.settings)
            for s in report.settings:
                value = "-" if s.value is None else s.value
                self.console.out(f"{s.setting:<{width}}  {value}  ({s.source})")
        if report.error is not None:
            self.error(report.error)

    def answered(self, result: CallbackResult) -> None:
        if self.json:
            self.console.out(to_json({
                "PipelineExecutionArn": result.pipeline_execution_arn,
                "Callback": result.answer,
            }))
        else:
            verb = "succeeded" if result.answer == "succeed" else "failed"
            self.console.out(f"{result.pipeline_execution_arn}\tcallback step {verb}")

    def worker(self, result: WorkerResult) -> None:
        """The summary a worker prints when it has shut down."""
        stats = result.stats
        counts = {
            "Succeeded": stats.succeeded,
            "Failed": stats.failed,
            "Stopped": stats.stopped,
            "Released": stats.released,
            "Unanswered": stats.unanswered,
            "Skipped": stats.skipped,
        }
        if self.json:
            self.console.out(to_json({"QueueUrl": result.queue_url, **counts, "ExitCode": 0}))
        else:
            shown = ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n)
            self.console.out(f"{result.queue_url}\tworker done: {shown or 'no messages'}")
