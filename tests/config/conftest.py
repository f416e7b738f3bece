from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from sagemaker_stop._credentials import default_credential_source
from sagemaker_stop._settings import SharedConfig

from .loopback import Drivers, Loopback, closing

ISO_FUTURE = "2099-01-01T00:00:00Z"


@pytest.fixture
def drivers() -> Iterator[Drivers]:
    yield from closing(Drivers())


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
