from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_stop import Credentials

from .wire_server import ACCESS_KEY, SECRET_KEY, WireServer

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
