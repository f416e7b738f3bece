"""``SageMakerClient`` and ``AsyncSageMakerClient``: thin shells around one core.

Everything without I/O — configuration, the retry strategy and its quota, the learned
clock offset — lives in :class:`_ClientBase`.  The two clients add only an httpx client
and a driver (``_drive.SyncIO`` / ``_drive.AsyncIO``) that runs the call flow
(``_flow.call``).  A caller-owned ``http_client`` is used as given and never closed.
"""

from __future__ import annotations

import datetime
import os
import warnings
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union

import httpx

from . import _defaults
from ._config import ClientConfig, resolve_config
from ._credentials._types import Credentials
from ._defaults import MAX_POLL as DEFAULT_MAX_POLL
from ._defaults import POLL as DEFAULT_POLL
from ._defaults import WAIT_TIMEOUT as DEFAULT_WAIT_TIMEOUT
from ._drive import AsyncIO, SyncIO
from ._effects import Flow, Timeouts
from ._flow import AttemptHook, CallCore, call
from ._operations import Operation, R, StopPipelineExecution, StopPipelineExecutionResponse
from ._retry import RetryPolicy, RetryStrategy
from ._settings import env_get, is_true
from ._transport import AsyncSender, SyncSender

if TYPE_CHECKING:  # the workflow modules load on first use: a plain stop needs none
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
        StartPipelineExecution,
        StartPipelineExecutionResponse,
    )
    from ._waiter import ProgressHook
    from .callback import CallbackMessageLike

T = TypeVar("T")

DEFAULT_TIMEOUT = _defaults.TIMEOUT
DEFAULT_MAX_RESPONSE_BYTES = _defaults.MAX_RESPONSE_BYTES


class _ClientBase:
    """Configuration and per-client state shared by both clients; does no I/O."""

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Optional[Credentials] = None,
        endpoint_url: Optional[str] = None,
        max_attempts: Optional[int] = None,
        timeout: Union[float, Timeouts, None] = DEFAULT_TIMEOUT,
        *,
        profile: Optional[str] = None,
        use_fips: Optional[bool] = None,
        use_dualstack: Optional[bool] = None,
        on_attempt: Optional[AttemptHook] = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        if credentials is not None and not isinstance(credentials, Credentials):
            raise TypeError("credentials must be a sagemaker_stop.Credentials")
        env = os.environ if environ is None else environ
        self.config: ClientConfig = resolve_config(
            region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            use_fips=use_fips,
            use_dualstack=use_dualstack,
            max_attempts=max_attempts,
            credentials=credentials,
            environ=env,
        )
        policy = RetryPolicy.from_settings(
            self.config.max_attempts, is_true(env_get(env, "AWS_NEW_RETRIES_2026"))
        )
        self._timeouts = Timeouts.of(timeout)
        self._core = CallCore(
            endpoints=self.config,
            retry=RetryStrategy(policy),
            timeouts=self._timeouts,
            max_body=max_response_bytes,
            on_attempt=on_attempt,
        )
        self._closed = False

    @property
    def region(self) -> Optional[str]:
        """The configured region (None: taken from each request's ARN)."""
        return self.config.region

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} has been closed")

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"<{type(self).__name__} region={self.config.region!r} "
            f"endpoint_url={self.config.endpoint_url!r} {state}>"
        )


class SageMakerClient(_ClientBase):
    """A synchronous SageMaker Pipelines client.

    >>> with SageMakerClient() as sm:                      # doctest: +SKIP
    ...     sm.stop_pipeline_execution(arn)
    """

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Optional[Credentials] = None,
        endpoint_url: Optional[str] = None,
        max_attempts: Optional[int] = None,
        timeout: Union[float, Timeouts, None] = DEFAULT_TIMEOUT,
        http_client: Optional[httpx.Client] = None,
        **options: Any,
    ) -> None:
        super().__init__(region, credentials, endpoint_url, max_attempts, timeout, **options)
        self._owns_http = http_client is None
        self._sender = SyncSender(http_client)
        self._io = SyncIO(self._sender, self.config.credential_source)

    def send(self, request: Operation[R]) -> R:
        """Send any operation object; returns its response or raises a SageMakerError."""
        self._check_open()
        return self._io.run(call(self._core, request))

    def stop_pipeline_execution(
        self, pipeline_execution_arn: str, client_request_token: Optional[str] = None
    ) -> StopPipelineExecutionResponse:
        """Ask SageMaker to stop an execution (see :class:`StopPipelineExecution`).

        Raises :class:`ExecutionNotStoppable` if it is not Executing any more (already
        Stopping, or ended); a transient ConflictException is retried (5 attempts)."""
        return self.send(
            StopPipelineExecution(pipeline_execution_arn, client_request_token)
        )

    def _run(self, flow: Flow[T]) -> T:
        self._check_open()
        return self._io.run(flow)

    def describe_pipeline_execution(
        self, pipeline_execution_arn: str
    ) -> DescribePipelineExecutionResponse:
        """The execution's status, failure reason, names and times."""
        from ._pipeline_operations import DescribePipelineExecution

        return self.send(DescribePipelineExecution(pipeline_execution_arn))

    def start_pipeline_execution(
        self,
        pipeline_name: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        parameters: PipelineParametersLike = None,
        client_request_token: Optional[str] = None,
    ) -> StartPipelineExecutionResponse:
        """Start an execution of a pipeline (name or ARN); ``parameters`` as a mapping or
        (name, value) pairs.  The response's ``pipeline_execution_arn`` names it."""
        return self.send(
            _start(pipeline_name, display_name, description, parameters, client_request_token)
        )

    def list_pipeline_executions(
        self,
        pipeline_name: str,
        *,
        created_after: Optional[datetime.datetime] = None,
        created_before: Optional[datetime.datetime] = None,
        sort_by: Optional[str] = None,
        sort_order: Optional[str] = None,
        max_results: Optional[int] = None,
        next_token: Optional[str] = None,
    ) -> ListPipelineExecutionsResponse:
        """One page of a pipeline's executions (see :meth:`iter_pipeline_executions`)."""
        return self.send(
            _executions(
                pipeline_name, created_after, created_before, sort_by, sort_order,
                max_results, next_token,
            )
        )

    def iter_pipeline_executions(
        self,
        pipeline_name: str,
        *,
        created_after: Optional[datetime.datetime] = None,
        created_before: Optional[datetime.datetime] = None,
        sort_by: Optional[str] = None,
        sort_order: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[PipelineExecutionSummary]:
        """Every execution of a pipeline, fetching pages as the iteration goes."""
        from . import _paging

        self._check_open()
        request = _executions(
            pipeline_name, created_after, created_before, sort_by, sort_order, page_size
        )
        return _paging.iterate(self._io, self._core, request)

    def list_pipeline_execution_steps(
        self,
        pipeline_execution_arn: str,
        *,
        sort_order: Optional[str] = None,
        max_results: Optional[int] = None,
        next_token: Optional[str] = None,
    ) -> ListPipelineExecutionStepsResponse:
        """One page of an execution's steps (see :meth:`iter_pipeline_execution_steps`)."""
        return self.send(
            _steps(pipeline_execution_arn, sort_order, max_results, next_token)
        )

    def iter_pipeline_execution_steps(
        self,
        pipeline_execution_arn: str,
        *,
        sort_order: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[PipelineExecutionStep]:
        """Every started step of an execution, fetching pages as the iteration goes."""
        from . import _paging

        self._check_open()
        request = _steps(pipeline_execution_arn, sort_order, page_size)
        return _paging.iterate(self._io, self._core, request)

    def send_pipeline_execution_step_success(
        self,
        callback_token: str,
        output_parameters: OutputParametersLike = None,
        client_request_token: Optional[str] = None,
    ) -> SendPipelineExecutionStepResponse:
        """Let a waiting Callback step succeed (see also :meth:`answer_callback_success`)."""
        from ._pipeline_operations import SendPipelineExecutionStepSuccess

        return self.send(
            SendPipelineExecutionStepSuccess(
                callback_token=callback_token,
                output_parameters=output_parameters,
                client_request_token=client_request_token,
            )
        )

    def send_pipeline_execution_step_failure(
        self,
        callback_token: str,
        failure_reason: Optional[str] = None,
        client_request_token: Optional[str] = None,
    ) -> SendPipelineExecutionStepResponse:
        """Let a waiting Callback step fail (see also :meth:`answer_callback_failure`)."""
        from ._pipeline_operations import SendPipelineExecutionStepFailure

        return self.send(
            SendPipelineExecutionStepFailure(
                callback_token=callback_token,
                failure_reason=failure_reason,
                client_request_token=client_request_token,
            )
        )

    def answer_callback_success(
        self, message: CallbackMessageLike, output_parameters: OutputParametersLike = None
    ) -> SendPipelineExecutionStepResponse:
        """Answer a Callback step's SQS message with success, idempotently (the request
        token is derived from the callback token: see :mod:`sagemaker_stop.callback`)."""
        from .callback import CallbackMessage

        return self.send(CallbackMessage.of(message).success(output_parameters))

    def answer_callback_failure(
        self, message: CallbackMessageLike, failure_reason: Optional[str] = None
    ) -> SendPipelineExecutionStepResponse:
        """Answer a Callback step's SQS message with failure, idempotently (for a
        Stopping message: after cleaning up; the execution then ends Stopped)."""
        from .callback import CallbackMessage

        return self.send(CallbackMessage.of(message).failure(failure_reason))

    def wait_for_pipeline_execution(
        self,
        pipeline_execution_arn: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL,
        max_poll: float = DEFAULT_MAX_POLL,
        on_progress: Optional[ProgressHook] = None,
    ) -> DescribePipelineExecutionResponse:
        """Poll until the execution is Stopped, Failed, Succeeded or CompletedWithFailures
        and return that description (``WaitTimeoutError`` after ``timeout`` seconds)."""
        from . import _waiter

        return self._run(
            _waiter.wait_for_execution(
                self._core,
                pipeline_execution_arn,
                timeout=timeout,
                poll=poll,
                max_poll=max_poll,
                on_progress=on_progress,
            )
        )

    def stop_and_wait(
        self,
        pipeline_execution_arn: str,
        *,
        client_request_token: Optional[str] = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL,
        max_poll: float = DEFAULT_MAX_POLL,
        on_progress: Optional[ProgressHook] = None,
    ) -> DescribePipelineExecutionResponse:
        """Stop the execution and wait until it has ended; returns the final description
        (at once for an execution that had already ended; one already Stopping is waited
        for)."""
        from . import _waiter

        return self._run(
            _waiter.stop_and_wait(
                self._core,
                pipeline_execution_arn,
                client_request_token=client_request_token,
                timeout=timeout,
                poll=poll,
                max_poll=max_poll,
                on_progress=on_progress,
            )
        )

    def stop_pipeline_executions(
        self,
        pipeline_name: str,
        statuses: Sequence[str] = ("Executing",),
        concurrency: int = 8,
    ) -> list[StopResult]:
        """Stop every execution of ``pipeline_name`` whose status is in ``statuses``,
        ``concurrency`` at a time; one :class:`StopResult` each, never aborting."""
        from . import _bulk

        return self._run(
            _bulk.stop_executions(
                self._core, pipeline_name, statuses=statuses, concurrency=concurrency
            )
        )

    def close(self) -> None:
        """Close the connection pool (a caller-owned ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            self._sender.close()

    def __enter__(self) -> SageMakerClient:
        self._check_open()
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class AsyncSageMakerClient(_ClientBase):
    """An asyncio SageMaker Pipelines client; never blocks the event loop.

    >>> async with AsyncSageMakerClient() as sm:           # doctest: +SKIP
    ...     await sm.stop_pipeline_execution(arn)
    """

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Optional[Credentials] = None,
        endpoint_url: Optional[str] = None,
        max_attempts: Optional[int] = None,
        timeout: Union[float, Timeouts, None] = DEFAULT_TIMEOUT,
        http_client: Optional[httpx.AsyncClient] = None,
        **options: Any,
    ) -> None:
        super().__init__(region, credentials, endpoint_url, max_attempts, timeout, **options)
        self._owns_http = http_client is None
        # An owned pool is many small httpx transports (encode/httpx#3215; _transport.py).
        self._sender = AsyncSender(http_client)
        self._io = AsyncIO(self._sender, self.config.credential_source)

    async def send(self, request: Operation[R]) -> R:
        """Send any operation object; returns its response or raises a SageMakerError."""
        self._check_open()
        return await self._io.run(call(self._core, request))

    async def stop_pipeline_execution(
        self, pipeline_execution_arn: str, client_request_token: Optional[str] = None
    ) -> StopPipelineExecutionResponse:
        """Ask SageMaker to stop an execution (see :class:`StopPipelineExecution`).

        Raises :class:`ExecutionNotStoppable` if it is not Executing any more (already
        Stopping, or ended); a transient ConflictException is retried (5 attempts)."""
        return await self.send(
            StopPipelineExecution(pipeline_execution_arn, client_request_token)
        )

    async def _run(self, flow: Flow[T]) -> T:
        self._check_open()
        return await self._io.run(flow)

    async def describe_pipeline_execution(
        self, pipeline_execution_arn: str
    ) -> DescribePipelineExecutionResponse:
        """The execution's status, failure reason, names and times."""
        from ._pipeline_operations import DescribePipelineExecution

        return await self.send(DescribePipelineExecution(pipeline_execution_arn))

    async def start_pipeline_execution(
        self,
        pipeline_name: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        parameters: PipelineParametersLike = None,
        client_request_token: Optional[str] = None,
    ) -> StartPipelineExecutionResponse:
        """Start an execution of a pipeline (name or ARN); ``parameters`` as a mapping or
        (name, value) pairs.  The response's ``pipeline_execution_arn`` names it."""
        return await self.send(
            _start(pipeline_name, display_name, description, parameters, client_request_token)
        )

    async def list_pipeline_executions(
        self,
        pipeline_name: str,
        *,
        created_after: Optional[datetime.datetime] = None,
        created_before: Optional[datetime.datetime] = None,
        sort_by: Optional[str] = None,
        sort_order: Optional[str] = None,
        max_results: Optional[int] = None,
        next_token: Optional[str] = None,
    ) -> ListPipelineExecutionsResponse:
        """One page of a pipeline's executions (see :meth:`iter_pipeline_executions`)."""
        return await self.send(
            _executions(
                pipeline_name, created_after, created_before, sort_by, sort_order,
                max_results, next_token,
            )
        )

    def iter_pipeline_executions(
        self,
        pipeline_name: str,
        *,
        created_after: Optional[datetime.datetime] = None,
        created_before: Optional[datetime.datetime] = None,
        sort_by: Optional[str] = None,
        sort_order: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> AsyncIterator[PipelineExecutionSummary]:
        """Every execution of a pipeline, fetching pages as the iteration goes."""
        from . import _paging

        self._check_open()
        request = _executions(
            pipeline_name, created_after, created_before, sort_by, sort_order, page_size
        )
        return _paging.aiterate(self._io, self._core, request)

    async def list_pipeline_execution_steps(
        self,
        pipeline_execution_arn: str,
        *,
        sort_order: Optional[str] = None,
        max_results: Optional[int] = None,
        next_token: Optional[str] = None,
    ) -> ListPipelineExecutionStepsResponse:
        """One page of an execution's steps (see :meth:`iter_pipeline_execution_steps`)."""
        return await self.send(
            _steps(pipeline_execution_arn, sort_order, max_results, next_token)
        )

    def iter_pipeline_execution_steps(
        self,
        pipeline_execution_arn: str,
        *,
        sort_order: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> AsyncIterator[PipelineExecutionStep]:
        """Every started step of an execution, fetching pages as the iteration goes."""
        from . import _paging

        self._check_open()
        request = _steps(pipeline_execution_arn, sort_order, page_size)
        return _paging.aiterate(self._io, self._core, request)

    async def send_pipeline_execution_step_success(
        self,
        callback_token: str,
        output_parameters: OutputParametersLike = None,
        client_request_token: Optional[str] = None,
    ) -> SendPipelineExecutionStepResponse:
        """Let a waiting Callback step succeed (see also :meth:`answer_callback_success`)."""
        from ._pipeline_operations import SendPipelineExecutionStepSuccess

        return await self.send(
            SendPipelineExecutionStepSuccess(
                callback_token=callback_token,
                output_parameters=output_parameters,
                client_request_token=client_request_token,
            )
        )

    async def send_pipeline_execution_step_failure(
        self,
        callback_token: str,
        failure_reason: Optional[str] = None,
        client_request_token: Optional[str] = None,
    ) -> SendPipelineExecutionStepResponse:
        """Let a waiting Callback step fail (see also :meth:`answer_callback_failure`)."""
        from ._pipeline_operations import SendPipelineExecutionStepFailure

        return await self.send(
            SendPipelineExecutionStepFailure(
                callback_token=callback_token,
                failure_reason=failure_reason,
                client_request_token=client_request_token,
            )
        )

    async def answer_callback_success(
        self, message: CallbackMessageLike, output_parameters: OutputParametersLike = None
    ) -> SendPipelineExecutionStepResponse:
        """Answer a Callback step's SQS message with success, idempotently (the request
        token is derived from the callback token: see :mod:`sagemaker_stop.callback`)."""
        from .callback import CallbackMessage

        return await self.send(CallbackMessage.of(message).success(output_parameters))

    async def answer_callback_failure(
        self, message: CallbackMessageLike, failure_reason: Optional[str] = None
    ) -> SendPipelineExecutionStepResponse:
        """Answer a Callback step's SQS message with failure, idempotently (for a
        Stopping message: after cleaning up; the execution then ends Stopped)."""
        from .callback import CallbackMessage

        return await self.send(CallbackMessage.of(message).failure(failure_reason))

    async def wait_for_pipeline_execution(
        self,
        pipeline_execution_arn: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL,
        max_poll: float = DEFAULT_MAX_POLL,
        on_progress: Optional[ProgressHook] = None,
    ) -> DescribePipelineExecutionResponse:
        """Poll until the execution is Stopped, Failed, Succeeded or CompletedWithFailures
        and return that description (``WaitTimeoutError`` after ``timeout`` seconds)."""
        from . import _waiter

        return await self._run(
            _waiter.wait_for_execution(
                self._core,
                pipeline_execution_arn,
                timeout=timeout,
                poll=poll,
                max_poll=max_poll,
                on_progress=on_progress,
            )
        )

    async def stop_and_wait(
        self,
        pipeline_execution_arn: str,
        *,
        client_request_token: Optional[str] = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL,
        max_poll: float = DEFAULT_MAX_POLL,
        on_progress: Optional[ProgressHook] = None,
    ) -> DescribePipelineExecutionResponse:
        """Stop the execution and wait until it has ended; returns the final description
        (at once for an execution that had already ended; one already Stopping is waited
        for)."""
        from . import _waiter

        return await self._run(
            _waiter.stop_and_wait(
                self._core,
                pipeline_execution_arn,
                client_request_token=client_request_token,
                timeout=timeout,
                poll=poll,
                max_poll=max_poll,
                on_progress=on_progress,
            )
        )

    async def stop_pipeline_executions(
        self,
        pipeline_name: str,
        statuses: Sequence[str] = ("Executing",),
        concurrency: int = 8,
    ) -> list[StopResult]:
        """Stop every execution of ``pipeline_name`` whose status is in ``statuses``,
        ``concurrency`` at a time; one :class:`StopResult` each, never aborting."""
        from . import _bulk

        return await self._run(
            _bulk.stop_executions(
                self._core, pipeline_name, statuses=statuses, concurrency=concurrency
            )
        )

    async def aclose(self) -> None:
        """Close the connection pool (a caller-owned ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            await self._sender.aclose()

    async def __aenter__(self) -> AsyncSageMakerClient:
        self._check_open()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Like httpx: an owned pool that opened connections and was never closed leaks
        # them (a client that never sent anything holds nothing).
        sender = getattr(self, "_sender", None)
        if (
            getattr(self, "_owns_http", False)
            and not getattr(self, "_closed", True)
            and sender is not None
            and sender.has_connections
        ):
            warnings.warn(
                f"Unclosed {type(self).__name__}: use 'async with' or 'await "
                "client.aclose()'",
                ResourceWarning,
                stacklevel=2,
            )


# Request builders shared by both clients' methods.


def _start(
    pipeline_name: str,
    display_name: Optional[str],
    description: Optional[str],
    parameters: PipelineParametersLike,
    client_request_token: Optional[str],
) -> StartPipelineExecution:
    from ._pipeline_operations import StartPipelineExecution

    return StartPipelineExecution(
        pipeline_name=pipeline_name,
        pipeline_execution_display_name=display_name,
        pipeline_execution_description=description,
        pipeline_parameters=parameters,
        client_request_token=client_request_token,
    )


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
