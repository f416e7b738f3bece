"""A scripted loopback HTTP server for wire tests.

It verifies every request's SigV4 signature with the emulator's own hashlib/hmac verifier
(not botocore), records what it received, and answers from a script: a reply, a delay, or
a dropped connection.  When the script is empty it answers like StopPipelineExecution.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Union

from sagemaker_stop.emulator._sigv4 import AuthResult, Credentials, verify

ACCESS_KEY = "AKIDWIRETEST00000001"
SECRET_KEY = "wire-test-secret-key"


@dataclass
class Reply:
    status: int = 200
    body: Union[bytes, dict[str, Any], None] = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Reset:
    """Close the connection: before any answer, or after the headers (mid_body)."""

    mid_body: bool = False


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    auth: AuthResult

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WireServer:
    def __init__(
        self,
        credentials: tuple[Credentials, ...] = (Credentials(ACCESS_KEY, SECRET_KEY),),
        region: str = "us-east-1",
        clock_skew: float = 0.0,
    ) -> None:
        self.credentials = {c.access_key_id: c for c in credentials}
        self.region = region
        self.clock_skew = clock_skew
        self.script: deque[Union[Reply, Reset]] = deque()
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> WireServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def push(self, *actions: Union[Reply, Reset]) -> None:
        self.script.extend(actions)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length)
        headers = list(handler.headers.items())
        now = time.time() + self.clock_skew
        auth = verify(
            method=handler.command,
            path=handler.path,
            query="",
            headers=headers,
            body=body,
            credentials=self.credentials,
            region=self.region,
            service="sagemaker",
            now=now,
        )
        with self._lock:
            self.requests.append(
                Recorded(handler.command, handler.path, {k.lower(): v for k, v in headers},
                         body, auth)
            )
            action = self.script.popleft() if self.script else None
        if not auth.ok:
            self.reply(handler, Reply(auth.status, {"__type": auth.code, "message": auth.message}))
            return
        if isinstance(action, Reset):
            if action.mid_body:
                handler.send_response_only(200)
                handler.send_header("Content-Length", "1000")
                handler.end_headers()
                handler.wfile.write(b'{"PipelineExecutionArn": "arn')
                handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        if action is None:
            arn = json.loads(body).get("PipelineExecutionArn")
            action = Reply(200, {"PipelineExecutionArn": arn})
        self.reply(handler, action)

    def reply(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        body = body or b""
        handler.send_response_only(reply.status)
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-RequestId": f"req-{len(self.requests)}",
            "Date": time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + self.clock_skew)
            ),
        }
        headers.update(reply.headers)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def auth_failures(self) -> list[Optional[str]]:
        return [r.auth.code for r in self.requests if not r.auth.ok]
