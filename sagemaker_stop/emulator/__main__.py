"""``python -m sagemaker_stop.emulator``: run the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any, Optional, TextIO

from ._api import read_json
from ._emulator import DEFAULT_CREDENTIALS, SageMakerEmulator
from ._model import non_negative
from ._sigv4 import Credentials


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


def _number(text: str) -> float:
    """A finite number (an argparse type)."""
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _seconds(text: str) -> float:
    """A finite number >= 0 (an argparse type)."""
    try:
        return non_negative(float(text), "")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a finite number >= 0: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sagemaker_stop.emulator",
        description="A local SageMaker Pipelines endpoint with the real stop semantics.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account-id", default="123456789012")
    p.add_argument("--speed", type=_seconds, default=1.0, help="simulated seconds per real second")
    p.add_argument("--clock-skew", type=_number, default=0.0, help="server clock offset (s)")
    p.add_argument("--stop-delay", type=_seconds, default=3.0)
    p.add_argument("--access-key-id", default=DEFAULT_CREDENTIALS.access_key_id)
    p.add_argument("--secret-access-key", default=DEFAULT_CREDENTIALS.secret_access_key)
    p.add_argument("--session-token", default=None)
    p.add_argument(
        "--pipelines",
        metavar="FILE",
        help="JSON list of {name, steps: [{name, type, duration, ...}]} "
        "(default: a few demo pipelines)",
    )
    p.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    return p


def _raise_interrupt(signum: int, frame: Optional[FrameType]) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    emulator = SageMakerEmulator(
        host=args.host,
        port=args.port,
        region=args.region,
        account_id=args.account_id,
        credentials=Credentials(args.access_key_id, args.secret_access_key, args.session_token),
        clock_skew=args.clock_skew,
        speed=args.speed,
        stop_delay=args.stop_delay,
        log=not args.quiet,
    )
    pipelines = demo_pipelines(args.region, args.account_id)
    try:
        if args.pipelines:
            with open(args.pipelines, "rb") as f:
                pipelines = read_json(f.read())
            if not isinstance(pipelines, list):
                raise ValueError("the file holds a JSON list of pipelines")
        for pipeline in pipelines:
            emulator.create_pipeline_from_dict(pipeline)
    except (OSError, ValueError) as exc:
        parser.error(f"--pipelines {args.pipelines}: {exc}")  # exits 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    emulator.start()
    try:
        print(f"SageMaker emulator listening on {emulator.endpoint_url}", file=out)
        for name, value in emulator.env.items():
            print(f"export {name}={value}", file=out)
        names = ", ".join(str(p["name"]) for p in pipelines)
        print(f"# pipelines: {names}; speed {args.speed:g}x; Ctrl-C to stop", file=out)
        out.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
