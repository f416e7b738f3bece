from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import Credentials

from .loopback import ACCESS_KEY, SECRET_KEY, WireServer

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipeline/execution/abcdef123456"


@pytest.fixture
def creds() -> Credentials:
    return Credentials(ACCESS_KEY, SECRET_KEY)


@pytest.fixture
def wire() -> Iterator[WireServer]:
    with WireServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never see the developer's AWS setup: no env credentials, no ~/.aws."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_client(client_kind: str, creds: Credentials) -> Iterator[object]:
    """A factory for a sync or async client (both runs of each test), closed after."""
    from .clients import Both

    made: list[Both] = []

    def factory(**kwargs: object) -> Both:
        kwargs.setdefault("credentials", creds)
        kwargs.setdefault("region", "us-east-1")
        client = Both(client_kind, **kwargs)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to servers on this machine only: a connection to any other address
    (say the real instance-metadata endpoint) fails at once instead of leaving the box."""
    import ipaddress
    import socket

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: object) -> None:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            try:
                loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise ConnectionRefusedError(f"tests may not connect to {host}")

    def connect(self: socket.socket, address: object) -> None:
        check(address)
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        check(address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name != "localhost":
            check((name, 0))  # no DNS query for a name that is not this machine
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
