"""A pytest plugin providing a running :class:`SageMakerEmulator`.

Opt in from a ``conftest.py``::

    pytest_plugins = ["sagemaker_stop.emulator.pytest_plugin"]

and use the ``sagemaker_emulator`` fixture (a fresh emulator per test, stopped after it;
simulated time only moves with ``sagemaker_emulator.advance(seconds)``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._emulator import SageMakerEmulator


@pytest.fixture
def sagemaker_emulator() -> Iterator[SageMakerEmulator]:
    """A started emulator on a free loopback port, stopped at teardown."""
    with SageMakerEmulator() as emulator:
        yield emulator
