"""The async path never blocks the event loop: HTTP and processes are awaited."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable

from sagemaker_stop._credentials import Credentials

from ..loopback import Loopback, Reply
from .conftest import ISO_FUTURE, Drivers, Home, python_argv


async def ticks_during(work: Awaitable[Credentials]) -> tuple[Credentials, int]:
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    try:
        result = await work
    finally:
        stop = True
        await task
    return result, ticks


async def test_slow_container_endpoint_does_not_block(
    home: Home, drivers: Drivers, server: Loopback
) -> None:
    body = json.dumps(
        {"AccessKeyId": "K", "SecretAccessKey": "S", "Token": "T", "Expiration": ISO_FUTURE}
    )
    server.handler = lambda seen: Reply(200, body, delay=0.3)
    source = home.source({"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/c"})
    creds, ticks = await ticks_during(source.get_async(drivers.run_async))
    assert creds.access_key_id == "K"
    assert ticks >= 10


async def test_slow_credential_process_does_not_block(home: Home, drivers: Drivers) -> None:
    out = json.dumps({"Version": 1, "AccessKeyId": "P", "SecretAccessKey": "S"})
    code = f"import time; time.sleep(0.3); print({json.dumps(out)})"
    home.config(f"[default]\ncredential_process = {python_argv(code)}\n")
    creds, ticks = await ticks_during(home.source({}).get_async(drivers.run_async))
    assert creds.access_key_id == "P" and creds.expiration is None
    assert ticks >= 10
