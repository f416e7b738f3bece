"""The clients against the emulator: real stop semantics, real faults, sync and async."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import (
    Credentials,
    ExecutionNotStoppable,
    ResourceNotFound,
    SageMakerConnectionError,
    ValidationException,
)
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"


@pytest.fixture
def emu() -> Iterator[SageMakerEmulator]:
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline(
            "p", steps=[Step("Prep", "Processing", 10), CallbackStep("Approve", QUEUE, {"k": "v"})]
        )
        yield emulator


@pytest.fixture
def sm(emu: SageMakerEmulator, make_client: Any) -> Any:
    c = emu.credentials
    client = make_client(
        endpoint_url=emu.endpoint_url,
        credentials=Credentials(c.access_key_id, c.secret_access_key),
        region=None,  # from the ARN
    )
    client.client._core.retry._random = lambda: 0.0
    return client


def at_callback(emu: SageMakerEmulator) -> str:
    arn = emu.start_execution("p")
    emu.advance(11)
    assert emu.step_status(arn, "Approve") == "Executing"
    emu.receive_messages(QUEUE)  # the "Executing" message
    return arn


def test_stop_in_a_callback_step_leaves_it_stopping_and_queues_one_message(
    emu: SageMakerEmulator, sm: Any
) -> None:
    arn = at_callback(emu)
    assert sm.stop_pipeline_execution(arn).pipeline_execution_arn == arn
    assert emu.execution_status(arn) == "Stopping"
    [received] = emu.receive_messages(QUEUE)
    message = json.loads(received["Body"])
    assert message["status"] == "Stopping" and message["pipelineExecutionArn"] == arn
    emu.advance(3600)
    assert emu.execution_status(arn) == "Stopping"  # held until the callback is answered
    assert all(r.auth.ok for r in emu.requests)


def test_a_reset_after_the_stop_was_applied_is_retried_with_the_same_token_once(
    emu: SageMakerEmulator, sm: Any
) -> None:
    arn = at_callback(emu)
    emu.reset(1, "StopPipelineExecution", process=True)  # applied, then the answer is lost
    emu.throttle(1, "StopPipelineExecution")
    sm.stop_pipeline_execution(arn)
    stops = emu.requests_for("StopPipelineExecution")
    assert len(stops) == 3
    assert len({r.client_request_token for r in stops}) == 1
    assert len({r.signature for r in stops}) >= 1 and all(r.auth.ok for r in stops)
    assert len(emu.receive_messages(QUEUE)) == 1  # one side effect despite three attempts


def test_5xx_in_json_and_html_then_success(emu: SageMakerEmulator, sm: Any) -> None:
    arn = at_callback(emu)
    emu.fail(1, "StopPipelineExecution", status=503)
    emu.fail(1, "StopPipelineExecution", status=502, html=True)
    assert sm.stop_pipeline_execution(arn).http_status == 200
    assert len(emu.requests_for("StopPipelineExecution")) == 3


def test_resets_until_give_up(emu: SageMakerEmulator, sm: Any) -> None:
    arn = at_callback(emu)
    emu.reset(3, "StopPipelineExecution")
    with pytest.raises(SageMakerConnectionError):
        sm.stop_pipeline_execution(arn)
    assert emu.execution_status(arn) == "Executing"


def test_stopping_a_finished_execution_is_execution_not_stoppable(
    emu: SageMakerEmulator, sm: Any
) -> None:
    arn = at_callback(emu)
    emu.send_step_success(emu.callback_token(arn, "Approve"), {})
    emu.advance(5)
    assert emu.execution_status(arn) == "Succeeded"
    with pytest.raises(ExecutionNotStoppable) as caught:
        sm.stop_pipeline_execution(arn)
    assert isinstance(caught.value, ValidationException)
    assert caught.value.code == "ValidationException"
    assert caught.value.request_id and caught.value.http_status == 400
    assert len(emu.requests_for("StopPipelineExecution")) == 1  # never retried


def test_unknown_execution_is_resource_not_found(emu: SageMakerEmulator, sm: Any) -> None:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/doesnotexist"
    with pytest.raises(ResourceNotFound):
        sm.stop_pipeline_execution(arn)
    assert len(emu.requests) == 1
