"""Requests: validation before sending, the idempotency token, the JSON body."""

from __future__ import annotations

import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagemaker_stop import ParamValidationError, StopPipelineExecution
from sagemaker_stop._operations import region_of_arn

from ..conftest import ARN


def test_request_knows_its_target_and_body() -> None:
    req = StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token="t" * 32)
    assert req.target == "SageMaker.StopPipelineExecution"
    assert req.operation_name == "StopPipelineExecution"
    assert req.to_json() == {"PipelineExecutionArn": ARN, "ClientRequestToken": "t" * 32}
    assert list(req.to_json()) == ["PipelineExecutionArn", "ClientRequestToken"]


def test_a_uuid4_token_is_generated_when_none_is_given() -> None:
    a = StopPipelineExecution(pipeline_execution_arn=ARN)
    b = StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token=None)
    assert uuid.UUID(a.client_request_token).version == 4
    assert a.client_request_token != b.client_request_token


def test_requests_are_frozen_values() -> None:
    req = StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token="t" * 40)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        req.pipeline_execution_arn = "x"  # type: ignore[misc]
    assert req == StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token="t" * 40)


@pytest.mark.parametrize(
    ("arn", "rule"),
    [
        ("", "length"),
        ("arn:aws:sagemaker:us-east-1:123456789012:pipeline/p", "pattern"),
        ("arn:aws:s3:us-east-1:123456789012:pipeline/p/execution/e", "pattern"),
        ("arn:aws:sagemaker:us-east-1:12345:pipeline/p/execution/e", "pattern"),
        (" " + ARN, "pattern"),
        (ARN + "x" * 2048, "length"),
    ],
)
def test_bad_arns_are_refused_naming_the_field_and_rule(arn: str, rule: str) -> None:
    with pytest.raises(ParamValidationError) as caught:
        StopPipelineExecution(pipeline_execution_arn=arn)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "PipelineExecutionArn"
    assert rule in str(caught.value)


def test_arns_in_every_partition_are_accepted() -> None:
    for partition in ("aws", "aws-cn", "aws-us-gov", "aws-iso-b"):
        arn = ARN.replace("arn:aws:", f"arn:{partition}:")
        assert StopPipelineExecution(pipeline_execution_arn=arn).pipeline_execution_arn == arn


@pytest.mark.parametrize("length", [0, 1, 31, 129, 500])
def test_tokens_outside_32_to_128_chars_are_refused(length: int) -> None:
    token = "x" * length
    if length == 0:
        token = ""
    with pytest.raises(ParamValidationError, match=r"ClientRequestToken.*between 32 and 128"):
        StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token=token)


@pytest.mark.parametrize("length", [32, 36, 128])
def test_tokens_of_32_to_128_chars_are_accepted(length: int) -> None:
    req = StopPipelineExecution(pipeline_execution_arn=ARN, client_request_token="y" * length)
    assert len(req.client_request_token) == length


def test_non_string_arn_is_a_validation_error() -> None:
    with pytest.raises(ParamValidationError, match="must be a string"):
        StopPipelineExecution(pipeline_execution_arn=42)  # type: ignore[arg-type]


def test_a_missing_arn_is_refused_as_required() -> None:
    with pytest.raises(ParamValidationError, match="is required") as caught:
        StopPipelineExecution(None)  # type: ignore[arg-type]
    assert caught.value.field == "PipelineExecutionArn"


def test_region_of_arn() -> None:
    assert region_of_arn(ARN) == "us-east-1"
    assert region_of_arn("arn:aws:sagemaker::123456789012:x") is None
    assert region_of_arn("nonsense") is None
    assert region_of_arn(None) is None


@given(st.text(max_size=300))
def test_validation_never_raises_anything_but_param_validation_error(text: str) -> None:
    try:
        StopPipelineExecution(pipeline_execution_arn=text, client_request_token=text)
    except ParamValidationError:
        pass


def test_generated_tokens_have_uuid4s_form() -> None:
    import uuid

    from sagemaker_stop._operations import new_client_request_token

    tokens = {new_client_request_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        parsed = uuid.UUID(token)
        assert str(parsed) == token and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
