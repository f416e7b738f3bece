"""Pipelines, executions and their state machine, driven by a simulated clock.

Nothing here locks: the emulator holds one lock around every call into :class:`Model`.
Time only moves when :meth:`Model.sync` is called with a later simulated time, so the
state is a pure function of the operations and the clock.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import string
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional

from ._sqs import Queues

EXECUTING = "Executing"
STOPPING = "Stopping"
STOPPED = "Stopped"
FAILED = "Failed"
SUCCEEDED = "Succeeded"
TERMINAL = frozenset({STOPPED, FAILED, SUCCEEDED})

#: StopPipelineExecution's answer for an execution that is not Executing (see stop_execution).
NOT_EXECUTING_MESSAGE = "Only pipelines with 'Executing' status can be stopped"
#: The emulator's text for an injected transient conflict on a stop.  The live service's
#: wording is not known from any source; only the code is (Airflow retries on it).
TRANSIENT_CONFLICT_MESSAGE = "The pipeline execution is moving between steps; retry the request"

STEP_NAME_RE = re.compile(r"[A-Za-z0-9\-_]{1,64}")
PIPELINE_NAME_RE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_ID_ALPHABET = string.ascii_lowercase + string.digits

# The __type namespace AWS uses for each error code (None: the bare code).
ERROR_NAMESPACES: dict[str, Optional[str]] = {
    "ResourceNotFound": "com.amazonaws.sagemaker",
    "ConflictException": "com.amazonaws.sagemaker",
    "ResourceLimitExceeded": "com.amazonaws.sagemaker",
    "ValidationException": "com.amazon.coral.validate",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "InternalFailure": "com.amazon.coral.service",
    "ThrottlingException": "com.amazon.coral.availability",
    "ServiceUnavailable": "com.amazon.coral.availability",
    # The Common Errors of every AWS API (HTTP-level refusals, see _server.BadRequest);
    # their namespace is not documented: the one of the other service-level errors.
    "MalformedHttpRequestException": "com.amazon.coral.service",
    "RequestEntityTooLargeException": "com.amazon.coral.service",
    "InvalidSignatureException": None,
    "UnrecognizedClientException": None,
    "IncompleteSignature": None,
    "MissingAuthenticationToken": None,
}


class ServiceError(Exception):
    """An error answered as an AWS JSON 1.1 error body."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    @property
    def type_name(self) -> str:
        namespace = ERROR_NAMESPACES.get(self.code)
        return f"{namespace}#{self.code}" if namespace else self.code

    @property
    def error_type_header(self) -> str:
        namespace = ERROR_NAMESPACES.get(self.code) or "com.amazon.coral.service"
        return f"{self.code}:http://internal.amazon.com/coral/{namespace}/"

    def body(self) -> dict[str, str]:
        return {"__type": self.type_name, "message": self.message}


# --------------------------------------------------------------------------- steps


def non_negative(value: Any, name: str) -> float:
    """``value`` (a duration or a speed) as a float: finite and >= 0, else ValueError
    (a NaN compares false with every time, an infinity never ends)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return number


class Step:
    """A pipeline step that runs for ``duration`` simulated seconds.

    ``type`` is the SageMaker step type (``Training``, ``Processing``, ``Condition``,
    ...).  With ``fail_reason`` set the step fails after its duration instead of
    succeeding, failing the execution.
    """

    def __init__(
        self,
        name: str,
        type: str = "Training",
        duration: float = 60.0,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        fail_reason: Optional[str] = None,
    ) -> None:
        if not STEP_NAME_RE.fullmatch(name):
            raise ValueError(f"invalid step name {name!r}: must match [A-Za-z0-9-_]{{1,64}}")
        self.name = name
        self.type = type
        self.duration = non_negative(duration, "duration")
        self.display_name = display_name
        self.description = description
        self.fail_reason = fail_reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, type={self.type!r}, duration={self.duration})"

    def metadata(self, execution: Execution) -> dict[str, Any]:
        job = execution.execution_id + "-" + self.name
        resource = {
            "Training": ("TrainingJob", "training-job"),
            "Processing": ("ProcessingJob", "processing-job"),
            "Transform": ("TransformJob", "transform-job"),
        }.get(self.type)
        if resource is not None:
            key, kind = resource
            arn = (
                f"arn:aws:sagemaker:{execution.region}:{execution.account_id}:"
                f"{kind}/pipelines-{job}".lower()
            )
            return {key: {"Arn": arn}}
        if self.type == "Condition":
            return {"Condition": {"Outcome": "True"}}
        return {}


class CallbackStep(Step):
    """A Callback step: it waits for SendPipelineExecutionStep{Success,Failure}.

    When it starts, a ``{"token", "pipelineExecutionArn", "arguments"}`` message is put
    on ``sqs_queue_url``; when its execution is stopped, the same with ``"status":
    "Stopping"`` (the example bodies of the SageMaker Developer Guide, "Callback step":
    the start message has no status; the Stopping one spells it ``status``, lower case,
    although the prose and the API reference say "Status").
    """

    def __init__(
        self,
        name: str,
        sqs_queue_url: str,
        arguments: Optional[Mapping[str, Any]] = None,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        super().__init__(name, "Callback", 0.0, display_name=display_name, description=description)
        self.sqs_queue_url = sqs_queue_url
        self.arguments: dict[str, Any] = dict(arguments or {})

    def __repr__(self) -> str:
        return f"CallbackStep({self.name!r}, sqs_queue_url={self.sqs_queue_url!r})"


class LambdaStep(Step):
    """A Lambda step: the function runs ``duration`` seconds, killed after ``timeout``."""

    def __init__(
        self,
        name: str,
        function_arn: str,
        duration: float = 60.0,
        timeout: float = 600.0,
        *,
        output_parameters: Optional[Mapping[str, str]] = None,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        super().__init__(
            name, "Lambda", duration, display_name=display_name, description=description
        )
        self.function_arn = function_arn
        self.timeout = non_negative(timeout, "timeout")
        if self.timeout == 0:
            raise ValueError("timeout must be > 0")
        self.output_parameters: dict[str, str] = dict(output_parameters or {})

    def __repr__(self) -> str:
        return (
            f"LambdaStep({self.name!r}, function_arn={self.function_arn!r}, "
            f"duration={self.duration}, timeout={self.timeout})"
        )

    @property
    def times_out(self) -> bool:
        return self.duration > self.timeout

    @property
    def run_time(self) -> float:
        return min(self.duration, self.timeout)

    def timeout_reason(self) -> str:
        return (
            f"Lambda function {self.function_arn} timed out: the Lambda timeout of "
            f"{self.timeout:g} seconds was reached."
        )


#: The fields of a step given as a dict, by step type (``--pipelines`` files, the
#: control API); every type also takes ``name``, ``type``, ``display_name`` and
#: ``description``.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "Callback": ("sqs_queue_url", "arguments"),
    "Lambda": ("function_arn", "duration", "timeout", "output_parameters"),
    "": ("duration", "fail_reason"),  # any other type
}
_COMMON_FIELDS = ("name", "type", "display_name", "description")
PIPELINE_FIELDS = ("name", "steps", "description")
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}


def json_type(value: Any) -> str:
    """What a JSON value is, in words (for error messages)."""
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _text(
    data: Mapping[str, Any], key: str, default: Optional[str] = None, *, required: bool = False
) -> Any:
    """``data[key]``, a string (``default`` when absent or null, unless ``required``);
    ValueError naming the field otherwise."""
    if key not in data or (data[key] is None and not required):
        if required:
            raise ValueError(f"missing field {key!r}")
        return default
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} must be a string, not {json_type(value)}")
    return value


def _seconds_field(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"field {key!r} must be a number of seconds, not {json_type(value)}")
    return non_negative(value, f"field {key!r}")


def _object(data: Mapping[str, Any], key: str) -> Optional[Mapping[str, Any]]:
    value = data.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise ValueError(f"field {key!r} must be an object, not {json_type(value)}")
    return value


def step_from_dict(data: Any) -> Step:
    """Build a step from a JSON-style dict (``--pipelines`` files, the control API):
    ``{"name", "type", ...}`` with the fields of :data:`STEP_FIELDS`.  A ValueError
    names the field that is missing, unknown or of the wrong type."""
    if not isinstance(data, Mapping):
        raise ValueError(
            'a step is a JSON object {"name": ..., "type": ..., ...}, not ' + json_type(data)
        )
    kind = _text(data, "type", "Training")
    fields = STEP_FIELDS.get(kind, STEP_FIELDS[""])
    unknown = [k for k in data if k not in _COMMON_FIELDS + fields]
    if unknown:
        known = ", ".join(_COMMON_FIELDS + fields)
        raise ValueError(f"unknown field {unknown[0]!r} for a {kind} step (known: {known})")
    name = _text(data, "name", required=True)
    common: dict[str, Any] = {
        "display_name": _text(data, "display_name"),
        "description": _text(data, "description"),
    }
    if kind == "Callback":
        return CallbackStep(
            name, _text(data, "sqs_queue_url", required=True), _object(data, "arguments"), **common
        )
    if kind == "Lambda":
        return LambdaStep(
            name,
            _text(data, "function_arn", required=True),
            _seconds_field(data, "duration", 60.0),
            _seconds_field(data, "timeout", 600.0),
            output_parameters=_object(data, "output_parameters"),
            **common,
        )
    return Step(
        name,
        kind,
        _seconds_field(data, "duration", 60.0),
        fail_reason=_text(data, "fail_reason"),
        **common,
    )


# --------------------------------------------------------------------------- state


class Pipeline:
    def __init__(self, name: str, arn: str, steps: Sequence[Step], description: Optional[str]):
        self.name = name
        self.arn = arn
        self.steps = list(steps)
        self.description = description


class StepRun:
    def __init__(self, spec: Step, start: float) -> None:
        self.spec = spec
        self.status = EXECUTING
        self.start = start
        self.end: Optional[float] = None
        self.failure_reason: Optional[str] = None
        self.token: Optional[str] = None
        self.output_parameters: Optional[list[dict[str, str]]] = None

    def to_api(self, execution: Execution) -> dict[str, Any]:
        spec = self.spec
        # Only members of botocore's PipelineExecutionStep shape (it has no step type:
        # boto3 and the AWS CLI would drop one; the kind is the Metadata member).
        out: dict[str, Any] = {
            "StepName": spec.name,
            "StepStatus": self.status,
            "StartTime": self.start,
            "AttemptCount": 1,
        }
        if spec.display_name is not None:
            out["StepDisplayName"] = spec.display_name
        if spec.description is not None:
            out["StepDescription"] = spec.description
        if self.end is not None:
            out["EndTime"] = self.end
        if self.failure_reason is not None:
            out["FailureReason"] = self.failure_reason
        metadata: dict[str, Any]
        if isinstance(spec, CallbackStep):
            callback: dict[str, Any] = {
                "CallbackToken": self.token,
                "SqsQueueUrl": spec.sqs_queue_url,
            }
            if self.output_parameters is not None:
                callback["OutputParameters"] = self.output_parameters
            metadata = {"Callback": callback}
        elif isinstance(spec, LambdaStep):
            lam: dict[str, Any] = {"Arn": spec.function_arn}
            if self.output_parameters is not None:
                lam["OutputParameters"] = self.output_parameters
            metadata = {"Lambda": lam}
        else:
            metadata = spec.metadata(execution)
        out["Metadata"] = metadata
        return out


class Execution:
    def __init__(
        self,
        *,
        pipeline: Pipeline,
        arn: str,
        execution_id: str,
        region: str,
        account_id: str,
        seq: int,
        created: float,
        display_name: str,
        description: Optional[str],
        parameters: list[dict[str, str]],
    ) -> None:
        self.pipeline = pipeline
        self.arn = arn
        self.execution_id = execution_id
        self.region = region
        self.account_id = account_id
        self.seq = seq
        self.created = created
        self.modified = created
        self.display_name = display_name
        self.description = description
        self.parameters = parameters
        self.status = EXECUTING
        self.failure_reason: Optional[str] = None
        self.runs: list[StepRun] = []
        self.current: Optional[StepRun] = None
        self.stop_requested: Optional[float] = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "PipelineArn": self.pipeline.arn,
            "PipelineExecutionArn": self.arn,
            "PipelineExecutionDisplayName": self.display_name,
            "PipelineExecutionStatus": self.status,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
        }
        if self.description is not None:
            out["PipelineExecutionDescription"] = self.description
        if self.failure_reason is not None:
            out["FailureReason"] = self.failure_reason
        return out

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "PipelineExecutionArn": self.arn,
            "StartTime": self.created,
            "PipelineExecutionStatus": self.status,
            "PipelineExecutionDisplayName": self.display_name,
        }
        if self.description is not None:
            out["PipelineExecutionDescription"] = self.description
        if self.failure_reason is not None:
            out["PipelineExecutionFailureReason"] = self.failure_reason
        return out


class SimClock:
    """Simulated time: a start instant, manual advances and an optional speed factor."""

    def __init__(
        self,
        start: float,
        speed: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._base = start
        self._mono0 = monotonic()
        self._speed = non_negative(speed, "speed")

    def now(self) -> float:
        return self._base + (self._monotonic() - self._mono0) * self._speed

    def advance(self, by: float) -> None:
        self._base += non_negative(by, "the time to advance by")

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        speed = non_negative(value, "speed")
        mono = self._monotonic()
        self._base += (mono - self._mono0) * self._speed
        self._mono0 = mono
        self._speed = speed


_EPSILON = 1e-6


def _r(t: float) -> float:
    return round(t, 3)


class Model:
    """All pipelines, executions, callback tokens and queues."""

    def __init__(self, *, region: str, account_id: str, stop_delay: float = 3.0) -> None:
        self.region = region
        self.account_id = account_id
        self.stop_delay = non_negative(stop_delay, "stop_delay")
        self.pipelines: dict[str, Pipeline] = {}
        self.executions: dict[str, Execution] = {}
        self.tokens: dict[str, StepRun] = {}
        self.token_owner: dict[str, Execution] = {}
        #: The Callback steps' SQS queues (served over SQS's API by ``_sqs.Frontend``).
        self.queues = Queues()
        #: The simulated time of the last :meth:`sync`.
        self.now = 0.0
        self._seq = 0

    # ---------------------------------------------------------------- pipelines

    def pipeline_arn(self, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account_id}:pipeline/{name.lower()}"

    def create_pipeline(
        self, name: str, steps: Sequence[Step], description: Optional[str] = None
    ) -> str:
        if not PIPELINE_NAME_RE.fullmatch(name):
            raise ValueError(f"invalid pipeline name {name!r}")
        if name.lower() in self.pipelines:
            raise ValueError(f"pipeline {name!r} already exists")
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError("step names must be unique within a pipeline")
        arn = self.pipeline_arn(name)
        self.pipelines[name.lower()] = Pipeline(name, arn, steps, description)
        for step in steps:
            if isinstance(step, CallbackStep):
                self.queues.ensure(step.sqs_queue_url)
        return arn

    def find_pipeline(self, name_or_arn: str) -> Pipeline:
        key = name_or_arn
        if name_or_arn.startswith("arn:"):
            prefix = f"arn:aws:sagemaker:{self.region}:{self.account_id}:pipeline/"
            key = name_or_arn[len(prefix) :] if name_or_arn.startswith(prefix) else ""
        pipeline = self.pipelines.get(key.lower())
        if pipeline is None:
            shown = name_or_arn if name_or_arn.startswith("arn:") else self.pipeline_arn(key)
            raise ServiceError("ResourceNotFound", f"Pipeline '{shown}' does not exist.")
        return pipeline

    def find_execution(self, arn: str) -> Execution:
        execution = self.executions.get(arn)
        if execution is None:
            raise ServiceError("ResourceNotFound", f"Pipeline execution '{arn}' does not exist.")
        return execution

    # ---------------------------------------------------------------- operations

    def start_execution(
        self,
        pipeline_name: str,
        now: float,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        parameters: Optional[list[dict[str, str]]] = None,
    ) -> Execution:
        pipeline = self.find_pipeline(pipeline_name)
        while True:
            execution_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
            arn = f"{pipeline.arn}/execution/{execution_id}"
            if arn not in self.executions:
                break
        self._seq += 1
        execution = Execution(
            pipeline=pipeline,
            arn=arn,
            execution_id=execution_id,
            region=self.region,
            account_id=self.account_id,
            seq=self._seq,
            created=_r(now),
            display_name=display_name or f"execution-{int(now * 1000)}",
            description=description,
            parameters=list(parameters or []),
        )
        self.executions[arn] = execution
        self._start_step(execution, 0, _r(now))
        self._run(execution, now)
        return execution

    def stop_execution(self, arn: str, now: float) -> Execution:
        execution = self.find_execution(arn)
        self._run(execution, now)
        if execution.status != EXECUTING:
            # The live service's answer to stopping an execution that is Stopping or has
            # ended: 400 ValidationException with this message (apache/airflow
            # SageMakerHook.stop_pipeline matches it; PRs #29077, #36337).
            raise ServiceError("ValidationException", NOT_EXECUTING_MESSAGE)
        execution.status = STOPPING
        execution.stop_requested = _r(now)
        execution.modified = _r(now)
        run = execution.current
        assert run is not None
        run.status = STOPPING
        if isinstance(run.spec, CallbackStep):
            self._put_callback_message(execution, run, STOPPING, _r(now))
        self._run(execution, now)
        return execution

    def send_callback(
        self,
        token: str,
        now: float,
        *,
        success: bool,
        output_parameters: Optional[list[dict[str, str]]] = None,
        failure_reason: Optional[str] = None,
    ) -> Execution:
        run = self.tokens.get(token)
        if run is None:
            raise ServiceError("ResourceNotFound", f"Callback token '{token}' does not exist.")
        execution = self.token_owner[token]
        self._run(execution, now)
        if run.status not in (EXECUTING, STOPPING):
            raise ServiceError(
                "ConflictException",
                f"Step '{run.spec.name}' of pipeline execution '{execution.arn}' is in status "
                f"{run.status} and is not waiting for a callback.",
            )
        t = _r(now)
        run.end = t
        execution.modified = t
        if success:
            run.output_parameters = list(output_parameters or [])
        else:
            run.failure_reason = failure_reason or "Callback failure"
        if execution.status == STOPPING:
            run.status = STOPPED if success else FAILED
            self._finish(execution, STOPPED, t)
        elif success:
            run.status = SUCCEEDED
            self._start_step(execution, execution.runs.index(run) + 1, t)
        else:
            run.status = FAILED
            self._finish(
                execution, FAILED, t, f"Step failure: {run.spec.name}: {run.failure_reason}"
            )
        self._run(execution, now)
        return execution

    # ---------------------------------------------------------------- time

    def sync(self, now: float) -> None:
        self.now = max(self.now, now)
        for execution in self.executions.values():
            if execution.status not in TERMINAL:
                self._run(execution, now)

    def _start_step(self, execution: Execution, index: int, t: float) -> None:
        steps = execution.pipeline.steps
        if index >= len(steps):
            self._finish(execution, SUCCEEDED, t)
            return
        run = StepRun(steps[index], t)
        execution.runs.append(run)
        execution.current = run
        execution.modified = t
        if isinstance(run.spec, CallbackStep):
            while True:
                token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(10))
                if token not in self.tokens:
                    break
            run.token = token
            self.tokens[token] = run
            self.token_owner[token] = execution
            self._put_callback_message(execution, run, EXECUTING, t)

    def _finish(
        self, execution: Execution, status: str, t: float, reason: Optional[str] = None
    ) -> None:
        execution.status = status
        execution.modified = t
        execution.current = None
        if reason is not None:
            execution.failure_reason = reason

    def _run(self, execution: Execution, now: float) -> None:
        while execution.current is not None:
            run = execution.current
            spec = run.spec
            if isinstance(spec, CallbackStep):
                return  # waits for SendPipelineExecutionStep{Success,Failure}
            if isinstance(spec, LambdaStep):
                end = _r(run.start + spec.run_time)
                if end > now + _EPSILON:
                    return
                run.end = end
                if spec.times_out:
                    run.status = FAILED
                    run.failure_reason = spec.timeout_reason()
                    self._finish(
                        execution, FAILED, end, f"Step failure: {spec.name}: {run.failure_reason}"
                    )
                    return
                run.output_parameters = [
                    {"Name": k, "Value": v} for k, v in spec.output_parameters.items()
                ]
                if execution.status == STOPPING:
                    run.status = STOPPED
                    self._finish(execution, STOPPED, end)
                    return
                run.status = SUCCEEDED
                self._start_step(execution, execution.runs.index(run) + 1, end)
                continue
            if execution.status == STOPPING:
                assert execution.stop_requested is not None
                end = _r(execution.stop_requested + self.stop_delay)
                if end > now + _EPSILON:
                    return
                run.end = end
                run.status = STOPPED
                self._finish(execution, STOPPED, end)
                return
            end = _r(run.start + spec.duration)
            if end > now + _EPSILON:
                return
            run.end = end
            if spec.fail_reason is not None:
                run.status = FAILED
                run.failure_reason = spec.fail_reason
                self._finish(
                    execution, FAILED, end, f"Step failure: {spec.name}: {spec.fail_reason}"
                )
                return
            run.status = SUCCEEDED
            self._start_step(execution, execution.runs.index(run) + 1, end)

    # ---------------------------------------------------------------- queues

    def _put_callback_message(
        self, execution: Execution, run: StepRun, status: str, t: float
    ) -> None:
        spec = run.spec
        assert isinstance(spec, CallbackStep)
        body: dict[str, Any] = {
            "token": run.token,
            "pipelineExecutionArn": execution.arn,
            "arguments": spec.arguments,
        }
        if status == STOPPING:
            body["status"] = STOPPING
        self.queues.send(spec.sqs_queue_url, json.dumps(body), t)

    def queue_messages(
        self, url: str, attribute_names: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        return self.queues.peek(url, attribute_names)

    def receive_messages(
        self, url: str, max_messages: int, attribute_names: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        if isinstance(max_messages, bool) or not isinstance(max_messages, int):
            raise ValueError(f"max_messages must be an integer, not {max_messages!r}")
        if max_messages < 1:
            raise ValueError(f"max_messages must be >= 1, not {max_messages}")
        return self.queues.take(url, max_messages, self.now, attribute_names)
