"""The live service's stop semantics, over loopback HTTP against a scripted double.

Evidence (apache/airflow ``providers/amazon/.../hooks/sagemaker.py``
``SageMakerHook.stop_pipeline``, PRs #29077 and #36337): a stop of an execution that is
not Executing is answered 400 ``ValidationException`` "Only pipelines with 'Executing'
status can be stopped"; a ``ConflictException`` on a stop is a transient race between
two steps, which Airflow retries 5 times, 0.3 s apart.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from typing import Any

import pytest

from sagemaker_stop import (
    Attempt,
    ConflictException,
    DescribePipelineExecution,
    ExecutionNotStoppable,
    StopPipelineExecution,
    ValidationException,
)
from sagemaker_stop._effects import HttpResponse
from sagemaker_stop._protocol import parse_response
from sagemaker_stop._retry import OperationRetry, RetryPolicy, RetryStrategy

from ..conftest import ARN
from ..loopback import Reply, WireServer

NOT_EXECUTING = "Only pipelines with 'Executing' status can be stopped"


def answer(message: str, code: str = "ValidationException") -> HttpResponse:
    import json

    body = json.dumps({"__type": f"com.amazon.coral.validate#{code}", "message": message})
    return HttpResponse(400, {"x-amzn-requestid": "r-1"}, body.encode())


@pytest.mark.parametrize(
    "message",
    [
        NOT_EXECUTING,
        NOT_EXECUTING.upper(),
        NOT_EXECUTING.lower() + ".",
        'Only pipelines with "Executing" status can be stopped',
        "Only pipelines with Executing status can be stopped",
        f"1 validation error detected: {NOT_EXECUTING} (execution {ARN})",
        "Only  pipelines  with 'Executing'\nstatus can be stopped",
    ],
)
def test_not_executing_answer_is_execution_not_stoppable(message: str) -> None:
    with pytest.raises(ExecutionNotStoppable) as caught:
        parse_response(StopPipelineExecution(ARN), answer(message))
    err = caught.value
    assert isinstance(err, ValidationException)  # existing handlers keep working
    assert (err.code, err.message, err.http_status, err.request_id) == (
        "ValidationException", message, 400, "r-1"
    )
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is ExecutionNotStoppable and again.message == message


@pytest.mark.parametrize(
    "message",
    [
        "1 validation error detected: Value 'x' at 'pipelineExecutionArn' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern",
        "Only pipelines with 'Stopping' status can be stopped",
        "",
    ],
)
def test_other_validation_errors_stay_validation_exception(message: str) -> None:
    with pytest.raises(ValidationException) as caught:
        parse_response(StopPipelineExecution(ARN), answer(message))
    assert type(caught.value) is ValidationException


def test_only_a_stop_is_refined() -> None:
    with pytest.raises(ValidationException) as caught:
        parse_response(DescribePipelineExecution(ARN), answer(NOT_EXECUTING))
    assert type(caught.value) is ValidationException


def test_a_conflict_on_another_code_path_is_not_refined() -> None:
    with pytest.raises(ConflictException) as caught:
        parse_response(StopPipelineExecution(ARN), answer(NOT_EXECUTING, "ConflictException"))
    assert type(caught.value) is ConflictException


# --- the retry rule, pure -------------------------------------------------------------

RULES = StopPipelineExecution.retry_rules


def _conflict() -> ConflictException:
    return ConflictException("busy", http_status=400)


@pytest.mark.parametrize(("max_attempts", "retries"), [(1, 0), (2, 4), (3, 4), (5, 4), (7, 6)])
def test_conflict_rule_attempts(max_attempts: int, retries: int) -> None:
    strategy = RetryStrategy(RetryPolicy(max_attempts=max_attempts), random=lambda: 0.5)
    decisions = [strategy.decide(_conflict(), n, {}, rules=RULES) for n in range(1, 10)]
    assert sum(d.retry for d in decisions) == retries
    assert all(d.retry for d in decisions[:retries])
    assert all(d.delay == pytest.approx(0.3) and d.cost == 0 for d in decisions[:retries])
    assert strategy.quota.available == 500  # a conflict says nothing about the endpoint


def test_conflict_delay_has_jitter_around_three_tenths() -> None:
    low = RetryStrategy(RetryPolicy(), random=lambda: 0.0)
    high = RetryStrategy(RetryPolicy(), random=lambda: 0.999999)
    assert low.decide(_conflict(), 1, {}, rules=RULES).delay == pytest.approx(0.225)
    assert high.decide(_conflict(), 1, {}, rules=RULES).delay == pytest.approx(0.375)


def test_without_the_rule_a_conflict_is_not_retryable() -> None:
    decision = RetryStrategy(RetryPolicy()).decide(_conflict(), 1, {})
    assert not decision.retry and decision.reason == "not retryable"
    assert StopPipelineExecution.retry_rules == {"ConflictException": OperationRetry(5, 0.3)}
    assert DescribePipelineExecution.retry_rules == {}


# --- over the wire, sync and async ------------------------------------------------------


def no_sleep(client: Any) -> list[float]:
    """Record backoff sleeps instead of sleeping."""
    slept: list[float] = []
    io = client.client._io
    if client.loop is None:
        io.sleep = slept.append
    else:

        async def record(seconds: float) -> None:
            slept.append(seconds)
            await asyncio.sleep(0)

        io.sleep = record
    return slept


def conflict(n: int) -> list[Reply]:
    return [Reply(400, {"__type": "com.amazonaws.sagemaker#ConflictException", "Message": "x"})] * n


def test_a_transient_conflict_is_retried_with_one_token(
    wire: WireServer, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[Attempt] = []
    sm = make_client(endpoint_url=wire.url, on_attempt=seen.append)
    slept = no_sleep(sm)
    wire.push(*conflict(4))
    caplog.set_level(logging.DEBUG, logger="sagemaker_stop")
    resp = sm.stop_pipeline_execution(ARN)
    assert resp.pipeline_execution_arn == ARN and resp.request_id == "req-5"
    assert len(wire.requests) == 5 and all(r.auth.ok for r in wire.requests)
    assert len({r.json["ClientRequestToken"] for r in wire.requests}) == 1
    assert len(slept) == 4 and all(0.225 <= s <= 0.375 for s in slept)
    assert [(a.attempt, a.max_attempts, a.retry_in is not None) for a in seen] == [
        (1, 5, True), (2, 5, True), (3, 5, True), (4, 5, True), (5, 5, False)
    ]
    assert all(isinstance(a.error, ConflictException) for a in seen[:4])
    logged = [r.getMessage() for r in caplog.records if r.name == "sagemaker_stop"]
    assert len(logged) == 5 and "ConflictException" in logged[0] and "retrying in" in logged[0]


def test_a_conflict_after_the_last_attempt_is_raised(wire: WireServer, make_client: Any) -> None:
    sm = make_client(endpoint_url=wire.url)
    no_sleep(sm)
    wire.push(*conflict(6))
    with pytest.raises(ConflictException) as caught:
        sm.stop_pipeline_execution(ARN)
    assert type(caught.value) is ConflictException
    assert len(wire.requests) == 5


@pytest.mark.parametrize(("max_attempts", "sent"), [(1, 1), (8, 8)])
def test_max_attempts_bounds_the_conflict_retries(
    wire: WireServer, make_client: Any, max_attempts: int, sent: int
) -> None:
    sm = make_client(endpoint_url=wire.url, max_attempts=max_attempts)
    no_sleep(sm)
    wire.push(*conflict(10))
    with pytest.raises(ConflictException):
        sm.stop_pipeline_execution(ARN)
    assert len(wire.requests) == sent


def test_a_conflict_on_another_operation_keeps_its_rules(
    wire: WireServer, make_client: Any
) -> None:
    sm = make_client(endpoint_url=wire.url)
    wire.push(*conflict(2))
    with pytest.raises(ConflictException):
        sm.describe_pipeline_execution(ARN)
    assert len(wire.requests) == 1


def test_not_executing_is_raised_at_once(wire: WireServer, make_client: Any) -> None:
    sm = make_client(endpoint_url=wire.url)
    wire.push(Reply(400, {"__type": "com.amazon.coral.validate#ValidationException",
                          "message": NOT_EXECUTING}))
    with pytest.raises(ExecutionNotStoppable) as caught:
        sm.stop_pipeline_execution(ARN)
    assert caught.value.request_id == "req-1" and len(wire.requests) == 1
