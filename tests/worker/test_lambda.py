"""``handle_sqs_event``: a Lambda function's SQS batch answered, and the records to retry
reported as ``batchItemFailures`` (AWS Lambda Developer Guide, "Handling errors for an SQS
event source in Lambda"), against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sagemaker_stop import CallbackJob, RetryLater, SageMakerClient, handle_sqs_event
from sagemaker_stop.emulator import CallbackStep, SageMakerEmulator, Step

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/lambda-callbacks"


@pytest.fixture
def emu() -> Iterator[SageMakerEmulator]:
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline("cb", [CallbackStep("Job", QUEUE, {"n": 2}), Step("T", "Training", 9)])
        yield emulator


@pytest.fixture
def sm(emu: SageMakerEmulator) -> Iterator[SageMakerClient]:
    with emu.client() as client:
        yield client


def event(sm: SageMakerClient, *extra: dict[str, Any]) -> dict[str, Any]:
    """What Lambda's SQS event source hands the function (the record shape of the Lambda
    Developer Guide's "Example Amazon SQS message event"), for the queue's messages."""
    taken = sm.receive_message(QUEUE, max_number_of_messages=10).messages
    records = [
        {
            "messageId": m.message_id,
            "receiptHandle": m.receipt_handle,
            "body": m.body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
            "messageAttributes": {},
            "md5OfBody": m.md5_of_body,
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:lambda-callbacks",
            "awsRegion": "us-east-1",
        }
        for m in taken
    ]
    return {"Records": [*records, *extra]}


def test_a_batch_is_answered_and_only_the_records_to_retry_are_reported(
    emu: SageMakerEmulator, sm: SageMakerClient
) -> None:
    good, bad, later = (emu.start_execution("cb") for _ in range(3))
    jobs: dict[str, CallbackJob] = {}

    def handler(job: CallbackJob) -> dict[str, int]:
        jobs[job.pipeline_execution_arn] = job
        if job.pipeline_execution_arn == bad:
            raise RuntimeError("the model did not converge")
        if job.pipeline_execution_arn == later:
            raise RetryLater("GPU quota")
        return {"double": job.arguments["n"] * 2}

    garbage = {"messageId": "not-a-callback", "body": "{}"}
    batch = event(sm, garbage)
    ids = {r["body"]: r["messageId"] for r in batch["Records"]}
    response = handle_sqs_event(batch, handler, client=sm)

    later_id = next(i for body, i in ids.items() if later in body)
    assert response == {"batchItemFailures": [{"itemIdentifier": later_id},
                                              {"itemIdentifier": "not-a-callback"}]}
    assert emu.step_status(good, "Job") == "Succeeded"
    assert emu.describe_execution(bad)["FailureReason"].endswith(
        "RuntimeError: the model did not converge")
    assert emu.step_status(later, "Job") == "Executing"
    assert jobs[good].receive_count == 1

    # Lambda delivers the same batch again (it was not deleted): answering twice is
    # harmless — the same request token, or ConflictException, which means done.
    again = handle_sqs_event(batch, lambda job: {"double": 4}, client=sm)
    assert again == {"batchItemFailures": [{"itemIdentifier": "not-a-callback"}]}


def test_a_stopping_record_answers_the_step_and_skips_its_start_in_the_same_batch(
    emu: SageMakerEmulator, sm: SageMakerClient
) -> None:
    arn = emu.start_execution("cb")
    emu.stop_execution(arn)
    cleaned: list[str] = []
    response = handle_sqs_event(
        event(sm), lambda job: pytest.fail("a stopped step is not run"), client=sm,
        on_stop=lambda message: cleaned.append(message.token) or 1 / 0,
    )
    assert response == {"batchItemFailures": []}
    assert emu.execution_status(arn) == "Stopped" and len(cleaned) == 1


def test_an_answer_sagemaker_refuses_is_retried(emu: SageMakerEmulator, sm: SageMakerClient) -> None:
    emu.start_execution("cb")
    batch = event(sm)
    emu.throttle(count=5, operation="SendPipelineExecutionStepSuccess")
    sm._core.retry._random = lambda: 0.0  # no backoff sleeps
    response = handle_sqs_event(batch, lambda job: None, client=sm)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}


def test_odd_events_never_raise() -> None:
    assert handle_sqs_event({}, lambda job: None) == {"batchItemFailures": []}
    assert handle_sqs_event({"Records": [42]}, lambda job: None) == {"batchItemFailures": []}
