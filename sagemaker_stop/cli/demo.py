"""``sagemaker-stop demo``: the guided demo (:mod:`sagemaker_stop.demo`) against a
bundled emulator."""

from __future__ import annotations

import argparse
import importlib
from typing import Any, Callable, Optional

from .exits import EXIT_OK, UsageError


def command(args: argparse.Namespace) -> int:
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
