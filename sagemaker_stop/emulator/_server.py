"""The HTTP/1.1 plumbing: a threading server that tracks its connections.

The server knows nothing of SageMaker: it hands each request to a :class:`Backend`
(the emulator is one) and never imports the emulator.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import struct
import sys
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Protocol


class Backend(Protocol):
    """What the server needs from what answers its requests (the emulator)."""

    @property
    def log(self) -> bool:
        """Whether to write a line per request to stderr."""
        ...

    def wall_time(self) -> float:
        """The (possibly skewed) clock for the ``Date`` header."""
        ...

    def _serve(self, handler: Handler) -> None:
        """Read the request from ``handler`` and answer it (``handler.respond``)."""
        ...


class BadRequest(Exception):
    """A request the server refuses before reading all of it: its framing is malformed
    (400) or it is larger than the server accepts (413).

    ``code`` names the error as AWS's "Common Errors" list does (the page every AWS API
    reference carries, e.g. docs.aws.amazon.com/bedrock-agentcore-control/latest/
    APIReference/CommonErrors.html): MalformedHttpRequestException, "Problems with the
    request at the HTTP level", HTTP 400; RequestEntityTooLargeException, "The request
    entity is too large", HTTP 413.  The live service's message text for either is not
    known from any source; these are the emulator's own.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _malformed(message: str) -> BadRequest:
    return BadRequest(400, "MalformedHttpRequestException", message)


def _too_large(limit: int) -> BadRequest:
    return BadRequest(
        413, "RequestEntityTooLargeException", f"The request body is larger than {limit} bytes."
    )


_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SageMakerEmulator"

    def version_string(self) -> str:
        return self.server_version

    timeout = 120.0  # backstop for idle keep-alive connections
    # An answer is written as its headers, then its body: with Nagle's algorithm the body
    # waits for the ACK of the headers, which the client delays (~40 ms on Linux).
    disable_nagle_algorithm = True
    server: Server

    refused = False

    def setup(self) -> None:
        super().setup()
        if not self.server.register(self.connection):
            self.refused = True
            self.abort()

    def handle(self) -> None:
        if not self.refused:
            super().handle()

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the peer may have gone away
            super().finish()
        self.server.unregister(self.connection)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, socket.timeout):
            self.close_connection = True

    def _dispatch(self) -> None:
        self.server.backend._serve(self)

    do_POST = _dispatch
    do_GET = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch

    def date_time_string(self, timestamp: Optional[float] = None) -> str:
        return email.utils.formatdate(self.server.backend.wall_time(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.backend.log:
            sys.stderr.write("[sagemaker-emulator] " + (format % args) + "\n")

    # ---------------------------------------------------------------- helpers

    def read_body(self, limit: int) -> bytes:
        """The request body (``Content-Length`` or chunked), refused with
        :class:`BadRequest` when malformed or larger than ``limit`` bytes; a body too
        large is not read at all."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        length = length.strip()
        if not length.isdigit() or not length.isascii():  # no sign, no spaces, no "1_0"
            raise _malformed("Invalid Content-Length header.")
        if len(length) > 20 or int(length) > limit:  # 20 digits: no huge int is built
            raise _too_large(limit)
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            raise _malformed("The request body is shorter than its Content-Length.")
        return body

    def _read_chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1025)
            size_text = line.split(b";", 1)[0].strip()
            if not size_text or not _HEX_DIGITS.issuperset(size_text):
                raise _malformed("Invalid chunk size.")
            if len(size_text) > 16 or total + int(size_text, 16) > limit:
                raise _too_large(limit)
            size = int(size_text, 16)
            if size == 0:
                while self.rfile.readline(65537).strip():  # trailer fields: ignored
                    pass
                return b"".join(chunks)
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) != b"\r\n":
                raise _malformed("Invalid chunk.")
            chunks.append(chunk)
            total += size

    def respond(
        self,
        status: int,
        body: bytes,
        headers: Iterable[tuple[str, str]],
        *,
        partial: bool = False,
    ) -> None:
        """Send a complete answer, or (``partial``) only its first half and then reset."""
        # Exactly one Date header, from the emulator's (possibly skewed) clock.
        self.log_request(status)
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if partial:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.abort()
            return
        self.wfile.write(body)

    def abort(self) -> None:
        """Drop the connection with a TCP reset and no (further) answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:  # pragma: no cover
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog (socketserver's default is 5).  With 200 clients each opening a
    # connection per request, a backlog of 5 left 134 of ~24,000 requests in 20 s without
    # an answer and 568 waiting over a second for a SYN retransmit (382 requests/s);
    # with 1024 (the kernel caps it at net.core.somaxconn): none, 1,329 requests/s.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        self.backend = backend
        self._conn_lock = threading.Lock()
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._closing = False
        super().__init__(address, Handler)

    def register(self, conn: socket.socket) -> bool:
        with self._conn_lock:
            if self._closing:
                return False
            self._conns[conn] = threading.current_thread()
            return True

    def unregister(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._conns.pop(conn, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)  # pragma: no cover

    def close_connections(self, timeout: float = 5.0) -> None:
        """Refuse new connections, shut the open ones and wait for their threads."""
        with self._conn_lock:
            self._closing = True
            items = list(self._conns.items())
        for conn, _ in items:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for _, thread in items:
            if thread is not threading.current_thread():
                thread.join(timeout)
