"""Moving an :class:`HttpRequest` over httpx and reading the answer, within its bounds.

Two ways, for each of sync and async:

* a pool **we own**: httpcore connection pools (httpcore is httpx's own engine; the
  ``httpx.Client`` layer — default headers, cookies, auth, redirects, event hooks — does
  nothing for signed AWS JSON calls but costs time on every call).  Their network
  backend holds every socket operation to the attempt's deadline (below);
* an **httpx client**: the caller's ``http_client=`` (proxies, mTLS, custom transports,
  event hooks), used as given but never following a redirect; or, with proxy variables
  in the environment (``HTTPS_PROXY``...) and no client given, a plain
  ``httpx.Client(trust_env=True)`` of ours, so proxies work exactly as with httpx.

**An attempt is bounded as a whole** (``Timeouts.attempt``, cut by the flows to a
call's or a wait's deadline), not only per socket operation as httpx's timeouts are: a
server trickling one byte a second trips no read timeout.  Our pools' network streams
give each connect, TLS handshake, read and write at most the time left before the
deadline (``min(per-operation timeout, deadline - now)``; httpcore accepts a custom
``network_backend``), so the attempt ends on time in any phase, with no extra thread or
task.  Through an httpx client, whose streams are not ours, each operation's timeout
is cut to the attempt's bound and the body is read chunk by chunk against the
deadline; the sync shell runs the exchange on a worker thread and stops waiting for it
at the deadline (a trickling header block can hold that thread, never the caller), the
async shell cancels it (``asyncio.wait_for``).

Requests marked ``local`` (the container and instance-metadata credential endpoints)
always take our own pool: never a proxy, never a caller's client.  Credentials sent
to a link-local address have no business at a proxy; botocore's
``ContainerMetadataFetcher`` likewise uses a session without proxies (``utils.py``).

The async pool is many small pools, a free one taking each request: one httpcore pool
slows down sharply as concurrency rises (encode/httpx#3215 — it rescans every queued
request against every connection on each event), while many small pools stay flat.
Measured here on a loopback stub at 32 concurrent requests: one pool of 32 connections
~480 requests/s, 32 pools of one connection ~3,000.  Past the connection budget, the
overflow waits **here**, in a FIFO woken on release that hands the freed connection
straight to the first waiter (:class:`_Pools`), so no httpcore pool ever queues a request
it cannot serve at once (queued in one, they churned its assignment passes: 5.6 per
request at 512 in flight against 2.0 at 32).  The wait is held to the request's ``pool``
timeout and its attempt's deadline; a waiter that times out or is cancelled leaves the
queue.  The sync sender is built the same way for threads (one-connection pools, a
lock over the books): with 32 threads on one client, one pool of 100 connections cost
~530 us of CPU per call here, 100 one-connection pools ~320 us.

TLS contexts cost ~20-30 ms to build (loading the CA bundle), so one is built on the
first ``https`` request and then kept, per trust setting, for the whole process
(:func:`_ssl_context`): an ``ssl.SSLContext`` belongs to no event loop or thread, so a
client kept across ``asyncio.run()`` calls (the Lambda pattern) opens new connections on
each new loop but never loads the CA bundle again.  Plain ``http`` endpoints (the
emulator, local stacks) never build one.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib.util
import os
import sys
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable, Optional, Union

import httpcore
import httpx

from ._effects import DOING, HttpRequest, HttpResponse, Timeouts, TransportFailure
from .errors import ConfigurationError

_FAILURE_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (httpx.ConnectTimeout, "connect_timeout"),
    (httpx.ReadTimeout, "read_timeout"),
    (httpx.WriteTimeout, "write_timeout"),
    (httpx.PoolTimeout, "pool_timeout"),
    (httpx.DecodingError, "decoding"),
    (httpx.ConnectError, "connect"),
    (httpx.ReadError, "read"),
    (httpx.WriteError, "write"),
    (httpx.ProtocolError, "protocol"),
)
#: What our own pools raise (httpcore's exceptions) besides httpx's.
_HTTPCORE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
)
_CAUGHT = (httpx.HTTPError, *_HTTPCORE_ERRORS)


def _as_httpx(exc: Exception) -> Exception:
    """An httpcore exception as the httpx one of the same name, raised from it — what
    ``httpx.HTTPTransport`` does (``map_httpcore_exceptions``), so a failure's
    ``__cause__`` is an httpx exception whichever pool sent the request."""
    for cls in type(exc).__mro__:
        target = getattr(httpx, cls.__name__, None)
        if isinstance(target, type) and issubclass(target, httpx.HTTPError):
            mapped: Exception = target(str(exc))
            mapped.__cause__ = exc
            return mapped
    return exc  # pragma: no cover  (every httpcore error has an httpx twin)


#: Owned sync pool (like httpx's defaults, more connections for bulk stops).
SYNC_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: Owned async pool: connections per small pool, and how many pools at most (1 x 100 =
#: the 100 connections of httpx's default single pool).
ASYNC_PER_POOL = 1
ASYNC_MAX_POOLS = 100
_NO_LOCK = contextlib.nullcontext()
_ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)

#: The monotonic time the current attempt must be over by (None: unbounded), read by
#: our network streams.  A context variable: each thread and each task has its own.
_DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar(
    "sagemaker_stop_deadline", default=None
)


def transport_failure(
    exc: Exception, request: Optional[HttpRequest] = None, deadline: Optional[float] = None
) -> TransportFailure:
    """An httpx (or httpcore) exception as the value the flows understand.  A timeout
    at or past the attempt's ``deadline`` is that bound running out (``request.bound``:
    attempt, call or wait), the operation it hit named in the detail."""
    if isinstance(exc, _HTTPCORE_ERRORS):
        exc = _as_httpx(exc)
    kind = next((k for cls, k in _FAILURE_KINDS if isinstance(exc, cls)), "connect")
    detail = str(exc) or type(exc).__name__
    if (
        request is not None
        and deadline is not None
        and kind.endswith("_timeout")
        and time.monotonic() >= deadline - 0.001
    ):
        return _ran_out(request, f"while {DOING[kind[: -len('_timeout')]]}", exc)
    return TransportFailure(kind, detail, exc)


def _ran_out(
    request: HttpRequest, doing: str, cause: Optional[Exception] = None
) -> TransportFailure:
    budget = (request.timeouts or Timeouts()).attempt
    return TransportFailure(
        f"{request.bound}_timeout", f"no complete answer within {budget:.3g} s ({doing})", cause
    )


def _timeout(timeouts: Optional[Timeouts]) -> httpx.Timeout:
    """httpx's per-operation timeouts, none longer than the whole attempt (waiting for
    a pooled connection is no socket operation: only this bounds it)."""
    t = timeouts or Timeouts()
    if t.attempt is not None:
        t = t.within(t.attempt)
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)


def _environment_has_proxies() -> bool:
    """Whether httpx would find a proxy (``urllib.request.getproxies()``, which scans
    and lower-cases the whole environment: most of a client's construction time).
    Outside macOS and Windows it reads only ``*_proxy`` variables, so without any there
    is nothing to find."""
    if sys.platform not in ("darwin", "win32") and not any(
        key[-6:].lower() == "_proxy" for key in os.environ
    ):
        return False
    import urllib.request

    proxies = urllib.request.getproxies()
    return any(key in proxies for key in ("http", "https", "all"))


#: TLS contexts by what they trust (see :func:`_ssl_context`).
_TLS_CONTEXTS: dict[tuple[Any, ...], Any] = {}
_TLS_LOCK = threading.Lock()


def _trust(scheme: str, ca_bundle: Optional[str]) -> tuple[Any, ...]:
    """What a context for ``scheme`` trusts: the ``ca_bundle`` file (as it is now: a
    replaced file is loaded afresh), or the default store and the ``SSL_CERT_FILE`` /
    ``SSL_CERT_DIR`` that httpx reads."""
    if scheme != "https":
        return ("unverified",)
    if ca_bundle:
        try:
            stat = os.stat(ca_bundle)
        except OSError:  # the load reports it
            return ("bundle", ca_bundle)
        return ("bundle", ca_bundle, stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return ("default", os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


def _ssl_context(scheme: str, ca_bundle: Optional[str] = None) -> Any:
    """What ``httpx.Client()`` would verify with for https (``SSL_CERT_FILE``/``_DIR``
    honoured), or only the certificates of ``ca_bundle`` (``AWS_CA_BUNDLE`` /
    ``ca_bundle``, which replace the default trust store as in botocore); for plain http
    a context that is never used for a handshake.  Built once per trust setting and
    shared by every client, loop and thread of the process (connections are not)."""
    key = _trust(scheme, ca_bundle)
    context = _TLS_CONTEXTS.get(key)
    if context is None:
        with _TLS_LOCK:
            context = _TLS_CONTEXTS.get(key)
            if context is None:
                if len(_TLS_CONTEXTS) > 16:
                    _TLS_CONTEXTS.clear()
                context = _TLS_CONTEXTS[key] = _new_ssl_context(scheme, ca_bundle)
    return context


def _new_ssl_context(scheme: str, ca_bundle: Optional[str]) -> Any:
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


# --- the attempt's deadline, below httpx ----------------------------------------------


def _left(timeout: Optional[float], expired: type[Exception]) -> Optional[float]:
    """An operation's timeout cut to the time left before the attempt's deadline;
    ``expired`` is raised when none is left."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline has passed")
    return left if timeout is None or left < timeout else timeout


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's sync backend, every operation held to the attempt's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(
            self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def sleep(self, seconds: float) -> None:  # pragma: no cover  (httpcore retries only)
        self._backend.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        return await self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        await self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio backend (anyio), every operation held to the deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream)

    async def sleep(self, seconds: float) -> None:  # pragma: no cover  (httpcore retries)
        await self._backend.sleep(seconds)


def _pool_args(scheme: str, limits: httpx.Limits, ca_bundle: Optional[str]) -> dict[str, Any]:
    return {
        "ssl_context": _ssl_context(scheme, ca_bundle),
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_stream():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


# --- reading an answer ----------------------------------------------------------------


def _header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """``dict(httpx.Headers(raw).items())`` without building the ``Headers``: lower-case
    names, the values of a repeated name joined by ``", "``, all decoded as httpx
    decodes them (ascii, else utf-8, else latin-1)."""
    for encoding in ("ascii", "utf-8"):
        try:
            return _collect(raw, encoding)
        except UnicodeDecodeError:
            continue
    return _collect(raw, "iso-8859-1")


def _collect(raw: list[tuple[bytes, bytes]], encoding: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in raw:
        key, text = name.lower().decode(encoding), value.decode(encoding)
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


class _Reader:
    """Collects a body up to a limit (and, through an httpx client, a deadline);
    refuses a declared or actual larger one."""

    __slots__ = ("chunks", "deadline", "headers", "limit", "size", "status", "too_large")

    def __init__(
        self, status: int, headers: dict[str, str], limit: int, deadline: Optional[float]
    ) -> None:
        self.status = status
        self.headers = headers  # lower-case names
        self.limit = limit
        self.deadline = deadline
        self.size = 0
        self.chunks: list[bytes] = []
        declared = self.headers.get("content-length", "")
        self.too_large = declared.isdigit() and int(declared) > limit

    @classmethod
    def of(cls, response: httpx.Response, limit: int, deadline: Optional[float]) -> _Reader:
        return cls(response.status_code, dict(response.headers.items()), limit, deadline)

    def feed(self, chunk: bytes) -> bool:
        """Keep ``chunk``; False once the limit is passed (stop reading)."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise httpx.ReadTimeout("the attempt's deadline has passed")
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
    """What the sync and async senders share: building requests (URLs parsed once)."""

    def __init__(self, owns_client: bool) -> None:
        self.owns_client = owns_client
        self._urls: dict[str, tuple[httpcore.URL, bytes]] = {}
        self._timeouts: dict[Optional[Timeouts], dict[str, Optional[float]]] = {}

    def _url(self, url: str) -> tuple[httpcore.URL, bytes]:
        """httpcore's URL and the ``Host`` httpx would send for it (parsed by httpx)."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) > 64:
                self._urls.clear()
            http_url = httpx.URL(url)
            core_url = httpcore.URL(
                scheme=http_url.raw_scheme,
                host=http_url.raw_host,
                port=http_url.port,
                target=http_url.raw_path,
            )
            parsed = self._urls[url] = (core_url, http_url.netloc)
        return parsed

    def _request(self, request: HttpRequest) -> httpcore.Request:
        """A request for our own pool: the headers as ``httpx.Request`` would send them
        (ascii; ``Host`` first when missing, ``Content-Length`` for a body, or 0 for an
        empty POST/PUT/PATCH), without building its ``Headers`` on the way; timeouts
        in the ``timeout`` extension."""
        timeout = self._timeouts.get(request.timeouts)
        if timeout is None:
            if len(self._timeouts) > 64:  # deadline-cut timeouts differ call to call
                self._timeouts.clear()
            timeout = self._timeouts[request.timeouts] = _timeout(request.timeouts).as_dict()
        core_url, netloc = self._url(request.url)
        headers = []
        names = set()
        for name, value in request.headers:
            names.add(name.lower())
            headers.append((name.encode("ascii"), value.encode("ascii")))
        if "host" not in names:
            headers.insert(0, (b"Host", netloc))
        body = request.body
        if "content-length" not in names and (
            body or request.method in ("POST", "PUT", "PATCH")
        ):
            headers.append((b"Content-Length", str(len(body)).encode()))
        return httpcore.Request(
            request.method,
            core_url,
            headers=headers,
            content=body,
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


def _deadline(request: HttpRequest) -> Optional[float]:
    budget = (request.timeouts or Timeouts()).attempt
    return None if budget is None else time.monotonic() + budget


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
        self._pools: dict[str, _Pools] = {}
        self._lock = threading.Lock()  # bulk stops send from several threads

    def pools(self, scheme: str) -> _Pools:
        """Up to ``SYNC_LIMITS.max_connections`` one-connection httpcore pools per
        scheme (:class:`_Pools`; past them, threads wait in its FIFO)."""
        pools = self._pools.get(scheme)
        if pools is None:
            with self._lock:
                pools = self._pools.get(scheme)
                if pools is None:
                    args = _pool_args(scheme, _ONE_CONNECTION, self.ca_bundle)
                    pools = self._pools[scheme] = _Pools(
                        lambda: httpcore.ConnectionPool(**args, network_backend=_Backend()),
                        1,
                        SYNC_LIMITS.max_connections or 100,
                        threaded=True,
                    )
        return pools

    def send(self, request: HttpRequest, max_body: int) -> Union[HttpResponse, TransportFailure]:
        deadline = _deadline(request)
        if self.client is not None and not request.local:
            return self._through_client(self.client, request, max_body, deadline)
        token = _DEADLINE.set(deadline)
        try:
            core_request = self._request(request)
            pools = self.pools(core_request.url.scheme.decode())
            index = pools.acquire_sync(_pool_wait(core_request))
            try:
                core_response = pools.transports[index].handle_request(core_request)
                return self._read_owned(core_response, max_body)
            finally:
                pools.release(index)
        except _CAUGHT as exc:
            return transport_failure(exc, request, deadline)
        finally:
            _DEADLINE.reset(token)

    def _through_client(
        self,
        client: httpx.Client,
        request: HttpRequest,
        max_body: int,
        deadline: Optional[float],
    ) -> Union[HttpResponse, TransportFailure]:
        """Through an httpx client, whose sockets are not ours: on a worker thread that
        the caller stops waiting for at the deadline."""

        def exchange() -> Union[HttpResponse, TransportFailure]:
            try:
                response = client.send(
                    client.build_request(**self._client_args(request)),
                    stream=True,
                    follow_redirects=False,  # a signed request goes nowhere else
                )
                return self._read(response, max_body, deadline)
            except _CAUGHT as exc:
                return transport_failure(exc, request, deadline)

        if deadline is None:
            return exchange()
        outcome: list[tuple[bool, Any]] = []

        def work() -> None:
            try:
                outcome.append((True, exchange()))
            except BaseException as exc:  # raised in the caller's thread
                outcome.append((False, exc))

        worker = threading.Thread(target=work, name="sagemaker-stop-send", daemon=True)
        worker.start()
        worker.join(max(deadline - time.monotonic(), 0.0))
        if not outcome:
            return _ran_out(request, "waiting for the answer")
        ok, value = outcome[0]
        if not ok:
            raise value
        result: Union[HttpResponse, TransportFailure] = value
        return result

    @classmethod
    def _read_owned(
        cls, core_response: httpcore.Response, max_body: int
    ) -> Union[HttpResponse, TransportFailure]:
        """An answer from our own pool: an unencoded body (every AWS JSON answer) is read
        straight off httpcore, without httpx's response and header objects."""
        headers = _header_dict(core_response.headers)
        if headers.get("content-encoding", "identity") != "identity":
            response = httpx.Response(
                core_response.status, headers=core_response.headers, stream=_Body(core_response)
            )
            return cls._read(response, max_body, None)
        try:
            reader = _Reader(core_response.status, headers, max_body, None)
            if not reader.too_large:
                for chunk in core_response.iter_stream():
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            core_response.close()

    @staticmethod
    def _read(
        response: httpx.Response, max_body: int, deadline: Optional[float]
    ) -> Union[HttpResponse, TransportFailure]:
        try:
            reader = _Reader.of(response, max_body, deadline)
            if not reader.too_large:
                for chunk in response.iter_bytes():
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            response.close()

    def close(self) -> None:
        """Close what we own (never a caller's client)."""
        pools, self._pools = self._pools, {}
        for each in pools.values():
            each.close()
        if self.owns_client and self.client is not None:
            self.client.close()


class _Handoff:
    """A thread waiting in :class:`_Pools`' queue: set with the slot it is handed."""

    __slots__ = ("event", "index")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.index: Optional[int] = None

    def done(self) -> bool:
        return False  # a thread that gives up leaves the queue first (under the lock)

    def set_result(self, index: int) -> None:
        self.index = index
        self.event.set()


def _expire(waiter: Any) -> None:
    if not waiter.done():
        waiter.set_exception(httpcore.PoolTimeout("timed out waiting for a connection"))


class _Pools:
    """The pools for one scheme and the requests waiting for a connection of theirs.

    ``max_pools`` httpcore pools of ``per_pool`` connections each, made on demand by
    ``make``; a slot is one connection's worth of a pool.  Taking is O(1): a stack of
    free slots, most recently freed first (warm connections are reused), a new pool only
    when none is free.  With every slot taken, a request waits in a FIFO; a release
    hands its slot straight to the first waiter.  ``threaded``: shared by threads (the
    sync sender; a lock guards the books), else by the tasks of one event loop."""

    def __init__(
        self, make: Callable[[], Any], per_pool: int, max_pools: int, threaded: bool = False
    ) -> None:
        self.make = make
        self.per_pool = per_pool
        self.max_pools = max_pools
        self.transports: list[Any] = []
        self.busy: list[int] = []
        self.free: list[int] = []
        self.waiters: deque[Any] = deque()
        #: Guards the books for threads; the tasks of one loop need none.
        self.lock: Any = threading.Lock() if threaded else _NO_LOCK

    def take(self) -> Optional[int]:
        """A free slot (making a pool if the budget allows), or None: all are taken.
        The caller holds the lock."""
        if self.free:
            index = self.free.pop()
        elif len(self.transports) < self.max_pools:
            index = len(self.transports)
            self.transports.append(self.make())
            self.busy.append(0)
            self.free.extend([index] * (self.per_pool - 1))
        else:
            return None
        self.busy[index] += 1
        return index

    def release(self, index: int) -> None:
        """Give the slot back: to the first waiter still waiting, else to the free stack."""
        with self.lock:
            while self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():  # (a timed-out or cancelled task's is done)
                    waiter.set_result(index)
                    return
            self.busy[index] -= 1
            self.free.append(index)

    def acquire_sync(self, timeout: Optional[float]) -> int:
        """A slot, waiting (a thread) at most ``timeout`` seconds (``PoolTimeout``)."""
        with self.lock:
            index = self.take()
            if index is not None:
                return index
            waiter = _Handoff()
            self.waiters.append(waiter)
        if not waiter.event.wait(timeout):
            with self.lock:
                if waiter.index is None:  # not handed one as it gave up: leave
                    self.waiters.remove(waiter)
                    raise httpcore.PoolTimeout("timed out waiting for a connection")
        assert waiter.index is not None
        return waiter.index

    async def acquire_async(self, timeout: Optional[float]) -> int:
        """A slot, waiting (a task) at most ``timeout`` seconds (``PoolTimeout``); a
        cancelled waiter leaves the queue, or passes on a slot it was just handed."""
        index = self.take()  # no lock: one loop's tasks only
        if index is not None:
            return index
        import asyncio

        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.waiters.append(waiter)
        timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
        try:
            result: int = await waiter
            return result
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release(waiter.result())  # handed a slot, then cancelled
            else:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(waiter)
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def close(self) -> None:
        for transport in self.transports:
            transport.close()

    async def aclose(self) -> None:
        for transport in self.transports:
            await transport.aclose()


def _pool_wait(request: httpcore.Request) -> Optional[float]:
    """How long a request may wait for a connection: its ``pool`` timeout, cut to its
    attempt's deadline (``PoolTimeout`` at once if that has passed)."""
    timeout: Optional[float] = request.extensions["timeout"].get("pool")
    return _left(timeout, httpcore.PoolTimeout)


#: The async client's transports: our httpcore pools, or httpx-aiohttp's transport
#: (the ``aiohttp`` extra; aiohttp parses HTTP/1.1 in C).
ASYNC_TRANSPORTS = ("httpcore", "aiohttp")


def _aiohttp_transport() -> Any:
    """httpx-aiohttp's ``AiohttpTransport`` class, imported only when asked for."""
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        raise ConfigurationError(
            "transport='aiohttp' needs the aiohttp extra: pip install 'sagemaker-stop[aiohttp]'"
        ) from None
    return AiohttpTransport


async def _within(exchange: Any, request: HttpRequest, deadline: Optional[float]) -> Any:
    """Await ``exchange`` (a coroutine), cancelled at ``deadline``."""
    import asyncio

    if deadline is None:
        return await exchange
    left = max(deadline - time.monotonic(), 0.0)
    try:
        if sys.version_info >= (3, 11):  # no task per exchange
            async with asyncio.timeout(left):
                return await exchange
        return await asyncio.wait_for(exchange, left)  # pragma: no cover  (3.9, 3.10)
    except asyncio.TimeoutError:
        return _ran_out(request, "waiting for the answer")


class AsyncSender(_Base):
    """Sends requests on asyncio; an owned pool is many small pools (see the module),
    or with ``transport="aiohttp"`` httpx-aiohttp's ``AiohttpTransport`` (one per event
    loop: an aiohttp session belongs to the loop that made it)."""

    def __init__(
        self,
        client: Optional[httpx.AsyncClient] = None,
        per_pool: int = ASYNC_PER_POOL,
        max_pools: int = ASYNC_MAX_POOLS,
        ca_bundle: Optional[str] = None,
        transport: str = "httpcore",
    ) -> None:
        super().__init__(owns_client=client is None)
        if transport not in ASYNC_TRANSPORTS:
            raise ConfigurationError(
                f"transport must be one of {', '.join(map(repr, ASYNC_TRANSPORTS))}, "
                f"got {transport!r}"
            )
        if transport != "httpcore" and client is not None:
            raise ConfigurationError(
                "give either http_client= or transport=, not both (an httpx client "
                "brings its own transport)"
            )
        note_missing_sniffio()
        self.ca_bundle = ca_bundle
        #: httpx-aiohttp's transport class (transport="aiohttp"), and its instance on
        #: the current loop.  It connects directly: proxy variables are not read.
        self._aiohttp_class = _aiohttp_transport() if transport == "aiohttp" else None
        self._aiohttp: Any = None
        if client is None and self._aiohttp_class is None and _environment_has_proxies():
            client = self._proxy_client()
        self.client = client
        self.per_pool = per_pool
        self.max_pools = max_pools
        self._pools: dict[str, _Pools] = {}
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
            self._aiohttp = None
            if self.owns_client and self.client is not None:
                self.client = self._proxy_client()
        self._loop = loop

    def _proxy_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(limits=SYNC_LIMITS, verify=_ssl_context("https", self.ca_bundle))

    @property
    def has_connections(self) -> bool:
        """Whether anything was opened that ``aclose()`` should close."""
        return (
            bool(self._pools)
            or self._aiohttp is not None
            or (self.owns_client and self.client is not None)
        )

    def pools(self, scheme: str) -> _Pools:
        pools = self._pools.get(scheme)
        if pools is None:
            limits = httpx.Limits(
                max_connections=self.per_pool, max_keepalive_connections=self.per_pool
            )
            args = _pool_args(scheme, limits, self.ca_bundle)
            pools = self._pools[scheme] = _Pools(
                lambda: httpcore.AsyncConnectionPool(**args, network_backend=_AsyncBackend()),
                self.per_pool,
                self.max_pools,
            )
        return pools

    async def send(
        self, request: HttpRequest, max_body: int
    ) -> Union[HttpResponse, TransportFailure]:
        self._on_current_loop()
        deadline = _deadline(request)
        if self._aiohttp_class is not None and not request.local:
            return await self._through_aiohttp(request, max_body, deadline)
        if self.client is not None and not request.local:
            return await self._through_client(self.client, request, max_body, deadline)
        token = _DEADLINE.set(deadline)
        try:
            core_request = self._request(request)
            pools = self.pools(core_request.url.scheme.decode())
            index = await pools.acquire_async(_pool_wait(core_request))
            try:
                core_response = await pools.transports[index].handle_async_request(
                    core_request
                )
                return await self._read_owned(core_response, max_body)
            finally:
                pools.release(index)
        except _CAUGHT as exc:
            return transport_failure(exc, request, deadline)
        finally:
            _DEADLINE.reset(token)

    async def _through_client(
        self,
        client: httpx.AsyncClient,
        request: HttpRequest,
        max_body: int,
        deadline: Optional[float],
    ) -> Union[HttpResponse, TransportFailure]:
        """Through an httpx client, whose sockets are not ours: cancelled at the
        deadline."""

        async def exchange() -> Union[HttpResponse, TransportFailure]:
            try:
                response = await client.send(
                    client.build_request(**self._client_args(request)),
                    stream=True,
                    follow_redirects=False,  # a signed request goes nowhere else
                )
                return await self._read(response, max_body, deadline)
            except _CAUGHT as exc:
                return transport_failure(exc, request, deadline)

        result: Union[HttpResponse, TransportFailure] = await _within(
            exchange(), request, deadline
        )
        return result

    async def _through_aiohttp(
        self, request: HttpRequest, max_body: int, deadline: Optional[float]
    ) -> Union[HttpResponse, TransportFailure]:
        """Through httpx-aiohttp's transport (httpx's transport API: an
        ``httpx.Request`` in, an ``httpx.Response`` out), cancelled at the deadline."""
        transport = self._aiohttp
        if transport is None:
            assert self._aiohttp_class is not None
            transport = self._aiohttp = self._aiohttp_class(
                verify=_ssl_context("https", self.ca_bundle), limits=SYNC_LIMITS, trust_env=False
            )
        timeout = _timeout(request.timeouts).as_dict()
        http_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.body,
            extensions={"timeout": timeout},
        )

        async def exchange() -> Union[HttpResponse, TransportFailure]:
            try:
                response = await transport.handle_async_request(http_request)
                return await self._read(response, max_body, None)
            except _CAUGHT as exc:
                return transport_failure(exc, request, deadline)

        result: Union[HttpResponse, TransportFailure] = await _within(
            exchange(), request, deadline
        )
        return result

    @classmethod
    async def _read_owned(
        cls, core_response: httpcore.Response, max_body: int
    ) -> Union[HttpResponse, TransportFailure]:
        """As ``SyncSender._read_owned``."""
        headers = _header_dict(core_response.headers)
        if headers.get("content-encoding", "identity") != "identity":
            response = httpx.Response(
                core_response.status,
                headers=core_response.headers,
                stream=_AsyncBody(core_response),
            )
            return await cls._read(response, max_body, None)
        try:
            reader = _Reader(core_response.status, headers, max_body, None)
            if not reader.too_large:
                async for chunk in core_response.aiter_stream():
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            await core_response.aclose()

    @staticmethod
    async def _read(
        response: httpx.Response, max_body: int, deadline: Optional[float]
    ) -> Union[HttpResponse, TransportFailure]:
        try:
            reader = _Reader.of(response, max_body, deadline)
            if not reader.too_large:
                async for chunk in response.aiter_bytes():
                    if not reader.feed(chunk):
                        break
            return reader.result()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        """Close what we own (never a caller's client)."""
        self._on_current_loop()  # pools of a finished loop cannot be closed from this one
        pools, self._pools = self._pools, {}
        for each in pools.values():
            await each.aclose()
        aiohttp, self._aiohttp = self._aiohttp, None
        if aiohttp is not None:
            await aiohttp.aclose()
        if self.owns_client and self.client is not None:
            await self.client.aclose()
