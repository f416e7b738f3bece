from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sagemaker_stop.emulator import SageMakerEmulator
from sagemaker_stop.emulator.pytest_plugin import sagemaker_emulator  # noqa: F401

from ._helpers import make_client


@pytest.fixture
def emu(sagemaker_emulator: SageMakerEmulator) -> SageMakerEmulator:  # noqa: F811
    return sagemaker_emulator


@pytest.fixture
def client(emu: SageMakerEmulator) -> Iterator[Any]:
    c = make_client(emu)
    yield c
    c.close()


@pytest.fixture
def raw_client(emu: SageMakerEmulator) -> Iterator[Any]:
    """A boto3 client without client-side parameter validation."""
    c = make_client(emu, validate=False)
    yield c
    c.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c
