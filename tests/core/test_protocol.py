"""Reading answers: AWS JSON 1.1 error codes (Smithy awsJson1_1 vectors) and robustness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_stop import (
    ConflictException,
    InvalidResponseError,
    ResourceNotFound,
    SageMakerError,
    StopPipelineExecution,
    ThrottlingException,
    ValidationException,
)
from sagemaker_stop._effects import HttpResponse
from sagemaker_stop._protocol import (
    base_headers,
    encode_body,
    parse_error,
    parse_response,
    sanitize_error_code,
)

from ..conftest import ARN

REQ = StopPipelineExecution(pipeline_execution_arn=ARN)


def answer(status: int, body: Any = b"", **headers: str) -> HttpResponse:
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    hdrs = {k.lower().replace("_", "-"): v for k, v in headers.items()}
    return HttpResponse(status, hdrs, body)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "protocol"
SMITHY = json.loads((FIXTURES / "awsjson11_error_codes.json").read_text())["cases"]
GOLDEN = json.loads((FIXTURES / "stop_pipeline_execution.json").read_text())
SMITHY_VECTORS = [pytest.param(c["headers"], c["body"], id=c["name"]) for c in SMITHY]


@pytest.mark.parametrize(("headers", "body"), SMITHY_VECTORS)
def test_error_code_is_read_like_every_aws_sdk(headers: dict[str, str], body: dict[str, Any]) -> None:
    err = parse_error(HttpResponse(500, headers, json.dumps(body).encode()))
    assert err.code == "FooError"
    assert type(err) is SageMakerError


def test_header_wins_over_body() -> None:
    err = parse_error(answer(400, {"__type": "BarError"}, x_amzn_errortype="ResourceNotFound:http://x"))
    assert isinstance(err, ResourceNotFound)


@pytest.mark.parametrize("key", ["message", "Message", "errorMessage"])
def test_message_from_either_spelling(key: str) -> None:
    err = parse_error(answer(400, {"__type": "ValidationException", key: "bad"}))
    assert isinstance(err, ValidationException) and err.message == "bad"


@pytest.mark.parametrize(
    ("code", "cls"),
    [("ConflictException", ConflictException), ("ThrottlingException", ThrottlingException)],
)
def test_known_codes_raise_their_class(code: str, cls: type) -> None:
    err = parse_error(answer(400, {"__type": code}, x_amzn_requestid="rid"))
    assert isinstance(err, cls) and err.request_id == "rid" and err.http_status == 400


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>502 Bad Gateway</body></html>", b'{"__type": "Throt', b"[1, 2]", b"null",
     b"\xff\xfe\x00garbage"],
)
def test_unreadable_error_bodies_give_an_error_with_the_status(body: bytes) -> None:
    err = parse_error(HttpResponse(502, {"x-amzn-requestid": "r"}, body))
    assert err.code == "502" and err.http_status == 502 and err.request_id == "r"
    assert err.message


def test_empty_or_empty_object_success_is_a_response_without_arn() -> None:
    for body in (b"", b"  ", b"{}"):
        resp = parse_response(REQ, HttpResponse(200, {"x-amzn-requestid": "r"}, body))
        assert resp.pipeline_execution_arn is None
        assert resp.http_status == 200 and resp.request_id == "r"


def test_unknown_members_are_ignored() -> None:
    resp = parse_response(REQ, answer(200, {"PipelineExecutionArn": ARN, "New": 1}))
    assert resp.pipeline_execution_arn == ARN


@pytest.mark.parametrize(
    "body", [b"[]", b'"text"', b"42", b"<html/>", b'{"PipelineExecutionArn": 5}', b'{"a": ']
)
def test_a_200_that_is_not_a_valid_object_is_an_invalid_response(body: bytes) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        parse_response(REQ, HttpResponse(200, {"x-amzn-requestid": "r"}, body))
    assert caught.value.http_status == 200 and caught.value.request_id == "r"


def test_deeply_nested_json_is_an_invalid_response_not_a_recursion_error() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(InvalidResponseError):
        parse_response(REQ, HttpResponse(200, {}, body))
    assert parse_error(HttpResponse(500, {}, body)).code == "500"


def test_sanitize() -> None:
    assert sanitize_error_code("a.b#C:d#e") == "C"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    status=st.integers(100, 599),
    headers=st.dictionaries(
        st.sampled_from(["x-amzn-errortype", "x-amzn-requestid", "content-type", "date"]),
        st.text(max_size=40),
    ),
    body=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(
            st.sampled_from(["__type", "code", "message", "Message", "PipelineExecutionArn"]),
            json_values,
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_any_answer_is_a_response_or_a_sagemaker_error(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    try:
        resp = parse_response(REQ, HttpResponse(status, headers, body))
    except SageMakerError as err:
        assert isinstance(err.code, str) and err.code
        assert err.http_status == status
    else:
        assert 200 <= status < 300
        assert resp.pipeline_execution_arn is None or isinstance(resp.pipeline_execution_arn, str)


def test_golden_request_body_and_headers() -> None:
    request = StopPipelineExecution(**GOLDEN["input"])
    assert encode_body(request) == GOLDEN["request"]["body"].encode()
    assert dict(base_headers(request)) == GOLDEN["request"]["headers"]


@pytest.mark.parametrize("case", GOLDEN["responses"], ids=[c["name"] for c in GOLDEN["responses"]])
def test_golden_responses(case: dict[str, Any]) -> None:
    import sagemaker_stop

    request = StopPipelineExecution(**GOLDEN["input"])
    answer_ = HttpResponse(case["status"], case["headers"], case["body"].encode())
    if "expect" in case:
        resp = parse_response(request, answer_)
        for key, value in case["expect"].items():
            assert getattr(resp, key) == value, key
    else:
        expected = case["expect_error"]
        with pytest.raises(getattr(sagemaker_stop, expected["class"])) as caught:
            parse_response(request, answer_)
        assert type(caught.value) is getattr(sagemaker_stop, expected["class"])
        for key, value in expected.items():
            if key != "class":
                assert getattr(caught.value, key) == value, key
