"""How bytes move: owned pools, proxies from the environment, lazy TLS, async pool spread."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import pytest

from sagemaker_stop import AsyncSageMakerClient, Credentials, SageMakerClient, SageMakerTimeoutError
from sagemaker_stop._transport import AsyncSender, SyncSender, note_missing_sniffio

from ..conftest import ARN
from ..loopback import Loopback, RecordingProxy, Reply, WireServer


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    with RecordingProxy() as p:
        monkeypatch.setenv("HTTP_PROXY", p.url)
        yield p


def test_proxy_variables_in_the_environment_are_honoured(
    proxy: RecordingProxy, make_client: Any
) -> None:
    # Nothing listens on 127.0.0.2:9; only the proxy can answer.
    sm = make_client(endpoint_url="http://127.0.0.2:9", max_attempts=1)
    resp = sm.stop_pipeline_execution(ARN)
    assert resp.request_id == "via-proxy"
    assert proxy.lines == ["POST http://127.0.0.2:9/ HTTP/1.1"]


def test_owned_sync_pool_builds_no_tls_context_for_plain_http(wire: WireServer, creds: Credentials) -> None:
    with SageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url) as sm:
        sm.stop_pipeline_execution(ARN)
        sender = sm._sender
        assert isinstance(sender, SyncSender) and sender.client is None
        assert list(sender._pools) == ["http"]


async def test_async_pool_spreads_concurrent_calls_over_small_pools(
    wire: WireServer, creds: Credentials
) -> None:
    async with AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url) as sm:
        await sm.stop_pipeline_execution(ARN)
        await sm.stop_pipeline_execution(ARN)
        pools = sm._sender.pools("http")
        assert len(pools.transports) == 1  # a lone caller reuses one warm connection
        await asyncio.gather(*(sm.stop_pipeline_execution(ARN) for _ in range(6)))
        assert 1 < len(pools.transports) <= sm._sender.max_pools
        assert pools.busy == [0] * len(pools.busy)  # every lease was returned
        assert sorted(pools.free) == sorted(range(len(pools.transports)))
    assert len(wire.requests) == 8 and all(r.auth.ok for r in wire.requests)


async def test_async_pool_never_exceeds_its_connection_budget() -> None:
    """Past the budget a request waits in the library, not inside an httpcore pool:
    each pool only ever holds the request it can serve."""
    sender = AsyncSender(per_pool=1, max_pools=3)
    try:
        pools = sender.pools("http")
        leases = [pools.take() for _ in range(3)]
        assert pools.take() is None and len(pools.transports) == 3  # no 4th pool
        waiting = [asyncio.ensure_future(pools.acquire_async(None)) for _ in range(2)]
        await asyncio.sleep(0)
        assert len(pools.waiters) == 2 and pools.busy == [1, 1, 1]
        pools.release(leases[1])  # handed straight to the first waiter
        assert await waiting[0] == leases[1] and pools.busy == [1, 1, 1]
        pools.release(leases[0])
        assert await waiting[1] == leases[0]
        for index in range(3):
            pools.release(index)
        assert pools.busy == [0, 0, 0] and sorted(pools.free) == [0, 1, 2]
        assert not pools.waiters
    finally:
        await sender.aclose()


async def test_waiters_are_served_in_order_and_leave_cleanly() -> None:
    sender = AsyncSender(per_pool=1, max_pools=1)
    try:
        pools = sender.pools("http")
        held = pools.take()
        assert held == 0
        order: list[str] = []

        async def wait(name: str, timeout: Any = None) -> None:
            index = await pools.acquire_async(timeout)
            order.append(name)
            pools.release(index)

        first = asyncio.ensure_future(wait("first"))
        cancelled = asyncio.ensure_future(wait("cancelled"))
        timed_out = asyncio.ensure_future(wait("timed out", 0.01))
        last = asyncio.ensure_future(wait("last"))
        await asyncio.sleep(0)
        cancelled.cancel()
        with pytest.raises(httpcore.PoolTimeout):
            await timed_out
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        assert len(pools.waiters) == 2  # the two that gave up left the queue
        pools.release(held)
        await asyncio.gather(first, last)
        assert order == ["first", "last"]
        assert not pools.waiters and pools.busy == [0] and pools.free == [0]
    finally:
        await sender.aclose()


async def test_a_waiter_cancelled_after_being_handed_a_slot_passes_it_on() -> None:
    sender = AsyncSender(per_pool=1, max_pools=1)
    try:
        pools = sender.pools("http")
        held = pools.take()
        assert held is not None
        first = asyncio.ensure_future(pools.acquire_async(None))
        second = asyncio.ensure_future(pools.acquire_async(None))
        await asyncio.sleep(0)
        pools.release(held)  # first's future has the slot ...
        first.cancel()  # ... but it is cancelled before it runs again
        with pytest.raises(asyncio.CancelledError):
            await first
        assert await second == held
        pools.release(held)
        assert pools.busy == [0] and pools.free == [0] and not pools.waiters
    finally:
        await sender.aclose()


def test_sync_threads_past_the_budget_wait_in_order_or_time_out() -> None:
    import threading

    sender = SyncSender()
    try:
        pools = sender.pools("http")
        gate = type(pools)(pools.make, per_pool=1, max_pools=1, threaded=True)
        held = gate.acquire_sync(None)
        with pytest.raises(httpcore.PoolTimeout):
            gate.acquire_sync(0.01)
        assert not gate.waiters  # the thread that gave up left the queue
        got: list[int] = []
        thread = threading.Thread(target=lambda: got.append(gate.acquire_sync(5)))
        thread.start()
        while not gate.waiters:
            thread.join(0.001)
        gate.release(held)
        thread.join(5)
        assert got == [held] and gate.busy == [1]
        gate.release(held)
        assert gate.busy == [0] and gate.free == [0]
        gate.close()
    finally:
        sender.close()


async def test_the_call_deadline_bounds_the_wait_for_a_connection(creds: Credentials) -> None:
    """One connection, held by a slow answer: the next call waits for it in the queue,
    no longer than its call_timeout."""
    slow = Reply(200, {"PipelineExecutionArn": ARN}, delay=0.5)
    with Loopback(lambda seen: slow) as server:
        sm = AsyncSageMakerClient(
            region="us-east-1", credentials=creds, endpoint_url=server.url, max_attempts=1
        )
        sm._sender.max_pools = 1
        waiting = AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=server.url)
        try:
            first = asyncio.ensure_future(sm.stop_pipeline_execution(ARN))
            await asyncio.sleep(0.1)
            waiting._sender = sm._sender
            waiting._io.sender = sm._sender
            waiting._core.call_timeout = 0.2
            started = time.monotonic()
            with pytest.raises(SageMakerTimeoutError) as caught:
                await waiting.stop_pipeline_execution(ARN)
            assert time.monotonic() - started < 1.0
            assert caught.value.phase == "call"
            assert "waiting for a connection" in str(caught.value)
            assert (await first).pipeline_execution_arn == ARN
            assert not sm._sender.pools("http").waiters
        finally:
            await sm.aclose()


def test_a_missing_sniffio_is_recorded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    installed = importlib.util.find_spec("sniffio") is not None
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    note_missing_sniffio()
    if installed:
        assert sys.modules.get("sniffio") is not None or "sniffio" not in sys.modules
    else:
        assert sys.modules["sniffio"] is None
        with pytest.raises(ImportError):
            import sniffio  # noqa: F401


def test_an_async_client_survives_one_event_loop_per_call(wire: WireServer, creds: Credentials) -> None:
    """A module-level client in a Lambda handler that runs asyncio.run() per invocation."""
    import gc
    import warnings

    sm = AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url)

    async def invocation() -> int:
        return (await sm.stop_pipeline_execution(ARN)).http_status

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the dead loop's sockets
        assert asyncio.run(invocation()) == 200
        assert asyncio.run(invocation()) == 200  # not RuntimeError('Event loop is closed')
        asyncio.run(sm.aclose())
        gc.collect()
    assert len(wire.requests) == 2 and all(r.auth.ok for r in wire.requests)


async def test_an_unclosed_async_client_that_opened_connections_warns(
    wire: WireServer, creds: Credentials
) -> None:
    import gc

    idle = AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url)
    with warnings_recorded() as seen:
        del idle
        gc.collect()
    assert not [w for w in seen if "Unclosed" in str(w.message)]

    used = AsyncSageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url)
    await used.stop_pipeline_execution(ARN)
    pools = used._sender._pools
    with warnings_recorded() as seen:
        del used
        gc.collect()
    assert [w for w in seen if issubclass(w.category, ResourceWarning) and "Unclosed" in str(w.message)]
    for small in pools.values():  # tidy up what the test leaked on purpose
        await small.aclose()


def warnings_recorded() -> Any:
    import warnings

    manager = warnings.catch_warnings(record=True)

    class _Ctx:
        def __enter__(self) -> list[warnings.WarningMessage]:
            seen = manager.__enter__()
            warnings.simplefilter("always")
            assert seen is not None
            return seen

        def __exit__(self, *exc: Any) -> None:
            manager.__exit__(*exc)

    return _Ctx()


@pytest.mark.parametrize(
    "raw",
    [
        [(b"Content-Type", b"application/x-amz-json-1.1"), (b"x-amzn-RequestId", b"r-1")],
        [(b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"X-A", b"1")],  # joined
        [(b"X-Name", "caf\u00e9".encode()), (b"X-B", b"plain")],  # utf-8
        [(b"X-Name", b"caf\xe9")],  # latin-1
    ],
)
def test_response_headers_read_as_httpx_reads_them(raw: list[tuple[bytes, bytes]]) -> None:
    import httpx

    from sagemaker_stop._transport import _header_dict

    assert _header_dict(raw) == dict(httpx.Headers(raw).items())


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("POST", (("Host", "h.example"), ("X-Amz-Target", "T")), b'{"a": 1}'),
        ("POST", (("X-Amz-Target", "T"),), b""),  # no Host given; empty POST: length 0
        ("GET", (("x-aws-ec2-metadata-token", "t"),), b""),  # GET: no length
        ("PUT", (("X-Ttl", "21600"),), b""),
    ],
)
def test_owned_requests_carry_the_headers_httpx_would_send(
    method: str, headers: tuple[tuple[str, str], ...], body: bytes
) -> None:
    import httpx

    from sagemaker_stop._effects import HttpRequest
    from sagemaker_stop._transport import _Base

    url = "http://169.254.169.254:8080/latest/api/token"
    ours = _Base(owns_client=True)._request(HttpRequest(method, url, headers, body)).headers
    theirs = httpx.Request(method, url, headers=headers, content=body).headers.raw
    assert sorted(ours) == sorted(theirs)


def test_the_proxy_check_skips_getproxies_without_proxy_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import urllib.request

    from sagemaker_stop import _transport

    for key in list(os.environ):
        if key.lower().endswith("_proxy"):
            monkeypatch.delenv(key)
    calls: list[int] = []
    real = urllib.request.getproxies
    monkeypatch.setattr(urllib.request, "getproxies", lambda: calls.append(1) or real())
    if sys.platform not in ("darwin", "win32"):
        assert _transport._environment_has_proxies() is False and calls == []
    monkeypatch.setenv("no_proxy", "example.com")  # not a proxy
    assert _transport._environment_has_proxies() is False
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:3128")
    assert _transport._environment_has_proxies() is True


aiohttp_transport = pytest.mark.skipif(
    importlib.util.find_spec("httpx_aiohttp") is None, reason="no httpx-aiohttp (the aiohttp extra)"
)


@aiohttp_transport
def test_the_aiohttp_transport_sends_signed_calls_on_each_loop(
    wire: WireServer, creds: Credentials
) -> None:
    import gc
    import warnings

    sm = AsyncSageMakerClient(
        region="us-east-1", credentials=creds, endpoint_url=wire.url, transport="aiohttp"
    )

    async def invocation() -> int:
        statuses = await asyncio.gather(*(sm.stop_pipeline_execution(ARN) for _ in range(3)))
        return {r.http_status for r in statuses}.pop()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the first loop's session
        assert asyncio.run(invocation()) == 200
        assert asyncio.run(invocation()) == 200  # a new session on the new loop
        assert sm._sender._aiohttp is not None and not sm._sender._pools
        asyncio.run(sm.aclose())
        gc.collect()
    assert sm._sender._aiohttp is None
    assert len(wire.requests) == 6 and all(r.auth.ok for r in wire.requests)


@aiohttp_transport
async def test_the_aiohttp_transport_is_held_to_the_attempt_bound(creds: Credentials) -> None:
    from sagemaker_stop import Timeouts

    slow = Reply(200, {"PipelineExecutionArn": ARN}, delay=2.0)
    with Loopback(lambda seen: slow) as server:
        async with AsyncSageMakerClient(
            region="us-east-1", credentials=creds, endpoint_url=server.url, max_attempts=1,
            timeout=Timeouts(attempt=0.3), transport="aiohttp",
        ) as sm:
            started = time.monotonic()
            with pytest.raises(SageMakerTimeoutError) as caught:
                await sm.stop_pipeline_execution(ARN)
            assert time.monotonic() - started < 1.5
            assert caught.value.phase == "attempt"


def test_the_transport_option_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from sagemaker_stop import ConfigurationError

    with pytest.raises(ConfigurationError, match="transport must be one of"):
        AsyncSageMakerClient(region="us-east-1", transport="curl")
    with pytest.raises(ConfigurationError, match="either http_client= or transport="):
        AsyncSageMakerClient(region="us-east-1", http_client=httpx.AsyncClient(),
                             transport="aiohttp")
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)  # not installed
    with pytest.raises(ConfigurationError, match=r"pip install 'sagemaker-stop\[aiohttp\]'"):
        AsyncSageMakerClient(region="us-east-1", transport="aiohttp")
