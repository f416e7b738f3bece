from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from sagemaker_stop._credentials import default_credential_source
from sagemaker_stop._drive import AsyncIO, SyncIO
from sagemaker_stop._effects import Flow
from sagemaker_stop._settings import SharedConfig
from sagemaker_stop._transport import AsyncSender, SyncSender

from ..loopback import Loopback

ISO_FUTURE = "2099-01-01T00:00:00Z"


class Drivers:
    """The lead's real shells, with sleeps recorded instead of slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.sender = SyncSender()
        self.sync = SyncIO(self.sender, None, sleep=self.sleeps.append)

    def run(self, flow: Flow[Any]) -> Any:
        return self.sync.run(flow)

    async def run_async(self, flow: Flow[Any]) -> Any:
        async def no_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        sender = AsyncSender()
        try:
            return await AsyncIO(sender, None, sleep=no_sleep).run(flow)
        finally:
            await sender.aclose()

    def close(self) -> None:
        self.sender.close()


@pytest.fixture
def drivers() -> Iterator[Drivers]:
    made = Drivers()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as srv:
        yield srv


class Home:
    """A temporary home with ~/.aws/config and ~/.aws/credentials."""

    def __init__(self, path: Path) -> None:
        self.path = path
        (path / ".aws").mkdir()

    def config(self, text: str) -> Path:
        target = self.path / ".aws" / "config"
        target.write_text(text)
        return target

    def credentials(self, text: str) -> Path:
        target = self.path / ".aws" / "credentials"
        target.write_text(text)
        return target

    def file(self, name: str, text: str) -> Path:
        target = self.path / name
        target.write_text(text)
        return target

    def source(self, environ: Optional[dict[str, str]] = None, **kwargs: Any) -> Any:
        env = {"AWS_EC2_METADATA_DISABLED": "true"} if environ is None else environ
        return default_credential_source(environ=env, home=str(self.path), **kwargs)

    def shared(self, environ: Optional[dict[str, str]] = None) -> SharedConfig:
        return SharedConfig.load(environ or {}, str(self.path))


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


def python_argv(code: str) -> str:
    """A credential_process command line running ``code`` with this interpreter."""
    import shlex

    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"
