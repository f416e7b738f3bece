"""The public operations of both clients, each defined once.

Each function takes the client's :class:`CallCore` and the caller's arguments and returns
a flow (or, for the iterators, a :class:`Paged` request); ``client.py`` declares them on
the class both clients share and ``_adapter.py`` turns them into sync and async methods.
The docstrings and signatures here are the ones ``help()`` and IDEs show.

Arguments are checked when the method is called, before anything is sent.  The workflow
modules (describe, list, wait, bulk stop, callbacks, SQS) are imported inside the
functions that need them: a plain stop loads none of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from . import _defaults
from ._adapter import Paged
from ._effects import Flow
from ._flow import CallCore, call
from ._operations import StopPipelineExecution, StopPipelineExecutionResponse

if TYPE_CHECKING:
    from ._bulk import StopResult
    from ._pipeline_operations import (
        DescribePipelineExecutionResponse,
        ListPipelineExecutions,
        ListPipelineExecutionsResponse,
        ListPipelineExecutionSteps,
        ListPipelineExecutionStepsResponse,
        OutputParametersLike,
        PipelineExecutionStep,
        PipelineExecutionSummary,
        PipelineParametersLike,
        SendPipelineExecutionStepResponse,
        StartPipelineExecutionResponse,
    )
    from ._sqs_operations import EmptyResponse, GetQueueUrlResponse, ReceiveMessageResponse
    from ._waiter import ProgressHook
    from .callback import CallbackMessageLike

WAIT_TIMEOUT = _defaults.WAIT_TIMEOUT
POLL = _defaults.POLL
MAX_POLL = _defaults.MAX_POLL


# --- single calls --------------------------------------------------------------------


def stop_pipeline_execution(
    core: CallCore, pipeline_execution_arn: str, client_request_token: Optional[str] = None
) -> Flow[StopPipelineExecutionResponse]:
    """Ask SageMaker to stop an execution (see :class:`StopPipelineExecution`).

    Raises :class:`ExecutionNotStoppable` if it is not Executing any more (already
    Stopping, or ended); a transient ConflictException is retried (5 attempts)."""
    return call(core, StopPipelineExecution(pipeline_execution_arn, client_request_token))


def start_pipeline_execution(
    core: CallCore,
    pipeline_name: str,
    *,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
    parameters: PipelineParametersLike = None,
    client_request_token: Optional[str] = None,
) -> Flow[StartPipelineExecutionResponse]:
    """Start an execution of a pipeline (name or ARN); ``parameters`` as a mapping or
    (name, value) pairs.  The response's ``pipeline_execution_arn`` names it."""
    from ._pipeline_operations import StartPipelineExecution

    return call(
        core,
        StartPipelineExecution(
            pipeline_name=pipeline_name,
            pipeline_execution_display_name=display_name,
            pipeline_execution_description=description,
            pipeline_parameters=parameters,
            client_request_token=client_request_token,
        ),
    )


def describe_pipeline_execution(
    core: CallCore, pipeline_execution_arn: str
) -> Flow[DescribePipelineExecutionResponse]:
    """The execution's status, failure reason, names and times."""
    from ._pipeline_operations import DescribePipelineExecution

    return call(core, DescribePipelineExecution(pipeline_execution_arn))


def list_pipeline_executions(
    core: CallCore,
    pipeline_name: str,
    *,
    created_after: Optional[datetime.datetime] = None,
    created_before: Optional[datetime.datetime] = None,
    sort_by: Optional[str] = None,
    sort_order: Optional[str] = None,
    max_results: Optional[int] = None,
    next_token: Optional[str] = None,
) -> Flow[ListPipelineExecutionsResponse]:
    """One page of a pipeline's executions (see :meth:`iter_pipeline_executions`)."""
    request = _executions(
        pipeline_name, created_after, created_before, sort_by, sort_order, max_results,
        next_token,
    )
    return call(core, request)


def iter_pipeline_executions(
    core: CallCore,
    pipeline_name: str,
    *,
    created_after: Optional[datetime.datetime] = None,
    created_before: Optional[datetime.datetime] = None,
    sort_by: Optional[str] = None,
    sort_order: Optional[str] = None,
    page_size: Optional[int] = None,
) -> Paged[PipelineExecutionSummary]:
    """Every execution of a pipeline, fetching pages as the iteration goes."""
    return Paged(
        _executions(pipeline_name, created_after, created_before, sort_by, sort_order, page_size)
    )


def list_pipeline_execution_steps(
    core: CallCore,
    pipeline_execution_arn: str,
    *,
    sort_order: Optional[str] = None,
    max_results: Optional[int] = None,
    next_token: Optional[str] = None,
) -> Flow[ListPipelineExecutionStepsResponse]:
    """One page of an execution's steps (see :meth:`iter_pipeline_execution_steps`)."""
    return call(core, _steps(pipeline_execution_arn, sort_order, max_results, next_token))


def iter_pipeline_execution_steps(
    core: CallCore,
    pipeline_execution_arn: str,
    *,
    sort_order: Optional[str] = None,
    page_size: Optional[int] = None,
) -> Paged[PipelineExecutionStep]:
    """Every started step of an execution, fetching pages as the iteration goes."""
    return Paged(_steps(pipeline_execution_arn, sort_order, page_size))


def send_pipeline_execution_step_success(
    core: CallCore,
    callback_token: str,
    output_parameters: OutputParametersLike = None,
    client_request_token: Optional[str] = None,
) -> Flow[SendPipelineExecutionStepResponse]:
    """Let a waiting Callback step succeed (see also :meth:`answer_callback_success`)."""
    from ._pipeline_operations import SendPipelineExecutionStepSuccess

    return call(
        core,
        SendPipelineExecutionStepSuccess(
            callback_token=callback_token,
            output_parameters=output_parameters,
            client_request_token=client_request_token,
        ),
    )


def send_pipeline_execution_step_failure(
    core: CallCore,
    callback_token: str,
    failure_reason: Optional[str] = None,
    client_request_token: Optional[str] = None,
) -> Flow[SendPipelineExecutionStepResponse]:
    """Let a waiting Callback step fail (see also :meth:`answer_callback_failure`)."""
    from ._pipeline_operations import SendPipelineExecutionStepFailure

    return call(
        core,
        SendPipelineExecutionStepFailure(
            callback_token=callback_token,
            failure_reason=failure_reason,
            client_request_token=client_request_token,
        ),
    )


def answer_callback_success(
    core: CallCore, message: CallbackMessageLike, output_parameters: OutputParametersLike = None
) -> Flow[SendPipelineExecutionStepResponse]:
    """Answer a Callback step's SQS message with success, idempotently (the request
    token is derived from the callback token: see :mod:`sagemaker_stop.callback`)."""
    from .callback import CallbackMessage

    return call(core, CallbackMessage.of(message).success(output_parameters))


def answer_callback_failure(
    core: CallCore, message: CallbackMessageLike, failure_reason: Optional[str] = None
) -> Flow[SendPipelineExecutionStepResponse]:
    """Answer a Callback step's SQS message with failure, idempotently (for a
    Stopping message: after cleaning up; the execution then ends Stopped)."""
    from .callback import CallbackMessage

    return call(core, CallbackMessage.of(message).failure(failure_reason))


# --- SQS: the calls a Callback-step consumer needs ------------------------------------


def receive_message(
    core: CallCore,
    queue_url: str,
    *,
    max_number_of_messages: Optional[int] = None,
    wait_time_seconds: Optional[int] = None,
    visibility_timeout: Optional[int] = None,
    message_system_attribute_names: Optional[Sequence[str]] = ("ApproximateReceiveCount",),
    message_attribute_names: Optional[Sequence[str]] = ("All",),
    receive_request_attempt_id: Optional[str] = None,
) -> Flow[ReceiveMessageResponse]:
    """SQS ReceiveMessage: up to ``max_number_of_messages`` (1-10) messages of the queue,
    waiting up to ``wait_time_seconds`` (0-20) for one (the call's read timeout grows by
    that wait); each hidden from other consumers for ``visibility_timeout`` seconds.  By
    default every message attribute and ``ApproximateReceiveCount`` are asked for."""
    from ._sqs_operations import ReceiveMessage

    return call(
        core,
        ReceiveMessage(
            queue_url=queue_url,
            message_system_attribute_names=message_system_attribute_names,
            message_attribute_names=message_attribute_names,
            max_number_of_messages=max_number_of_messages,
            visibility_timeout=visibility_timeout,
            wait_time_seconds=wait_time_seconds,
            receive_request_attempt_id=receive_request_attempt_id,
        ),
    )


def delete_message(
    core: CallCore, queue_url: str, receipt_handle: str
) -> Flow[EmptyResponse]:
    """SQS DeleteMessage: delete a received message by its receipt handle."""
    from ._sqs_operations import DeleteMessage

    return call(core, DeleteMessage(queue_url=queue_url, receipt_handle=receipt_handle))


def change_message_visibility(
    core: CallCore, queue_url: str, receipt_handle: str, visibility_timeout: int
) -> Flow[EmptyResponse]:
    """SQS ChangeMessageVisibility: keep a received message hidden ``visibility_timeout``
    (0-43200) more seconds from now (0: make it visible again)."""
    from ._sqs_operations import ChangeMessageVisibility

    return call(
        core,
        ChangeMessageVisibility(
            queue_url=queue_url,
            receipt_handle=receipt_handle,
            visibility_timeout=visibility_timeout,
        ),
    )


def get_queue_url(
    core: CallCore, queue_name: str, *, queue_owner_aws_account_id: Optional[str] = None
) -> Flow[GetQueueUrlResponse]:
    """SQS GetQueueUrl: the URL of a queue by name (``QueueDoesNotExist`` if none)."""
    from ._sqs_operations import GetQueueUrl

    return call(
        core,
        GetQueueUrl(queue_name=queue_name, queue_owner_aws_account_id=queue_owner_aws_account_id),
    )


# --- several calls -------------------------------------------------------------------


def wait_for_pipeline_execution(
    core: CallCore,
    pipeline_execution_arn: str,
    *,
    timeout: float = WAIT_TIMEOUT,
    poll: float = POLL,
    max_poll: float = MAX_POLL,
    on_progress: Optional[ProgressHook] = None,
) -> Flow[DescribePipelineExecutionResponse]:
    """Poll until the execution is Stopped, Failed, Succeeded or CompletedWithFailures
    and return that description (``WaitTimeoutError`` after ``timeout`` seconds)."""
    from . import _waiter
    from ._pipeline_operations import DescribePipelineExecution

    timing = _waiter.Timing.of(timeout, poll, max_poll)
    return _waiter.wait(core, DescribePipelineExecution(pipeline_execution_arn), timing,
                        on_progress)


def stop_and_wait(
    core: CallCore,
    pipeline_execution_arn: str,
    *,
    client_request_token: Optional[str] = None,
    timeout: float = WAIT_TIMEOUT,
    poll: float = POLL,
    max_poll: float = MAX_POLL,
    on_progress: Optional[ProgressHook] = None,
) -> Flow[DescribePipelineExecutionResponse]:
    """Stop the execution and wait until it has ended; returns the final description
    (at once for an execution that had already ended; one already Stopping is waited
    for)."""
    from . import _waiter

    timing = _waiter.Timing.of(timeout, poll, max_poll)
    stop = StopPipelineExecution(pipeline_execution_arn, client_request_token)
    return _waiter.stop_then_wait(core, stop, timing, on_progress)


def stop_pipeline_executions(
    core: CallCore,
    pipeline_name: str,
    statuses: Sequence[str] = ("Executing",),
    concurrency: int = 8,
) -> Flow[list[StopResult]]:
    """Stop every execution of ``pipeline_name`` whose status is in ``statuses``,
    ``concurrency`` at a time; one :class:`StopResult` each, never aborting."""
    from . import _bulk

    return _bulk.stop_executions(core, pipeline_name, statuses, concurrency)


# --- request builders shared by list_* and iter_* --------------------------------------


def _executions(
    pipeline_name: str,
    created_after: Optional[datetime.datetime],
    created_before: Optional[datetime.datetime],
    sort_by: Optional[str],
    sort_order: Optional[str],
    max_results: Optional[int],
    next_token: Optional[str] = None,
) -> ListPipelineExecutions:
    from ._pipeline_operations import ListPipelineExecutions

    return ListPipelineExecutions(
        pipeline_name=pipeline_name,
        created_after=created_after,
        created_before=created_before,
        sort_by=sort_by,
        sort_order=sort_order,
        max_results=max_results,
        next_token=next_token,
    )


def _steps(
    pipeline_execution_arn: str,
    sort_order: Optional[str],
    max_results: Optional[int],
    next_token: Optional[str] = None,
) -> ListPipelineExecutionSteps:
    from ._pipeline_operations import ListPipelineExecutionSteps

    return ListPipelineExecutionSteps(
        pipeline_execution_arn=pipeline_execution_arn,
        sort_order=sort_order,
        max_results=max_results,
        next_token=next_token,
    )
