from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture(params=["owned", "caller's client"])
def pool(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(make_client: Any, client_kind: str, pool: str) -> Iterator[Any]:
    """``client(**kwargs)``: a sync or async client on its own pool or on a caller's
    httpx client (``http_client_options`` passed to it), closed after the test."""
    given: list[Any] = []

    def factory(http_client_options: Any = None, **kwargs: Any) -> Any:
        if pool != "owned":
            options = http_client_options or {}
            http = httpx.Client(**options) if client_kind == "sync" else httpx.AsyncClient(**options)
            given.append(http)
            kwargs["http_client"] = http
        return make_client(**kwargs)

    yield factory
    for http in given:
        if isinstance(http, httpx.Client):
            http.close()
        else:
            asyncio.run(http.aclose())
