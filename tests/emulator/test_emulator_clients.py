"""What the emulator hands out to drive it from a test: credentials and clients of this
library, and queue messages in the shapes SQS and Lambda deliver them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from sagemaker_stop import (
    AsyncSageMakerClient,
    CallbackMessage,
    Credentials,
    SageMakerClient,
    handle_sqs_event,
)
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

from ._helpers import QUEUE


@pytest.fixture
def emu() -> Any:
    with SageMakerEmulator() as emu:
        emu.create_pipeline(
            "cb", [Step("Prep", duration=1), CallbackStep("Wait", QUEUE, arguments={"n": 1})]
        )
        yield emu


def at_callback(emu: SageMakerEmulator) -> str:
    arn = emu.start_execution("cb")
    emu.advance(2)
    return arn


def test_credentials_are_the_librarys_and_a_client_takes_them(emu: SageMakerEmulator) -> None:
    creds = emu.credentials
    assert isinstance(creds, Credentials)
    assert creds.secret_access_key not in repr(creds)
    arn = at_callback(emu)
    # the line of the module docstring, as written
    with SageMakerClient(
        endpoint_url=emu.endpoint_url, credentials=emu.credentials, region=emu.region
    ) as sm:
        assert sm.describe_pipeline_execution(arn).status == "Executing"
    added = emu.add_credentials("AKIDADDED00000000001", "added-secret", "tok")
    assert isinstance(added, Credentials) and added.session_token == "tok"
    with emu.client(credentials=added) as sm:
        assert sm.describe_pipeline_execution(arn).status == "Executing"
    assert emu.requests[-1].auth.access_key_id == "AKIDADDED00000000001"


def test_the_emulator_accepts_the_librarys_credentials() -> None:
    creds = Credentials("AKIDOWN0000000000001", "own-secret")
    with SageMakerEmulator(credentials=creds) as emu:
        assert emu.env["AWS_ACCESS_KEY_ID"] == "AKIDOWN0000000000001"
        assert emu.credentials == creds
        with emu.client() as sm, pytest.raises(Exception) as caught:
            sm.describe_pipeline_execution(
                "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/nope"
            )
        assert getattr(caught.value, "code", None) == "ResourceNotFound"  # signed right


def test_client_is_preset_and_keywords_override(emu: SageMakerEmulator) -> None:
    arn = at_callback(emu)
    with emu.client() as sm:
        assert sm.config.region == emu.region
        assert sm.describe_pipeline_execution(arn).status == "Executing"
        assert sm.config.sqs_endpoint_url == emu.endpoint_url  # (the worker tests use it)
    with emu.client(max_attempts=1) as sm:
        emu.fail(1, "DescribePipelineExecution")
        with pytest.raises(Exception) as caught:
            sm.describe_pipeline_execution(arn)
        assert getattr(caught.value, "http_status", None) == 500  # one attempt only
    with emu.client(region="eu-west-1") as sm:
        assert sm.config.region == "eu-west-1"


async def test_async_client_is_preset(emu: SageMakerEmulator) -> None:
    arn = at_callback(emu)
    async with emu.async_client() as sm:
        assert isinstance(sm, AsyncSageMakerClient)
        assert (await sm.describe_pipeline_execution(arn)).status == "Executing"
        token = emu.callback_token(arn)
        await sm.answer_callback_success(
            {"token": token, "pipelineExecutionArn": arn}, {"done": "yes"}
        )
    assert emu.step_status(arn, "Wait") == "Succeeded"


def _boto3_sqs(emu: SageMakerEmulator) -> Any:
    creds = emu.credentials
    return boto3.client(
        "sqs",
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        config=Config(retries={"max_attempts": 1}),
    )


def test_queue_helpers_return_what_boto3_receive_message_returns(
    emu: SageMakerEmulator,
) -> None:
    first, second = at_callback(emu), at_callback(emu)
    peeked = emu.queue_messages(QUEUE)
    assert [set(m) for m in peeked] == [{"MessageId", "MD5OfBody", "Body"}] * 2
    sqs = _boto3_sqs(emu)
    try:
        (via_boto3,) = sqs.receive_message(
            QueueUrl=QUEUE, MaxNumberOfMessages=1, AttributeNames=["All"]
        )["Messages"]
    finally:
        sqs.close()
    (via_helper,) = emu.receive_messages(QUEUE, attribute_names=["All"])
    assert set(via_helper) == set(via_boto3) == {
        "MessageId", "ReceiptHandle", "MD5OfBody", "Body", "Attributes"
    }
    assert set(via_helper["Attributes"]) == set(via_boto3["Attributes"])
    assert via_helper["MessageId"] == peeked[1]["MessageId"]
    assert via_helper["MD5OfBody"] == hashlib.md5(via_helper["Body"].encode()).hexdigest()
    # Body is the message's JSON text, as SQS delivers it
    assert json.loads(via_helper["Body"])["pipelineExecutionArn"] == second
    assert CallbackMessage.parse(via_boto3["Body"]).pipeline_execution_arn == first
    assert CallbackMessage.parse(via_helper["Body"]).pipeline_execution_arn == second
    assert CallbackMessage.parse(via_helper).pipeline_execution_arn == second  # whole item
    # the helper's receive took it off the queue; the one boto3 received is in flight
    assert [m["MessageId"] for m in emu.queue_messages(QUEUE)] == [via_boto3["MessageId"]]
    assert emu.receive_messages(QUEUE) == []
    # without attribute names there are no Attributes, as with ReceiveMessage
    emu.advance(60)  # the in-flight one is visible again
    (again,) = emu.receive_messages(QUEUE)
    assert "Attributes" not in again and again["MessageId"] == via_boto3["MessageId"]


def test_the_control_path_returns_the_same_shape(emu: SageMakerEmulator) -> None:
    import httpx

    arn = at_callback(emu)
    base = emu.endpoint_url + "/_emulator/queues"
    (peeked,) = httpx.get(base, params={"url": QUEUE}).json()["Messages"]
    assert peeked == emu.queue_messages(QUEUE)[0]
    params = {"url": QUEUE, "receive": "1", "attribute": "ApproximateReceiveCount"}
    (taken,) = httpx.get(base, params=params).json()["Messages"]
    assert taken["Attributes"] == {"ApproximateReceiveCount": "1"}
    assert CallbackMessage.parse(taken["Body"]).pipeline_execution_arn == arn


def test_a_lambda_sqs_event_record_parses_and_is_handled(emu: SageMakerEmulator) -> None:
    arn = at_callback(emu)
    (received,) = emu.receive_messages(QUEUE, attribute_names=["All"])
    record = {  # the shape Lambda hands a function (AWS Lambda Developer Guide, SQS)
        "messageId": received["MessageId"],
        "receiptHandle": received["ReceiptHandle"],
        "body": received["Body"],
        "attributes": received["Attributes"],
        "messageAttributes": {},
        "md5OfBody": received["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:callbacks",
        "awsRegion": "us-east-1",
    }
    assert CallbackMessage.parse(record).pipeline_execution_arn == arn
    with emu.client() as sm:
        result = handle_sqs_event({"Records": [record]}, lambda job: {"ok": "1"}, client=sm)
    assert result == {"batchItemFailures": []}
    assert emu.step_status(arn, "Wait") == "Succeeded"
