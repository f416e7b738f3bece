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

:func:`stop_each` stops given executions (no listing) and hands each result to an
optional ``on_result`` hook as soon as it is known, so a caller interrupted midway (the
CLI on Ctrl-C) can still say what was stopped: an interrupted ``Gather`` starts no new
stop, and the ones in flight end normally and are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Callable, Optional

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
        """True unless the outcome is ``"error"``."""
        return self.outcome != ERROR


#: Called with each result as soon as it is known (from a worker thread in the sync
#: client); it should not raise.
ResultHook = Callable[[StopResult], None]


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
    return (yield from stop_listed(core, summaries, statuses, concurrency))


def stop_listed(
    core: CallCore,
    summaries: Iterable[PipelineExecutionSummary],
    statuses: tuple[str, ...],
    concurrency: int,
    on_result: Optional[ResultHook] = None,
) -> Flow[list[StopResult]]:
    """One result per listed execution whose status is in ``statuses``, in listing
    order; those listed Stopping or ended get theirs without a call."""
    targets = {
        s.pipeline_execution_arn: s.status
        for s in summaries
        if s.status in statuses and s.pipeline_execution_arn
    }
    known: dict[str, StopResult] = {}
    for arn, before in targets.items():
        listed = _listed_outcome(arn, before)
        if listed is not None:
            known[arn] = listed
            if on_result is not None:
                on_result(listed)
    stops = [(StopPipelineExecution(a), b) for a, b in targets.items() if a not in known]
    for result in (yield from stop_each(core, stops, concurrency, on_result)):
        known[result.pipeline_execution_arn] = result
    return [known[arn] for arn in targets]


def stop_each(
    core: CallCore,
    stops: Sequence[tuple[StopPipelineExecution, Optional[str]]],
    concurrency: int,
    on_result: Optional[ResultHook] = None,
) -> Flow[list[StopResult]]:
    """Send each ``(request, status before)``, ``concurrency`` at a time: one result
    each, in order (a stop that raised is an ``"error"`` result)."""
    if not stops:
        return []
    flows = tuple(_stop_reported(core, r, before, on_result) for r, before in stops)
    outcomes: list[Any] = yield Gather(flows, concurrency)
    return [
        outcome  # Gather hands back what a flow raised: here only what on_result raised
        if isinstance(outcome, StopResult)
        else StopResult(request.pipeline_execution_arn, ERROR, before, outcome)
        for (request, before), outcome in zip(stops, outcomes)
    ]


def _stop_reported(
    core: CallCore,
    request: StopPipelineExecution,
    before: Optional[str],
    on_result: Optional[ResultHook],
) -> Flow[StopResult]:
    try:
        result = yield from stop_one(core, request, before)
    except Exception as exc:  # one failed stop never aborts the batch
        result = StopResult(request.pipeline_execution_arn, ERROR, before, exc)
    if on_result is not None:
        on_result(result)
    return result


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
    other refusal is raised (:func:`stop_each` reports it)."""
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
