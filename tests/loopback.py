"""Loopback HTTP servers for tests: one threaded server core, thin doubles on top.

:class:`LoopbackServer` is the core: an HTTP/1.1 server on 127.0.0.1 (port 0, read back
as :attr:`~LoopbackServer.url`), one daemon thread per connection, every request recorded
under a lock, and a clean shutdown (open connections are shut, their threads joined). A
double subclasses it and says what to keep of a request (:meth:`~LoopbackServer.record`)
and how to answer (:meth:`~LoopbackServer.handle`, given an :class:`Exchange`: the whole
:class:`Request` plus the ways to answer: all at once, head then body bytes one write at a
time (to trickle), or not at all (hang up, reset)).

The doubles:

* :class:`Loopback`: ``server.handler = fn(request) -> Reply`` (or :func:`routes`,
  :func:`redirect_to`), for credential endpoints (container, IMDS, STS ...) and hosts
  that redirect; a handler may also answer :class:`Trickle` (the answer one byte at a
  time: a slow server that trips no per-read timeout); ``server.seen`` lists the
  requests;
* :func:`instance_metadata`: an IMDSv2 endpoint (token, role, credentials);
* :class:`RecordingProxy`: a forward proxy that answers every request itself and
  records what reached it (request lines, ``Authorization`` headers);
* :class:`WireServer`: an AWS JSON double that verifies every request's SigV4 signature
  with the emulator's own hashlib/hmac verifier (not botocore), records what it received
  with the verdict, and answers from a script (:class:`Reply`, :class:`Reset`); with the
  script empty it answers like StopPipelineExecution.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Generic, Optional, TypeVar, Union

import attrs

from sagemaker_stop.emulator._sigv4 import AuthResult, Credentials, verify

__all__ = [
    "ACCESS_KEY",
    "SECRET_KEY",
    "Credentials",
    "Exchange",
    "Loopback",
    "LoopbackServer",
    "Recorded",
    "Reply",
    "Request",
    "RecordingProxy",
    "Reset",
    "Trickle",
    "WireServer",
    "instance_metadata",
    "redirect_to",
    "routes",
]

Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
#: What a :class:`Reply` may carry: bytes, text (UTF-8), a JSON value, or nothing.
Body = Union[bytes, str, dict[str, Any], list[Any], None]

#: Methods the core hands to :meth:`LoopbackServer.handle` (CONNECT: for proxies).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT")


def header_pairs(headers: Headers) -> tuple[tuple[str, str], ...]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in items)


@attrs.frozen
class Request:
    """A request as it arrived."""

    method: str
    #: As on the request line: ``/path?query``, or ``http://host/path`` sent to a proxy.
    target: str
    #: The path of the target (no query).
    path: str
    #: What follows ``?`` in the target (``""`` if nothing).
    query: str
    #: Lower-cased names; a repeated header keeps its last value (see ``header_list``).
    headers: dict[str, str]
    body: bytes
    #: The headers as sent: order, spelling and repeats.
    header_list: tuple[tuple[str, str], ...] = attrs.field(repr=False)
    version: str = "HTTP/1.1"

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Reply:
    """A complete answer (after ``delay`` seconds)."""

    status: int = 200
    body: Body = b""
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=header_pairs)
    delay: float = 0.0

    def data(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@attrs.frozen
class Trickle:
    """Answer ``reply`` one byte every ``every`` seconds: its body after the headers,
    or with ``head=True`` the status line and headers too.  No single read waits
    longer than ``every``, so per-read timeouts never fire."""

    reply: Reply
    every: float = 0.05
    head: bool = False


class Exchange:
    """One request and its connection, for a handler to answer."""

    def __init__(self, handler: _Handler, request: Request) -> None:
        #: The stdlib handler underneath, for whatever this class does not offer.
        self.handler = handler
        self.request = request
        self.server: LoopbackServer[Any] = handler.server.owner

    def send_head(self, status: int, headers: Headers = ()) -> None:
        """The status line and headers (``Server`` and ``Date`` unless given); the body,
        if any, follows with :meth:`write`."""
        pairs = header_pairs(headers)
        given = {name.lower() for name, _ in pairs}
        h = self.handler
        h.send_response_only(status)
        if "server" not in given:
            h.send_header("Server", h.version_string())
        if "date" not in given:
            h.send_header("Date", email.utils.formatdate(self.server.now(), usegmt=True))
        for name, value in pairs:
            h.send_header(name, value)
        h.end_headers()

    def write(self, data: bytes) -> None:
        """Body bytes, sent at once (write one byte, :meth:`sleep`, repeat: a trickle)."""
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def respond(self, status: int, body: bytes = b"", headers: Headers = ()) -> None:
        """A complete answer, with its ``Content-Length``."""
        self.send_head(status, [*header_pairs(headers), ("Content-Length", str(len(body)))])
        self.write(body)

    def send(self, reply: Union[Reply, Trickle]) -> None:
        if isinstance(reply, Trickle):
            self.trickle(reply)
            return
        if reply.delay and not self.sleep(reply.delay):
            return
        self.respond(reply.status, reply.data(), reply.headers)

    def trickle(self, trickle: Trickle) -> None:
        """The answer a byte at a time, until it is all sent, the peer goes away or the
        server stops."""
        reply = trickle.reply
        body = reply.data()
        headers = [*reply.headers, ("Content-Length", str(len(body)))]
        if trickle.head:
            lines = [f"HTTP/1.1 {reply.status} Slow"] + [f"{k}: {v}" for k, v in headers]
            data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        else:
            self.send_head(reply.status, headers)
            data = body
        for index in range(len(data)):
            if not self.sleep(trickle.every):
                return
            self.write(data[index : index + 1])

    def sleep(self, seconds: float) -> bool:
        """Wait; ``False`` (at once) if the server is shutting down meanwhile."""
        return not self.server.stopping.wait(seconds)

    def hang_up(self) -> None:
        """Close the connection (the peer reads end of file), whatever was sent so far."""
        self.handler.close_connection = True
        with contextlib.suppress(OSError):
            self.handler.connection.shutdown(socket.SHUT_RDWR)

    def reset(self) -> None:
        """Drop the connection with a TCP reset (the peer reads ECONNRESET)."""
        self.handler.close_connection = True
        with contextlib.suppress(OSError):
            linger = struct.pack("ii", 1, 0)
            self.handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.handler.connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body are separate writes: with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (~40 ms an answer on Linux loopback).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.owner._opened(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the peer or the handler closed it
            super().finish()
        self.server.owner._closed(self.connection)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (OSError, ValueError):  # a peer gone away, or a connection we dropped
            self.close_connection = True

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        header_list = tuple(self.headers.items())
        path, _, query = self.path.partition("?")
        request = Request(
            method=self.command,
            target=self.path,
            path=path,
            query=query,
            headers={name.lower(): value for name, value in header_list},
            body=body,
            header_list=header_list,
            version=self.request_version,
        )
        self.server.owner._serve(Exchange(self, request))

    def log_message(self, format: str, *args: Any) -> None:
        pass


for _method in METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._dispatch)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of connections is not dropped (and retried after 1 s)

    def __init__(self, owner: LoopbackServer[Any]) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.owner.stopping.is_set():
            super().handle_error(request, client_address)


RecordT = TypeVar("RecordT")


class LoopbackServer(Generic[RecordT]):
    """The core. Subclass: :meth:`record` (what ``requests`` keeps of each request) and
    :meth:`handle` (the answer). Bound at construction (``url`` is known at once),
    serving from ``with server:`` (or :meth:`start`) to its end (or :meth:`stop`)."""

    def __init__(self) -> None:
        #: What :meth:`record` kept of every request, in arrival order.
        self.requests: list[RecordT] = []
        #: Held while a request is recorded; doubles may take it for their own state.
        self.lock = threading.RLock()
        #: Set when the server stops (see :meth:`Exchange.sleep`).
        self.stopping = threading.Event()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    # ---------------------------------------------------------------- for doubles

    def record(self, request: Request) -> RecordT:
        raise NotImplementedError

    def handle(self, exchange: Exchange, record: RecordT) -> None:
        raise NotImplementedError

    def now(self) -> float:
        """The server's clock (the ``Date`` header)."""
        return time.time()

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, shut the open connections and wait for their threads."""
        self.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        with self.lock:
            connections = list(self._connections.items())
        for connection, _ in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(timeout)
        self._httpd.server_close()

    def __enter__(self: _Self) -> _Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- plumbing

    def _opened(self, connection: socket.socket) -> None:
        with self.lock:
            self._connections[connection] = threading.current_thread()

    def _closed(self, connection: socket.socket) -> None:
        with self.lock:
            self._connections.pop(connection, None)

    def _serve(self, exchange: Exchange) -> None:
        with self.lock:
            record = self.record(exchange.request)
            self.requests.append(record)
        try:
            self.handle(exchange, record)
        except OSError:  # the peer went away meanwhile
            exchange.handler.close_connection = True


_Self = TypeVar("_Self", bound=LoopbackServer[Any])


# --- credential endpoints: a handler function ----------------------------------------

Handler = Callable[[Request], Union[Reply, Trickle]]


class Loopback(LoopbackServer[Request]):
    """``server.handler = fn(request) -> Reply``; ``server.seen`` lists the requests."""

    def __init__(self, handler: Optional[Handler] = None) -> None:
        super().__init__()
        self.handler: Handler = handler or (lambda request: Reply(404))

    @property
    def seen(self) -> list[Request]:
        return self.requests

    def record(self, request: Request) -> Request:
        return request

    def handle(self, exchange: Exchange, record: Request) -> None:
        exchange.send(self.handler(record))


def routes(table: dict[tuple[str, str], Reply]) -> Handler:
    """A handler answering ``(method, path)`` from ``table``, anything else 404."""

    def handler(request: Request) -> Reply:
        return table.get((request.method, request.path), Reply(404, b"nope"))

    return handler


def redirect_to(location: str, status: int = 307) -> Handler:
    """A handler redirecting every request to ``location`` (a host that moved)."""
    return lambda request: Reply(status, b"", {"Location": location})


def instance_metadata(credentials: dict[str, Any], role: str = "my-role") -> Handler:
    """An IMDSv2 endpoint: ``PUT /latest/api/token`` (with the TTL header) gives a token,
    which the role listing and the role's ``credentials`` (a JSON object) require."""
    base = "/latest/meta-data/iam/security-credentials/"

    def handler(request: Request) -> Reply:
        if request.method == "PUT" and request.path == "/latest/api/token":
            ttl = request.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
            return Reply(200, "IMDSTOKEN") if ttl else Reply(400)
        if request.headers.get("x-aws-ec2-metadata-token") != "IMDSTOKEN":
            return Reply(401)
        if request.path == base:
            return Reply(200, role + "\n")
        if request.path == base + role:
            return Reply(200, {"Code": "Success", **credentials})
        return Reply(404)

    return handler


class RecordingProxy(Loopback):
    """A forward proxy that answers every request itself (``answer``, a StopPipelineExecution
    success by default) and records what reached it: point ``HTTP_PROXY`` at
    :attr:`url` and see what a client sent through it."""

    def __init__(self, answer: Optional[Handler] = None) -> None:
        super().__init__(answer or self._stopped)

    @staticmethod
    def _stopped(seen: Request) -> Reply:
        try:
            arn = seen.json.get("PipelineExecutionArn")
        except ValueError:
            arn = None
        return Reply(200, {"PipelineExecutionArn": arn}, {"x-amzn-RequestId": "via-proxy"})

    @property
    def lines(self) -> list[str]:
        """The request lines, as ``METHOD target HTTP/1.1`` (a proxied target is a full URL)."""
        return [f"{seen.method} {seen.target} {seen.version}" for seen in self.seen]

    @property
    def hosts(self) -> list[str]:
        return [seen.headers.get("host", "") for seen in self.seen]


# --- the AWS JSON wire double --------------------------------------------------------

ACCESS_KEY = "AKIDWIRETEST00000001"
SECRET_KEY = "wire-test-secret-key"


@attrs.frozen
class Reset:
    """Close the connection: before any answer, or after the headers (mid_body)."""

    mid_body: bool = False


@attrs.frozen
class Recorded(Request):
    """A request and what the SigV4 verifier made of it."""

    auth: AuthResult = attrs.field(kw_only=True)


class WireServer(LoopbackServer[Recorded]):
    def __init__(
        self,
        credentials: tuple[Credentials, ...] = (Credentials(ACCESS_KEY, SECRET_KEY),),
        region: str = "us-east-1",
        clock_skew: float = 0.0,
        service: str = "sagemaker",
    ) -> None:
        super().__init__()
        self.credentials = {c.access_key_id: c for c in credentials}
        self.region = region
        self.service = service
        self.clock_skew = clock_skew
        self.script: deque[Union[Reply, Reset, Trickle]] = deque()

    def now(self) -> float:
        return time.time() + self.clock_skew

    def push(self, *actions: Union[Reply, Reset, Trickle]) -> None:
        self.script.extend(actions)

    def record(self, request: Request) -> Recorded:
        auth = verify(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=list(request.header_list),
            body=request.body,
            credentials=self.credentials,
            region=self.region,
            service=self.service,
            now=self.now(),
        )
        return Recorded(**attrs.asdict(request, recurse=False), auth=auth)

    def handle(self, exchange: Exchange, record: Recorded) -> None:
        with self.lock:
            action = self.script.popleft() if self.script else None
        auth = record.auth
        if not auth.ok:
            self.reply(exchange, Reply(auth.status, {"__type": auth.code, "message": auth.message}))
            return
        if isinstance(action, Reset):
            if action.mid_body:
                exchange.send_head(200, [("Content-Length", "1000")])
                exchange.write(b'{"PipelineExecutionArn": "arn')
            exchange.hang_up()
            return
        if action is None:
            action = Reply(200, {"PipelineExecutionArn": record.json.get("PipelineExecutionArn")})
        self.reply(exchange, action)

    def reply(self, exchange: Exchange, reply: Union[Reply, Trickle]) -> None:
        inner = reply.reply if isinstance(reply, Trickle) else reply
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-RequestId": f"req-{len(self.requests)}",
        }
        headers.update(inner.headers)
        inner = attrs.evolve(inner, headers=headers)
        exchange.send(attrs.evolve(reply, reply=inner) if isinstance(reply, Trickle) else inner)

    def auth_failures(self) -> list[Optional[str]]:
        return [r.auth.code for r in self.requests if not r.auth.ok]
