"""Differential: the same inputs through boto3 and through sagemaker-stop must give the same
request on the wire — body bytes, signed headers, and (at the same instant) signature."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from sagemaker_stop import Credentials, SageMakerClient

from ..clients import boto3_sent
from ..conftest import ARN

FIXED = datetime.datetime(2026, 11, 25, 12, 30, 45, tzinfo=datetime.timezone.utc)


def boto3_request(monkeypatch: pytest.MonkeyPatch, creds: Credentials, region: str,
                  token: str, arn: str) -> Any:
    return boto3_sent(
        monkeypatch, "sagemaker", region, creds, FIXED,
        lambda client: client.stop_pipeline_execution(
            PipelineExecutionArn=arn, ClientRequestToken=token
        ),
    )


def our_request(creds: Credentials, region: str, token: str, arn: str) -> httpx.Request:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={"PipelineExecutionArn": arn})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with SageMakerClient(region=region, credentials=creds, http_client=http) as sm:
        sm._core.clock = FIXED.timestamp
        sm.stop_pipeline_execution(arn, client_request_token=token)
    http.close()
    return captured[0]


def _header(headers: Any, name: str) -> str:
    value = headers[name]
    return value.decode() if isinstance(value, bytes) else str(value)


@pytest.mark.parametrize(
    ("region", "session_token"),
    [("us-east-1", None), ("eu-west-1", "a-session-token"), ("cn-north-1", None),
     ("us-gov-west-1", "tok")],
)
def test_boto3_and_sagemaker_stop_send_the_same_signed_request(
    monkeypatch: pytest.MonkeyPatch, region: str, session_token: str
) -> None:
    creds = Credentials("AKIDEXAMPLE000000000", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        session_token)
    arn = ARN.replace("us-east-1", region)
    if region.startswith("cn-"):
        arn = arn.replace("arn:aws:", "arn:aws-cn:")
    if region.startswith("us-gov-"):
        arn = arn.replace("arn:aws:", "arn:aws-us-gov:")
    token = "0f1e2d3c-4b5a-4968-8776-655443322110"
    theirs = boto3_request(monkeypatch, creds, region, token, arn)
    ours = our_request(creds, region, token, arn)

    assert ours.method == theirs.method == "POST"
    assert str(ours.url) == theirs.url
    assert ours.content == theirs.body
    for name in ("X-Amz-Target", "Content-Type", "X-Amz-Date", "Authorization"):
        assert ours.headers[name] == _header(theirs.headers, name), name
    if session_token:
        assert ours.headers["X-Amz-Security-Token"] == _header(theirs.headers, "X-Amz-Security-Token")
    else:
        assert "X-Amz-Security-Token" not in ours.headers
    # unsigned retry metadata: boto3 sends "attempt=1" with or without "; max=N"
    assert _header(theirs.headers, "amz-sdk-request").startswith("attempt=1")
    assert ours.headers["amz-sdk-request"] == "attempt=1; max=3"
