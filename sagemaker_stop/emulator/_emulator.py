"""The :class:`SageMakerEmulator`: a loopback AWS JSON 1.1 server for SageMaker Pipelines
(and, for its Callback steps' queues, AWS JSON 1.0 SQS: ``_sqs.py``)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union
from urllib.parse import parse_qs

from ._api import OPERATIONS, Api, read_json, read_request
from ._faults import CONFLICT, DELAY, ERROR, RESET, THROTTLE, Fault, FaultQueue
from ._model import (
    PIPELINE_FIELDS,
    TRANSIENT_CONFLICT_MESSAGE,
    Model,
    ServiceError,
    SimClock,
    Step,
    json_type,
    step_from_dict,
)
from ._server import BadRequest, Handler, Server
from ._sigv4 import AuthResult, Credentials, verify
from ._sqs import TARGET_PREFIX as SQS_TARGET_PREFIX
from ._sqs import Frontend as SqsFrontend

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .. import Credentials as ClientCredentials
    from ..client import AsyncSageMakerClient, SageMakerClient

DEFAULT_CREDENTIALS = Credentials("AKIDEMULATOR000000001", "emulator-secret")
TARGET_PREFIX = "SageMaker."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
_HTML_ERROR = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

#: The largest request body the emulator reads; a larger one is answered 413
#: RequestEntityTooLargeException without being read.  SageMaker documents no limit; the
#: largest request its emulated operations allow (200 pipeline parameters of 256 + 1024
#: characters, each at worst a 12-byte JSON escape) is about 3 MiB.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
#: How many of the latest requests ``requests`` keeps, and how many bytes of their bodies.
MAX_RECORDED_REQUESTS = 10_000
MAX_RECORDED_BYTES = 64 * 1024 * 1024

CredentialsLike = Union[
    Credentials, "ClientCredentials", tuple[str, str], tuple[str, str, Optional[str]]
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received (control paths under ``/_emulator/`` excluded).

    ``headers`` maps lower-cased names to values (repeated headers joined with ``,``);
    ``auth`` is the signature verification outcome; ``status`` the HTTP status sent
    (``None`` when the connection was dropped before any status line); ``error_code``
    the AWS error code answered, if any; ``fault`` the injected fault kind, if any.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    operation: Optional[str]
    auth: AuthResult
    status: Optional[int]
    error_code: Optional[str]
    fault: Optional[str]
    request_id: str
    received_at: float

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    @property
    def client_request_token(self) -> Optional[str]:
        data = self.json
        return data.get("ClientRequestToken") if isinstance(data, dict) else None

    @property
    def signature(self) -> Optional[str]:
        auth = self.headers.get("authorization", "")
        marker = "Signature="
        return auth.split(marker, 1)[1].strip() if marker in auth else None

    @property
    def amz_date(self) -> Optional[str]:
        return self.headers.get("x-amz-date")


def _client_credentials(creds: Credentials) -> ClientCredentials:
    """``creds`` as the client library's Credentials (imported only when asked for: the
    emulator itself needs nothing beyond the standard library)."""
    from .. import Credentials as ClientCredentials

    return ClientCredentials(
        creds.access_key_id, creds.secret_access_key, creds.session_token, source="emulator"
    )


def _execution_arn_of(body: bytes) -> Optional[str]:
    """The ``PipelineExecutionArn`` a request body names, if it is JSON with one."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return None
    value = data.get("PipelineExecutionArn") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _as_credentials(value: CredentialsLike) -> Credentials:
    if isinstance(value, Credentials):
        return value
    if isinstance(value, tuple):
        return Credentials(*value)
    # a sagemaker_stop.Credentials (or anything with its three attributes)
    return Credentials(value.access_key_id, value.secret_access_key, value.session_token)


class SageMakerEmulator:
    """A local SageMaker Pipelines endpoint with the real stop semantics.

    ``speed`` is the simulated seconds per real second (``0``: time only moves with
    :meth:`advance`).  ``clock_skew`` shifts the server's wall clock (used for the
    ``Date`` header and the 5-minute signature window).  ``stop_delay`` is how long a
    plain step stays ``Stopping``.  A request body over ``max_request_bytes`` is refused
    (413) unread; :attr:`requests` keeps the latest ``max_recorded_requests`` requests,
    fewer when their bodies would exceed ``max_recorded_bytes`` (the newest is always
    kept).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        credentials: Optional[CredentialsLike] = None,
        extra_credentials: Iterable[CredentialsLike] = (),
        clock_skew: float = 0.0,
        speed: float = 0.0,
        stop_delay: float = 3.0,
        log: bool = False,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        max_recorded_requests: int = MAX_RECORDED_REQUESTS,
        max_recorded_bytes: int = MAX_RECORDED_BYTES,
    ) -> None:
        self.host = host
        self._port = port
        self.region = region
        self.account_id = account_id
        self._own = _as_credentials(credentials or DEFAULT_CREDENTIALS)
        self._credentials: dict[str, Credentials] = {self._own.access_key_id: self._own}
        for extra in extra_credentials:
            creds = _as_credentials(extra)
            self._credentials[creds.access_key_id] = creds
        self.clock_skew = float(clock_skew)
        self.log = log
        self.max_request_bytes = max_request_bytes
        self.max_recorded_requests = max_recorded_requests
        self.max_recorded_bytes = max_recorded_bytes
        self._lock = threading.RLock()
        self._clock = SimClock(round(time.time(), 3), speed)
        self._model = Model(region=region, account_id=account_id, stop_delay=stop_delay)
        self._api = Api(self._model)
        self._faults = FaultQueue()
        self._requests: deque[RecordedRequest] = deque()
        self._recorded_bytes = 0
        self._stopping = threading.Event()
        self._sqs = SqsFrontend(
            self._model, self._lock, self._clock, region, self.wall_time, self._stopping
        )
        self._server: Optional[Server] = None
        self._thread: Optional[threading.Thread] = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SageMakerEmulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = Server((self.host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # how long stop() may wait for the loop to notice (serve_forever's select)
            kwargs={"poll_interval": 0.01},
            name="sagemaker-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> SageMakerEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def credentials(self) -> ClientCredentials:
        """The credentials the emulator accepts, as a :class:`sagemaker_stop.Credentials`
        (``SageMakerClient(endpoint_url=emu.endpoint_url, credentials=emu.credentials,
        region=emu.region)``; :meth:`client` does that)."""
        return _client_credentials(self._own)

    @property
    def env(self) -> dict[str, str]:
        """Environment variables pointing an AWS SDK at this emulator."""
        own = self._own
        env = {
            "AWS_ENDPOINT_URL_SAGEMAKER": self.endpoint_url,
            "AWS_ENDPOINT_URL_SQS": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": own.access_key_id,
            "AWS_SECRET_ACCESS_KEY": own.secret_access_key,
        }
        if own.session_token:
            env["AWS_SESSION_TOKEN"] = own.session_token
        return env

    def add_credentials(
        self, access_key_id: str, secret_access_key: str, session_token: Optional[str] = None
    ) -> ClientCredentials:
        """Accept one more credential set too; returns it as a
        :class:`sagemaker_stop.Credentials`."""
        creds = Credentials(access_key_id, secret_access_key, session_token)
        with self._lock:
            self._credentials[access_key_id] = creds
        return _client_credentials(creds)

    def _client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """A client's arguments pointing it at this emulator, ``options`` overriding."""
        preset: dict[str, Any] = {
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "sqs_endpoint_url": self.endpoint_url,
            "credentials": self.credentials,
        }
        return {**preset, **options}

    def client(self, **options: Any) -> SageMakerClient:
        """A :class:`sagemaker_stop.SageMakerClient` for this emulator (its endpoint for
        SageMaker and SQS, its credentials and region); keyword arguments are passed on
        and override those."""
        from ..client import SageMakerClient

        return SageMakerClient(**self._client_options(options))

    def async_client(self, **options: Any) -> AsyncSageMakerClient:
        """An :class:`sagemaker_stop.AsyncSageMakerClient` for this emulator, as
        :meth:`client`."""
        from ..client import AsyncSageMakerClient

        return AsyncSageMakerClient(**self._client_options(options))

    # ---------------------------------------------------------------- clocks

    def wall_time(self) -> float:
        """The server's wall clock (real time plus ``clock_skew``), as epoch seconds."""
        return time.time() + self.clock_skew

    @property
    def now(self) -> float:
        """The simulated time executions run on, as epoch seconds."""
        with self._lock:
            return self._clock.now()

    @property
    def speed(self) -> float:
        return self._clock.speed

    @speed.setter
    def speed(self, value: float) -> None:
        with self._lock:
            self._model.sync(self._clock.now())
            self._clock.speed = value

    def advance(self, seconds: float) -> float:
        """Move simulated time forward and run everything due; returns the new time."""
        with self._lock:
            self._clock.advance(seconds)
            now = self._clock.now()
            self._model.sync(now)
            return now

    # ---------------------------------------------------------------- model helpers

    def create_pipeline(
        self, name: str, steps: Sequence[Step], *, description: Optional[str] = None
    ) -> str:
        """Define a pipeline; returns its ARN."""
        with self._lock:
            return self._model.create_pipeline(name, steps, description)

    def create_pipeline_from_dict(self, data: Any) -> str:
        """Define a pipeline given as ``{"name", "steps": [{"name", "type", ...}],
        "description"}`` (``--pipelines`` files, the control API).  A ValueError names the
        pipeline, the step (from 1) and the field: ``pipeline 'p': step 2: missing field
        'sqs_queue_url'``."""
        if not isinstance(data, dict):
            raise ValueError('a pipeline is a JSON object {"name": ..., "steps": [...]}')
        name = data.get("name")
        if not isinstance(name, str):
            raise ValueError(
                "missing field 'name'"
                if name is None
                else f"field 'name' must be a string, not {json_type(name)}"
            )
        where = f"pipeline {name!r}"
        unknown = [k for k in data if k not in PIPELINE_FIELDS]
        if unknown:
            known = ", ".join(PIPELINE_FIELDS)
            raise ValueError(f"{where}: unknown field {unknown[0]!r} (known: {known})")
        steps = data.get("steps", [])
        description = data.get("description")
        if not isinstance(steps, list):
            raise ValueError(f"{where}: field 'steps' must be an array, not {json_type(steps)}")
        if description is not None and not isinstance(description, str):
            raise ValueError(
                f"{where}: field 'description' must be a string, not {json_type(description)}"
            )
        built = []
        for number, step in enumerate(steps, 1):
            try:
                built.append(step_from_dict(step))
            except ValueError as exc:
                raise ValueError(f"{where}: step {number}: {exc}") from None
        try:
            return self.create_pipeline(name, built, description=description)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def pipeline_arn(self, name: str) -> str:
        return self._model.pipeline_arn(name)

    def start_execution(
        self,
        pipeline: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> str:
        """Start an execution of ``pipeline`` (name or ARN); returns the execution ARN."""
        with self._lock:
            now = self._clock.now()
            self._model.sync(now)
            execution = self._model.start_execution(
                pipeline, now, display_name=display_name, description=description
            )
            return execution.arn

    def stop_execution(self, execution_arn: str) -> None:
        with self._lock:
            now = self._clock.now()
            self._model.sync(now)
            self._model.stop_execution(execution_arn, now)

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        """What DescribePipelineExecution answers."""
        with self._lock:
            self._model.sync(self._clock.now())
            return self._model.find_execution(execution_arn).describe()

    def execution_status(self, execution_arn: str) -> str:
        return str(self.describe_execution(execution_arn)["PipelineExecutionStatus"])

    def list_steps(self, execution_arn: str) -> list[dict[str, Any]]:
        """The started steps in the ListPipelineExecutionSteps shape, oldest first."""
        with self._lock:
            self._model.sync(self._clock.now())
            execution = self._model.find_execution(execution_arn)
            return [run.to_api(execution) for run in execution.runs]

    def step_status(self, execution_arn: str, step_name: str) -> Optional[str]:
        for step in self.list_steps(execution_arn):
            if step["StepName"] == step_name:
                return str(step["StepStatus"])
        return None

    def callback_token(self, execution_arn: str, step_name: Optional[str] = None) -> str:
        """The callback token of a started Callback step (the latest one by default)."""
        for step in reversed(self.list_steps(execution_arn)):
            callback = step["Metadata"].get("Callback")
            if callback and (step_name is None or step["StepName"] == step_name):
                return str(callback["CallbackToken"])
        raise LookupError(f"no started callback step in {execution_arn}")

    def send_step_success(
        self, token: str, output_parameters: Optional[dict[str, str]] = None
    ) -> str:
        outputs = [{"Name": k, "Value": v} for k, v in (output_parameters or {}).items()]
        with self._lock:
            now = self._clock.now()
            self._model.sync(now)
            return self._model.send_callback(
                token, now, success=True, output_parameters=outputs
            ).arn

    def send_step_failure(self, token: str, failure_reason: Optional[str] = None) -> str:
        with self._lock:
            now = self._clock.now()
            self._model.sync(now)
            return self._model.send_callback(
                token, now, success=False, failure_reason=failure_reason
            ).arn

    # ---------------------------------------------------------------- queues

    def queue_messages(
        self, queue_url: str, *, attribute_names: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Every message on the queue not deleted yet, oldest first, left where it is: as
        the items of SQS ReceiveMessage's ``Messages`` (``MessageId``, ``MD5OfBody``,
        ``Body`` — the message's JSON text —, and ``Attributes`` when ``attribute_names``
        asks, e.g. ``["All"]``), without a ``ReceiptHandle``: nothing was received."""
        with self._lock:
            self._model.sync(self._clock.now())
            return self._model.queue_messages(queue_url, attribute_names)

    def receive_messages(
        self, queue_url: str, max_messages: int = 10, *, attribute_names: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Receive and delete up to ``max_messages`` visible messages, oldest first: the
        items SQS ReceiveMessage answers (``MessageId``, ``ReceiptHandle``, ``MD5OfBody``,
        ``Body``, and ``Attributes`` when ``attribute_names`` asks), as boto3's
        ``receive_message()["Messages"]`` gives them; ``CallbackMessage.parse(m["Body"])``
        reads one."""
        with self._lock:
            self._model.sync(self._clock.now())
            return self._model.receive_messages(queue_url, max_messages, attribute_names)

    # ---------------------------------------------------------------- faults

    def _arm(self, fault: Fault) -> Fault:
        with self._lock:
            return self._faults.add(fault)

    def throttle(self, count: int = 1, operation: Optional[str] = None) -> Fault:
        """Answer the next ``count`` requests with 400 ThrottlingException."""
        return self._arm(Fault(THROTTLE, count, operation))

    def fail(
        self,
        count: int = 1,
        operation: Optional[str] = None,
        *,
        status: int = 500,
        html: bool = False,
    ) -> Fault:
        """Answer with a 5xx: 500 InternalFailure, 503 ServiceUnavailable (or ``html``)."""
        if not 500 <= status <= 599:
            raise ValueError("status must be a 5xx")
        return self._arm(Fault(ERROR, count, operation, status=status, html=html))

    def conflict(self, count: int = 1, execution_arn: Optional[str] = None) -> Fault:
        """Answer the next ``count`` StopPipelineExecution requests (of ``execution_arn``
        only, if given) with the transient 400 ConflictException the live service sends
        when a stop lands while the execution moves between steps; the stop itself is not
        applied, so the same request again succeeds."""
        return self._arm(
            Fault(CONFLICT, count, "StopPipelineExecution", execution_arn=execution_arn)
        )

    def delay(self, seconds: float, count: int = 1, operation: Optional[str] = None) -> Fault:
        """Sleep ``seconds`` (real time) before handling and answering the request."""
        return self._arm(Fault(DELAY, count, operation, seconds=seconds))

    def reset(
        self,
        count: int = 1,
        operation: Optional[str] = None,
        *,
        mid_body: bool = False,
        process: bool = False,
    ) -> Fault:
        """Drop the connection with no answer (``mid_body``: after half the answer).

        With ``process`` (implied by ``mid_body``) the request takes effect first, as
        when a response is lost on the way back.
        """
        return self._arm(
            Fault(RESET, count, operation, mid_body=mid_body, process=process or mid_body)
        )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return self._faults.pending()

    # ---------------------------------------------------------------- recorded requests

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the API requests received so far, oldest first (the latest
        ``max_recorded_requests``, within ``max_recorded_bytes`` of bodies)."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation == operation]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._recorded_bytes = 0

    def _record(self, request: RecordedRequest) -> None:
        """Keep ``request``, dropping the oldest ones beyond the limits."""
        with self._lock:
            self._requests.append(request)
            self._recorded_bytes += len(request.body)
            while len(self._requests) > 1 and (
                len(self._requests) > self.max_recorded_requests
                or self._recorded_bytes > self.max_recorded_bytes
            ):
                self._recorded_bytes -= len(self._requests.popleft().body)

    # ---------------------------------------------------------------- HTTP

    def _serve(self, h: Handler) -> None:
        """Every request starts here: its body is read (refused, unread, beyond
        ``max_request_bytes``), then a control path or the API answers it."""
        path, _, query = h.path.partition("?")
        try:
            body = h.read_body(self.max_request_bytes)
        except BadRequest as exc:
            h.close_connection = True  # what follows on the connection is not a request
            error = ServiceError(exc.code, exc.message, exc.status)
            self._send(h, str(uuid.uuid4()), error.status, error.body(), error)
            return
        if path.startswith("/_emulator/"):
            self._control(h, path, query, body)
            return
        if h.headers.get("X-Amz-Target", "").startswith(SQS_TARGET_PREFIX):
            with self._lock:
                known = dict(self._credentials)
            self._sqs.serve(h, path, query, body, known)  # the callback queues (_sqs.py)
            return
        self._serve_api(h, path, query, body)

    def _serve_api(self, h: Handler, path: str, query: str, body: bytes) -> None:
        request_id = str(uuid.uuid4())
        headers = list(h.headers.items())
        target = h.headers.get("X-Amz-Target", "")
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else None
        with self._lock:
            credentials = dict(self._credentials)
        auth = verify(
            method=h.command,
            path=path,
            query=query,
            headers=headers,
            body=body,
            credentials=credentials,
            region=self.region,
            service="sagemaker",
            now=self.wall_time(),
        )
        with self._lock:
            fault = self._faults.take(operation, _execution_arn_of(body))
        received = self.wall_time()

        def record(status: Optional[int], code: Optional[str]) -> None:
            merged: dict[str, str] = {}
            for name, value in headers:
                key = name.lower()
                merged[key] = f"{merged[key]},{value}" if key in merged else value
            self._record(
                RecordedRequest(
                    method=h.command,
                    path=h.path,
                    headers=merged,
                    body=body,
                    operation=operation,
                    auth=auth,
                    status=status,
                    error_code=code,
                    fault=fault.kind if fault else None,
                    request_id=request_id,
                    received_at=received,
                )
            )

        error: Optional[ServiceError]
        if fault is not None and fault.kind == DELAY:
            if self._stopping.wait(fault.seconds):
                record(None, None)
                h.abort()
                return
        elif fault is not None and fault.kind in (THROTTLE, ERROR, CONFLICT):
            if fault.kind == THROTTLE:
                error = ServiceError("ThrottlingException", "Rate exceeded", 400)
            elif fault.kind == CONFLICT:
                error = ServiceError("ConflictException", TRANSIENT_CONFLICT_MESSAGE, 400)
            elif fault.status == 503:
                error = ServiceError("ServiceUnavailable", "Service Unavailable", 503)
            else:
                error = ServiceError("InternalFailure", "Internal Failure", fault.status)
            record(error.status, error.code)
            if fault.html:
                reason = _REASONS.get(fault.status, "Server Error")
                page = _HTML_ERROR.format(status=fault.status, reason=reason).encode()
                h.respond(
                    fault.status,
                    page,
                    [("x-amzn-RequestId", request_id), ("Content-Type", "text/html")],
                )
            else:
                self._send(h, request_id, error.status, error.body(), error)
            return
        elif fault is not None and not fault.process:  # reset before processing
            record(None, None)
            h.abort()
            return

        status, payload, error = self._compute(h, auth, operation, body)
        record(status, error.code if error else None)
        if fault is not None and fault.kind == RESET:  # reset after processing
            if fault.mid_body:
                self._send(h, request_id, status, payload, error, partial=True)
            else:
                h.abort()
            return
        self._send(h, request_id, status, payload, error)

    def _compute(
        self, h: Handler, auth: AuthResult, operation: Optional[str], body: bytes
    ) -> tuple[int, dict[str, Any], Optional[ServiceError]]:
        try:
            if not auth.ok:
                raise ServiceError(
                    auth.code or "InvalidSignatureException", auth.message or "", auth.status
                )
            content_type = h.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if (
                h.command != "POST"
                or operation not in OPERATIONS
                or not content_type.startswith("application/x-amz-json-1.")
            ):
                raise ServiceError(
                    "UnknownOperationException", f"Unknown operation {operation or ''}".strip()
                )
            data = read_request(body)
            with self._lock:
                return 200, self._api.call(operation, data, self._clock.now()), None
        except ServiceError as exc:
            return exc.status, exc.body(), exc

    def _send(
        self,
        h: Handler,
        request_id: str,
        status: int,
        payload: dict[str, Any],
        error: Optional[ServiceError],
        *,
        partial: bool = False,
    ) -> None:
        headers = [("x-amzn-RequestId", request_id), ("Content-Type", JSON_CONTENT_TYPE)]
        if error is not None:
            headers.append(("X-Amzn-ErrorType", error.error_type_header))
        if h.close_connection:
            headers.append(("Connection", "close"))
        h.respond(status, json.dumps(payload).encode(), headers, partial=partial)

    def _control(self, h: Handler, path: str, query: str, body: bytes) -> None:
        """Unauthenticated helpers for out-of-process use (queues, clock, pipelines)."""
        params = parse_qs(query)
        status = 200
        out: dict[str, Any]
        try:
            if path == "/_emulator/queues" and h.command == "GET":
                url = params.get("url", [""])[0]
                names = params.get("attribute", [])
                if params.get("receive", ["0"])[0] in ("1", "true"):
                    max_messages = int(params.get("max", ["10"])[0])
                    messages = self.receive_messages(url, max_messages, attribute_names=names)
                else:
                    messages = self.queue_messages(url, attribute_names=names)
                out = {"QueueUrl": url, "Messages": messages}
            elif path == "/_emulator/advance" and h.command == "POST":
                out = {"Now": self.advance(float(params.get("seconds", ["0"])[0]))}
            elif path == "/_emulator/pipelines" and h.command == "POST":
                out = {"PipelineArn": self.create_pipeline_from_dict(read_json(body))}
            elif path == "/_emulator/health" and h.command == "GET":
                out = {"Region": self.region, "Now": self.now, "Speed": self.speed}
            else:
                status, out = 404, {"message": f"no such emulator path: {h.command} {path}"}
        except (ValueError, KeyError, TypeError) as exc:
            status, out = 400, {"message": str(exc)}
        h.respond(status, json.dumps(out).encode(), [("Content-Type", "application/json")])
