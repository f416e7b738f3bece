"""The two I/O shells: they perform the effects a flow yields, and nothing else.

``SyncIO.run(flow)`` uses ``httpx.Client``, ``time.sleep`` and ``subprocess``;
``AsyncIO.run(flow)`` uses ``httpx.AsyncClient``, ``asyncio.sleep`` and asyncio
subprocesses, so the async client never blocks its event loop.  Every decision lives in
the flows; what differs here is only how bytes move and time passes.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar, Union

import httpx

from ._credentials._types import Credentials
from ._effects import (
    Effect,
    Flow,
    Gather,
    GetCredentials,
    HttpRequest,
    HttpResponse,
    ProcessResult,
    RunProcess,
    Send,
    Sleep,
    Timeouts,
    TransportFailure,
)
from ._pools import AsyncClientPools

T = TypeVar("T")

_FAILURE_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (httpx.ConnectTimeout, "connect_timeout"),
    (httpx.ReadTimeout, "read_timeout"),
    (httpx.WriteTimeout, "write_timeout"),
    (httpx.PoolTimeout, "pool_timeout"),
    (httpx.ConnectError, "connect"),
    (httpx.ReadError, "read"),
    (httpx.WriteError, "write"),
    (httpx.ProtocolError, "protocol"),
)


def transport_failure(exc: Exception) -> TransportFailure:
    """An httpx exception as the value the flows understand."""
    kind = next((k for cls, k in _FAILURE_KINDS if isinstance(exc, cls)), "connect")
    detail = str(exc) or type(exc).__name__
    return TransportFailure(kind, detail, exc)


def httpx_timeout(timeouts: Optional[Timeouts]) -> Union[httpx.Timeout, Any]:
    if timeouts is None:
        return httpx.USE_CLIENT_DEFAULT
    return httpx.Timeout(
        connect=timeouts.connect,
        read=timeouts.read,
        write=timeouts.write,
        pool=timeouts.pool,
    )


class _BodyReader:
    """Collects a body up to a limit (the only state the shells share)."""

    def __init__(self, status: int, headers: httpx.Headers, limit: int) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []
        declared = self.headers.get("content-length", "")
        self.too_large = declared.isdigit() and int(declared) > limit

    def feed(self, chunk: bytes) -> bool:
        """Keep ``chunk``; False once the limit is passed (stop reading)."""
        self.size += len(chunk)
        if self.size > self.limit:
            self.too_large = True
            return False
        self.chunks.append(chunk)
        return True

    def result(self) -> Union[HttpResponse, TransportFailure]:
        if self.too_large:
            return TransportFailure(
                "too_large",
                f"response body larger than {self.limit} bytes; not read",
            )
        return HttpResponse(self.status, self.headers, b"".join(self.chunks))


def _request_args(request: HttpRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": request.url,
        "headers": list(request.headers),
        "content": request.body,
        "timeout": httpx_timeout(request.timeouts),
    }


def _process_failure(exc: BaseException) -> ProcessResult:
    if isinstance(exc, (subprocess.TimeoutExpired, asyncio.TimeoutError)):
        return ProcessResult(-1, b"", b"timed out")
    return ProcessResult(127, b"", str(exc).encode())


def _advance(flow: Flow[Any], value: Any, error: Optional[Exception]) -> tuple[bool, Any]:
    """Resume ``flow`` with a result (or an exception); (True, its return value) when it
    finished, else (False, the next effect)."""
    try:
        effect = flow.throw(error) if error is not None else flow.send(value)
    except StopIteration as stop:
        return True, stop.value
    return False, effect


class SyncIO:
    def __init__(
        self,
        http: httpx.Client,
        credentials: Any,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.credentials = credentials
        self.sleep = sleep

    def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: Optional[Exception] = None
        try:
            while True:
                done, effect = _advance(flow, value, error)
                if done:
                    return effect  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = self.perform(effect)
                except Exception as exc:  # thrown into the flow: it decides
                    error = exc
        finally:
            flow.close()

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return self.send(effect)
        if isinstance(effect, Sleep):
            self.sleep(effect.seconds)
            return None
        if isinstance(effect, GetCredentials):
            creds: Credentials = self.credentials.get_sync(self.run, effect.force_refresh)
            return creds
        if isinstance(effect, Gather):
            return self.gather(effect)
        return self.run_process(effect)

    def gather(self, effect: Gather) -> list[Any]:
        def outcome(flow: Flow[Any]) -> Any:
            try:
                return self.run(flow)
            except Exception as exc:
                return exc

        if not effect.flows:
            return []
        workers = max(1, min(effect.concurrency, len(effect.flows)))
        with ThreadPoolExecutor(workers, thread_name_prefix="sagemaker-stop") as pool:
            return list(pool.map(outcome, effect.flows))

    def send(self, effect: Send) -> Union[HttpResponse, TransportFailure]:
        try:
            with self.http.stream(**_request_args(effect.request)) as response:
                reader = _BodyReader(response.status_code, response.headers, effect.max_body)
                if not reader.too_large:
                    for chunk in response.iter_bytes():
                        if not reader.feed(chunk):
                            break
                return reader.result()
        except httpx.HTTPError as exc:
            return transport_failure(exc)

    @staticmethod
    def run_process(effect: RunProcess) -> ProcessResult:
        try:
            done = subprocess.run(
                list(effect.argv), capture_output=True, timeout=effect.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return _process_failure(exc)
        return ProcessResult(done.returncode, done.stdout, done.stderr)


class AsyncIO:
    def __init__(
        self,
        http: Union[httpx.AsyncClient, AsyncClientPools],
        credentials: Any,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.http = http
        self.credentials = credentials
        self.sleep = sleep

    async def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: Optional[Exception] = None
        try:
            while True:
                done, effect = _advance(flow, value, error)
                if done:
                    return effect  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = await self.perform(effect)
                except Exception as exc:  # thrown into the flow: it decides
                    error = exc
        finally:
            flow.close()

    async def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return await self.send(effect)
        if isinstance(effect, Sleep):
            await self.sleep(effect.seconds)
            return None
        if isinstance(effect, GetCredentials):
            creds: Credentials = await self.credentials.get_async(
                self.run, effect.force_refresh
            )
            return creds
        if isinstance(effect, Gather):
            return await self.gather(effect)
        return await self.run_process(effect)

    async def gather(self, effect: Gather) -> list[Any]:
        limit = asyncio.Semaphore(max(1, effect.concurrency))

        async def outcome(flow: Flow[Any]) -> Any:
            async with limit:
                try:
                    return await self.run(flow)
                except Exception as exc:
                    return exc

        return list(await asyncio.gather(*(outcome(f) for f in effect.flows)))

    async def send(self, effect: Send) -> Union[HttpResponse, TransportFailure]:
        try:
            async with self.http.stream(**_request_args(effect.request)) as response:
                reader = _BodyReader(response.status_code, response.headers, effect.max_body)
                if not reader.too_large:
                    async for chunk in response.aiter_bytes():
                        if not reader.feed(chunk):
                            break
                return reader.result()
        except httpx.HTTPError as exc:
            return transport_failure(exc)

    @staticmethod
    async def run_process(effect: RunProcess) -> ProcessResult:
        try:
            process = await asyncio.create_subprocess_exec(
                *effect.argv,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            return _process_failure(exc)
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), effect.timeout)
        except asyncio.TimeoutError as exc:
            process.kill()
            await process.wait()
            return _process_failure(exc)
        return ProcessResult(process.returncode or 0, stdout, stderr)


