"""Several ``httpx.AsyncClient`` pools behind one ``stream()``, for the async client.

One ``httpx.AsyncClient`` slows down sharply as concurrency rises (encode/httpx#3215):
httpcore's pool rescans every queued request against every connection on each event,
and once it holds more connections than ``max_keepalive_connections`` it closes each
connection that goes idle, so a busy pool reconnects over and over.  Measured on a
loopback stub: about 1,500 calls/s at 8 concurrent falls to about 450 at 32.

:class:`AsyncClientPools` keeps every pool small (``per_pool`` connections, all of them
kept alive) and sends each request to the least busy pool, opening another pool only
when all are full — so a lone caller uses one pool and one connection, and 128
concurrent callers use up to ``max_pools`` pools.  The total connection budget
(``per_pool * max_pools``) matches the single pool it replaces; requests beyond it
wait in the least busy pool (with its pool timeout), as they would have in one pool.
Used only when the client owns its HTTP pool; a caller's ``http_client`` is used as
given.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional

import httpx

#: Connections per pool: at or under this, one httpcore pool stays fast.
PER_POOL = 8
#: 12 x 8 = 96 connections, about the 100 of the single pool this replaces.
MAX_POOLS = 12


class AsyncClientPools:
    """``stream(**request)`` like ``httpx.AsyncClient.stream``, spread over pools."""

    def __init__(self, per_pool: int = PER_POOL, max_pools: int = MAX_POOLS) -> None:
        self.per_pool = per_pool
        self.max_pools = max_pools
        self.clients: list[httpx.AsyncClient] = []
        #: Requests in flight per pool (same index as ``clients``).
        self.busy: list[int] = []
        self._verify: Any = None

    def _new_client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self.per_pool, max_keepalive_connections=self.per_pool
        )
        if self._verify is None:
            # What AsyncClient() would make (trust_env: SSL_CERT_FILE/SSL_CERT_DIR), made
            # once and shared: building a TLS context costs ~20 ms.
            self._verify = httpx.create_ssl_context(trust_env=True)
        return httpx.AsyncClient(limits=limits, verify=self._verify)

    def _pick(self) -> int:
        busy = self.busy
        count = len(busy)
        if count == 1:
            if busy[0] < self.per_pool or self.max_pools <= 1:
                return 0
        elif count:
            index = min(range(count), key=busy.__getitem__)
            if busy[index] < self.per_pool or count >= self.max_pools:
                return index
        self.clients.append(self._new_client())
        busy.append(0)
        return count

    def stream(self, **request: Any) -> _Lease:
        index = self._pick()
        self.busy[index] += 1
        return _Lease(self, index, request)

    async def aclose(self) -> None:
        clients, self.clients, self.busy = self.clients, [], []
        for client in clients:
            await client.aclose()


class _Lease:
    """One request's hold on a pool: the pool's ``stream()`` context, then release."""

    __slots__ = ("_inner", "_pools", "index", "request")

    def __init__(self, pools: AsyncClientPools, index: int, request: dict[str, Any]) -> None:
        self._pools = pools
        self.index = index
        self.request = request
        self._inner: Any = None

    async def __aenter__(self) -> httpx.Response:
        try:
            self._inner = self._pools.clients[self.index].stream(**self.request)
            response: httpx.Response = await self._inner.__aenter__()
        except BaseException:
            self._release()
            raise
        return response

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Optional[bool]:
        try:
            result: Optional[bool] = await self._inner.__aexit__(exc_type, exc, tb)
        finally:
            self._release()
        return result

    def _release(self) -> None:
        busy = self._pools.busy
        if self.index < len(busy):  # the pools may have been closed meanwhile
            busy[self.index] -= 1
