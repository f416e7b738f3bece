"""``SageMakerClient`` and ``AsyncSageMakerClient``: thin shells around one core.

Everything without I/O — configuration, the retry strategy and its quota, the learned
clock offset — lives in :class:`_ClientBase`.  The public operations are declared once,
on :class:`_Operations` (their definitions are in ``_calls.py``), and each client exposes
them through its shell (``_adapter.SyncShell`` / ``AsyncShell``): the two clients add
only an httpx client and a driver (``_drive.SyncIO`` / ``_drive.AsyncIO``) that runs the
flows.  A caller-owned ``http_client`` is used as given and never closed.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Optional, TypeVar, Union

import httpx

from . import _calls, _defaults
from ._adapter import AsyncShell, SyncShell, operation, pages
from ._config import ClientConfig, resolve_config
from ._credentials._types import Credentials
from ._drive import AsyncIO, SyncIO
from ._effects import Flow, Timeouts
from ._flow import AttemptHook, CallCore, call
from ._operations import Operation, R
from ._retry import RetryPolicy, RetryStrategy
from ._transport import AsyncSender, SyncSender

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
        retry_mode: Optional[str] = None,
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
            retry_mode=retry_mode,
        )
        policy = RetryPolicy.for_mode(self.config.retry_mode, self.config.max_attempts)
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


class _Operations(_ClientBase):
    """The public operations, each defined once in ``_calls.py``; both clients expose
    them (the sync one as methods, the async one as coroutine methods)."""

    stop_pipeline_execution = operation(_calls.stop_pipeline_execution)
    start_pipeline_execution = operation(_calls.start_pipeline_execution)
    describe_pipeline_execution = operation(_calls.describe_pipeline_execution)
    list_pipeline_executions = operation(_calls.list_pipeline_executions)
    iter_pipeline_executions = pages(_calls.iter_pipeline_executions)
    list_pipeline_execution_steps = operation(_calls.list_pipeline_execution_steps)
    iter_pipeline_execution_steps = pages(_calls.iter_pipeline_execution_steps)
    send_pipeline_execution_step_success = operation(_calls.send_pipeline_execution_step_success)
    send_pipeline_execution_step_failure = operation(_calls.send_pipeline_execution_step_failure)
    answer_callback_success = operation(_calls.answer_callback_success)
    answer_callback_failure = operation(_calls.answer_callback_failure)
    wait_for_pipeline_execution = operation(_calls.wait_for_pipeline_execution)
    stop_and_wait = operation(_calls.stop_and_wait)
    stop_pipeline_executions = operation(_calls.stop_pipeline_executions)


class SageMakerClient(SyncShell, _Operations):
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
        return self._run(call(self._core, request))

    def _run(self, flow: Flow[T]) -> T:
        self._check_open()
        return self._io.run(flow)

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


class AsyncSageMakerClient(AsyncShell, _Operations):
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
        return await self._run(call(self._core, request))

    async def _run(self, flow: Flow[T]) -> T:
        self._check_open()
        return await self._io.run(flow)

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
