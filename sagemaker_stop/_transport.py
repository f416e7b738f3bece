"""Moving an :class:`HttpRequest` over httpx and reading the answer, with a size limit.

Two ways, for each of sync and async:

* a **caller-owned** ``httpx.Client`` / ``httpx.AsyncClient`` (proxies, mTLS, custom
  transports, event hooks) is used as given: ``client.send(..., stream=True)``;
* a pool **we own** talks to httpx's transports directly
  (``httpx.HTTPTransport.handle_request`` / ``AsyncHTTPTransport.handle_async_request``,
  httpx's public transport API).  The ``Client`` layer (default headers, cookies, auth,
  redirects, event hooks) does nothing for signed AWS JSON calls but costs time on every
  call.  With proxy variables in the environment (``HTTPS_PROXY``...) an owned pool is a
  plain ``httpx.Client(trust_env=True)`` instead, so proxies keep working exactly as with
  httpx.

The async pool is several small transports, the least busy one taking each request: one
httpcore pool slows down sharply as concurrency rises (encode/httpx#3215 — it rescans
every queued request against every connection on each event), while many small pools
stay flat.  Measured here on a loopback stub at 32 concurrent requests: one pool of 32
connections ~480 requests/s, 32 pools of one connection ~3,000.

TLS contexts cost ~20 ms to build (loading the CA bundle), so each is built on the first
``https`` request; plain ``http`` endpoints (the emulator, local stacks) never build one.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import urllib.request
from typing import Any, Optional, Union

import httpx

from ._effects import HttpRequest, HttpResponse, Timeouts, TransportFailure

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

#: Owned sync pool (like httpx's defaults, more connections for bulk stops).
SYNC_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: Owned async pool: connections per small pool, and how many pools at most (1 x 100 =
#: the 100 connections of httpx's default single pool).
ASYNC_PER_POOL = 1
ASYNC_MAX_POOLS = 100


def transport_failure(exc: Exception) -> TransportFailure:
    """An httpx exception as the value the flows understand."""
    kind = next((k for cls, k in _FAILURE_KINDS if isinstance(exc, cls)), "connect")
    detail = str(exc) or type(exc).__name__
    return TransportFailure(kind, detail, exc)


def _timeout(timeouts: Optional[Timeouts]) -> httpx.Timeout:
    t = timeouts or Timeouts()
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)


def _environment_has_proxies() -> bool:
    proxies = urllib.request.getproxies()
    return any(key in proxies for key in ("http", "https", "all"))


def _ssl_context(scheme: str, ca_bundle: Optional[str] = None) -> Any:
    """What ``httpx.Client()`` would verify with for https (``SSL_CERT_FILE``/``_DIR``
    honoured), or only the certificates of ``ca_bundle`` (``AWS_CA_BUNDLE`` /
    ``ca_bundle``, which replace the default trust store as in botocore); for plain http
    a context that is never used for a handshake."""
    if scheme == "https":
        if ca_bundle:
            import ssl

            return ssl.create_default_context(cafile=ca_bundle)
        return httpx.create_ssl_context(trust_env=True)
    return httpx.create_ssl_context(verify=False)


def note_missing_sniffio() -> None:
    """httpcore 1.0 runs ``import sniffio`` on every async request; anyio 4 no longer
    installs sniffio, and a failed import searches the filesystem each time (a quarter of
    an async call's cost, measured here).  Record the absence once, exactly as the
    import system would answer: ``import sniffio`` still raises ``ImportError``."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


class _Reader:
    """Collects a body up to a limit; refuses a declared or actual larger one."""

    __slots__ = ("chunks", "headers", "limit", "raw", "size", "status", "too_large")

    def __init__(self, response: httpx.Response, limit: int, owned: bool) -> None:
        self.status = response.status_code
        self.headers = dict(response.headers.items())  # httpx gives lower-case names
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []
        declared = self.headers.get("content-length", "")
        self.too_large = declared.isdigit() and int(declared) > limit
        #: Straight from our own transport, unencoded: skip httpx's decoding layer.
        self.raw = owned and self.headers.get("content-encoding", "identity") == "identity"

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
                "too_large", f"response body larger than {self.limit} bytes; not read"
            )
        return HttpResponse(self.status, self.headers, b"".join(self.chunks))


class _Base:
    """What the sync and async senders share: building httpx requests (URLs parsed once)."""

    def __init__(self, owns_client: bool) -> None:
        self.owns_client = owns_client
        self._urls: dict[str, httpx.URL] = {}
        self._timeouts: dict[Optional[Timeouts], dict[str, Optional[float]]] = {}

    def _url(self, url: str) -> httpx.URL:
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) > 64:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    def _request(self, request: HttpRequest) -> httpx.Request:
        """A request for a transport: timeouts go in the ``timeout`` extension, as
        ``httpx.Client`` passes them."""
        timeout = self._timeouts.get(request.timeouts)
        if timeout is None:
            if len(self._timeouts) > 64:  # deadline-cut timeouts differ call to call
                self._timeouts.clear()
            timeout = self._timeouts[request.timeouts] = _timeout(request.timeouts).as_dict()
        return httpx.Request(
            request.method,
            self._url(request.url),
            headers=request.headers,
            content=request.body,
            extensions={"timeout": timeout},
        )

    @staticmethod
    def _client_args(request: HttpRequest) -> dict[str, Any]:
        return {
            "method": request.method,
            "url": request.url,
            "headers": list(request.headers),
            "content": request.body,
            "timeout": _timeout(request.timeouts),
        }


class SyncSender(_Base):
    """Sends requests synchronously; one pool per client, reused across calls."""

    def __init__(
        self, client: Optional[httpx.Client] = None, ca_bundle: Optional[str] = None
    ) -> None:
        super().__init__(owns_client=client is None)
        self.ca_bundle = ca_bundle
        if client is None and _environment_has_proxies():
            client = httpx.Client(limits=SYNC_LIMITS, verify=_ssl_context("https", ca_bundle))
        self.client = client
        self._transports: dict[str, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()  # bulk stops send from several threads

    def _transport(self, scheme: str) -> httpx.HTTPTransport:
        transport = self._transports.get(scheme)
        if transport is None:
            with self._lock:
                transport = self._transports.get(scheme)
                if transport is None:
                    transport = self._transports[scheme] = httpx.HTTPTransport(
                        verify=_ssl_context(scheme, self.ca_bundle), limits=SYNC_LIMITS
                    )
        return transport

    def send(self, request: HttpRequest, max_body: int) -> Union[HttpResponse, TransportFailure]:
        try:
            if self.client is not None:
                client = self.client
                response = client.send(
                    client.build_request(**self._client_args(request)), stream=True
                )
                return self._read(response, max_body, owned=False)
            http_request = self._request(request)
            response = self._transport(http_request.url.scheme).handle_request(http_request)
            return self._read(response, max_body, owned=True)
        except httpx.HTTPError as exc:
            return transport_failure(exc)

    @staticmethod
    def _read(
        response: httpx.Response, max_body: int, owned: bool
    ) -> Union[HttpResponse, TransportFailure]:
        try:
            reader = _Reader(response, max_body, owned)
            if not reader.too_large:
                for chunk in response.iter_raw() if reader.raw else response.iter_bytes():
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            response.close()

    def close(self) -> None:
        """Close what we own (never a caller's client)."""
        transports, self._transports = self._transports, {}
        for transport in transports.values():
            transport.close()
        if self.owns_client and self.client is not None:
            self.client.close()


class _SmallPools:
    """The small async pools for one scheme.  Picking is O(1): a stack of free slots (one
    entry per idle connection allowed), most recently freed first, so warm connections
    are reused; a new pool only when no slot is free; past ``max_pools`` the overflow
    queues in the least busy pool, as it would in one big pool."""

    def __init__(self, ssl_context: Any, per_pool: int, max_pools: int) -> None:
        self.ssl_context = ssl_context
        self.per_pool = per_pool
        self.max_pools = max_pools
        self.transports: list[httpx.AsyncHTTPTransport] = []
        self.busy: list[int] = []
        self.free: list[int] = []

    def acquire(self) -> int:
        if self.free:
            index = self.free.pop()
        elif len(self.transports) < self.max_pools:
            index = len(self.transports)
            limits = httpx.Limits(
                max_connections=self.per_pool, max_keepalive_connections=self.per_pool
            )
            self.transports.append(
                httpx.AsyncHTTPTransport(verify=self.ssl_context, limits=limits)
            )
            self.busy.append(0)
            self.free.extend([index] * (self.per_pool - 1))
        else:
            index = min(range(len(self.busy)), key=self.busy.__getitem__)
        self.busy[index] += 1
        return index

    def release(self, index: int) -> None:
        self.busy[index] -= 1
        if self.busy[index] < self.per_pool:
            self.free.append(index)

    async def aclose(self) -> None:
        for transport in self.transports:
            await transport.aclose()


class AsyncSender(_Base):
    """Sends requests on asyncio; an owned pool is many small pools (see the module)."""

    def __init__(
        self,
        client: Optional[httpx.AsyncClient] = None,
        per_pool: int = ASYNC_PER_POOL,
        max_pools: int = ASYNC_MAX_POOLS,
        ca_bundle: Optional[str] = None,
    ) -> None:
        super().__init__(owns_client=client is None)
        note_missing_sniffio()
        self.ca_bundle = ca_bundle
        if client is None and _environment_has_proxies():
            client = self._proxy_client()
        self.client = client
        self.per_pool = per_pool
        self.max_pools = max_pools
        self._pools: dict[str, _SmallPools] = {}
        self._loop: Any = None

    def _on_current_loop(self) -> None:
        """Connections belong to the event loop that opened them.  A client kept across
        ``asyncio.run()`` calls (a module-level client in a Lambda handler, say) finds
        its old loop closed: its connections can be neither reused nor closed from the
        new loop, so they are dropped (the sockets close when collected) and new ones
        opened — instead of a RuntimeError('Event loop is closed') mid-call."""
        import asyncio

        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        if self._loop is not None:
            self._pools = {}
            if self.owns_client and self.client is not None:
                self.client = self._proxy_client()
        self._loop = loop

    def _proxy_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(limits=SYNC_LIMITS, verify=_ssl_context("https", self.ca_bundle))

    @property
    def has_connections(self) -> bool:
        """Whether anything was opened that ``aclose()`` should close."""
        return bool(self._pools) or (self.owns_client and self.client is not None)

    def pools(self, scheme: str) -> _SmallPools:
        pools = self._pools.get(scheme)
        if pools is None:
            pools = self._pools[scheme] = _SmallPools(
                _ssl_context(scheme, self.ca_bundle), self.per_pool, self.max_pools
            )
        return pools

    async def send(
        self, request: HttpRequest, max_body: int
    ) -> Union[HttpResponse, TransportFailure]:
        self._on_current_loop()
        try:
            if self.client is not None:
                client = self.client
                response = await client.send(
                    client.build_request(**self._client_args(request)), stream=True
                )
                return await self._read(response, max_body, owned=False)
            http_request = self._request(request)
            pools = self.pools(http_request.url.scheme)
            index = pools.acquire()
            try:
                response = await pools.transports[index].handle_async_request(http_request)
                return await self._read(response, max_body, owned=True)
            finally:
                pools.release(index)
        except httpx.HTTPError as exc:
            return transport_failure(exc)

    @staticmethod
    async def _read(
        response: httpx.Response, max_body: int, owned: bool
    ) -> Union[HttpResponse, TransportFailure]:
        try:
            reader = _Reader(response, max_body, owned)
            if not reader.too_large:
                chunks = response.aiter_raw() if reader.raw else response.aiter_bytes()
                async for chunk in chunks:
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        """Close what we own (never a caller's client)."""
        self._on_current_loop()  # pools of a finished loop cannot be closed from this one
        pools, self._pools = self._pools, {}
        for small_pools in pools.values():
            await small_pools.aclose()
        if self.owns_client and self.client is not None:
            await self.client.aclose()
