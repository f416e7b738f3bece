"""A loopback SageMaker double with a server-side rate limit (standard library only).

It holds one pipeline, ``bench``, with ``executions`` executions, all Executing, and
answers ``ListPipelineExecutions`` (pages of up to ``MaxResults``, newest first, with
``NextToken``) and ``StopPipelineExecution`` (the execution becomes Stopping).  Every
request first takes a token from a bucket that holds ``burst`` tokens and refills at
``rate`` per second; a request that finds it empty is answered as SageMaker answers an
account over its API rate: HTTP 400 ``ThrottlingException`` "Rate exceeded", and does
nothing.  ``GET /stats`` returns the counters as JSON.  Signatures are not checked.

Used by ``make bench`` (in its own process: ``python -m bench.ratelimited PORT_FILE
--rate 15 --executions 90``) and by the test suite (in-process, on the test's virtual
clock: ``RateLimitedDouble(clock=...)``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

PIPELINE = "bench"
ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"
THROTTLED = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()


def execution_arn(index: int) -> str:
    return f"{ACCOUNT_ARN}:pipeline/{PIPELINE}/execution/exec{index:06d}"


class ServerRateLimit:
    """The service's side: ``burst`` tokens, ``rate`` more per second."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.last = clock()

    def admit(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = max(self.last, now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateLimitedDouble:
    """The server; ``with RateLimitedDouble(...) as double:`` serves at ``double.url``."""

    def __init__(
        self,
        rate: float = 15.0,
        burst: Optional[float] = None,
        executions: int = 90,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = ServerRateLimit(rate, rate if burst is None else burst, clock)
        self.status = {execution_arn(i): "Executing" for i in range(executions)}
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "throttled": 0, "stops": 0, "lists": 0}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.httpd.double = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stats(self) -> dict[str, int]:
        with self.lock:
            stopped = sum(1 for s in self.status.values() if s == "Stopping")
            return {**self.counts, "stopped": stopped, "executions": len(self.status)}

    def answer(self, target: str, body: dict[str, Any]) -> tuple[int, bytes]:
        """(status, JSON body) for one request."""
        with self.lock:
            self.counts["requests"] += 1
            if not self.limit.admit():
                self.counts["throttled"] += 1
                return 400, THROTTLED
            operation = target.rpartition(".")[2]
            if operation == "StopPipelineExecution":
                arn = body.get("PipelineExecutionArn", "")
                if arn not in self.status:
                    return 400, _error("ResourceNotFound", "Pipeline execution not found")
                self.counts["stops"] += 1
                self.status[arn] = "Stopping"
                return 200, json.dumps({"PipelineExecutionArn": arn}).encode()
            if operation == "ListPipelineExecutions":
                self.counts["lists"] += 1
                return 200, self._page(body)
        return 400, _error("UnknownOperationException", f"not in this double: {target}")

    def _page(self, body: dict[str, Any]) -> bytes:
        arns = sorted(self.status, reverse=True)  # newest first
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or 50)
        page: dict[str, Any] = {
            "PipelineExecutionSummaries": [
                {"PipelineExecutionArn": arn, "PipelineExecutionStatus": self.status[arn],
                 "StartTime": 1.8e9}
                for arn in arns[start : start + size]
            ]
        }
        if start + size < len(arns):
            page["NextToken"] = str(start + size)
        return json.dumps(page).encode()

    def __enter__(self) -> RateLimitedDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self._thread.join()
        self.httpd.server_close()


def _error(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body are two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a request on Linux loopback).
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        double: RateLimitedDouble = self.server.double  # type: ignore[attr-defined]
        status, data = double.answer(self.headers.get("X-Amz-Target", ""), body)
        self._send(status, data, "application/x-amz-json-1.1")

    def do_GET(self) -> None:
        double: RateLimitedDouble = self.server.double  # type: ignore[attr-defined]
        self._send(200, json.dumps(double.stats()).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ratelimited")
    parser.add_argument("port_file")
    parser.add_argument("--rate", type=float, default=15.0)
    parser.add_argument("--burst", type=float, default=None)
    parser.add_argument("--executions", type=int, default=90)
    args = parser.parse_args()
    double = RateLimitedDouble(args.rate, args.burst, args.executions)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with double:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(str(double.httpd.server_address[1]))
        os.replace(tmp, args.port_file)
        stop.wait()


if __name__ == "__main__":
    main()
