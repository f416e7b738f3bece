"""A loopback SageMaker stub that is never the bottleneck.

One asyncio ``Protocol`` (uvloop when installed) speaking just enough HTTP/1.1 with
keep-alive: it reads a request head, skips ``Content-Length`` bytes of body and writes
one fixed ``StopPipelineExecution`` answer.  Pipelined requests are answered in order.
Run it in its own process: ``python -m bench.stub PORT_FILE`` writes the port it bound;
``python -m bench.stub PORT_FILE --tls CERT KEY`` serves https with that certificate
(``bench/tls.py`` makes one at run time).
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import sys
from typing import Optional

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/bench/execution/0123456789ab"
BODY = b'{"PipelineExecutionArn": "' + ARN.encode() + b'"}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/x-amz-json-1.1\r\n"
    b"x-amzn-RequestId: 6f1d7c1e-0000-4000-8000-000000000000\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
    b"\r\n" + BODY
)
_CL = b"\r\ncontent-length:"


class StubProtocol(asyncio.Protocol):
    __slots__ = ("buffer", "transport")

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        answers = 0
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end].lower()
            at = head.find(_CL)
            length = 0
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + len(_CL) : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(buffer) < total:
                break
            buffer = buffer[total:]
            answers += 1
        self.buffer = buffer
        if answers and self.transport is not None:
            self.transport.write(RESPONSE * answers)


async def serve(port_file: str, tls: Optional[ssl.SSLContext] = None) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(StubProtocol, "127.0.0.1", 0, backlog=1024, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    tmp = port_file + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(str(port))
    os.replace(tmp, port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    tls = None
    if sys.argv[2:3] == ["--tls"]:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(sys.argv[3], sys.argv[4])
    runner(serve(sys.argv[1], tls))


if __name__ == "__main__":
    main()
