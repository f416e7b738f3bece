"""A wait's timeout bounds the whole wait, slow or retried status calls included (real
time: the emulator answers the status call late)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sagemaker_stop import Credentials, WaitTimeoutError
from sagemaker_stop.emulator import SageMakerEmulator, Step


@pytest.fixture
def emu() -> Any:
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline("slow", steps=[Step("Train", "Training", 3600)])
        yield emulator


def test_a_slow_status_call_cannot_stretch_the_wait(emu: SageMakerEmulator, make_client: Any) -> None:
    c = emu.credentials
    sm = make_client(
        endpoint_url=emu.endpoint_url,
        credentials=Credentials(c.access_key_id, c.secret_access_key),
        timeout=10.0,  # each attempt alone could take 10 s, three attempts 30 s
    )
    arn = emu.start_execution("slow")
    emu.delay(1.5, count=10, operation="DescribePipelineExecution")
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        sm.wait_for_pipeline_execution(arn, timeout=0.6, poll=0.1)
    assert time.monotonic() - started < 1.4  # the deadline cut the slow call short
    assert caught.value.timeout == 0.6
    assert isinstance(caught.value.__cause__, Exception)
