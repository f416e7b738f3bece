"""The AWS JSON 1.1 operation layer: validation, idempotency and response shapes.

Field names, constraints and validation messages follow the SageMaker service model
(``sagemaker/2017-07-24``) and the wording AWS uses.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import re
from collections.abc import Sequence
from typing import Any, Callable, Optional

from ._model import Execution, Model, ServiceError

EXECUTION_ARN_PATTERN = (
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:pipeline\/.*\/execution\/.*"
)
PIPELINE_NAME_OR_ARN_PATTERN = (
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:([0-9]{12}|aws):pipeline/.*)?"
    r"([a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})"
)
EXECUTION_NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}"
CALLBACK_TOKEN_PATTERN = r"[a-zA-Z0-9]+"

OPERATIONS = (
    "StartPipelineExecution",
    "StopPipelineExecution",
    "DescribePipelineExecution",
    "ListPipelineExecutions",
    "ListPipelineExecutionSteps",
    "SendPipelineExecutionStepSuccess",
    "SendPipelineExecutionStepFailure",
)
IDEMPOTENT = frozenset(
    {
        "StartPipelineExecution",
        "StopPipelineExecution",
        "SendPipelineExecutionStepSuccess",
        "SendPipelineExecutionStepFailure",
    }
)


#: The deepest nesting a JSON body may have.  No source gives the live service's limit;
#: nothing SageMaker accepts nests more than 4 deep, and Python's json module gives up
#: (RecursionError) near 1000.
MAX_JSON_DEPTH = 64


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value.")  # json.loads accepts NaN, Infinity


def read_json(body: bytes) -> Any:
    """The JSON document in ``body``, or ValueError: not JSON (NaN and Infinity are not),
    or nested more than :data:`MAX_JSON_DEPTH` deep."""
    too_deep = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(too_deep) from None
    nested = (dict, list)
    containers: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, nested) else []
    while containers:  # without recursion: the depth is what is being checked
        value, depth = containers.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(too_deep)
        children = value.values() if isinstance(value, dict) else value
        containers.extend((c, depth + 1) for c in children if isinstance(c, nested))
    return data


def read_request(body: bytes) -> dict[str, Any]:
    """An AWS JSON request body: a JSON object, or 400 SerializationException, which
    AWS JSON services answer for a body their deserializer cannot read (Kinesis "Start
    of structure or map found where not expected", quoted in mhart/kinesalite#101;
    DynamoDB "Expected null", aws/aws-sdk-js#44)."""
    try:
        data = read_json(body or b"{}")
    except ValueError as exc:
        raise ServiceError("SerializationException", f"Malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise ServiceError("SerializationException", "Expected a JSON object.")
    return data


def _member(name: str) -> str:
    return name[:1].lower() + name[1:]


class _Validator:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[str] = []

    def _err(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{value}'"
        self.errors.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}"
        )

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        min_len: int = 0,
        max_len: Optional[int] = None,
        pattern: Optional[str] = None,
        enum: Sequence[str] = (),
        value: Any = None,
        path: Optional[str] = None,
    ) -> Optional[str]:
        path = path or _member(key)
        if value is None:
            value = self.body.get(key)
        if value is None:
            if required:
                self._err(None, path, "not be null")
            return None
        if not isinstance(value, str):
            raise ServiceError("SerializationException", f"Expected a string for {key}.")
        if len(value) < min_len:
            self._err(value, path, f"have length greater than or equal to {min_len}")
        if max_len is not None and len(value) > max_len:
            self._err(value, path, f"have length less than or equal to {max_len}")
        if pattern is not None and not re.fullmatch(pattern, value):
            self._err(value, path, f"satisfy regular expression pattern: {pattern}")
        if enum and value not in enum:
            self._err(value, path, f"satisfy enum value set: [{', '.join(enum)}]")
        return value

    def integer(self, key: str, *, low: int, high: int) -> Optional[int]:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ServiceError("SerializationException", f"Expected an integer for {key}.")
        value = int(value)  # an int (mypy < 2 does not narrow through the bool test)
        if value < low:
            self._err(value, _member(key), f"have value greater than or equal to {low}")
        if value > high:
            self._err(value, _member(key), f"have value less than or equal to {high}")
        return value

    def timestamp(self, key: str) -> Optional[float]:
        value = self.body.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            raise ServiceError("SerializationException", f"Expected a timestamp for {key}.")
        if isinstance(value, (int, float)):
            # 10**400 has no float, 1e400 is inf: not a time.  AWS answers a timestamp it
            # cannot convert with SerializationException ("... can not be converted to
            # milliseconds since epoch", __type com.amazon.coral.service#Serialization
            # Exception, quoted in aws/aws-cli#91).
            try:
                seconds = float(value)
            except OverflowError:
                seconds = math.inf
            if math.isfinite(seconds):
                return seconds
            raise ServiceError("SerializationException", f"Expected a timestamp for {key}.")
        if isinstance(value, str):
            try:
                parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=_dt.timezone.utc)
                return parsed.timestamp()
        raise ServiceError("SerializationException", f"Expected a timestamp for {key}.")

    def name_values(self, key: str, *, max_items: int, name_max: int) -> list[dict[str, str]]:
        value = self.body.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ServiceError("SerializationException", f"Expected a list for {key}.")
        if len(value) > max_items:
            self._err(value, _member(key), f"have length less than or equal to {max_items}")
        out = []
        for i, item in enumerate(value, 1):
            if not isinstance(item, dict):
                raise ServiceError("SerializationException", f"Expected a structure in {key}.")
            name = self.string(
                "Name",
                required=True,
                max_len=name_max,
                value=item.get("Name"),
                path=f"{_member(key)}.{i}.member.name",
            )
            val = self.string(
                "Value",
                required=True,
                max_len=1024,
                value=item.get("Value"),
                path=f"{_member(key)}.{i}.member.value",
            )
            if name is not None and val is not None:
                out.append({"Name": name, "Value": val})
        return out

    def check(self) -> None:
        if self.errors:
            n = len(self.errors)
            raise ServiceError(
                "ValidationException",
                f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(self.errors),
            )


def _encode_token(kind: str, offset: int) -> str:
    raw = json.dumps({"k": kind, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(kind: str, token: Optional[str]) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        offset = data["o"]
        if data["k"] != kind or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
    except (ValueError, KeyError, TypeError):
        raise ServiceError("ValidationException", "Invalid pagination token.") from None
    return int(offset)


def _page(
    kind: str,
    items: list[dict[str, Any]],
    token: Optional[str],
    max_results: Optional[int],
    default: int,
) -> tuple[list[dict[str, Any]], Optional[str]]:
    offset = _decode_token(kind, token)
    size = max_results or default
    page = items[offset : offset + size]
    nxt = _encode_token(kind, offset + size) if offset + size < len(items) else None
    return page, nxt


_Outcome = tuple[Optional[dict[str, Any]], Optional[ServiceError]]


class Api:
    """Dispatches one JSON 1.1 operation against the model (caller holds the lock)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.idempotency: dict[
            tuple[str, str], tuple[Optional[dict[str, Any]], Optional[ServiceError]]
        ] = {}
        self._handlers: dict[str, Callable[[dict[str, Any], float], dict[str, Any]]] = {
            "StartPipelineExecution": self._start,
            "StopPipelineExecution": self._stop,
            "DescribePipelineExecution": self._describe,
            "ListPipelineExecutions": self._list_executions,
            "ListPipelineExecutionSteps": self._list_steps,
            "SendPipelineExecutionStepSuccess": self._send_success,
            "SendPipelineExecutionStepFailure": self._send_failure,
        }

    def call(self, operation: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        handler = self._handlers.get(operation)
        if handler is None:
            raise ServiceError("UnknownOperationException", f"Unknown operation {operation}.")
        self.model.sync(now)
        return handler(body, now)

    def _idempotent(
        self,
        operation: str,
        token: Optional[str],
        action: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        if token is None:
            return action()
        key = (operation, token)
        if key in self.idempotency:
            result, error = self.idempotency[key]
            if error is not None:
                raise error
            assert result is not None
            return dict(result)
        try:
            result = action()
        except ServiceError as exc:
            self.idempotency[key] = (None, exc)
            raise
        self.idempotency[key] = (dict(result), None)
        return result

    # ---------------------------------------------------------------- operations

    def _start(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        name = v.string(
            "PipelineName",
            required=True,
            min_len=1,
            max_len=2048,
            pattern=PIPELINE_NAME_OR_ARN_PATTERN,
        )
        display = v.string(
            "PipelineExecutionDisplayName",
            min_len=1,
            max_len=82,
            pattern=EXECUTION_NAME_PATTERN,
        )
        description = v.string("PipelineExecutionDescription", max_len=3072)
        token = v.string("ClientRequestToken", required=True, min_len=32, max_len=128)
        parameters = v.name_values("PipelineParameters", max_items=200, name_max=256)
        v.check()
        assert name is not None

        def action() -> dict[str, Any]:
            execution = self.model.start_execution(
                name, now, display_name=display, description=description, parameters=parameters
            )
            return {"PipelineExecutionArn": execution.arn}

        return self._idempotent("StartPipelineExecution", token, action)

    def _execution_arn(self, v: _Validator) -> Optional[str]:
        return v.string(
            "PipelineExecutionArn",
            required=True,
            max_len=2048,
            pattern=EXECUTION_ARN_PATTERN,
        )

    def _stop(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        arn = self._execution_arn(v)
        token = v.string("ClientRequestToken", required=True, min_len=32, max_len=128)
        v.check()
        assert arn is not None

        def action() -> dict[str, Any]:
            return {"PipelineExecutionArn": self.model.stop_execution(arn, now).arn}

        return self._idempotent("StopPipelineExecution", token, action)

    def _describe(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        arn = self._execution_arn(v)
        v.check()
        assert arn is not None
        return self.model.find_execution(arn).describe()

    def _list_executions(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        name = v.string(
            "PipelineName",
            required=True,
            min_len=1,
            max_len=2048,
            pattern=PIPELINE_NAME_OR_ARN_PATTERN,
        )
        after = v.timestamp("CreatedAfter")
        before = v.timestamp("CreatedBefore")
        sort_by = v.string("SortBy", enum=("CreationTime", "PipelineExecutionArn"))
        sort_order = v.string("SortOrder", enum=("Ascending", "Descending"))
        token = v.string("NextToken", max_len=8192)
        max_results = v.integer("MaxResults", low=1, high=100)
        v.check()
        assert name is not None
        pipeline = self.model.find_pipeline(name)
        executions = [
            e
            for e in self.model.executions.values()
            if e.pipeline is pipeline
            and (after is None or e.created > after)
            and (before is None or e.created < before)
        ]
        key: Callable[[Execution], Any]
        if sort_by == "PipelineExecutionArn":
            key = lambda e: e.arn  # noqa: E731
        else:
            key = lambda e: (e.created, e.seq)  # noqa: E731
        executions.sort(key=key, reverse=(sort_order or "Descending") == "Descending")
        items = [e.summary() for e in executions]
        page, nxt = _page("executions", items, token, max_results, 50)
        out: dict[str, Any] = {"PipelineExecutionSummaries": page}
        if nxt is not None:
            out["NextToken"] = nxt
        return out

    def _list_steps(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        arn = self._execution_arn(v)
        token = v.string("NextToken", max_len=8192)
        max_results = v.integer("MaxResults", low=1, high=100)
        sort_order = v.string("SortOrder", enum=("Ascending", "Descending"))
        v.check()
        assert arn is not None
        execution = self.model.find_execution(arn)
        runs = list(execution.runs)
        if (sort_order or "Descending") == "Descending":
            runs.reverse()
        items = [r.to_api(execution) for r in runs]
        page, nxt = _page("steps:" + arn, items, token, max_results, 50)
        out: dict[str, Any] = {"PipelineExecutionSteps": page}
        if nxt is not None:
            out["NextToken"] = nxt
        return out

    def _callback_args(self, v: _Validator) -> tuple[str, Optional[str]]:
        token = v.string(
            "CallbackToken",
            required=True,
            min_len=10,
            max_len=10,
            pattern=CALLBACK_TOKEN_PATTERN,
        )
        request_token = v.string("ClientRequestToken", min_len=32, max_len=128)
        return token or "", request_token

    def _send_success(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        token, request_token = self._callback_args(v)
        outputs = v.name_values("OutputParameters", max_items=50, name_max=256)
        v.check()

        def action() -> dict[str, Any]:
            execution = self.model.send_callback(
                token, now, success=True, output_parameters=outputs
            )
            return {"PipelineExecutionArn": execution.arn}

        return self._idempotent("SendPipelineExecutionStepSuccess", request_token, action)

    def _send_failure(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        v = _Validator(body)
        token, request_token = self._callback_args(v)
        reason = v.string("FailureReason", max_len=256)
        v.check()

        def action() -> dict[str, Any]:
            execution = self.model.send_callback(token, now, success=False, failure_reason=reason)
            return {"PipelineExecutionArn": execution.arn}

        return self._idempotent("SendPipelineExecutionStepFailure", request_token, action)
