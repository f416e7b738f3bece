"""``sagemaker-stop emulator``: run the bundled SageMaker Pipelines emulator until Ctrl-C,
with the command line of ``python -m sagemaker_stop.emulator`` (``emulator/_command.py``:
the options are on the parser already; the same run, errors and exit codes)."""

from __future__ import annotations

import argparse

from .console import Console
from .parser import PROG


def command(args: argparse.Namespace, console: Console) -> int:
    from ..emulator._command import run

    return run(args, console.stdout, console.stderr, f"{PROG} emulator")
