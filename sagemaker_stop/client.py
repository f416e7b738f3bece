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
from typing import Any, Callable, Optional, TypeVar, Union

import httpx

from . import _calls, _defaults
from ._adapter import AsyncShell, SyncShell, operation, pages
from ._config import ClientConfig, resolve_config
from ._credentials._types import Credentials
from ._drive import AsyncIO, SyncIO
from ._effects import Flow, Timeouts, check_seconds
from ._flow import AttemptHook, CallCore, call
from ._operations import Operation, R
from ._retry import RetryPolicy, RetryStrategy
from ._transport import AsyncSender, SyncSender
from .errors import ConfigurationError

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
        call_timeout: Optional[float] = None,
        environ: Optional[Mapping[str, str]] = None,
        mfa_token_provider: Optional[Callable[[str], Any]] = None,
        ca_bundle: Optional[str] = None,
        sqs_endpoint_url: Optional[str] = None,
        retry_mode: Optional[str] = None,
    ) -> None:
        """``mfa_token_provider(mfa_serial) -> code`` answers an assume-role profile's
        ``mfa_serial`` (the async client also takes a coroutine function; a plain one
        runs in a worker thread there). ``ca_bundle``: a PEM file of the certificate
        authorities to trust for every https call (default: ``AWS_CA_BUNDLE``, the
        profile's ``ca_bundle``, then the system's store)."""
        if credentials is not None and not isinstance(credentials, Credentials):
            raise TypeError("credentials must be a sagemaker_stop.Credentials")
        if mfa_token_provider is not None and not callable(mfa_token_provider):
            raise TypeError("mfa_token_provider must be callable (serial -> code)")
        self._timeouts = Timeouts.of(timeout)
        call_seconds = check_seconds("call_timeout", call_timeout)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 0
        ):
            raise ConfigurationError(
                f"max_response_bytes must be a number of bytes >= 0, got {max_response_bytes!r}"
            )
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
            ca_bundle=ca_bundle,
            mfa_token_provider=mfa_token_provider,
            sqs_endpoint_url=sqs_endpoint_url,
            retry_mode=retry_mode,
        )
        policy = RetryPolicy.for_mode(self.config.retry_mode, self.config.max_attempts)
        self._core = CallCore(
            endpoints=self.config,
            retry=RetryStrategy(policy),
            timeouts=self._timeouts,
            max_body=max_response_bytes,
            on_attempt=on_attempt,
            call_timeout=call_seconds,
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
    # SQS, for consuming a Callback step's queue (same credentials, retries and pool)
    receive_message = operation(_calls.receive_message)
    delete_message = operation(_calls.delete_message)
    change_message_visibility = operation(_calls.change_message_visibility)
    get_queue_url = operation(_calls.get_queue_url)


class SageMakerClient(SyncShell, _Operations):
    """A synchronous SageMaker Pipelines client.

    Three timeouts, each a promise about wall time (monotonic), for both clients and for a
    caller-owned ``http_client``:

    * ``timeout`` (default 10 s) bounds **each attempt** as a whole — waiting for a
      connection, connecting, sending, the headers and the body together — so a server
      that trickles its answer cannot stretch it (httpx's own timeouts are per socket
      operation); it also caps each such operation.  A :class:`Timeouts` sets them one by
      one (``Timeouts(connect=1, read=30, attempt=40)``).  Like the Java SDK's
      ``apiCallAttemptTimeout``; an attempt that runs out is retried like any timeout;
    * ``call_timeout`` (default None) bounds **the whole call**: its credentials refresh,
      every attempt and every backoff sleep between them (no sleep goes past it, the last
      attempt is cut to it).  Like the Java SDK's ``apiCallTimeout``;
    * a wait's ``timeout`` (``wait_for_pipeline_execution``, ``stop_and_wait``) bounds
      **everything inside the wait**: the stop before it, each status call with its
      retries, the step lookups for progress reports and the polls' sleeps.

    Running out raises :class:`~sagemaker_stop.SageMakerTimeoutError` whose ``phase`` names
    what ran out (``attempt``, ``call``; ``connect`` / ``read`` / ``write`` / ``pool`` for a
    single operation's own timeout); a wait raises ``WaitTimeoutError`` from it.

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
        self._sender = SyncSender(http_client, ca_bundle=self.config.ca_bundle)
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

    The same timeouts as :class:`SageMakerClient`: ``timeout`` bounds each attempt as
    a whole, ``call_timeout`` a whole call with its retries and backoff, a wait's
    ``timeout`` everything inside the wait; ``SageMakerTimeoutError.phase`` names what
    ran out.

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
        *,
        transport: str = "httpcore",
        **options: Any,
    ) -> None:
        """``transport="aiohttp"`` sends through httpx-aiohttp's transport (the
        ``sagemaker-stop[aiohttp]`` extra: aiohttp's C HTTP parser under httpx's
        transport API), imported only then; it connects directly (proxy variables are
        not read) and cannot be combined with ``http_client``."""
        super().__init__(region, credentials, endpoint_url, max_attempts, timeout, **options)
        self._owns_http = http_client is None
        # An owned pool is many small httpx transports (encode/httpx#3215; _transport.py).
        self._sender = AsyncSender(
            http_client, ca_bundle=self.config.ca_bundle, transport=transport
        )
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
