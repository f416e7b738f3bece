"""Consuming Callback step messages, and answering them exactly once.

A Callback step puts a message on its SQS queue when it starts (no ``status`` in AWS's
documented example: it reads as Executing) and again when its execution is stopped
(``"status": "Stopping"``).  The
step — and a stop of its execution — waits until someone answers with
SendPipelineExecutionStepSuccess or SendPipelineExecutionStepFailure.

:meth:`CallbackMessage.parse` validates a message body (``ParamValidationError`` for
anything malformed, never ``KeyError``/``JSONDecodeError``).  The answers it builds carry a
``ClientRequestToken`` derived from the callback token and the kind of answer, so a
message that SQS delivers twice (delivery is at-least-once) is answered twice with the
*same* request: SageMaker treats the second as a retry of the first.  (Answering the other
way on a redelivery is refused by the service with ConflictException — the step is no
longer waiting.)

Recommended consumer loop — clean up, *then* answer, then delete the message::

    from sagemaker_stop import ConflictException, ParamValidationError, SageMakerClient
    from sagemaker_stop.callback import CallbackMessage

    with SageMakerClient() as sm:
        while True:
            for raw in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get(
                "Messages", []
            ):
                try:
                    message = CallbackMessage.parse(raw["Body"])
                except ParamValidationError:
                    log.exception("not a callback message"); delete(raw); continue
                try:
                    if message.is_stopping:
                        # The execution is being stopped: cancel/clean up the external
                        # work first (idempotently: this may be a redelivery), then
                        # report failure; the execution ends Stopped.
                        cancel_job(message.arguments)
                        sm.answer_callback_failure(message, "stopped by user")
                    else:
                        outputs = run_job(message.arguments)
                        sm.answer_callback_success(message, outputs)
                except ConflictException:
                    pass  # already answered (or the execution is gone): nothing to do
                delete(raw)  # only after the answer was accepted

Delete the message only after the answer succeeded: if the process dies in between, the
redelivered message is answered again with the same token, which is harmless.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any, Optional, Union

import attrs

from ._operations import PIPELINE_EXECUTION_ARN_PATTERN
from ._pipeline_operations import (
    OutputParametersLike,
    SendPipelineExecutionStepFailure,
    SendPipelineExecutionStepSuccess,
)
from .errors import ParamValidationError

__all__ = [
    "CallbackMessage",
    "CallbackMessageLike",
    "callback_request_token",
]

EXECUTING = "Executing"
STOPPING = "Stopping"
_TOKEN = re.compile(r"[A-Za-z0-9]{10}")
_ARN = re.compile(PIPELINE_EXECUTION_ARN_PATTERN)
#: The namespace of the deterministic ClientRequestTokens (uuid5).
TOKEN_NAMESPACE = uuid.UUID("4d1b6a8e-5f0c-5b7e-9a3d-2c6f1e0b8a71")
ANSWER_KINDS = ("success", "failure")
#: How deep a message may nest objects and arrays (the message itself is level 1, its
#: ``arguments`` level 2).  A Callback step's message is flat — AWS's example is
#: ``{"token", "pipelineExecutionArn", "arguments": {"name": "value"}}`` — so a deeper
#: one is refused as invalid here, before it can raise RecursionError in whatever
#: copies, compares, prints or serializes it later.
MAX_DEPTH = 32


def callback_request_token(callback_token: str, kind: str) -> str:
    """The ClientRequestToken for answering ``callback_token`` with ``kind``
    (``"success"`` or ``"failure"``): the same inputs always give the same 36-character
    token, different inputs different ones."""
    if kind not in ANSWER_KINDS:
        raise ParamValidationError("kind", "must be 'success' or 'failure'")
    return str(uuid.uuid5(TOKEN_NAMESPACE, f"sagemaker-stop/callback/{kind}/{callback_token}"))


def _invalid(field: str, rule: str) -> ParamValidationError:
    return ParamValidationError(f"callback message {field}", rule)


def _decoded(body: Any) -> Any:
    """``body`` with JSON text (str or UTF-8 bytes) decoded; anything else as it is."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid("body", "must be UTF-8 text") from None
    if isinstance(body, str):
        try:
            return json.loads(body)
        except RecursionError:  # json gives up near Python's recursion limit
            raise _too_deep() from None
        except ValueError:
            raise _invalid("body", "must be a JSON object") from None
    return body


def _too_deep() -> ParamValidationError:
    return _invalid("body", f"must not nest objects or arrays more than {MAX_DEPTH} deep")


def _check_depth(data: Mapping[str, Any]) -> None:
    """Level by level, without recursion (each level's containers counted once, so a
    mapping that shares or contains itself ends too)."""
    level: list[Any] = [data]
    for _ in range(MAX_DEPTH):
        children = (
            child
            for value in level
            for child in (value.values() if isinstance(value, Mapping) else value)
        )
        level = list({id(c): c for c in children if isinstance(c, (Mapping, list))}.values())
        if not level:
            return
    raise _too_deep()


@attrs.frozen
class CallbackMessage:
    """A Callback step's SQS message, validated."""

    token: str
    pipeline_execution_arn: str
    arguments: Mapping[str, Any] = attrs.field(factory=dict, eq=False)
    #: ``"Executing"`` (the step started) or ``"Stopping"`` (its execution is stopping).
    status: str = EXECUTING

    @property
    def is_stopping(self) -> bool:
        """True for the message sent when the execution is being stopped
        (``"status": "Stopping"``)."""
        return self.status == STOPPING

    @classmethod
    def parse(cls, body: Union[str, bytes, bytearray, Mapping[str, Any]]) -> CallbackMessage:
        """Read a message body: JSON text (str or bytes) or the decoded object.  A whole
        SQS message is accepted too: an item of ``ReceiveMessage``'s ``Messages`` (boto3's
        ``receive_message()["Messages"][i]``, with ``Body``) or a record of a Lambda SQS
        event (``event["Records"][i]``, with ``body``).  Raises
        :class:`ParamValidationError` naming the offending field (a body nested more than
        :data:`MAX_DEPTH` deep is refused)."""
        data = _decoded(body)
        if isinstance(data, Mapping) and "token" not in data:
            # a whole SQS message: its body is the Callback message
            for key in ("Body", "body"):
                if key in data:
                    data = _decoded(data[key])
                    break
        if not isinstance(data, Mapping):
            raise _invalid("body", f"must be a JSON object, not {type(data).__name__}")
        _check_depth(data)
        token = data.get("token")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise _invalid("token", "must be 10 letters or digits")
        arn = data.get("pipelineExecutionArn")
        if not isinstance(arn, str) or not _ARN.fullmatch(arn) or len(arn) > 2048:
            raise _invalid("pipelineExecutionArn", "must be a pipeline execution ARN")
        # The message a step sends when it starts carries no status in AWS's documented
        # example ({"token", "pipelineExecutionArn", "arguments"}); the one sent on a stop
        # has "status": "Stopping" (the API reference spells it "Status"), and a step with
        # no inputs may send no arguments.  Accept exactly those variations.
        arguments = data.get("arguments", {})
        if not isinstance(arguments, Mapping):
            raise _invalid("arguments", "must be a JSON object")
        status = data.get("status", data.get("Status", EXECUTING))
        if status not in (EXECUTING, STOPPING):
            raise _invalid("status", "must be 'Executing' or 'Stopping'")
        return cls(token, arn, dict(arguments), status)

    @classmethod
    def of(cls, message: CallbackMessageLike) -> CallbackMessage:
        """``message`` itself if it is a CallbackMessage, else :meth:`parse` it."""
        return message if isinstance(message, CallbackMessage) else cls.parse(message)

    def success(
        self, output_parameters: OutputParametersLike = None
    ) -> SendPipelineExecutionStepSuccess:
        """The (deterministic) request answering this message with success."""
        return SendPipelineExecutionStepSuccess(
            callback_token=self.token,
            output_parameters=output_parameters,
            client_request_token=callback_request_token(self.token, "success"),
            pipeline_execution_arn=self.pipeline_execution_arn,  # its region, if none is set
        )

    def failure(self, failure_reason: Optional[str] = None) -> SendPipelineExecutionStepFailure:
        """The (deterministic) request answering this message with failure."""
        return SendPipelineExecutionStepFailure(
            callback_token=self.token,
            failure_reason=failure_reason,
            client_request_token=callback_request_token(self.token, "failure"),
            pipeline_execution_arn=self.pipeline_execution_arn,
        )


CallbackMessageLike = Union[CallbackMessage, str, bytes, bytearray, Mapping[str, Any]]
