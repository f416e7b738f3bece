"""The shared test-server core (tests/loopback.py) does what its doubles rely on."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pytest

from .loopback import Exchange, Loopback, LoopbackServer, Reply, Request, routes


class Scripted(LoopbackServer[Request]):
    """A double whose answer is a function of the exchange."""

    def __init__(self, answer: Callable[[Exchange], None]) -> None:
        super().__init__()
        self.answer = answer

    def record(self, request: Request) -> Request:
        return request

    def handle(self, exchange: Exchange, record: Request) -> None:
        self.answer(exchange)


def connect(server: LoopbackServer[Request]) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)


def test_the_whole_request_is_seen_and_recorded() -> None:
    with Loopback(routes({("PUT", "/a/b"): Reply(201, "made", {"X-One": "1"})})) as server:
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        conn = connect(server)
        conn.request("PUT", "/a/b?x=1&y=2", body=b"payload",
                     headers={"X-Token": "t", "Content-Type": "text/plain"})
        resp = conn.getresponse()
        assert (resp.status, resp.read(), resp.getheader("X-One")) == (201, b"made", "1")
        assert resp.getheader("Date") and resp.getheader("Content-Length") == "4"
        conn.close()
    [seen] = server.seen
    assert (seen.method, seen.target, seen.path, seen.query, seen.version) == (
        "PUT", "/a/b?x=1&y=2", "/a/b", "x=1&y=2", "HTTP/1.1")
    assert seen.body == b"payload"
    assert seen.headers["x-token"] == "t" and ("X-Token", "t") in seen.header_list


def test_json_bodies_both_ways() -> None:
    with Loopback(lambda request: Reply(200, {"echo": request.json})) as server:
        conn = connect(server)
        conn.request("POST", "/", body=b'{"a": 1}')
        assert conn.getresponse().read() == b'{"echo": {"a": 1}}'
        conn.close()


def test_concurrent_requests_are_all_recorded() -> None:
    with Loopback(lambda request: Reply(200, request.path)) as server:

        def get(n: int) -> bytes:
            conn = connect(server)
            try:
                conn.request("GET", f"/{n}")
                return conn.getresponse().read()
            finally:
                conn.close()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(get, range(40)))
    assert answers == [f"/{n}".encode() for n in range(40)]
    assert sorted(seen.path for seen in server.seen) == sorted(f"/{n}" for n in range(40))


def test_a_handler_can_trickle_its_body() -> None:
    go_on = threading.Event()

    def trickle(exchange: Exchange) -> None:
        exchange.send_head(200, {"Content-Length": "3"})
        exchange.write(b"a")
        go_on.wait(5)
        exchange.write(b"bc")

    with Scripted(trickle) as server:
        conn = connect(server)
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.read(1) == b"a"  # sent before the rest exists
        go_on.set()
        assert resp.read() == b"bc"
        conn.close()


@pytest.mark.parametrize("how", ["hang_up", "reset"])
def test_a_handler_can_drop_the_connection(how: str) -> None:
    with Scripted(lambda exchange: getattr(exchange, how)()) as server:
        conn = connect(server)
        conn.request("GET", "/")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        conn.close()
    assert len(server.requests) == 1


def test_stop_closes_idle_connections_and_cuts_delays_short() -> None:
    before = threading.active_count()
    server = Loopback(lambda request: Reply(200, "late", delay=30))
    server.start()
    idle = socket.create_connection(("127.0.0.1", server.port))  # keep-alive, says nothing
    waiting = connect(server)
    waiting.request("GET", "/slow")
    deadline = time.monotonic() + 5
    while not server.seen and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert threading.active_count() <= before
    assert idle.recv(1) == b""  # the server closed its side
    idle.close()
    waiting.close()


def test_stop_before_start_and_twice() -> None:
    server = Loopback()
    server.stop()
    server.stop()
