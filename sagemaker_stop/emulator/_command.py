"""The emulator's command line, the one ``python -m sagemaker_stop.emulator`` and
``sagemaker-stop emulator`` both run: the same options, help and errors.

:func:`add_arguments` puts the options on a parser (every default is ``SUPPRESS``, so
under ``sagemaker-stop`` a ``--region`` given before the command is not overwritten;
:func:`settings` fills in the defaults).  :func:`run` starts the emulator and serves
until Ctrl-C or SIGTERM; what goes wrong is one line on stderr, never a traceback:

* exit 2 — a usage error: a bad option (argparse), a ``--pipelines`` file that cannot
  be read or is not valid (the file, the pipeline, the step and the field named);
* exit 1 — the address cannot be listened on (the port is in use, an unknown host).

Only the standard library is imported here; the emulator itself when it runs.
"""

from __future__ import annotations

import argparse
import errno
import math
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any, Optional, TextIO

EXIT_OK = 0
EXIT_LISTEN = 1
EXIT_USAGE = 2

DESCRIPTION = "A local SageMaker Pipelines endpoint with the real stop semantics."
PIPELINES_HELP = (
    "a JSON file: a list of pipelines, each {\"name\": NAME, \"steps\": [STEP, ...], "
    "\"description\": TEXT}; a STEP is {\"name\", \"type\" (default Training), "
    "\"duration\" (s, default 60), \"fail_reason\"}, a Callback step {\"name\", "
    "\"type\": \"Callback\", \"sqs_queue_url\", \"arguments\"}, a Lambda step {\"name\", "
    "\"type\": \"Lambda\", \"function_arn\", \"duration\", \"timeout\" (s, default 600), "
    "\"output_parameters\"} (default: the demo pipelines demo-training, demo-callback, "
    "demo-lambda)"
)
EPILOG = """\
examples:
  {prog} --port 8000 --speed 60
  {prog} --port 0 --quiet          # a free port; the URL is printed
  {prog} --pipelines pipelines.json

It prints the export lines (AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_SQS,
credentials, region) that point sagemaker-stop, boto3 or the AWS CLI at it, and
serves until Ctrl-C or SIGTERM.  Other processes can drive it through the
unsigned paths under /_emulator/ (queues, advance, pipelines, health).

exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 cannot listen (e.g. the port is in
use), 2 usage error (a bad option, a --pipelines file missing or invalid).
"""

#: Every option's default (``settings`` fills these in).
DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 8000,
    "region": "us-east-1",
    "account_id": "123456789012",
    "speed": 1.0,
    "clock_skew": 0.0,
    "stop_delay": 3.0,
    "access_key_id": None,  # None: the emulator's DEFAULT_CREDENTIALS
    "secret_access_key": None,
    "session_token": None,
    "pipelines": None,
    "quiet": False,
}


class CommandError(Exception):
    """A failure :func:`run` reports as one line, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def demo_pipelines(region: str, account_id: str) -> list[dict[str, Any]]:
    queue = f"https://sqs.{region}.amazonaws.com/{account_id}/demo-callback-queue"
    function = f"arn:aws:lambda:{region}:{account_id}:function:demo-function"
    return [
        {
            "name": "demo-training",
            "steps": [
                {"name": "Preprocess", "type": "Processing", "duration": 120},
                {"name": "Train", "type": "Training", "duration": 1800},
            ],
        },
        {
            "name": "demo-callback",
            "steps": [
                {"name": "Preprocess", "type": "Processing", "duration": 60},
                {
                    "name": "ExternalJob",
                    "type": "Callback",
                    "sqs_queue_url": queue,
                    "arguments": {"job": "external"},
                },
            ],
        },
        {
            "name": "demo-lambda",
            "steps": [
                {
                    "name": "Invoke",
                    "type": "Lambda",
                    "function_arn": function,
                    "duration": 300,
                    "timeout": 600,
                },
            ],
        },
    ]


def _finite(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _number(text: str) -> float:
    """A finite number (an argparse type)."""
    value = _finite(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _seconds(text: str) -> float:
    """A finite number >= 0 (an argparse type)."""
    value = _finite(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"not a finite number >= 0: {text!r}")
    return value


def _port(text: str) -> int:
    """A TCP port, 0-65535 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number 0-65535: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The emulator's options, on ``parser`` (defaults: :data:`DEFAULTS`)."""
    d = DEFAULTS
    add = parser.add_argument
    suppress = argparse.SUPPRESS
    add("--host", default=suppress, help=f"address to listen on (default: {d['host']})")
    add("--port", type=_port, default=suppress,
        help=f"port to listen on; 0 picks a free one (default: {d['port']})")
    add("--region", default=suppress, help=f"the emulated region (default: {d['region']})")
    add("--account-id", default=suppress,
        help=f"the account in ARNs and queue URLs (default: {d['account_id']})")
    add("--speed", type=_seconds, default=suppress, metavar="FACTOR",
        help=f"simulated seconds per real second; 0: time stands still (default: {d['speed']:g})")
    add("--clock-skew", type=_number, default=suppress, metavar="SECONDS",
        help="offset of the server's clock, for the SigV4 time check (default: 0)")
    add("--stop-delay", type=_seconds, default=suppress, metavar="SECONDS",
        help=f"how long a plain step stays Stopping (default: {d['stop_delay']:g})")
    add("--access-key-id", default=suppress,
        help="the access key id requests must be signed with (default: the emulator's own, "
        "printed in the export lines)")
    add("--secret-access-key", default=suppress, help="its secret access key")
    add("--session-token", default=suppress, help="a session token requests must carry")
    add("--pipelines", metavar="FILE", default=suppress, help=PIPELINES_HELP)
    add("--quiet", action="store_true", default=suppress, help="do not log requests to stderr")


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The parser of ``python -m sagemaker_stop.emulator``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG.format(prog=prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options given, with the defaults for the others."""
    given = {k: getattr(args, k, None) for k in DEFAULTS}
    return {k: DEFAULTS[k] if v is None else v for k, v in given.items()}


def _load_pipelines(path: str) -> list[Any]:
    from ._api import read_json

    try:
        with open(path, "rb") as f:
            data = read_json(f.read())
    except OSError as exc:
        raise CommandError(f"--pipelines {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    except ValueError as exc:
        raise CommandError(f"{path}: not valid JSON: {exc}", EXIT_USAGE) from None
    if not isinstance(data, list):
        raise CommandError(f"{path}: must hold a JSON array of pipelines", EXIT_USAGE)
    return data


def _listen_error(host: str, port: int, exc: OSError) -> CommandError:
    if exc.errno == errno.EADDRINUSE:
        reason = "the port is in use (another emulator?); --port 0 picks a free one"
    else:
        reason = exc.strerror or str(exc)
    return CommandError(f"cannot listen on {host}:{port}: {reason}", EXIT_LISTEN)


def _raise_interrupt(signum: int, frame: Optional[FrameType]) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace, out: TextIO, err: TextIO, prog: str) -> int:
    """Run the emulator the options describe until Ctrl-C or SIGTERM; the exit code."""
    try:
        return _serve(settings(args), out)
    except CommandError as exc:
        print(f"{prog}: error: {exc}", file=err)
        return exc.code


def _serve(s: dict[str, Any], out: TextIO) -> int:
    from ._emulator import DEFAULT_CREDENTIALS, SageMakerEmulator
    from ._sigv4 import Credentials

    credentials = Credentials(
        s["access_key_id"] or DEFAULT_CREDENTIALS.access_key_id,
        s["secret_access_key"] or DEFAULT_CREDENTIALS.secret_access_key,
        s["session_token"],
    )
    emulator = SageMakerEmulator(
        host=s["host"],
        port=s["port"],
        region=s["region"],
        account_id=s["account_id"],
        credentials=credentials,
        clock_skew=s["clock_skew"],
        speed=s["speed"],
        stop_delay=s["stop_delay"],
        log=not s["quiet"],
    )
    path = s["pipelines"]
    pipelines = demo_pipelines(s["region"], s["account_id"]) if path is None else (
        _load_pipelines(path)
    )
    for number, pipeline in enumerate(pipelines, 1):
        try:
            emulator.create_pipeline_from_dict(pipeline)
        except ValueError as exc:
            where = "" if isinstance(pipeline, dict) and "name" in pipeline else (
                f"pipeline {number}: "
            )
            raise CommandError(f"{path}: {where}{exc}", EXIT_USAGE) from None
    try:
        emulator.start()
    except OSError as exc:
        raise _listen_error(s["host"], s["port"], exc) from None
    try:
        signal.signal(signal.SIGTERM, _raise_interrupt)
        print(f"SageMaker emulator listening on {emulator.endpoint_url}", file=out)
        for name, value in emulator.env.items():
            print(f"export {name}={value}", file=out)
        names = ", ".join(str(p["name"]) for p in pipelines)
        print(f"# pipelines: {names}; speed {s['speed']:g}x; Ctrl-C to stop", file=out)
        out.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return EXIT_OK


def main(
    argv: Optional[Sequence[str]] = None,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
    prog: str = "python -m sagemaker_stop.emulator",
) -> int:
    """``python -m sagemaker_stop.emulator``: parse, run; the exit code (a bad option
    exits 2 through SystemExit, as argparse does)."""
    args = build_parser(prog).parse_args(argv)
    return run(args, sys.stdout if out is None else out, sys.stderr if err is None else err, prog)
