"""``SageMakerClient`` and ``AsyncSageMakerClient``: thin shells around one core.

Everything without I/O — configuration, the retry strategy and its quota, the learned
clock offset — lives in :class:`_ClientBase`.  The two clients add only an httpx client
and a driver (``_drive.SyncIO`` / ``_drive.AsyncIO``) that runs the call flow
(``_flow.call``).  A caller-owned ``http_client`` is used as given and never closed.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Optional, Union

import httpx

from ._config import ClientConfig, env_get, is_true, resolve_config
from ._credentials._types import Credentials
from ._drive import AsyncIO, SyncIO
from ._effects import Timeouts
from ._flow import AttemptHook, CallCore, call
from ._operations import Operation, R, StopPipelineExecution, StopPipelineExecutionResponse
from ._retry import RetryPolicy, RetryStrategy

DEFAULT_TIMEOUT = 10.0
#: Responses larger than this are refused (ResponseTooLargeError), not read into memory.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024


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


def _default_limits() -> httpx.Limits:
    return httpx.Limits(max_connections=100, max_keepalive_connections=20)


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
        self._http = http_client if http_client is not None else httpx.Client(
            limits=_default_limits()
        )
        self._io = SyncIO(self._http, self.config.credential_source)

    def send(self, request: Operation[R]) -> R:
        """Send any operation object; returns its response or raises a SageMakerError."""
        self._check_open()
        return self._io.run(call(self._core, request))

    def stop_pipeline_execution(
        self, pipeline_execution_arn: str, client_request_token: Optional[str] = None
    ) -> StopPipelineExecutionResponse:
        """Ask SageMaker to stop an execution (see :class:`StopPipelineExecution`)."""
        return self.send(
            StopPipelineExecution(pipeline_execution_arn, client_request_token)
        )

    def close(self) -> None:
        """Close the connection pool (a caller-owned ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            if self._owns_http:
                self._http.close()

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
        self._http = http_client if http_client is not None else httpx.AsyncClient(
            limits=_default_limits()
        )
        self._io = AsyncIO(self._http, self.config.credential_source)

    async def send(self, request: Operation[R]) -> R:
        """Send any operation object; returns its response or raises a SageMakerError."""
        self._check_open()
        return await self._io.run(call(self._core, request))

    async def stop_pipeline_execution(
        self, pipeline_execution_arn: str, client_request_token: Optional[str] = None
    ) -> StopPipelineExecutionResponse:
        """Ask SageMaker to stop an execution (see :class:`StopPipelineExecution`)."""
        return await self.send(
            StopPipelineExecution(pipeline_execution_arn, client_request_token)
        )

    async def aclose(self) -> None:
        """Close the connection pool (a caller-owned ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            if self._owns_http:
                await self._http.aclose()

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
        # Like httpx: an owned pool that was never closed leaks connections.
        if getattr(self, "_owns_http", False) and not getattr(self, "_closed", True):
            warnings.warn(
                f"Unclosed {type(self).__name__}: use 'async with' or 'await "
                "client.aclose()'",
                ResourceWarning,
                stacklevel=2,
            )
