"""Waiting for a pipeline execution to end, written once as flows.

:func:`wait` polls DescribePipelineExecution until the status is terminal
(Stopped, Failed, Succeeded, CompletedWithFailures).  The first poll is immediate; then
the delay starts at ``poll`` and grows x1.5 up to ``max_poll`` (never past the deadline).
A ThrottlingException that outlives the call's own retries does not end the wait: the
delay doubles and polling goes on until the deadline.  Elapsed time is read from
``core.monotonic`` (never the wall clock: a clock step must not stretch or shrink the
timeout) and passes through the ``Sleep`` effect only, so tests can make it virtual.

While an execution is Stopping, a progress report says what holds it, found with
ListPipelineExecutionSteps: a Callback step waits for someone to answer its SQS message
with SendPipelineExecutionStepSuccess/Failure; a Lambda step waits for its function to
finish (Stopped) or time out (Failed).
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple, Optional, TypeVar

import attrs

from ._effects import Flow, Sleep
from ._flow import CallCore, Deadline, call
from ._operations import StopPipelineExecution
from ._paging import Pages
from ._pipeline_operations import (
    DescribePipelineExecution,
    DescribePipelineExecutionResponse,
    ListPipelineExecutionSteps,
    PipelineExecutionStep,
)
from .errors import (
    ExecutionNotStoppable,
    ParamValidationError,
    SageMakerError,
    ThrottlingException,
)

T = TypeVar("T")

BACKOFF = 1.5
#: Step statuses of a step that still runs (and so may hold a stop).
_RUNNING_STEP = ("Stopping", "Executing", "Starting")
CALLBACK_WAITING = "waiting for SendPipelineExecutionStepSuccess/Failure"


class WaitTimeoutError(SageMakerError):
    """The execution did not reach a terminal status in time.

    ``last_description`` is the last DescribePipelineExecution answer (None if every
    poll was throttled); ``timeout`` the seconds waited.
    """

    default_code = "WaitTimeout"

    def __init__(
        self,
        message: str = "",
        *,
        pipeline_execution_arn: Optional[str] = None,
        timeout: Optional[float] = None,
        last_description: Optional[DescribePipelineExecutionResponse] = None,
        code: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code)
        self.pipeline_execution_arn = pipeline_execution_arn
        self.timeout = timeout
        self.last_description = last_description

    @property
    def last_status(self) -> Optional[str]:
        """The status the last poll saw, if any poll answered."""
        return None if self.last_description is None else self.last_description.status

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild_wait_timeout,
            (self.message, self.pipeline_execution_arn, self.timeout, self.last_description),
        )


def _rebuild_wait_timeout(
    message: str,
    arn: Optional[str],
    timeout: Optional[float],
    last: Optional[DescribePipelineExecutionResponse],
) -> WaitTimeoutError:
    return WaitTimeoutError(
        message, pipeline_execution_arn=arn, timeout=timeout, last_description=last
    )


@attrs.frozen
class WaitProgress:
    """One progress report of a wait (passed to ``on_progress``)."""

    #: Seconds since the wait began (by the client's monotonic clock).
    elapsed: float
    status: Optional[str]
    description: DescribePipelineExecutionResponse = attrs.field(repr=False)
    #: The running step that holds a Stopping execution, if one was found.
    holding_step: Optional[PipelineExecutionStep] = attrs.field(default=None, repr=False)
    #: What the stop waits for, in words (None unless Stopping).
    waiting_for: Optional[str] = None

    @property
    def queue_url(self) -> Optional[str]:
        """The SQS queue of a holding Callback step."""
        step = self.holding_step
        callback = None if step is None else step.metadata.callback
        return None if callback is None else callback.sqs_queue_url

    @property
    def function_arn(self) -> Optional[str]:
        """The Lambda function of a holding Lambda step."""
        step = self.holding_step
        lam = None if step is None else step.metadata.lambda_
        return None if lam is None else lam.arn

    def __str__(self) -> str:
        text = f"{self.status} after {self.elapsed:.0f} s"
        return f"{text}: {self.waiting_for}" if self.waiting_for else text


ProgressHook = Callable[[WaitProgress], None]


def describe_holding(step: PipelineExecutionStep) -> str:
    """What a running step makes a stop wait for, in words."""
    name = step.step_name or "?"
    callback, lam = step.metadata.callback, step.metadata.lambda_
    if callback is not None:
        return (
            f"Callback step {name} is {CALLBACK_WAITING} "
            f"(a Stopping message is on {callback.sqs_queue_url})"
        )
    if lam is not None:
        return (
            f"Lambda step {name} is waiting for Lambda function {lam.arn} to finish "
            "(finishes: Stopped; times out: Failed)"
        )
    return f"{step.kind or 'Pipeline'} step {name} is {(step.status or 'running').lower()}"


def holding_step(
    core: CallCore, arn: str, deadline: Optional[Deadline] = None
) -> Flow[Optional[PipelineExecutionStep]]:
    """The newest still-running step of an execution.

    Best effort, for progress reports only: None when there is none, and also when the
    lookup fails (throttled, 5xx, AccessDenied, a network error, out of time before
    ``deadline``...), so a wait is never ended by the steps it does not need."""
    pages: Pages[PipelineExecutionStep] = Pages(
        core,
        ListPipelineExecutionSteps(pipeline_execution_arn=arn, sort_order="Descending"),
        deadline,
    )
    flow = pages.next_flow()
    try:
        while flow is not None:
            for step in pages.accept((yield from flow)):
                if step.status in _RUNNING_STEP:
                    return step
            flow = pages.next_flow()
    except SageMakerError:
        pass  # progress is best effort; the wait itself goes on
    return None


class Timing(NamedTuple):
    """A wait's timeout, first delay and longest delay, in seconds (checked)."""

    timeout: float
    poll: float
    max_poll: float

    @classmethod
    def of(cls, timeout: float, poll: float, max_poll: float) -> Timing:
        """Check the arguments now, before anything is sent."""
        for name, value in (("timeout", timeout), ("poll", poll), ("max_poll", max_poll)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ParamValidationError(name, "must be a number of seconds > 0")
        return cls(float(timeout), float(poll), float(max_poll))


def _in_time(
    core: CallCore,
    deadline: Deadline,
    arn: str,
    timeout: float,
    last: Optional[DescribePipelineExecutionResponse],
    flow: Flow[T],
) -> Flow[T]:
    """``flow``'s result; a failure once the deadline has passed (it was cut short by
    it) is the wait timing out."""
    try:
        return (yield from flow)
    except SageMakerError as exc:
        if deadline.left(core) > 0:
            raise
        raise _timed_out(arn, timeout, last) from exc


def wait(
    core: CallCore,
    request: DescribePipelineExecution,
    timing: Timing,
    on_progress: Optional[ProgressHook],
    first: Optional[DescribePipelineExecutionResponse] = None,
    deadline: Optional[Deadline] = None,
) -> Flow[DescribePipelineExecutionResponse]:
    """The final description once the execution is terminal (``WaitTimeoutError`` after
    ``timing.timeout`` seconds, or at ``deadline`` when the wait began earlier).
    ``first``: a description already fetched, used as the first poll's answer."""
    timeout, poll, max_poll = timing
    arn = request.pipeline_execution_arn
    if deadline is None:
        deadline = Deadline(core.monotonic() + timeout)
    started = deadline.at - timeout
    delay = min(poll, max_poll)
    last: Optional[DescribePipelineExecutionResponse] = None
    while True:
        throttled: Optional[ThrottlingException] = None
        try:
            if first is not None:
                description, first = first, None
            else:
                description = yield from _in_time(
                    core, deadline, arn, timeout, last, call(core, request, deadline=deadline)
                )
        except ThrottlingException as exc:
            throttled = exc
            delay = min(delay * 2, max_poll)
        else:
            last = description
            if description.is_terminal:
                return description
            if on_progress is not None:
                step, waiting_for = None, None
                if description.status == "Stopping":
                    step = yield from holding_step(core, arn, deadline)
                    waiting_for = None if step is None else describe_holding(step)
                on_progress(
                    WaitProgress(
                        core.monotonic() - started,
                        description.status,
                        description,
                        step,
                        waiting_for,
                    )
                )
        remaining = deadline.left(core)
        if remaining <= 0:
            raise _timed_out(arn, timeout, last) from throttled
        yield Sleep(min(delay, remaining))
        delay = min(delay * BACKOFF, max_poll)


def _timed_out(
    arn: str, timeout: float, last: Optional[DescribePipelineExecutionResponse]
) -> WaitTimeoutError:
    status = "not described yet (throttled or slow)" if last is None else last.status
    return WaitTimeoutError(
        f"{arn} is still {status} after {timeout:g} s",
        pipeline_execution_arn=arn,
        timeout=timeout,
        last_description=last,
    )


def stop_then_wait(
    core: CallCore,
    stop: StopPipelineExecution,
    timing: Timing,
    on_progress: Optional[ProgressHook],
) -> Flow[DescribePipelineExecutionResponse]:
    """Stop the execution, then wait for it to end.  An execution that is not Executing
    any more answers the stop with :class:`ExecutionNotStoppable`: if it has ended, its
    description is returned at once; if it is already Stopping, the wait goes on.  The
    timeout bounds the stop too."""
    arn = stop.pipeline_execution_arn
    deadline = Deadline(core.monotonic() + timing.timeout)
    in_time = functools.partial(_in_time, core, deadline, arn, timing.timeout, None)
    describe = DescribePipelineExecution(arn)
    first: Optional[DescribePipelineExecutionResponse] = None
    try:
        yield from in_time(call(core, stop, deadline=deadline))
    except ExecutionNotStoppable:
        first = yield from in_time(call(core, describe, deadline=deadline))
        if first.status != "Stopping" and not first.is_terminal:
            raise  # "not Executing", yet it is: do not hide what the service said
    return (yield from wait(core, describe, timing, on_progress, first, deadline))
