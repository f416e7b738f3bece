"""The emulator's callback queues speak SQS: boto3's SQS client and ours both consume
them, with visibility timeouts and receive counts on the simulated clock."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sagemaker_stop import (
    CallbackMessage,
    Credentials,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    UnrecognizedClientException,
)
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

from ..clients import Both

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"


@pytest.fixture
def emu() -> Iterator[SageMakerEmulator]:
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline(
            "cb", [Step("Prep", "Processing", 10), CallbackStep("Ask", QUEUE, {"model": "m-1"})]
        )
        yield emulator


@pytest.fixture
def sqs(emu: SageMakerEmulator) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id=emu.credentials.access_key_id,
        aws_secret_access_key=emu.credentials.secret_access_key,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def ours(emu: SageMakerEmulator, client_kind: str) -> Iterator[Both]:
    both = Both(
        client_kind,
        region=emu.region,
        credentials=emu.credentials,
        endpoint_url=emu.endpoint_url,
        sqs_endpoint_url=emu.endpoint_url,
    )
    yield both
    both.close()


def in_callback(emu: SageMakerEmulator) -> str:
    arn = emu.start_execution("cb")
    emu.advance(11)
    return arn


def test_boto3_consumes_a_callback_queue(emu: SageMakerEmulator, sqs: Any) -> None:
    assert sqs.get_queue_url(QueueName="approvals")["QueueUrl"] == QUEUE
    assert sqs.receive_message(QueueUrl=QUEUE).get("Messages", []) == []
    arn = in_callback(emu)

    got = sqs.receive_message(
        QueueUrl=QUEUE, MessageSystemAttributeNames=["All"], VisibilityTimeout=60
    )["Messages"]
    (message,) = got
    body = json.loads(message["Body"])
    assert body["pipelineExecutionArn"] == arn and body["arguments"] == {"model": "m-1"}
    assert "status" not in body  # the start message (Developer Guide example)
    assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()
    attributes = message["Attributes"]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert int(attributes["SentTimestamp"]) == pytest.approx(emu.now * 1000, abs=20_000)

    # In flight: hidden for its visibility timeout, on the simulated clock.
    assert sqs.receive_message(QueueUrl=QUEUE).get("Messages", []) == []
    emu.advance(59)
    assert sqs.receive_message(QueueUrl=QUEUE).get("Messages", []) == []
    emu.advance(2)
    (again,) = sqs.receive_message(
        QueueUrl=QUEUE, AttributeNames=["ApproximateReceiveCount"]  # the deprecated name
    )["Messages"]
    assert again["MessageId"] == message["MessageId"]
    assert again["ReceiptHandle"] != message["ReceiptHandle"]
    assert again["Attributes"] == {"ApproximateReceiveCount": "2"}

    # The old handle no longer extends anything; the new one does.
    with pytest.raises(ClientError) as stale:
        sqs.change_message_visibility(
            QueueUrl=QUEUE, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=60
        )
    assert stale.value.response["Error"]["Code"] == "AWS.SimpleQueueService.MessageNotInflight"
    sqs.change_message_visibility(
        QueueUrl=QUEUE, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=600
    )
    emu.advance(100)  # past the receive's 30 s default: still hidden
    assert sqs.receive_message(QueueUrl=QUEUE).get("Messages", []) == []

    sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=again["ReceiptHandle"])
    emu.advance(1000)
    assert sqs.receive_message(QueueUrl=QUEUE).get("Messages", []) == []
    assert emu.queue_messages(QUEUE) == []

    # The Stopping message, as the Developer Guide's example spells it.
    emu.stop_execution(arn)
    (stopping,) = sqs.receive_message(QueueUrl=QUEUE)["Messages"]
    assert json.loads(stopping["Body"])["status"] == "Stopping"
    assert CallbackMessage.parse(stopping).is_stopping


def test_boto3_sees_sqs_errors_as_boto3_expects_them(emu: SageMakerEmulator, sqs: Any) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as missing:
        sqs.receive_message(QueueUrl=QUEUE + "-nope")
    assert missing.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="approvals", QueueOwnerAWSAccountId="999999999999")
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle="not-a-handle")
    with pytest.raises(ClientError) as bad:
        sqs.receive_message(QueueUrl=QUEUE, WaitTimeSeconds=21)
    assert bad.value.response["Error"]["Code"] == "InvalidParameterValue"
    wrong = boto3.client(
        "sqs", endpoint_url=emu.endpoint_url, region_name=emu.region,
        aws_access_key_id="AKIDNOTKNOWN00000000", aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as unsigned:
        wrong.receive_message(QueueUrl=QUEUE)
    assert unsigned.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_our_client_consumes_a_callback_queue(emu: SageMakerEmulator, ours: Both) -> None:
    assert ours.get_queue_url("approvals").queue_url == QUEUE
    arn = in_callback(emu)
    (message,) = ours.receive_message(QUEUE, visibility_timeout=30).messages
    assert message.receive_count == 1
    callback = CallbackMessage.parse(message.body)
    assert callback.pipeline_execution_arn == arn and not callback.is_stopping
    ours.change_message_visibility(QUEUE, message.receipt_handle, 0)  # release it
    (again,) = ours.receive_message(QUEUE).messages
    assert again.receive_count == 2
    ours.answer_callback_success(callback, {"approved": "yes"})
    ours.delete_message(QUEUE, again.receipt_handle)
    assert emu.queue_messages(QUEUE) == []
    with pytest.raises(ReceiptHandleIsInvalid):
        ours.change_message_visibility(QUEUE, "nope", 10)
    with pytest.raises(QueueDoesNotExist) as missing:
        ours.receive_message(QUEUE + "-nope")
    assert missing.value.code == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize("client_kind", ["sync"])  # the emulator's side: one kind will do
def test_a_long_poll_returns_as_soon_as_a_message_arrives(
    emu: SageMakerEmulator, ours: Both
) -> None:
    threading.Timer(0.2, in_callback, args=(emu,)).start()
    started = time.monotonic()
    (message,) = ours.receive_message(QUEUE, wait_time_seconds=10).messages
    assert time.monotonic() - started < 5
    assert CallbackMessage.parse(message.body).token


def test_the_emulator_checks_sqs_signatures(emu: SageMakerEmulator) -> None:
    both = Both("sync", credentials=Credentials("AKIDNOTKNOWN00000000", "x"),
                region="us-east-1", sqs_endpoint_url=emu.endpoint_url, max_attempts=1)
    try:
        with pytest.raises(UnrecognizedClientException):
            both.receive_message(QUEUE)
    finally:
        both.close()
