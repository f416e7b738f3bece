"""Assume-role profiles with ``mfa_serial``: the client's ``mfa_token_provider`` gives
the code, sent as ``SerialNumber`` / ``TokenCode`` (botocore's AssumeRoleProvider)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from sagemaker_stop import SageMakerClient
from sagemaker_stop._credentials import Credentials
from sagemaker_stop.errors import CredentialsError

from ..loopback import Loopback, Request
from .conftest import Drivers, Home
from .test_providers import SECRET, form, sts_ok

SERIAL = "arn:aws:iam::111122223333:mfa/me"
CODE = "492817"
CONFIG = f"""[profile mfa]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = base
mfa_serial = {SERIAL}
[profile base]
aws_access_key_id = BASEKEY
aws_secret_access_key = {SECRET}
"""


@pytest.fixture
def sts(server: Loopback) -> Loopback:
    server.handler = lambda seen: sts_ok("AssumeRole", key="ROLEKEY")
    return server


def env(server: Loopback) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_STS": server.url}


def get(source: Any, drivers: Drivers) -> Credentials:
    creds: Credentials = source.get_sync(drivers.run)
    return creds


def test_code_from_the_provider_is_sent_with_the_serial(
    home: Home, drivers: Drivers, sts: Loopback, caplog: pytest.LogCaptureFixture
) -> None:
    home.config(CONFIG)
    asked: list[str] = []

    def provider(serial: str) -> str:
        asked.append(serial)
        return f" {CODE}\n"

    with caplog.at_level(logging.DEBUG, logger="sagemaker_stop"):
        source = home.source(env(sts), profile="mfa", mfa_token_provider=provider)
        creds = get(source, drivers)
    assert creds.access_key_id == "ROLEKEY" and asked == [SERIAL]
    sent = form(sts.seen[0])
    assert (sent["SerialNumber"], sent["TokenCode"]) == (SERIAL, CODE)
    assert sts.seen[0].headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=BASEKEY/")
    assert CODE not in caplog.text + repr(source) + repr(creds)


def test_each_refresh_asks_again(home: Home, drivers: Drivers, sts: Loopback) -> None:
    home.config(CONFIG)
    codes = iter(["111111", "222222"])
    source = home.source(env(sts), profile="mfa", mfa_token_provider=lambda serial: next(codes))
    get(source, drivers)
    source.get_sync(drivers.run, force_refresh=True)
    assert [form(seen)["TokenCode"] for seen in sts.seen] == ["111111", "222222"]


async def test_async_client_awaits_a_coroutine_function(
    home: Home, drivers: Drivers, sts: Loopback
) -> None:
    home.config(CONFIG)

    async def provider(serial: str) -> str:
        await asyncio.sleep(0)
        return CODE

    source = home.source(env(sts), profile="mfa", mfa_token_provider=provider)
    creds = await source.get_async(drivers.run_async)
    assert creds.access_key_id == "ROLEKEY" and form(sts.seen[0])["TokenCode"] == CODE


async def test_async_client_runs_a_plain_provider_off_the_event_loop(
    home: Home, drivers: Drivers, sts: Loopback
) -> None:
    """A prompting (blocking) provider must not stall the loop: it runs in a worker
    thread, and the loop keeps serving other tasks meanwhile."""
    home.config(CONFIG)
    loop_thread = threading.current_thread()
    entered, release = threading.Event(), threading.Event()
    ran_in: list[threading.Thread] = []

    def provider(serial: str) -> str:
        ran_in.append(threading.current_thread())
        entered.set()
        release.wait(10)
        return CODE

    source = home.source(env(sts), profile="mfa", mfa_token_provider=provider)
    pending = asyncio.ensure_future(source.get_async(drivers.run_async))
    while not entered.is_set():
        await asyncio.sleep(0.001)
    release.set()
    assert (await asyncio.wait_for(pending, 10)).access_key_id == "ROLEKEY"
    assert ran_in and ran_in[0] is not loop_thread


def test_sync_client_refuses_a_coroutine_function(
    home: Home, drivers: Drivers, sts: Loopback
) -> None:
    home.config(CONFIG)

    async def provider(serial: str) -> str:
        return CODE

    source = home.source(env(sts), profile="mfa", mfa_token_provider=provider)
    with pytest.raises(TypeError, match="use the async client"):
        get(source, drivers)
    assert sts.seen == []


@pytest.mark.parametrize(
    ("provider", "match"),
    [
        (None, f"profile 'mfa' needs an MFA code for {SERIAL} .*pass mfa_token_provider="),
        (lambda serial: "", "gave no MFA code"),
        (lambda serial: None, "gave no MFA code"),
    ],
)
def test_no_code_is_a_clear_error(
    home: Home, drivers: Drivers, sts: Loopback, provider: Any, match: str
) -> None:
    home.config(CONFIG)
    with pytest.raises(CredentialsError, match=match):
        get(home.source(env(sts), profile="mfa", mfa_token_provider=provider), drivers)
    assert sts.seen == []


def test_the_client_takes_mfa_token_provider(home: Home, sts: Loopback) -> None:
    home.config(CONFIG)
    seen: list[Request] = []
    client = SageMakerClient(
        region="us-east-1",
        profile="mfa",
        environ={**env(sts), "HOME": str(home.path)},
        mfa_token_provider=lambda serial: CODE,
    )
    with client:
        assert client.config.credential_source is not None
        creds = client.config.credential_source.get_sync(client._io.run)
    seen.extend(sts.seen)
    assert creds.access_key_id == "ROLEKEY" and form(seen[0])["TokenCode"] == CODE
    with pytest.raises(TypeError, match="mfa_token_provider must be callable"):
        SageMakerClient(region="us-east-1", mfa_token_provider="123456")  # type: ignore[arg-type]
