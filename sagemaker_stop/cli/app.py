"""One run of the command line: parse, hand the command its console and renderer, and
turn what it raised into an exit code and an error message."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import Optional, TextIO

from .console import Console
from .exits import EXIT_INTERRUPTED, EXIT_USAGE, exit_code_for
from .parser import parse_args
from .render import Renderer


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


def _dispatch(
    args: argparse.Namespace, console: Console, renderer: Renderer, stdin: TextIO
) -> int:
    """Run the command (its module is imported only now)."""
    if args.command == "stop":
        from . import stop

        return stop.command(args, console, renderer, stdin)
    if args.command == "start":
        from . import start

        return start.command(args, renderer)
    if args.command == "status":
        from . import status

        return status.command(args, renderer)
    if args.command == "callback":
        from . import callback

        return callback.command(args, renderer)
    if args.command == "config":
        from . import config

        return config.command(args, renderer)
    if args.command == "emulator":
        from . import emulator

        return emulator.command(args, console)
    if args.command == "worker":
        from . import worker

        return worker.command(args, console, renderer)
    from . import demo

    return demo.command(args)


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
    console = Console(stdout, stderr)
    renderer = Renderer(console, args.output)
    debug = bool(args.debug)
    try:
        with _debug_logging(debug, stderr):
            return _dispatch(args, console, renderer, stdin)
    except KeyboardInterrupt as exc:
        renderer.failure(exc, EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            console.clear()
            traceback.print_exc(file=stderr)
        code = exit_code_for(exc)
        renderer.failure(exc, code)
        return code
    finally:
        stdout.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The ``sagemaker-stop`` console script: returns the exit code."""
    return run(argv)
