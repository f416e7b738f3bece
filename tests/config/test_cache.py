from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from typing import Any, Optional

import pytest

from sagemaker_stop._credentials import Credentials, CredentialSource
from sagemaker_stop._credentials._cache import (
    EXPIRY_MARGIN,
    JITTER,
    MIN_REFRESH_INTERVAL,
    REFRESH_WINDOW,
    RETRY_PAUSE,
    Need,
    need,
)
from sagemaker_stop._credentials._miss import Found, Miss
from sagemaker_stop._effects import Flow, Sleep
from sagemaker_stop.errors import CredentialsError

from .conftest import Drivers

T0 = 1_800_000_000.0
LIFETIME = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FakeProvider:
    """Issues numbered credentials valid for ``lifetime`` from the clock's now."""

    name = "fake"

    def __init__(
        self, clock: Clock, lifetime: Optional[float] = LIFETIME, pause: float = 0.0
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.pause = pause
        self.loads = 0
        self.fail: Optional[Exception] = None
        self.miss = False

    def describe(self) -> str:
        return "fake"

    def load(self) -> Flow[Found]:
        self.loads += 1
        number = self.loads
        if self.pause:
            yield Sleep(self.pause)
        if self.fail is not None:
            raise self.fail
        if self.miss:
            return Miss("went away")
        expiration = None
        if self.lifetime is not None:
            expiration = dt.datetime.fromtimestamp(self.clock() + self.lifetime, tz=dt.timezone.utc)
        return Credentials(f"KEY{number}", "secret", "tok", expiration, source="fake")


def run(flow: Flow[Any]) -> Any:
    """A minimal synchronous driver: sleeps for real, nothing else."""
    value = None
    while True:
        try:
            effect = flow.send(value)
        except StopIteration as stop:
            return stop.value
        assert isinstance(effect, Sleep)
        time.sleep(effect.seconds)
        value = None


async def run_async(flow: Flow[Any]) -> Any:
    value = None
    while True:
        try:
            effect = flow.send(value)
        except StopIteration as stop:
            return stop.value
        assert isinstance(effect, Sleep)
        await asyncio.sleep(effect.seconds)
        value = None


def make(provider: FakeProvider, clock: Clock, jitter: float = 0.0) -> CredentialSource:
    return CredentialSource.from_providers([provider], clock=clock, jitter=lambda: jitter)


def test_cached_until_refresh_window() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    assert source.get_sync(run).access_key_id == "KEY1"
    clock.now = T0 + LIFETIME - REFRESH_WINDOW - 1
    assert source.get_sync(run).access_key_id == "KEY1"
    assert provider.loads == 1
    clock.now = T0 + LIFETIME - REFRESH_WINDOW
    assert source.get_sync(run).access_key_id == "KEY2"
    assert provider.loads == 2


def test_jitter_moves_the_refresh_earlier() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock, jitter=0.5)
    source.get_sync(run)
    clock.now = T0 + LIFETIME - REFRESH_WINDOW - JITTER * 0.5 - 1
    assert source.get_sync(run).access_key_id == "KEY1"
    clock.now += 1
    assert source.get_sync(run).access_key_id == "KEY2"


def test_failed_optional_refresh_keeps_valid_credentials() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    source.get_sync(run)
    provider.fail = CredentialsError("sts down")
    clock.now = T0 + LIFETIME - 200
    assert source.get_sync(run).access_key_id == "KEY1"
    assert provider.loads == 2
    # No hammering: the next attempt waits RETRY_PAUSE.
    clock.now += RETRY_PAUSE - 1
    assert source.get_sync(run).access_key_id == "KEY1"
    assert provider.loads == 2
    clock.now += 1
    source.get_sync(run)
    assert provider.loads == 3
    # Within the expiry margin the refresh is required: the failure is raised.
    clock.now = T0 + LIFETIME - EXPIRY_MARGIN
    with pytest.raises(CredentialsError, match="sts down"):
        source.get_sync(run)
    provider.fail = None
    assert source.get_sync(run).access_key_id == "KEY5"


def test_force_refresh_and_its_failure() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    source.get_sync(run)
    assert source.get_sync(run, force_refresh=True).access_key_id == "KEY2"
    provider.fail = CredentialsError("nope")
    with pytest.raises(CredentialsError):
        source.get_sync(run, force_refresh=True)
    # The old (still valid) credentials remain cached.
    assert source.get_sync(run).access_key_id == "KEY2"


def test_static_credentials_are_never_refreshed() -> None:
    clock = Clock()
    provider = FakeProvider(clock, lifetime=None)
    source = make(provider, clock)
    source.get_sync(run)
    clock.now += 10 * 365 * 86400
    assert source.get_sync(run).access_key_id == "KEY1"
    assert provider.loads == 1


def test_short_lived_credentials_are_not_refreshed_in_a_loop() -> None:
    clock = Clock()
    provider = FakeProvider(clock, lifetime=120.0)
    source = make(provider, clock)
    source.get_sync(run)
    clock.now += MIN_REFRESH_INTERVAL - 1
    source.get_sync(run)
    assert provider.loads == 1
    clock.now += 1
    assert source.get_sync(run).access_key_id == "KEY2"


def test_provider_gone_on_refresh() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    source.get_sync(run)
    provider.miss = True
    with pytest.raises(CredentialsError, match="fake credentials are gone: went away"):
        source.get_sync(run, force_refresh=True)


def test_need() -> None:
    assert need(None, T0) is Need.REQUIRED


def test_one_refresher_with_threads() -> None:
    clock = Clock()
    provider = FakeProvider(clock, pause=0.2)
    source = make(provider, clock)
    results: list[str] = []
    barrier = threading.Barrier(16)

    def call() -> None:
        barrier.wait()
        results.append(source.get_sync(run).access_key_id)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["KEY1"] * 16
    assert provider.loads == 1

    # Optional refresh: one thread refreshes, the others keep the current ones.
    clock.now = T0 + LIFETIME - 100
    results.clear()
    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert provider.loads == 2
    assert set(results) <= {"KEY1", "KEY2"} and "KEY2" in results
    assert source.get_sync(run).access_key_id == "KEY2"


def test_required_refresh_waits_for_the_refresher_with_threads() -> None:
    clock = Clock()
    provider = FakeProvider(clock, pause=0.2)
    source = make(provider, clock)
    source.get_sync(run)
    clock.now = T0 + LIFETIME  # expired: everyone must wait
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(source.get_sync(run).access_key_id))
        for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["KEY2"] * 12
    assert provider.loads == 2


async def test_one_refresher_with_gather() -> None:
    clock = Clock()
    provider = FakeProvider(clock, pause=0.05)
    source = make(provider, clock)
    got = await asyncio.gather(*(source.get_async(run_async) for _ in range(50)))
    assert {c.access_key_id for c in got} == {"KEY1"}
    assert provider.loads == 1

    clock.now = T0 + LIFETIME - 100  # optional: others don't wait
    got = await asyncio.gather(*(source.get_async(run_async) for _ in range(50)))
    assert provider.loads == 2
    assert got[0].access_key_id == "KEY2"
    assert {c.access_key_id for c in got[1:]} == {"KEY1"}

    clock.now = T0 + 2 * LIFETIME  # required: all wait for the one refresh
    got = await asyncio.gather(*(source.get_async(run_async) for _ in range(50)))
    assert {c.access_key_id for c in got} == {"KEY3"}
    assert provider.loads == 3

    got = await asyncio.gather(*(source.get_async(run_async, force_refresh=True) for _ in range(5)))
    assert provider.loads == 4  # the waiters saw the fresh result
    assert {c.access_key_id for c in got} == {"KEY4"}


async def test_async_failures() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    provider.fail = CredentialsError("first fetch fails")
    with pytest.raises(CredentialsError):
        await source.get_async(run_async)
    provider.fail = None
    await source.get_async(run_async)
    assert (await source.get_async(run_async)).access_key_id == "KEY2"  # cached
    assert provider.loads == 2
    provider.fail = CredentialsError("later")
    clock.now = T0 + LIFETIME - 100
    assert (await source.get_async(run_async)).access_key_id == "KEY2"


def test_async_lock_follows_the_event_loop() -> None:
    clock = Clock()
    provider = FakeProvider(clock)
    source = make(provider, clock)
    for _ in range(2):
        assert asyncio.run(source.get_async(run_async, force_refresh=True))
    assert provider.loads == 2


def test_reprs_hide_secrets() -> None:
    clock = Clock()
    source = make(FakeProvider(clock), clock)
    assert "None" in repr(source)
    source.get_sync(run)
    text = repr(source)
    assert "secret" not in text and "KEY1" not in text and "tok" not in text
    assert "fake" in text


def test_credentials_validation() -> None:
    with pytest.raises(ValueError, match="access_key_id"):
        Credentials("", "s")
    naive = Credentials("a", "s", expiration=dt.datetime(2030, 1, 1))
    assert naive.expiration is not None and naive.expiration.tzinfo is dt.timezone.utc
    assert Credentials("a", "s").expiry_timestamp() is None


@pytest.mark.parametrize(
    ("second_run", "why"),
    [
        (
            "print('SECRETSTDOUT-not-json')",
            "CredentialsError: credential_process of profile 'p' (",
        ),
        (
            "import sys; sys.stderr.write('token service down'); sys.exit(3)",
            "failed with exit status 3: token service down",
        ),
    ],
)
def test_kept_credentials_warning_says_why(
    second_run: str, why: str, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from .conftest import Home, python_argv

    home = Home(tmp_path)
    clock = Clock()
    expires = dt.datetime.fromtimestamp(T0 + LIFETIME, tz=dt.timezone.utc).isoformat()
    first = (
        "import json; print(json.dumps({'Version': 1, 'AccessKeyId': 'PKEY', "
        f"'SecretAccessKey': 'PROCSECRET', 'Expiration': '{expires}'}}))"
    )
    marker = tmp_path / "ran"
    code = (
        f"import os\nif not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close()\n    exec({first!r})\n"
        f"else:\n    exec({second_run!r})\n"
    )
    script = home.file("proc.py", code)
    home.config(
        f"[profile p]\ncredential_process = {python_argv(f'exec(open({str(script)!r}).read())')}\n"
    )
    source = home.source({}, profile="p", clock=clock, jitter=lambda: 0.0)
    drivers = Drivers()
    try:
        assert source.get_sync(drivers.run).access_key_id == "PKEY"
        clock.now = T0 + LIFETIME - 200  # optional refresh: it fails, PKEY is kept
        caplog.set_level(logging.WARNING, logger="sagemaker_stop.credentials")
        assert source.get_sync(drivers.run).access_key_id == "PKEY"
    finally:
        drivers.close()
    assert why in caplog.text
    assert "using the current ones" in caplog.text
    assert "SECRETSTDOUT" not in caplog.text and "PROCSECRET" not in caplog.text


def test_describe_failure_hides_foreign_messages() -> None:
    from sagemaker_stop._credentials._cache import describe_failure

    assert describe_failure(KeyError("AKIDSECRET")) == "KeyError"
    assert describe_failure(CredentialsError("sts down")).endswith("sts down")
    assert describe_failure(None) == "unknown error"
