"""CallbackMessage parsing and deterministic, idempotent answers."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_stop import (
    CallbackMessage,
    ConflictException,
    ParamValidationError,
    SendPipelineExecutionStepFailure,
    SendPipelineExecutionStepSuccess,
)
from sagemaker_stop.callback import MAX_DEPTH, callback_request_token

from .conftest import QUEUE, World

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc123"
GOOD = {"token": "Ab3dEf7hIj", "pipelineExecutionArn": ARN, "arguments": {"a": 1}, "status": "Stopping"}


@pytest.mark.parametrize("form", ["str", "bytes", "bytearray", "dict", "sqs"])
def test_a_message_parses_from_every_form(form: str) -> None:
    text = json.dumps(GOOD)
    body = {
        "str": text,
        "bytes": text.encode(),
        "bytearray": bytearray(text.encode()),
        "dict": GOOD,
        "sqs": {"MessageId": "m-1", "Body": text},
    }[form]
    message = CallbackMessage.parse(body)
    assert message == CallbackMessage("Ab3dEf7hIj", ARN, {"a": 1}, "Stopping")
    assert message.is_stopping
    assert CallbackMessage.of(message) is message
    assert CallbackMessage.of(text) == message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"\xff\xfe", "body"),
        ("not json", "body"),
        ("[1, 2]", "body"),
        ("[" * 100_000, "body"),
        (42, "body"),
        ({**GOOD, "token": None}, "token"),
        ({k: v for k, v in GOOD.items() if k != "token"}, "token"),
        ({**GOOD, "token": "short"}, "token"),
        ({**GOOD, "token": "Ab3dEf7hIj!"}, "token"),
        ({**GOOD, "token": "Ab3dEf7h-j"}, "token"),
        ({**GOOD, "token": 1234567890}, "token"),
        ({**GOOD, "pipelineExecutionArn": "arn:aws:sagemaker:us-east-1:1:pipeline/p"}, "pipelineExecutionArn"),
        ({**GOOD, "pipelineExecutionArn": ARN + "x" * 2048}, "pipelineExecutionArn"),
        ({k: v for k, v in GOOD.items() if k != "pipelineExecutionArn"}, "pipelineExecutionArn"),
        ({**GOOD, "arguments": []}, "arguments"),
        ({**GOOD, "status": "Stopped"}, "status"),
        ({**{k: v for k, v in GOOD.items() if k != "status"}, "Status": "Done"}, "status"),
    ],
)
def test_bad_messages_are_refused_naming_the_field(body: object, field: str) -> None:
    with pytest.raises(ParamValidationError) as caught:
        CallbackMessage.parse(body)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == f"callback message {field}"


def _nested(depth: int, leaf: Any = "v") -> Any:
    """``depth`` objects and arrays inside one another (built without recursion)."""
    value = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def _nested_text(depth: int) -> str:
    return '{"k": [' * (depth // 2) + '"v"' + "]}" * (depth // 2)


@settings(max_examples=60, deadline=None)
@given(
    depth=st.one_of(st.integers(0, MAX_DEPTH + 3), st.integers(MAX_DEPTH, 60_000)),
    form=st.sampled_from(["arguments", "arguments-text", "sqs-bodies", "sqs-text"]),
)
def test_a_deeply_nested_message_is_refused_as_invalid_never_a_recursion_error(
    depth: int, form: str
) -> None:
    """Whatever the nesting and however it arrives, parse returns a message or raises
    ParamValidationError; it nests at most MAX_DEPTH deep (the message is level 1)."""
    if form == "arguments":
        body: Any = {**GOOD, "arguments": {"a": _nested(depth)}}  # nesting: depth + 2
        allowed = depth + 2 <= MAX_DEPTH
    elif form == "arguments-text":  # json.loads itself gives up near 1000
        body = json.dumps(GOOD)[:-1] + ', "x": ' + _nested_text(depth) + "}"
        allowed = depth // 2 * 2 + 1 <= MAX_DEPTH
    elif form == "sqs-bodies":  # an SQS message whose Body is a message whose Body ...
        body = {"Body": "x"}
        for _ in range(depth):
            body = {"MessageId": "m", "Body": body}
        allowed = False
    else:
        body = {"MessageId": "m", "Body": '{"Body": ' * depth + '"x"' + "}" * depth}
        allowed = False
    try:
        message = CallbackMessage.parse(body)
    except ParamValidationError as exc:
        assert not allowed, exc
    else:
        assert allowed
        repr(message)  # whatever it carries can be printed


def test_a_message_nested_just_within_the_limit_parses_and_one_more_level_is_refused() -> None:
    within = {**GOOD, "arguments": {"a": _nested(MAX_DEPTH - 2)}}
    assert CallbackMessage.parse(within).arguments == within["arguments"]
    assert CallbackMessage.parse(json.dumps(within)).arguments == within["arguments"]
    deeper = {**GOOD, "arguments": {"a": _nested(MAX_DEPTH - 1)}}
    with pytest.raises(ParamValidationError, match="more than 32 deep") as caught:
        CallbackMessage.parse(deeper)
    assert caught.value.field == "callback message body"
    looped: dict[str, Any] = {**GOOD}
    looped["arguments"] = {"self": looped}
    with pytest.raises(ParamValidationError, match="deep"):
        CallbackMessage.parse(looped)
    shared: dict[str, Any] = {"leaf": 1}
    for _ in range(200):  # 2**200 paths, 200 levels: checked level by level
        shared = {"a": shared, "b": shared}
    with pytest.raises(ParamValidationError, match="deep"):
        CallbackMessage.parse({**GOOD, "arguments": shared})


def test_the_documented_message_shapes_parse() -> None:
    """AWS's example of the message a Callback step sends when it starts has no status;
    the one sent on a stop has status Stopping (spelled "Status" in the API reference); a
    step with no inputs may send no arguments."""
    start = {k: v for k, v in GOOD.items() if k != "status"}
    assert CallbackMessage.parse(start).status == "Executing"
    assert not CallbackMessage.parse(start).is_stopping
    no_args = {k: v for k, v in GOOD.items() if k not in ("arguments", "status")}
    assert CallbackMessage.parse(no_args).arguments == {}
    capital = {**start, "Status": "Stopping"}
    assert CallbackMessage.parse(capital).is_stopping


def test_request_tokens_are_deterministic_per_token_and_kind() -> None:
    success = callback_request_token("Ab3dEf7hIj", "success")
    assert success == callback_request_token("Ab3dEf7hIj", "success")
    assert success != callback_request_token("Ab3dEf7hIj", "failure")
    assert success != callback_request_token("Ab3dEf7hIk", "success")
    assert 32 <= len(success) <= 128 and uuid.UUID(success).version == 5
    with pytest.raises(ParamValidationError):
        callback_request_token("Ab3dEf7hIj", "maybe")


def test_answers_carry_the_derived_token() -> None:
    message = CallbackMessage.parse(GOOD)
    yes = message.success({"out": "1"})
    assert isinstance(yes, SendPipelineExecutionStepSuccess)
    assert yes.to_json() == {
        "CallbackToken": "Ab3dEf7hIj",
        "OutputParameters": [{"Name": "out", "Value": "1"}],
        "ClientRequestToken": callback_request_token("Ab3dEf7hIj", "success"),
    }
    no = message.failure("cleaned up")
    assert isinstance(no, SendPipelineExecutionStepFailure)
    assert no.to_json() == {
        "CallbackToken": "Ab3dEf7hIj",
        "FailureReason": "cleaned up",
        "ClientRequestToken": callback_request_token("Ab3dEf7hIj", "failure"),
    }
    assert message.success() == message.success()  # equal values: same request


def test_a_redelivered_message_is_answered_with_the_same_request(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    (raw,) = world.emu.receive_messages(QUEUE)
    message = CallbackMessage.parse(raw)
    assert message.status == "Executing" and not message.is_stopping
    first = sm.answer_callback_success(raw, {"approved": "true"})
    again = sm.answer_callback_success(json.dumps(raw), {"approved": "true"})  # redelivery
    assert first.pipeline_execution_arn == again.pipeline_execution_arn == arn
    answers = world.emu.requests_for("SendPipelineExecutionStepSuccess")
    assert len({a.client_request_token for a in answers}) == 1
    assert [a.status for a in answers] == [200, 200]
    # answering the other way afterwards is refused by the service: one answer only
    with pytest.raises(ConflictException):
        sm.answer_callback_failure(message, "too late")
    steps = world.collect(sm, "iter_pipeline_execution_steps", arn, sort_order="Ascending")
    approve = steps[1]
    assert approve.status == "Succeeded" and approve.metadata.callback is not None
    assert approve.metadata.callback.callback_token == message.token
    assert [(p.name, p.value) for p in approve.metadata.callback.output_parameters] == [
        ("approved", "true")
    ]


def test_the_plain_operations_send_what_they_are_given(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    token = world.emu.callback_token(arn)
    answered = sm.send_pipeline_execution_step_failure(token, "no", "r" * 40)
    assert answered.pipeline_execution_arn == arn
    (request,) = world.emu.requests_for("SendPipelineExecutionStepFailure")
    assert request.json == {"CallbackToken": token, "FailureReason": "no", "ClientRequestToken": "r" * 40}
    assert world.emu.execution_status(arn) == "Failed"
    described = sm.describe_pipeline_execution(arn)
    assert described.failure_reason is not None and "no" in described.failure_reason
    with pytest.raises(ConflictException):
        sm.send_pipeline_execution_step_success(token, [("k", "v")])
    (request,) = world.emu.requests_for("SendPipelineExecutionStepSuccess")
    assert request.json["OutputParameters"] == [{"Name": "k", "Value": "v"}]
    assert len(request.json["ClientRequestToken"]) == 36  # generated (uuid4)


def test_boto3_style_output_parameters_reach_the_service_as_given(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    (raw,) = world.emu.receive_messages(QUEUE)
    sm.answer_callback_success(CallbackMessage.parse(raw), [{"Name": "ModelUri", "Value": "s3://b/m"}])
    (request,) = world.emu.requests_for("SendPipelineExecutionStepSuccess")
    assert request.json["OutputParameters"] == [{"Name": "ModelUri", "Value": "s3://b/m"}]
    steps = world.collect(sm, "iter_pipeline_execution_steps", arn)
    (approve,) = [s for s in steps if s.step_name == "Approve"]
    assert approve.metadata.callback is not None
    assert [(p.name, p.value) for p in approve.metadata.callback.output_parameters] == [
        ("ModelUri", "s3://b/m")
    ]
    with pytest.raises(ParamValidationError):
        sm.answer_callback_success(CallbackMessage.parse(raw), [{"Name": "a", "Val": "b"}])
    assert len(world.emu.requests_for("SendPipelineExecutionStepSuccess")) == 1


def test_an_answer_takes_its_region_from_the_message_when_the_client_has_none(
    world: World,
) -> None:
    from sagemaker_stop import ConfigurationError

    sm = world.client(region=None, environ={})  # no region anywhere
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    (raw,) = world.emu.receive_messages(QUEUE)
    assert sm.answer_callback_success(raw).pipeline_execution_arn == arn  # the ARN's region
    (request,) = world.emu.requests_for("SendPipelineExecutionStepSuccess")
    assert "/us-east-1/sagemaker/aws4_request" in request.headers["authorization"]
    assert set(request.json) == {"CallbackToken", "ClientRequestToken"}  # the ARN is not sent
    # a bare token names no region: the client still needs one
    with pytest.raises(ConfigurationError, match="no AWS region: pass region="):
        sm.send_pipeline_execution_step_failure(CallbackMessage.parse(raw).token)
