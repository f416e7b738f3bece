"""SQS for the emulator's callback queues: the four calls a consumer makes, over AWS
JSON 1.0, with standard-queue semantics on the simulated clock.

* Queues: one per Callback step queue URL (created with the pipeline, or by the first
  message); :meth:`Queues.get_queue_url` finds one by name (and owner account).
* Messages: a receive hides a message for its visibility timeout (the request's, else
  the queue default of 30 s, SQS Developer Guide "Visibility timeout") and hands out a
  new receipt handle each time; ``ApproximateReceiveCount`` counts the receives.
  ChangeMessageVisibility restarts the timeout from now (0: visible at once);
  DeleteMessage removes the message.  All of it on the simulated clock, so a test can
  let a visibility timeout expire with ``emu.advance(...)``.
* Long polling: ``WaitTimeSeconds`` (0-20) waits for a message to arrive, but never more
  than that many seconds of real time (nor of simulated time), so a client's read
  timeout, lengthened by the wait, always holds.
* Wire: requests are ``X-Amz-Target: AmazonSQS.<Operation>``, SigV4 service ``sqs``;
  errors carry ``__type: com.amazonaws.sqs#<Shape>`` plus ``x-amzn-query-error:
  <Query code>;Sender`` (the shape of aws-sdk-cpp's ``SQSUnitTests.cpp``
  CanParseCodeField fixture; the Query codes are the Query-era ones, e.g. in
  aws-sdk-ios ``AWSSQSService.m``).

Standard library only, like the rest of the emulator.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol
from urllib.parse import urlsplit

from ._sigv4 import AuthResult, Credentials, verify

if TYPE_CHECKING:
    from ._server import Handler

TARGET_PREFIX = "AmazonSQS."
CONTENT_TYPE = "application/x-amz-json-1.0"
DEFAULT_VISIBILITY_TIMEOUT = 30.0
MAX_VISIBILITY_TIMEOUT = 43200
MAX_WAIT_TIME = 20
OPERATIONS = ("ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueUrl")
#: How often a long poll looks for a message (real seconds).
POLL_INTERVAL = 0.01

#: Error shape -> (Query-era code, HTTP status).
QUERY_CODES: dict[str, tuple[str, int]] = {
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "InvalidParameterValue": ("InvalidParameterValue", 400),
    "MissingParameter": ("MissingParameter", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
}


class SqsError(Exception):
    def __init__(self, shape: str, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.shape = shape
        self.message = message
        query = QUERY_CODES.get(shape)
        self.status = status or (query[1] if query else 400)
        self.query_code = query[0] if query else None

    def body(self) -> dict[str, str]:
        return {"__type": f"com.amazonaws.sqs#{self.shape}", "message": self.message}


def _ms(t: float) -> str:
    return str(int(t * 1000))


class Message:
    def __init__(self, body: str, sent: float) -> None:
        self.message_id = str(uuid.uuid4())
        self.body = body
        self.md5 = hashlib.md5(body.encode("utf-8")).hexdigest()  # MD5OfBody
        self.sent = sent
        self.visible_at = sent
        self.receive_count = 0
        self.first_receive: Optional[float] = None
        self.receipt: Optional[str] = None

    def in_flight(self, now: float) -> bool:
        return self.receive_count > 0 and now < self.visible_at

    def attributes(self, names: Iterable[str]) -> dict[str, str]:
        wanted = set(names)
        every = "All" in wanted
        known = {
            "SenderId": "AIDAEMULATORSAGEMAKER",
            "SentTimestamp": _ms(self.sent),
            "ApproximateReceiveCount": str(self.receive_count),
            "ApproximateFirstReceiveTimestamp": _ms(self.first_receive or self.sent),
        }
        return {k: v for k, v in known.items() if every or k in wanted}

    def entry(
        self, attribute_names: Iterable[str], receipt: Optional[str] = None
    ) -> dict[str, Any]:
        """This message as an item of ReceiveMessage's ``Messages`` (``Attributes`` only
        when some were asked for; ``ReceiptHandle`` when it was received)."""
        entry: dict[str, Any] = {"MessageId": self.message_id}
        if receipt is not None:
            entry["ReceiptHandle"] = receipt
        entry["MD5OfBody"] = self.md5
        entry["Body"] = self.body
        attributes = self.attributes(attribute_names)
        if attributes:
            entry["Attributes"] = attributes
        return entry


class Queue:
    def __init__(self, url: str) -> None:
        self.url = url
        parts = [p for p in urlsplit(url).path.split("/") if p]
        self.name = parts[-1] if parts else url
        self.account = parts[-2] if len(parts) >= 2 else ""
        self.messages: list[Message] = []


class Queues:
    """Every queue and message; no locking (the emulator holds its lock around calls)."""

    def __init__(self) -> None:
        self.by_url: dict[str, Queue] = {}
        #: receipt handle -> (queue URL, message id), for every handle ever handed out.
        self.handles: dict[str, tuple[str, str]] = {}

    def ensure(self, url: str) -> Queue:
        queue = self.by_url.get(url)
        if queue is None:
            queue = self.by_url[url] = Queue(url)
        return queue

    def find(self, url: Any) -> Queue:
        queue = self.by_url.get(url) if isinstance(url, str) else None
        if queue is None:
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        return queue

    def send(self, url: str, body: str, now: float) -> Message:
        message = Message(body, now)
        self.ensure(url).messages.append(message)
        return message

    # --- the Python helpers (``emu.queue_messages`` / ``emu.receive_messages``) --------
    # Both hand out messages in ReceiveMessage's shape (an item of boto3's
    # ``receive_message()["Messages"]``), so code written for SQS reads them unchanged.

    def peek(self, url: str, attribute_names: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Every message not deleted, oldest first, as ReceiveMessage items without a
        ``ReceiptHandle`` (nothing is received: counts and visibility stay as they are)."""
        queue = self.by_url.get(url)
        names = tuple(attribute_names)
        return [m.entry(names) for m in queue.messages] if queue else []

    def take(
        self, url: str, max_messages: int, now: float, attribute_names: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """Receive and delete up to ``max_messages`` visible messages, oldest first (the
        items ReceiveMessage answered, with their receipt handles)."""
        queue = self.by_url.get(url)
        if queue is None:
            return []
        taken = self.receive(queue, max_messages, None, attribute_names, now)
        for entry in taken:
            self.delete(queue, entry["ReceiptHandle"])
        return taken

    # --- the API ------------------------------------------------------------------------

    def receive(
        self,
        queue: Queue,
        max_messages: int,
        visibility: Optional[float],
        attribute_names: Iterable[str],
        now: float,
    ) -> list[dict[str, Any]]:
        out = []
        timeout = DEFAULT_VISIBILITY_TIMEOUT if visibility is None else visibility
        names = tuple(attribute_names)
        for message in [m for m in queue.messages if not m.in_flight(now)][:max_messages]:
            message.receive_count += 1
            if message.first_receive is None:
                message.first_receive = now
            message.visible_at = now + timeout
            message.receipt = secrets.token_urlsafe(48)
            self.handles[message.receipt] = (queue.url, message.message_id)
            out.append(message.entry(names, message.receipt))
        return out

    def _message(self, queue: Queue, handle: Any) -> Optional[Message]:
        """The message a receipt handle of ``queue`` names (None: deleted since)."""
        where = self.handles.get(handle) if isinstance(handle, str) else None
        if where is None or where[0] != queue.url:
            raise SqsError(
                "ReceiptHandleIsInvalid",
                f'The input receipt handle "{str(handle)[:80]}" is not a valid receipt handle.',
            )
        return next((m for m in queue.messages if m.message_id == where[1]), None)

    def delete(self, queue: Queue, handle: Any) -> None:
        # Deleting with an older handle of the message, or a second time, succeeds (the
        # API reference: "If you use an old ReceiptHandle, the request will succeed").
        message = self._message(queue, handle)
        if message is not None:
            queue.messages.remove(message)

    def change_visibility(self, queue: Queue, handle: Any, timeout: float, now: float) -> None:
        message = self._message(queue, handle)
        if message is None:
            raise SqsError(
                "ReceiptHandleIsInvalid",
                "Message does not exist or is not available for visibility timeout change.",
            )
        if not message.in_flight(now) or message.receipt != handle:
            raise SqsError(
                "MessageNotInflight", "The message referred to isn't in flight."
            )
        message.visible_at = now + timeout

    def get_queue_url(self, name: Any, account: Any) -> str:
        for queue in self.by_url.values():
            if queue.name == name and (account is None or queue.account == account):
                return queue.url
        raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")


# --------------------------------------------------------------------------- requests


def _int(data: Mapping[str, Any], key: str, low: int, high: int) -> Optional[int]:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    raise SqsError(
        "InvalidParameterValue",
        f"Value {value} for parameter {key} is invalid. Reason: Must be between "
        f"{low} and {high}.",
    )


def _required(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key)
    if value is None:
        raise SqsError("MissingParameter", f"The request must contain the parameter {key}.")
    return value


def _names(data: Mapping[str, Any], *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SqsError("InvalidParameterValue", f"{key} must be a list of strings.")
        out.extend(value)
    return out


class Request:
    """One decoded request: the operation and its arguments, validated."""

    def __init__(self, operation: str, data: Mapping[str, Any]) -> None:
        self.operation = operation
        self.data = data
        if operation == "GetQueueUrl":
            _required(data, "QueueName")
            return
        _required(data, "QueueUrl")
        if operation == "ReceiveMessage":
            self.max = _int(data, "MaxNumberOfMessages", 1, 10) or 1
            self.wait = _int(data, "WaitTimeSeconds", 0, MAX_WAIT_TIME) or 0
            self.visibility = _int(data, "VisibilityTimeout", 0, MAX_VISIBILITY_TIMEOUT)
            # The deprecated AttributeNames and its successor are both honoured.
            self.attributes = _names(data, "AttributeNames", "MessageSystemAttributeNames")
        else:
            _required(data, "ReceiptHandle")
            if operation == "ChangeMessageVisibility":
                _required(data, "VisibilityTimeout")
                self.visibility = _int(data, "VisibilityTimeout", 0, MAX_VISIBILITY_TIMEOUT)

    def apply(self, queues: Queues, now: float) -> Optional[dict[str, Any]]:
        """The answer, or None for a ReceiveMessage that found nothing (yet)."""
        data = self.data
        if self.operation == "GetQueueUrl":
            url = queues.get_queue_url(data["QueueName"], data.get("QueueOwnerAWSAccountId"))
            return {"QueueUrl": url}
        queue = queues.find(data["QueueUrl"])
        if self.operation == "ReceiveMessage":
            messages = queues.receive(queue, self.max, self.visibility, self.attributes, now)
            return {"Messages": messages} if messages else None
        if self.operation == "DeleteMessage":
            queues.delete(queue, data["ReceiptHandle"])
        else:
            queues.change_visibility(queue, data["ReceiptHandle"], float(self.visibility or 0), now)
        return {}


class _Model(Protocol):
    """What the frontend needs of ``_model.Model`` (which imports this module)."""

    queues: Queues

    def sync(self, now: float) -> None: ...


class _Clock(Protocol):
    def now(self) -> float: ...


@dataclasses.dataclass
class Frontend:
    """Answers the SQS requests the emulator's ``_serve`` hands over."""

    model: _Model
    lock: threading.RLock
    clock: _Clock
    region: str
    wall_time: Callable[[], float]
    stopping: threading.Event

    def serve(
        self,
        h: Handler,
        path: str,
        query: str,
        body: bytes,
        credentials: Mapping[str, Credentials],
    ) -> None:
        auth = verify(
            method=h.command,
            path=path,
            query=query,
            headers=list(h.headers.items()),
            body=body,
            credentials=credentials,
            region=self.region,
            service="sqs",
            now=self.wall_time(),
        )
        try:
            status, payload = 200, self._answer(h, body, auth)
            error: Optional[SqsError] = None
        except SqsError as exc:
            status, payload, error = exc.status, exc.body(), exc
        headers = [("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Type", CONTENT_TYPE)]
        if error is not None and error.query_code:
            headers.append(("x-amzn-query-error", f"{error.query_code};Sender"))
        h.respond(status, json.dumps(payload).encode(), headers)

    def _answer(self, h: Handler, body: bytes, auth: AuthResult) -> dict[str, Any]:
        if not auth.ok:
            raise SqsError(
                auth.code or "InvalidSignatureException", auth.message or "", auth.status
            )
        operation = h.headers.get("X-Amz-Target", "")[len(TARGET_PREFIX) :]
        if h.command != "POST" or operation not in OPERATIONS:
            raise SqsError("UnsupportedOperation", f"Unknown operation {operation}.".strip())
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise SqsError("InvalidParameterValue", "The request body is not JSON.") from None
        if not isinstance(data, dict):
            raise SqsError("InvalidParameterValue", "The request body is not a JSON object.")
        request = Request(operation, data)
        wait = request.wait if operation == "ReceiveMessage" else 0
        real_deadline = time.monotonic() + wait
        with self.lock:
            sim_deadline = self.clock.now() + wait
        while True:
            with self.lock:
                now = self.clock.now()
                self.model.sync(now)
                answer = request.apply(self.model.queues, now)
            if answer is not None:
                return answer
            if now >= sim_deadline or time.monotonic() >= real_deadline:
                return {}
            if self.stopping.wait(POLL_INTERVAL):
                return {}
