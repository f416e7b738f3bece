"""Stopping every matching execution of a pipeline, written once as a flow.

The executions are listed (every page), those whose status is in ``statuses`` are
stopped ``concurrency`` at a time through the ``Gather`` effect, and each gets one
:class:`StopResult`.  One failed stop never aborts the batch: it becomes an ``"error"``
result carrying the exception.  Executions the listing already shows Stopping or ended
are reported as such without a call.  A stop refused with
:class:`ExecutionNotStoppable` (the execution stopped or ended between the listing and
the stop) is checked with DescribePipelineExecution: ``"already-stopping"`` or
``"already-finished"`` with the status it has now.  Throttling and the transient
ConflictException of a stop are retried per call by the retry strategy; a stop still
refused after that is an ``"error"`` result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional

import attrs

from ._effects import Flow, Gather
from ._flow import CallCore, call
from ._operations import StopPipelineExecution
from ._paging import all_items
from ._pipeline_operations import (
    EXECUTION_STATUSES,
    TERMINAL_STATUSES,
    DescribePipelineExecution,
    ListPipelineExecutions,
    PipelineExecutionSummary,
)
from .errors import ExecutionNotStoppable, ParamValidationError

STOPPED = "stopped"
ALREADY_STOPPING = "already-stopping"
ALREADY_FINISHED = "already-finished"
ERROR = "error"


@attrs.frozen
class StopResult:
    """What happened to one execution of a bulk stop."""

    pipeline_execution_arn: str
    #: ``"stopped"``, ``"already-stopping"``, ``"already-finished"`` or ``"error"``.
    outcome: str
    #: The status the listing showed before the stop.
    status_before: Optional[str] = None
    #: The exception, for ``"error"`` (and the :class:`ExecutionNotStoppable` of an
    #: execution that stopped or ended between the listing and the stop).
    error: Optional[BaseException] = attrs.field(default=None, eq=False)
    #: For ``"already-stopping"``: ``"Stopping"``.  For ``"already-finished"``: the
    #: terminal status it ended with (Stopped, Failed, Succeeded,
    #: CompletedWithFailures), as listed or, for an execution that ended between the
    #: listing and the stop, as described then.
    status_after: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.outcome != ERROR


def _check_statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    if isinstance(statuses, str):
        statuses = (statuses,)
    chosen = tuple(statuses)
    if not chosen:
        raise ParamValidationError("statuses", "must name at least one status")
    for status in chosen:
        if status not in EXECUTION_STATUSES:
            raise ParamValidationError(
                "statuses", f"{status!r} is not one of {', '.join(EXECUTION_STATUSES)}"
            )
    return chosen


def stop_executions(
    core: CallCore,
    pipeline_name: str,
    statuses: Sequence[str],
    concurrency: int,
    page_size: int = 100,
) -> Flow[list[StopResult]]:
    """One result per listed execution whose status is in ``statuses``, in listing order
    (newest first).  Arguments are checked now, before anything is sent."""
    chosen = _check_statuses(statuses)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ParamValidationError("concurrency", "must be an integer >= 1")
    listing = ListPipelineExecutions(pipeline_name=pipeline_name, max_results=page_size)
    return _stop_all(core, listing, chosen, concurrency)


def _stop_all(
    core: CallCore, listing: ListPipelineExecutions, statuses: tuple[str, ...], concurrency: int
) -> Flow[list[StopResult]]:
    summaries: list[PipelineExecutionSummary] = yield from all_items(core, listing)
    targets = [
        (s.pipeline_execution_arn, s.status)
        for s in summaries
        if s.status in statuses and s.pipeline_execution_arn
    ]
    flows = tuple(
        stop_one(core, StopPipelineExecution(arn), before)
        for arn, before in targets
        if _listed_outcome(arn, before) is None
    )
    outcomes: list[Any] = list((yield Gather(flows, concurrency))) if flows else []
    results: list[StopResult] = []
    for arn, before in targets:
        listed = _listed_outcome(arn, before)
        if listed is not None:
            results.append(listed)
            continue
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):  # Gather hands back what a stop raised
            results.append(StopResult(arn, ERROR, before, outcome))
        else:
            results.append(outcome)
    return results


def _listed_outcome(arn: str, before: Optional[str]) -> Optional[StopResult]:
    """The result of an execution the listing shows Stopping or ended: a stop could only
    be refused (an execution never goes back to Executing), so none is sent."""
    if before in TERMINAL_STATUSES:
        return StopResult(arn, ALREADY_FINISHED, before, status_after=before)
    if before == "Stopping":
        return StopResult(arn, ALREADY_STOPPING, before, status_after=before)
    return None


def stop_one(
    core: CallCore, request: StopPipelineExecution, before: Optional[str] = None
) -> Flow[StopResult]:
    """Stop one execution and say what happened: ``"stopped"``, or, when the service
    answers :class:`ExecutionNotStoppable`, ``"already-stopping"`` /
    ``"already-finished"`` with the status DescribePipelineExecution shows then.  Any
    other refusal is raised (the CLI and :func:`stop_executions` report it)."""
    arn = request.pipeline_execution_arn
    try:
        yield from call(core, request)
    except ExecutionNotStoppable as exc:  # it stopped or ended before the stop arrived
        description = yield from call(core, DescribePipelineExecution(arn))
        if description.status == "Stopping":
            return StopResult(arn, ALREADY_STOPPING, before, exc, "Stopping")
        if description.is_terminal:
            return StopResult(arn, ALREADY_FINISHED, before, exc, description.status)
        raise  # "not Executing", yet it is: do not hide what the service said
    return StopResult(arn, STOPPED, before)
