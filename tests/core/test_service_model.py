"""Every member botocore's SageMaker model has, nothing it does not — for our classes and
for what the emulator sends.

botocore's ``data/sagemaker/2017-07-24/service-2.json`` (loaded here with botocore's own
loader: a test dependency, never used by the library) is the reference for each
operation's input and output shapes.
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Iterator
from typing import Any, Optional

import attrs
import pytest

import sagemaker_stop
from sagemaker_stop import _shapes
from sagemaker_stop.emulator import CallbackStep, LambdaStep, SageMakerEmulator, Step

from ..reference import needs_reference_botocore

OPERATIONS = [
    "StartPipelineExecution",
    "StopPipelineExecution",
    "DescribePipelineExecution",
    "ListPipelineExecutions",
    "ListPipelineExecutionSteps",
    "SendPipelineExecutionStepSuccess",
    "SendPipelineExecutionStepFailure",
]
_RESPONSE_FIELDS = {"http_status", "request_id"}
_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "timestamp": (datetime.datetime,),
}


@pytest.fixture(scope="module")
def model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("sagemaker")


def _wire_fields(cls: type) -> dict[str, attrs.Attribute[Any]]:
    return {
        f.metadata[_shapes._WIRE]: f for f in attrs.fields(cls) if _shapes._WIRE in f.metadata
    }


def _inner(annotation: Any) -> Any:
    """``Optional[X]`` / ``tuple[X, ...]`` / ``X`` -> X."""
    args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not Ellipsis]
    return _inner(args[0]) if args else annotation


def _walk(shape: Any, cls: type, path: str, problems: list[str]) -> None:
    fields = _wire_fields(cls)
    hints = typing.get_type_hints(cls)
    for name, member in shape.members.items():
        where = f"{path}.{name}"
        field = fields.get(name)
        if field is None:
            problems.append(f"{where}: missing from {cls.__name__}")
            continue
        target = member.member if member.type_name == "list" else member
        inner = _inner(hints[field.name])
        if target.type_name == "structure":
            if field.metadata[_shapes._PARSE] is _shapes.parse_json_object:
                continue  # kept as the JSON object received: every member is there
            if not attrs.has(inner):
                problems.append(f"{where}: {cls.__name__}.{field.name} is not a structure")
                continue
            _walk(target, inner, where, problems)
        elif (
            target.type_name in _SCALARS
            and inner is not Any
            and not issubclass(inner, _SCALARS[target.type_name])
        ):
            problems.append(f"{where}: {target.type_name} typed {inner}")
    for name in set(fields) - set(shape.members):
        problems.append(f"{path}.{name}: not in the model, yet {cls.__name__} has it")


def _classes(operation: str) -> tuple[type, type]:
    request = getattr(sagemaker_stop, operation)
    return request, request.response_type


@needs_reference_botocore
@pytest.mark.parametrize("operation", OPERATIONS)
def test_response_classes_have_every_modeled_output_member(model: Any, operation: str) -> None:
    problems: list[str] = []
    _walk(model.operation_model(operation).output_shape, _classes(operation)[1], operation,
          problems)
    assert problems == []


@needs_reference_botocore
@pytest.mark.parametrize("operation", OPERATIONS)
def test_request_classes_have_every_modeled_input_member(model: Any, operation: str) -> None:
    request = _classes(operation)[0]
    fields = set(_wire_fields(request))
    modeled = set(model.operation_model(operation).input_shape.members)
    assert fields == modeled


def test_response_classes_carry_only_their_members_and_metadata() -> None:
    for operation in OPERATIONS:
        response = _classes(operation)[1]
        plain = {f.name for f in attrs.fields(response) if _shapes._WIRE not in f.metadata}
        assert plain == _RESPONSE_FIELDS, operation


# --- the emulator sends only modeled members -----------------------------------------

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/model-check"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:model-check"


def _unmodeled(shape: Any, value: Any, path: str) -> Iterator[str]:
    if shape.type_name == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                yield f"{path}.{key}"
            else:
                yield from _unmodeled(member, item, f"{path}.{key}")
    elif shape.type_name == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            yield from _unmodeled(shape.member, item, f"{path}[{i}]")


def test_the_emulator_sends_only_modeled_members(model: Any) -> None:
    with SageMakerEmulator() as emu:
        emu.create_pipeline(
            "every-kind",
            [
                Step("Prep", "Processing", 1),
                Step("Train", "Training", 1),
                Step("Score", "Transform", 1),
                Step("Check", "Condition", 1),
                Step("Other", "QualityCheck", 1),
                LambdaStep("Export", FUNCTION, duration=1, timeout=10,
                           output_parameters={"o": "v"}),
                CallbackStep("Approve", QUEUE, {"a": 1}),
            ],
            description="all the kinds",
        )
        arn = emu.start_execution("every-kind", description="d")
        emu.advance(10)
        failing = emu.start_execution("every-kind")
        emu.advance(10)
        emu.send_step_failure(emu.callback_token(failing), "no")
        now = emu.now
        api = emu._api
        token = emu.callback_token(arn)
        calls: list[tuple[str, dict[str, Any]]] = [
            ("DescribePipelineExecution", {"PipelineExecutionArn": arn}),
            ("DescribePipelineExecution", {"PipelineExecutionArn": failing}),
            ("ListPipelineExecutions", {"PipelineName": "every-kind", "MaxResults": 1}),
            ("ListPipelineExecutionSteps", {"PipelineExecutionArn": arn}),
            ("ListPipelineExecutionSteps", {"PipelineExecutionArn": failing}),
            ("StartPipelineExecution", {"PipelineName": "every-kind",
                                        "ClientRequestToken": "t" * 32}),
            ("StopPipelineExecution", {"PipelineExecutionArn": arn,
                                       "ClientRequestToken": "s" * 32}),
            ("SendPipelineExecutionStepSuccess", {"CallbackToken": token,
                                                  "OutputParameters": [
                                                      {"Name": "n", "Value": "v"}]}),
            ("ListPipelineExecutionSteps", {"PipelineExecutionArn": arn}),
        ]
        extra: list[str] = []
        for operation, body in calls:
            answer = api.call(operation, body, now)
            shape: Optional[Any] = model.operation_model(operation).output_shape
            assert shape is not None
            extra.extend(_unmodeled(shape, answer, operation))
    assert extra == []
