"""``sagemaker-stop stop``: stop executions given by ARN, or every matching execution of
a pipeline (after a confirmation), and with ``--wait`` see each stop through.  Computes
one :class:`StopOutcome` per execution; the renderer shows them.

The outcomes are kept as they arrive, so a run interrupted (Ctrl-C) while stopping or
waiting still reports every execution handled so far, then exits 130: the stops are
sent ``CONCURRENCY`` at a time, and on an interrupt no new one starts while those in
flight end and are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from typing import TYPE_CHECKING, Any, Callable, TextIO

import attrs

from .. import _defaults
from .connect import command_options, make_client
from .console import Console, isatty
from .exits import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Declined,
    UsageError,
    exit_code_for,
    worst,
)
from .progress import WaitDisplay, ticking
from .render import Renderer
from .results import StopOutcome

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .._bulk import StopResult
    from .._operations import StopPipelineExecution
    from ..client import SageMakerClient

DEFAULT_TIMEOUT = 3600.0
#: Stops in flight at once (as ``stop_pipeline_executions`` by default).
CONCURRENCY = 8
#: How a wait's progress is shown (tests give it a virtual clock and sleep).
DISPLAY: Callable[..., WaitDisplay] = WaitDisplay


def command(
    args: argparse.Namespace, console: Console, renderer: Renderer, stdin: TextIO
) -> int:
    requests = _check_stop_args(args)
    if args.pipeline is not None and not (args.yes or args.dry_run) and not isatty(stdin):
        raise UsageError(
            "refusing to stop executions in bulk without confirmation: stdin is not a "
            "terminal; pass --yes to confirm (or --dry-run to list them)"
        )
    outcomes: list[StopOutcome] = []  # as they arrive: what an interrupted run reports
    try:
        with make_client(args) as client:
            if args.pipeline is None:
                _stop_arns(client, requests, outcomes)
            elif not _stop_pipeline(client, args, console, renderer, stdin, outcomes):
                return EXIT_OK  # a dry run
            if args.wait or args.timeout is not None:
                _wait_all(client, console, outcomes, args)
    except KeyboardInterrupt:
        console.clear()
        renderer.stop_outcomes(outcomes, EXIT_INTERRUPTED, interrupted=True)
        return EXIT_INTERRUPTED
    code = worst([o.code for o in outcomes])
    renderer.stop_outcomes(outcomes, code)
    return code


def _check_stop_args(args: argparse.Namespace) -> list[StopPipelineExecution]:
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


def _stop_arns(
    client: SageMakerClient, requests: list[StopPipelineExecution], outcomes: list[StopOutcome]
) -> None:
    """Stop the executions named on the command line; an execution that is already
    Stopping or has ended (the service answers ExecutionNotStoppable) is reported as
    such.  An error that would be the same for every execution (nothing could be sent)
    is raised."""
    from .. import _bulk

    stops = [(request, None) for request in requests]
    results = client._run(_bulk.stop_each(client._core, stops, CONCURRENCY, _collect(outcomes)))
    for result in results:
        if result.error is not None and _is_fatal(result.error):
            raise result.error
    outcomes[:] = [_outcome(r.pipeline_execution_arn, r) for r in results]  # in given order


def _collect(outcomes: list[StopOutcome]) -> Callable[[StopResult], None]:
    """The hook keeping each result's outcome as it arrives (list.append is atomic)."""
    return lambda result: outcomes.append(_outcome(result.pipeline_execution_arn, result))


def _outcome(arn: str, result: Any) -> StopOutcome:
    """The outcome a :class:`~sagemaker_stop.StopResult` says."""
    from .._bulk import ALREADY_FINISHED, ALREADY_STOPPING, ERROR
    from .._pipeline_operations import TERMINAL_STATUSES

    if result.outcome == ERROR:
        return StopOutcome(arn).failed(result.error)
    if result.outcome == ALREADY_FINISHED:
        after = result.status_after or result.status_before
        return StopOutcome(
            arn, "already ended", after if after in TERMINAL_STATUSES else None
        )
    stop = "already stopping" if result.outcome == ALREADY_STOPPING else "requested"
    return StopOutcome(arn, stop, "Stopping")


def _is_fatal(exc: BaseException) -> bool:
    """Errors that would be the same for every execution: stop trying the rest."""
    return exit_code_for(exc) == EXIT_USAGE


def _stop_pipeline(
    client: SageMakerClient,
    args: argparse.Namespace,
    console: Console,
    renderer: Renderer,
    stdin: TextIO,
    outcomes: list[StopOutcome],
) -> bool:
    """Bulk stop (after a confirmation, unless ``--yes``); False after a dry run."""
    from .. import _bulk

    statuses = tuple(args.status or ["Executing"])
    listed = [
        s
        for s in client.iter_pipeline_executions(args.pipeline)
        if s.pipeline_execution_arn and s.status in statuses
    ]
    arns = [str(s.pipeline_execution_arn) for s in listed]
    if args.dry_run:
        renderer.dry_run(arns, EXIT_OK)
        return False
    if arns and not args.yes:
        for arn in arns:
            console.note(f"  {arn}")
        question = f"Stop these {len(arns)} execution(s) of pipeline {args.pipeline}?"
        if not console.confirm(stdin, question):
            raise Declined("declined: nothing was stopped")
    flow = _bulk.stop_listed(client._core, listed, statuses, CONCURRENCY, _collect(outcomes))
    results = client._run(flow)
    outcomes[:] = [_outcome(r.pipeline_execution_arn, r) for r in results]  # listing order
    if not outcomes:
        console.note(f"no {'/'.join(statuses)} executions of pipeline {args.pipeline}")
    return True


def _wait_all(
    client: SageMakerClient,
    console: Console,
    outcomes: list[StopOutcome],
    args: argparse.Namespace,
) -> None:
    """Replace each outcome, in place, by the one once its execution has ended (or the
    time is up).  On a terminal a :class:`WaitDisplay` shows the progress."""
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    started = time.monotonic()
    first_arn = next((o.arn for o in outcomes), None)
    display = DISPLAY(console, options=command_options(args, client, first_arn))
    try:
        with ticking(client, display) if console.live else contextlib.nullcontext():
            for i, outcome in enumerate(outcomes):
                if outcome.stop == "already ended" and outcome.status == "Failed":
                    # --wait reports how it ended, whoever ended it
                    outcomes[i] = attrs.evolve(outcome, code=EXIT_FAILED)
                elif outcome.stop in ("requested", "already stopping"):
                    remaining = max(timeout - (time.monotonic() - started), 0.001)
                    label = "" if len(outcomes) == 1 else outcome.arn.rpartition("/")[2] + ": "
                    try:
                        outcomes[i] = _wait_one(
                            client, display, outcome, remaining, args.poll_interval, label
                        )
                    except Exception as exc:
                        outcomes[i] = outcome.failed(exc)
    finally:
        console.clear()


def _wait_one(
    client: SageMakerClient,
    display: WaitDisplay,
    outcome: StopOutcome,
    timeout: float,
    poll: float,
    label: str,
) -> StopOutcome:
    from .._waiter import WaitTimeoutError

    def on_progress(report: Any) -> None:
        display.report(label, report)

    try:  # progress (and its ListPipelineExecutionSteps calls) only when it is shown
        description = client.wait_for_pipeline_execution(
            outcome.arn,
            timeout=timeout,
            poll=poll,
            max_poll=max(poll, _defaults.MAX_POLL),  # a longer first delay is not cut
            on_progress=on_progress if display.console.live else None,
        )
    except WaitTimeoutError as exc:
        return attrs.evolve(
            outcome.failed(exc),
            timed_out=True,
            description=exc.last_description,
            status=exc.last_status or outcome.status,
        )
    code = EXIT_FAILED if description.status == "Failed" else outcome.code
    return attrs.evolve(outcome, description=description, status=description.status, code=code)
