"""How bytes move: owned pools, proxies from the environment, lazy TLS, async pool spread."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import AsyncSageMakerClient, Credentials, SageMakerClient
from sagemaker_stop._transport import AsyncSender, SyncSender, note_missing_sniffio

from ..conftest import ARN
from ..loopback import RecordingProxy, WireServer


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


async def test_async_pool_never_exceeds_its_connection_budget(wire: WireServer) -> None:
    sender = AsyncSender(per_pool=1, max_pools=3)
    try:
        pools = sender.pools("http")
        leases = [pools.acquire() for _ in range(5)]  # five requests in flight at once
        assert len(pools.transports) == 3 and sorted(pools.busy) == [1, 2, 2]  # no 4th pool
        for index in leases:
            pools.release(index)
        assert pools.busy == [0, 0, 0] and sorted(pools.free) == [0, 1, 2]
    finally:
        await sender.aclose()


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
