"""The four SQS calls a Callback-step consumer needs, as request/response pairs.

SQS speaks AWS JSON 1.0 (botocore ``sqs/2012-11-05`` metadata: ``jsonVersion`` 1.0,
``targetPrefix`` AmazonSQS, ``signingName`` sqs, ``awsQueryCompatible``): the same
encoder, signer and parser as SageMaker's operations, with another
:class:`~._operations.Service`.  boto3 sends ``x-amzn-query-mode: true`` (signed) on
every request of a query-compatible service (botocore ``serialize.py``
``_handle_query_compatible_trait``); so do we, and SQS then names the Query-era error code
in ``x-amzn-query-error`` (see ``_protocol.parse_error``).

Requests go to the regional SQS endpoint; the queue URL is a member of the body (and
names the region when the client has none configured).  Members and limits follow the
service model's documentation: MaxNumberOfMessages 1-10, VisibilityTimeout 0-43200
(12 hours), WaitTimeSeconds 0-20 (the longest long poll, SQS Developer Guide
"Setting-up long polling"); ``MessageSystemAttributeNames`` replaces the deprecated
``AttributeNames``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Optional

import attrs

from ._endpoints import region_of_queue_url
from ._operations import Operation, Response, Service
from ._shapes import (
    check_int_range,
    check_length,
    check_required,
    parse_json_object,
    parse_list,
    parse_object,
    parse_str,
    parse_str_map,
    wire,
    wire_metadata,
)
from .errors import ParamValidationError

SQS = Service("sqs", "application/x-amz-json-1.0", (("x-amzn-query-mode", "true"),))

MAX_WAIT_TIME = 20
MAX_VISIBILITY_TIMEOUT = 43200
#: Message system attributes (``MessageSystemAttributeName`` in the model).
SYSTEM_ATTRIBUTES = (
    "All",
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def _name_list(value: Optional[Sequence[str]]) -> Optional[tuple[str, ...]]:
    """A list of names (one name alone is a list of one)."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _check_names(wire_name: str, allowed: Optional[tuple[str, ...]] = None) -> Any:
    def check(instance: Any, attribute: Any, value: Optional[tuple[str, ...]]) -> None:
        for name in value or ():
            if not isinstance(name, str) or not name:
                raise ParamValidationError(wire_name, "must be a list of names")
            if allowed is not None and name not in allowed:
                raise ParamValidationError(wire_name, f"must be among {', '.join(allowed)}")

    return check


def _queue_url() -> Any:
    return wire(
        "QueueUrl",
        validator=[check_required("QueueUrl"), check_length("QueueUrl", 1, 2048)],
    )


def _receipt_handle() -> Any:
    return wire(
        "ReceiptHandle",
        validator=[check_required("ReceiptHandle"), check_length("ReceiptHandle", 1, 8192)],
    )


class _QueueRegion:
    queue_url: str

    @property
    def region_hint(self) -> Optional[str]:
        return region_of_queue_url(self.queue_url)


# --- ReceiveMessage ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MessageAttributeValue:
    """A message attribute: ``data_type`` is ``String``, ``Number`` or ``Binary`` (with
    an optional ``.suffix``); binary values arrive base64-encoded, as sent."""

    data_type: Optional[str] = wire("DataType", parse=parse_str, default=None)
    string_value: Optional[str] = wire("StringValue", parse=parse_str, default=None)
    binary_value: Optional[str] = wire("BinaryValue", parse=parse_str, default=None)


def _parse_attributes(raw: Any, name: str) -> dict[str, MessageAttributeValue]:
    parse = parse_object(MessageAttributeValue)
    return {key: parse(value, name) for key, value in parse_json_object(raw, name).items()}


@attrs.frozen(kw_only=True)
class SQSMessage:
    """A message as ReceiveMessage returns it.  Delete it, or change its visibility, with
    its ``receipt_handle`` (not its ``message_id``); a new one comes with every receive."""

    message_id: Optional[str] = wire("MessageId", parse=parse_str, default=None)
    receipt_handle: Optional[str] = wire("ReceiptHandle", parse=parse_str, default=None)
    md5_of_body: Optional[str] = wire("MD5OfBody", parse=parse_str, default=None)
    body: str = wire("Body", parse=parse_str, default="")
    #: System attributes asked for (``ApproximateReceiveCount``, ``SentTimestamp`` ...).
    attributes: Mapping[str, str] = wire(
        "Attributes", parse=parse_str_map, factory=dict, eq=False
    )
    md5_of_message_attributes: Optional[str] = wire(
        "MD5OfMessageAttributes", parse=parse_str, default=None
    )
    message_attributes: Mapping[str, MessageAttributeValue] = wire(
        "MessageAttributes", parse=_parse_attributes, factory=dict, eq=False
    )

    @property
    def receive_count(self) -> Optional[int]:
        """``ApproximateReceiveCount`` (when asked for): 1 on the first delivery."""
        raw = self.attributes.get("ApproximateReceiveCount")
        try:
            return None if raw is None else int(raw)
        except ValueError:
            return None


@attrs.frozen(kw_only=True)
class ReceiveMessageResponse(Response):
    """What ReceiveMessage answers: the messages received (none when the long poll ended
    empty) (with ``http_status`` and ``request_id``, like every response)."""

    messages: tuple[SQSMessage, ...] = wire(
        "Messages", parse=parse_list(parse_object(SQSMessage)), default=()
    )


@attrs.frozen(kw_only=True)
class ReceiveMessage(_QueueRegion, Operation[ReceiveMessageResponse]):
    """Receive up to ``max_number_of_messages`` (1-10) messages, waiting up to
    ``wait_time_seconds`` (0-20) for one to arrive (long polling); the attempt's read
    timeout is lengthened by that wait."""

    target: ClassVar[str] = "AmazonSQS.ReceiveMessage"
    service: ClassVar[Service] = SQS
    response_type: ClassVar[type[Any]] = ReceiveMessageResponse

    queue_url: str = _queue_url()
    message_system_attribute_names: Optional[tuple[str, ...]] = attrs.field(
        default=None,
        converter=_name_list,
        validator=_check_names("MessageSystemAttributeNames", SYSTEM_ATTRIBUTES),
        metadata=wire_metadata("MessageSystemAttributeNames"),
    )
    message_attribute_names: Optional[tuple[str, ...]] = attrs.field(
        default=None,
        converter=_name_list,
        validator=_check_names("MessageAttributeNames"),
        metadata=wire_metadata("MessageAttributeNames"),
    )
    max_number_of_messages: Optional[int] = wire(
        "MaxNumberOfMessages", default=None, validator=check_int_range("MaxNumberOfMessages", 1, 10)
    )
    visibility_timeout: Optional[int] = wire(
        "VisibilityTimeout",
        default=None,
        validator=check_int_range("VisibilityTimeout", 0, MAX_VISIBILITY_TIMEOUT),
    )
    wait_time_seconds: Optional[int] = wire(
        "WaitTimeSeconds",
        default=None,
        validator=check_int_range("WaitTimeSeconds", 0, MAX_WAIT_TIME),
    )
    receive_request_attempt_id: Optional[str] = wire(
        "ReceiveRequestAttemptId",
        default=None,
        validator=check_length("ReceiveRequestAttemptId", 1, 128),
    )

    @property
    def attempt_allowance(self) -> float:
        return float(self.wait_time_seconds or 0)


# --- DeleteMessage, ChangeMessageVisibility ------------------------------------------


@attrs.frozen(kw_only=True)
class EmptyResponse(Response):
    """An answer without members (DeleteMessage, ChangeMessageVisibility)."""


@attrs.frozen(kw_only=True)
class DeleteMessage(_QueueRegion, Operation[EmptyResponse]):
    """Delete a received message by its receipt handle."""

    target: ClassVar[str] = "AmazonSQS.DeleteMessage"
    service: ClassVar[Service] = SQS
    response_type: ClassVar[type[Any]] = EmptyResponse

    queue_url: str = _queue_url()
    receipt_handle: str = _receipt_handle()


@attrs.frozen(kw_only=True)
class ChangeMessageVisibility(_QueueRegion, Operation[EmptyResponse]):
    """Hide a received message for ``visibility_timeout`` more seconds (0-43200), counted
    from now (0: visible again at once)."""

    target: ClassVar[str] = "AmazonSQS.ChangeMessageVisibility"
    service: ClassVar[Service] = SQS
    response_type: ClassVar[type[Any]] = EmptyResponse

    queue_url: str = _queue_url()
    receipt_handle: str = _receipt_handle()
    visibility_timeout: int = wire(
        "VisibilityTimeout",
        validator=[
            check_required("VisibilityTimeout"),
            check_int_range("VisibilityTimeout", 0, MAX_VISIBILITY_TIMEOUT),
        ],
    )


# --- GetQueueUrl ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GetQueueUrlResponse(Response):
    """What GetQueueUrl answers: the queue's URL
    (with ``http_status`` and ``request_id``, like every response)."""

    queue_url: Optional[str] = wire("QueueUrl", parse=parse_str, default=None)


@attrs.frozen(kw_only=True)
class GetQueueUrl(Operation[GetQueueUrlResponse]):
    """The URL of the queue named ``queue_name`` (of another account with
    ``queue_owner_aws_account_id``)."""

    target: ClassVar[str] = "AmazonSQS.GetQueueUrl"
    service: ClassVar[Service] = SQS
    response_type: ClassVar[type[Any]] = GetQueueUrlResponse

    queue_name: str = wire(
        "QueueName", validator=[check_required("QueueName"), check_length("QueueName", 1, 80)]
    )
    queue_owner_aws_account_id: Optional[str] = wire(
        "QueueOwnerAWSAccountId",
        default=None,
        validator=check_length("QueueOwnerAWSAccountId", 1, 12),
    )

