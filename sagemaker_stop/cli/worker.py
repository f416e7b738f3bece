"""``sagemaker-stop worker --queue URL -- COMMAND``: a Callback-step worker running
COMMAND for each start message (the contract is :class:`~sagemaker_stop.CallbackCommand`'s
and the command's ``--help``).  A line on stderr per message, the progress line on a
terminal, a :class:`WorkerResult` at the end."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from .console import Console
from .exits import EXIT_OK, UsageError
from .render import Renderer
from .results import WorkerResult


def command(args: argparse.Namespace, console: Console, renderer: Renderer) -> int:
    from .._worker import CallbackCommand
    from ..client import SageMakerClient
    from ..worker import CallbackWorker

    argv = list(args.argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise UsageError("worker: give the command to run after '--'")
    handler = CallbackCommand(argv, grace=args.grace)
    with SageMakerClient(
        region=args.region,
        endpoint_url=args.endpoint_url,
        max_attempts=args.max_attempts,
        profile=args.profile,
        sqs_endpoint_url=args.sqs_endpoint_url,
    ) as client:
        worker = CallbackWorker(
            args.queue,
            handler,
            client=client,
            concurrency=args.concurrency,
            visibility_timeout=args.visibility_timeout,
            wait_time=args.wait_time,
            cancel_grace=args.grace,
            on_shutdown=args.on_shutdown,
            exit_when_idle=args.exit_when_idle,
        )
        console.note(f"worker: consuming {args.queue} (Ctrl-C to stop)")
        with _lines_on(console, worker):
            stats = worker.run(handle_signals=True)
    renderer.worker(WorkerResult(args.queue, stats))
    return EXIT_OK


class _ConsoleLines(logging.Handler):
    """The worker's log lines as notes on stderr, then its progress line."""

    def __init__(self, console: Console, worker: Any) -> None:
        super().__init__(logging.INFO)
        self.console = console
        self.worker = worker

    def emit(self, record: logging.LogRecord) -> None:
        self.console.note(f"worker: {record.getMessage()}")
        s = self.worker.stats
        self.console.progress(
            f"{s.running} running, {s.waiting} waiting | {s.succeeded} succeeded, "
            f"{s.failed} failed, {s.stopped} stopped"
        )


@contextlib.contextmanager
def _lines_on(console: Console, worker: Any) -> Iterator[None]:
    logger = logging.getLogger("sagemaker_stop.worker")
    handler = _ConsoleLines(console, worker)
    old = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # with --debug the parent logger would print them again
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old[0])
        logger.propagate = old[1]
        console.clear()
