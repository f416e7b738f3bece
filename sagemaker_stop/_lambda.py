"""Callback steps consumed by a Lambda function through its SQS event source.

Lambda receives, hides and deletes the messages; the function only answers the steps::

    from sagemaker_stop import handle_sqs_event

    def work(job):
        return {"model_uri": train(job.arguments)}

    def lambda_handler(event, context):
        return handle_sqs_event(event, work)

With ``ReportBatchItemFailures`` in the event source mapping's ``FunctionResponseTypes``,
Lambda deletes the records that succeeded and makes visible again only those listed in
``batchItemFailures`` (``itemIdentifier``: the record's ``messageId``), which the queue's
redrive policy moves to a dead-letter queue after ``maxReceiveCount`` receives (AWS
Lambda Developer Guide, "Handling errors for an SQS event source in Lambda": partial
batch responses).  Listed here: records whose answer SageMaker did not accept, records
whose handler raised :class:`RetryLater`, and records that are not Callback messages at
all — reporting them keeps them out of the function's successes, so the redrive policy,
not this code, decides their fate.  Everything else is answered: a start record with the
handler's outputs (or its exception's text, as the step's failure), a Stopping record
with Failure ("stopped") after the optional ``on_stop``; ``ConflictException`` (the step
was answered already) counts as done.  A start record whose Stopping record is in the same
batch is not run: the stop answers it.  Nothing raises: an exception would fail the whole
batch.

A Lambda invocation cannot be cancelled by a later Stopping message; a long job belongs
in a :class:`~sagemaker_stop.CallbackWorker`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional

from ._worker import (
    STOPPED_REASON,
    CallbackJob,
    Failed,
    RetryLater,
    Succeeded,
    answer_for,
    reason_of,
)
from .callback import CallbackMessage
from .errors import ConflictException, ParamValidationError, SageMakerError

if TYPE_CHECKING:
    from .client import SageMakerClient

logger = logging.getLogger("sagemaker_stop.worker")

_client: Optional[SageMakerClient] = None


def _default_client() -> SageMakerClient:
    """One client per execution environment, reused by warm invocations."""
    global _client
    if _client is None:
        from .client import SageMakerClient

        _client = SageMakerClient()
    return _client


def _record_message(record: Any) -> CallbackMessage:
    if not isinstance(record, Mapping):
        raise ParamValidationError("record", "must be an SQS event record")
    return CallbackMessage.parse(record.get("body", ""))


def _receive_count(record: Mapping[str, Any]) -> int:
    attributes = record.get("attributes")
    raw = attributes.get("ApproximateReceiveCount") if isinstance(attributes, Mapping) else None
    try:
        return max(1, int(str(raw)))
    except ValueError:
        return 1


def handle_sqs_event(
    event: Mapping[str, Any],
    handler: Callable[[CallbackJob], Any],
    *,
    client: Optional[SageMakerClient] = None,
    on_stop: Optional[Callable[[CallbackMessage], Any]] = None,
) -> dict[str, list[dict[str, str]]]:
    """Answer the Callback steps of a Lambda SQS event; returns the partial batch
    response ``{"batchItemFailures": [{"itemIdentifier": messageId}, ...]}``."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    parsed: list[tuple[Any, Optional[CallbackMessage]]] = []
    for record in records if isinstance(records, list) else []:
        try:
            parsed.append((record, _record_message(record)))
        except ParamValidationError as exc:
            logger.warning("record %s is not a Callback step message (%s)", _id(record), exc)
            parsed.append((record, None))
    stopping = {m.token for _, m in parsed if m is not None and m.is_stopping}
    sm: Optional[SageMakerClient] = client
    failures: list[str] = []
    for record, message in parsed:
        if message is None:
            failures.append(_id(record))
            continue
        if not message.is_stopping and message.token in stopping:
            continue  # its Stopping record, in this batch, answers the step
        try:
            request = _answer(message, record, handler, on_stop)
            if request is None:
                failures.append(_id(record))
                continue
            sm = sm or _default_client()
            sm.send(request)
        except ConflictException:
            pass  # answered already (or the step stopped waiting): nothing left to do
        except SageMakerError as exc:
            logger.error("%s: the answer was not accepted (%s)", message.token, exc)
            failures.append(_id(record))
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failures if i]}


def _answer(
    message: CallbackMessage,
    record: Mapping[str, Any],
    handler: Callable[[CallbackJob], Any],
    on_stop: Optional[Callable[[CallbackMessage], Any]],
) -> Any:
    """The answer a record calls for, or None to leave it for redelivery."""
    if message.is_stopping:
        if on_stop is not None:
            try:
                on_stop(message)
            except Exception as exc:
                logger.warning("%s: on_stop raised %s", message.token, exc)
        return message.failure(STOPPED_REASON)
    try:
        value = handler(CallbackJob(message, _receive_count(record)))
    except RetryLater:
        return None
    except Exception as exc:
        return answer_for(message, Failed(reason_of(exc)))
    return answer_for(message, Succeeded(value))


def _id(record: Any) -> str:
    value = record.get("messageId") if isinstance(record, Mapping) else None
    return value if isinstance(value, str) else ""
