"""The command line's grammar: argparse, the option types, the help texts and epilogs."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import Any, Optional, TextIO

from .. import _defaults
from .._version import __version__
from .exits import EXIT_CODES

PROG = "sagemaker-stop"

DEFAULT_POLL = _defaults.POLL
STATUSES = (
    "Executing",
    "Stopping",
    "Stopped",
    "Failed",
    "Succeeded",
    "CompletedWithFailures",
)

_EXIT_TABLE = "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items())

_MAIN_EPILOG = f"""\
examples:
  {PROG} stop arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc123
  {PROG} stop --wait --timeout 900 ARN
  {PROG} stop --pipeline my-pipeline --yes
  {PROG} start my-pipeline --parameter InputUri=s3://bucket/data
  {PROG} status ARN
  {PROG} callback succeed --token TOKEN --output model=s3://bucket/model.tar.gz
  {PROG} worker --queue QUEUE_URL -- ./run-job.sh
  {PROG} --output json stop --wait ARN1 ARN2
  {PROG} --profile dev config          where each setting and the credentials come from

Region, profile, endpoint and credentials come from the options, then the usual
AWS environment variables (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, ...), then ~/.aws/config and ~/.aws/credentials (SSO and
'aws login' profiles included; an MFA code is asked for on a terminal). Without a
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
given. --dry-run only lists them. Against an account near SageMaker's API rate
limits, add --retry-mode adaptive: the client then paces its requests after the
first throttling answer instead of failing stops that ran out of retries.

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

_CONFIG_EPILOG = f"""\
examples:
  {PROG} config
  {PROG} --profile dev config
  {PROG} --output json config

Resolves the configuration as every command does and prints each setting with
where it came from (an option, an environment variable, or a file and section);
the credentials are loaded (an SSO token may be refreshed, an MFA code asked
for) and their source shown, never a key. With --debug any command logs the
same to stderr.
"""

_WORKER_EPILOG = f"""\
examples:
  {PROG} worker --queue https://sqs.eu-west-1.amazonaws.com/123456789012/jobs -- ./job.sh
  {PROG} worker --queue URL --concurrency 8 --grace 30 -- python train.py --fast
  {PROG} worker --queue URL --exit-when-idle -- ./job.sh      # drain, then exit (CI)

Consumes a Callback step's SQS queue and runs COMMAND for each start message:

  input    the message's "arguments" as one JSON object on stdin; in the
           environment SAGEMAKER_CALLBACK_TOKEN, SAGEMAKER_PIPELINE_EXECUTION_ARN
           and SAGEMAKER_CALLBACK_RECEIVE_COUNT (1, or more on a redelivery)
  success  exit 0 with stdout empty or one JSON object: the step's output
           parameters (values that are not strings are sent as JSON text)
  failure  any other exit status fails the step; the failure reason is the last
           line of stderr (secrets masked, at most 256 characters)
  retry    exit 75 leaves the message on the queue for redelivery
  stop     when the step's execution is stopped, COMMAND's process group gets
           SIGTERM, then SIGKILL after --grace seconds; the step is answered
           Failure ("stopped") and the execution ends Stopped

A message is deleted only after its answer was accepted; messages held are kept
invisible (their visibility timeout renewed) while COMMAND runs; a message that
is not a Callback message is logged and left for the queue's redrive policy.
Ctrl-C or SIGTERM: stop receiving and let running commands finish (a second
one cancels them and releases their messages for another worker).
The SQS endpoint: --sqs-endpoint-url, AWS_ENDPOINT_URL_SQS, the profile's
services section, else SQS's own for the region (or the queue URL's region).
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


def _wait_time(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= 20:
        raise argparse.ArgumentTypeError(f"must be from 0 to 20, got {value}")
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
        help="attempts per API call, retries included (default: 3; legacy mode: 5)",
    )
    group.add_argument(
        "--retry-mode",
        choices=("standard", "adaptive", "legacy"),
        default=default(None),
        help="the AWS SDKs' retry mode (default: AWS_RETRY_MODE, the profile's "
        "retry_mode, else standard); adaptive also paces requests after throttling",
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

    config = command(
        "config",
        "show which profile, region, endpoint, CA bundle and credentials are used, and why",
        _CONFIG_EPILOG,
    )
    _add_globals(config, top=False)

    # The options, help and errors of `python -m sagemaker_stop.emulator` (one module
    # for both); no global options: --region is the emulated region here.
    from ..emulator import _command as emulator_command

    emulator = command(
        "emulator",
        "run a local SageMaker Pipelines emulator (python -m sagemaker_stop.emulator)",
        emulator_command.EPILOG.format(prog=f"{PROG} emulator"),
    )
    emulator.description = emulator_command.DESCRIPTION
    emulator_command.add_arguments(emulator)

    worker = command(
        "worker", "answer a Callback step's SQS messages by running a command", _WORKER_EPILOG
    )
    worker.add_argument("--queue", required=True, metavar="URL", help="the SQS queue URL")
    worker.add_argument(
        "--concurrency", type=_positive_int, default=4, metavar="N",
        help="commands running at once (default: 4)",
    )
    worker.add_argument(
        "--grace", type=_positive_float, default=10.0, metavar="SECONDS",
        help="after SIGTERM, seconds before SIGKILL (default: 10)",
    )
    worker.add_argument(
        "--visibility-timeout", type=_positive_int, default=60, metavar="SECONDS",
        help="seconds a message stays hidden, renewed while it is held (default: 60)",
    )
    worker.add_argument(
        "--wait-time", type=_wait_time, default=20, metavar="SECONDS",
        help="long poll of each receive, 0-20 (default: 20)",
    )
    worker.add_argument(
        "--on-shutdown", choices=("finish", "cancel"), default="finish",
        help="on Ctrl-C/SIGTERM: let running commands finish (default) or cancel them",
    )
    worker.add_argument(
        "--exit-when-idle", action="store_true",
        help="exit once the queue is empty and no command runs",
    )
    worker.add_argument("--sqs-endpoint-url", metavar="URL", help="use this SQS endpoint URL")
    worker.add_argument(
        "argv", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARG ...]",
        help="the command to run for each start message",
    )
    _add_globals(worker, top=False)

    demo = command("demo", "run the guided demo against a bundled emulator (sagemaker_stop.demo)")
    demo.add_argument(
        "--speed", type=_positive_float, help="simulated seconds per real second (demo default)"
    )
    _add_globals(demo, top=False)
    return parser


def parse_args(
    argv: Sequence[str], stdout: Optional[TextIO] = None, stderr: Optional[TextIO] = None
) -> argparse.Namespace:
    """Parse the command line (argparse's messages go to ``stdout``/``stderr``)."""
    parser = build_parser()
    with contextlib.redirect_stdout(stdout or sys.stdout), contextlib.redirect_stderr(
        stderr or sys.stderr
    ):
        return parser.parse_args(argv)
