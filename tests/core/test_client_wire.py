"""The clients over real loopback HTTP, verified by an independent SigV4 verifier."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sagemaker_stop import (
    ConflictException,
    Credentials,
    ParamValidationError,
    ResourceNotFound,
    SageMakerClient,
    SageMakerConnectionError,
    SageMakerError,
    StopPipelineExecution,
    StopPipelineExecutionResponse,
)

from ..conftest import ARN
from ..loopback import ACCESS_KEY, SECRET_KEY, Reply, WireServer
from ..loopback import Credentials as ServerCreds


def test_stop_sends_a_signed_aws_json_request_and_returns_the_response(
    wire: WireServer, make_client: Any
) -> None:
    sm = make_client(endpoint_url=wire.url)
    resp = sm.stop_pipeline_execution(ARN)

    assert isinstance(resp, StopPipelineExecutionResponse)
    assert resp.pipeline_execution_arn == ARN
    assert resp.http_status == 200
    assert resp.request_id == "req-1"
    [req] = wire.requests
    assert req.auth.ok, req.auth
    assert req.method == "POST" and req.path == "/"
    assert req.headers["x-amz-target"] == "SageMaker.StopPipelineExecution"
    assert req.headers["content-type"] == "application/x-amz-json-1.1"
    assert req.headers["user-agent"].startswith("sagemaker-stop/")
    assert req.json["PipelineExecutionArn"] == ARN
    assert 32 <= len(req.json["ClientRequestToken"]) <= 128
    assert set(req.auth.signed_headers) >= {"host", "x-amz-date", "x-amz-target", "content-type"}


def test_session_token_is_sent_and_signed(make_client: Any) -> None:
    creds = ServerCreds("ASIATEMPORARY0000001", "temp-secret", "the-session-token")
    with WireServer(credentials=(creds,)) as server:
        sm = make_client(
            endpoint_url=server.url,
            credentials=Credentials(creds.access_key_id, creds.secret_access_key, creds.session_token),
        )
        sm.stop_pipeline_execution(ARN)
        [req] = server.requests
        assert req.auth.ok
        assert req.headers["x-amz-security-token"] == "the-session-token"
        assert "x-amz-security-token" in req.auth.signed_headers


def test_wrong_secret_is_rejected_by_the_verifier_as_invalid_signature(
    wire: WireServer, make_client: Any
) -> None:
    sm = make_client(endpoint_url=wire.url, credentials=Credentials(ACCESS_KEY, "not-the-secret"))
    with pytest.raises(SageMakerError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert caught.value.code == "InvalidSignatureException"
    assert caught.value.http_status == 403
    assert len(wire.requests) == 1  # an auth failure is never retried


def test_caller_token_is_sent_as_given(wire: WireServer, make_client: Any) -> None:
    token = "my-own-idempotency-token-0123456789"
    make_client(endpoint_url=wire.url).stop_pipeline_execution(ARN, client_request_token=token)
    assert wire.requests[0].json["ClientRequestToken"] == token


def test_send_accepts_an_operation_object(wire: WireServer, make_client: Any) -> None:
    request = StopPipelineExecution(pipeline_execution_arn=ARN)
    resp = make_client(endpoint_url=wire.url).send(request)
    assert resp.pipeline_execution_arn == ARN
    assert wire.requests[0].body == json.dumps(request.to_json()).encode()


@pytest.mark.parametrize(
    ("code", "cls"),
    [("ResourceNotFound", ResourceNotFound), ("ConflictException", ConflictException)],
)
def test_service_errors_raise_their_class_with_code_message_status_request_id(
    wire: WireServer, make_client: Any, code: str, cls: type
) -> None:
    wire.push(Reply(400, {"__type": f"com.amazonaws.sagemaker#{code}", "message": "nope"}))
    with pytest.raises(cls) as caught:  # max_attempts=1: a stop's conflict is not retried
        make_client(endpoint_url=wire.url, max_attempts=1).stop_pipeline_execution(ARN)
    err = caught.value
    assert (err.code, err.message, err.http_status, err.request_id) == (code, "nope", 400, "req-1")
    assert str(err) == f"{code}: nope (HTTP 400, request id req-1)"


def test_invalid_input_is_refused_before_anything_is_sent(
    wire: WireServer, make_client: Any
) -> None:
    sm = make_client(endpoint_url=wire.url)
    with pytest.raises(ParamValidationError, match="PipelineExecutionArn"):
        sm.stop_pipeline_execution("arn:aws:sagemaker:us-east-1:123:pipeline/x")
    with pytest.raises(ParamValidationError, match="ClientRequestToken"):
        sm.stop_pipeline_execution(ARN, client_request_token="short")
    assert wire.requests == []


def test_connection_refused_is_a_typed_error_keeping_its_cause(make_client: Any) -> None:
    with WireServer() as server:
        url = server.url
    sm = make_client(endpoint_url=url, max_attempts=1)
    with pytest.raises(SageMakerConnectionError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.http_status is None


def test_one_pool_is_reused_across_calls(wire: WireServer, make_client: Any) -> None:
    sm = make_client(endpoint_url=wire.url)
    for _ in range(3):
        sm.stop_pipeline_execution(ARN)
    assert len(wire.requests) == 3
    assert len({r.auth.ok for r in wire.requests}) == 1


def test_region_comes_from_the_arn_when_none_is_configured(make_client: Any) -> None:
    arn = ARN.replace("us-east-1", "eu-west-1")
    with WireServer(region="eu-west-1") as server:
        sm = make_client(endpoint_url=server.url, region=None)
        assert sm.stop_pipeline_execution(arn).pipeline_execution_arn == arn
        assert server.requests[0].auth.ok
        assert "/eu-west-1/sagemaker/aws4_request" in server.requests[0].headers["authorization"]


def test_caller_owned_http_client_is_used_and_never_closed(wire: WireServer, creds: Credentials) -> None:
    seen: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.host)]})
    with SageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url,
                         http_client=http) as sm:
        sm.stop_pipeline_execution(ARN)
    assert seen == ["127.0.0.1"]
    assert not http.is_closed
    http.close()


async def test_async_caller_owned_http_client_is_never_closed(wire: WireServer, creds: Credentials) -> None:
    from sagemaker_stop import AsyncSageMakerClient

    http = httpx.AsyncClient()
    async with AsyncSageMakerClient(region="us-east-1", credentials=creds,
                                    endpoint_url=wire.url, http_client=http) as sm:
        await sm.stop_pipeline_execution(ARN)
    assert not http.is_closed
    await http.aclose()


def test_a_closed_client_refuses_to_send(wire: WireServer, creds: Credentials) -> None:
    sm = SageMakerClient(region="us-east-1", credentials=creds, endpoint_url=wire.url)
    sm.close()
    sm.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        sm.stop_pipeline_execution(ARN)
    assert "closed" in repr(sm)


def test_secrets_never_appear_in_reprs_or_errors(wire: WireServer, make_client: Any) -> None:
    creds = Credentials(ACCESS_KEY, SECRET_KEY, "session-token-value")
    sm = make_client(endpoint_url=wire.url, credentials=creds)
    with pytest.raises(SageMakerError) as caught:  # the server knows no session token
        sm.stop_pipeline_execution(ARN)
    for text in (repr(creds), str(creds), repr(sm.client), str(caught.value), repr(caught.value)):
        assert SECRET_KEY not in text
        assert "session-token-value" not in text
