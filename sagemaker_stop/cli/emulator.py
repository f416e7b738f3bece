"""``sagemaker-stop emulator``: run the bundled SageMaker Pipelines emulator until Ctrl-C
(``python -m sagemaker_stop.emulator`` with the same options)."""

from __future__ import annotations

import argparse

from .console import Console


def command(args: argparse.Namespace, console: Console) -> int:
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
