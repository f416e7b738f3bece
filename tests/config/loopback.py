"""A real HTTP server on 127.0.0.1 (port 0) in a thread, answering from a script."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable, Optional, Union

import attrs

from sagemaker_stop._drive import AsyncIO, SyncIO
from sagemaker_stop._effects import Flow
from sagemaker_stop._transport import AsyncSender, SyncSender


@attrs.frozen
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.frozen
class Reply:
    status: int = 200
    body: Union[bytes, str] = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


Handler = Callable[[Seen], Reply]


class Loopback:
    """``server.handler = fn(seen) -> Reply``; ``server.seen`` lists the requests."""

    def __init__(self, handler: Optional[Handler] = None) -> None:
        self.handler: Handler = handler or (lambda seen: Reply(404))
        self.seen: list[Seen] = []
        owner = self

        class _H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                owner.seen.append(seen)
                reply = owner.handler(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers:
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            do_GET = do_PUT = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def routes(table: dict[tuple[str, str], Reply]) -> Handler:
    def handler(seen: Seen) -> Reply:
        return table.get((seen.method, seen.path.split("?")[0]), Reply(404, b"nope"))

    return handler


class Drivers:
    """The lead's real shells, with sleeps recorded instead of slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.sender = SyncSender()
        self.sync = SyncIO(self.sender, None, sleep=self.sleeps.append)

    def run(self, flow: Flow[Any]) -> Any:
        return self.sync.run(flow)

    async def run_async(self, flow: Flow[Any]) -> Any:
        async def no_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        sender = AsyncSender()
        try:
            return await AsyncIO(sender, None, sleep=no_sleep).run(flow)
        finally:
            await sender.aclose()

    def close(self) -> None:
        self.sender.close()


def closing(drivers: Drivers) -> Iterator[Drivers]:
    try:
        yield drivers
    finally:
        drivers.close()
