"""Request/response pairs, one per API operation, as frozen attrs classes.

A request knows its ``target`` (the ``X-Amz-Target`` header), makes its JSON body
(``to_json()``), validates its input at construction (``ParamValidationError``, a
``ValueError``), and builds its response from the parsed body plus the HTTP status and
request id.  Adding an operation is: a request class with ``wire(...)`` fields, a
response class, and ``target``/``response_type``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Optional, TypeVar

import attrs

from ._retry import NO_RULES, OperationRetry
from ._shapes import (
    check_length,
    check_pattern,
    check_required,
    members_from_json,
    members_to_json,
    parse_str,
    wire,
    wire_metadata,
)
from ._value import Value
from .errors import (
    ExecutionNotStoppable,
    SageMakerError,
    ValidationException,
    is_not_executing_message,
)

PIPELINE_EXECUTION_ARN_PATTERN = (
    r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:pipeline\/.*\/execution\/.*"
)
_PIPELINE_EXECUTION_ARN = re.compile(PIPELINE_EXECUTION_ARN_PATTERN)


def new_client_request_token() -> str:
    """A fresh random token in uuid4's form (36 characters), as boto3 makes idempotency
    tokens and botocore its ``amz-sdk-invocation-id``: the one source of both."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    x = raw.hex()  # what str(uuid.uuid4()) gives, without the UUID object (half the time)
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def region_of_arn(arn: Optional[str]) -> Optional[str]:
    """The region an ARN names (``arn:partition:service:region:...``), if any."""
    if not arn:
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[3]:
        return None
    return parts[3]


class Service(Value):
    """How one AWS service is spoken: the protocol flavour of its operations.

    Both services here speak AWS JSON (``POST /``, a JSON body, ``X-Amz-Target``); they
    differ only in these values (botocore's service-model ``metadata``): ``name``, the
    SigV4 signing name and the service id of ``AWS_ENDPOINT_URL_<ID>`` and of the
    ``[services]`` config section; ``content_type``,
    ``application/x-amz-json-<jsonVersion>``; ``headers``, further headers every
    request carries (they are signed)."""

    __slots__ = ("content_type", "headers", "name")

    def __init__(
        self, name: str, content_type: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.name = name
        self.content_type = content_type
        self.headers = headers


#: SageMaker: AWS JSON 1.1 (``sagemaker/2017-07-24`` metadata: ``jsonVersion`` 1.1,
#: ``signingName`` sagemaker).
SAGEMAKER = Service("sagemaker", "application/x-amz-json-1.1")


@attrs.frozen(kw_only=True)
class Response:
    """What every response carries besides its members."""

    http_status: int = 200
    request_id: Optional[str] = None


R = TypeVar("R", bound=Response)


class Operation(Generic[R]):
    """Base of every request class."""

    #: ``X-Amz-Target`` value, e.g. ``SageMaker.StopPipelineExecution``.
    target: ClassVar[str]
    #: The service (protocol flavour) the operation belongs to.
    service: ClassVar[Service] = SAGEMAKER
    #: The response class this request produces.
    response_type: ClassVar[type[Any]]
    #: Error codes this operation retries on top of the retry mode's rules.
    retry_rules: ClassVar[Mapping[str, OperationRetry]] = NO_RULES

    @property
    def operation_name(self) -> str:
        return self.target.rpartition(".")[2]

    def to_json(self) -> dict[str, Any]:
        """The request body as JSON data, members in declaration order, None omitted."""
        return members_to_json(self)

    @property
    def region_hint(self) -> Optional[str]:
        """A region the request itself names (e.g. in an ARN), used when none is set."""
        return None

    @property
    def attempt_allowance(self) -> float:
        """Seconds an attempt may take on top of the client's read timeout (a long poll
        waits on purpose)."""
        return 0.0

    def refine_error(self, error: SageMakerError) -> SageMakerError:
        """The error this operation's answer means (by default the one its code names)."""
        return error

    def parse_response(
        self, body: Mapping[str, Any], *, http_status: int, request_id: Optional[str]
    ) -> R:
        """Build the response from a parsed JSON object (``InvalidResponseError`` if the
        members have the wrong types)."""
        result: R = members_from_json(
            self.response_type, body, http_status=http_status, request_id=request_id
        )
        return result


def _arn_field(**kwargs: Any) -> Any:
    return wire(
        "PipelineExecutionArn",
        validator=[
            check_required("PipelineExecutionArn"),
            check_length("PipelineExecutionArn", 1, 2048),
            check_pattern(
                "PipelineExecutionArn",
                _PIPELINE_EXECUTION_ARN,
                PIPELINE_EXECUTION_ARN_PATTERN,
            ),
        ],
        **kwargs,
    )


def _token_or_new(value: Optional[str]) -> str:
    return new_client_request_token() if value is None else value


#: The ClientRequestToken member: optional for callers, generated when absent.
TOKEN_METADATA = wire_metadata("ClientRequestToken")
check_token = check_length("ClientRequestToken", 32, 128)


class _ExecutionArnRegion:
    pipeline_execution_arn: Optional[str]

    @property
    def region_hint(self) -> Optional[str]:
        return region_of_arn(self.pipeline_execution_arn)


# --- StopPipelineExecution -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class StopPipelineExecutionResponse(Response):
    """What StopPipelineExecution answers: the ARN of the execution being stopped
    (with ``http_status`` and ``request_id``, like every response)."""

    pipeline_execution_arn: Optional[str] = wire(
        "PipelineExecutionArn", parse=parse_str, default=None
    )


@attrs.frozen
class StopPipelineExecution(
    _ExecutionArnRegion, Operation[StopPipelineExecutionResponse]
):
    """Stop a pipeline execution. ``client_request_token`` makes the call idempotent;
    one is generated (uuid4) when not given, and every retry of the call reuses it.

    An execution that is not Executing any more is refused with
    :class:`~sagemaker_stop.ExecutionNotStoppable`; a transient ConflictException (the
    stop landed between two steps) is retried by the client."""

    target: ClassVar[str] = "SageMaker.StopPipelineExecution"
    response_type: ClassVar[type[Any]] = StopPipelineExecutionResponse
    #: A stop that lands while the execution moves between two steps is answered
    #: ConflictException; the same call a moment later succeeds.  boto3 does not retry
    #: it (409/ConflictException is not in its retryable set), so Airflow's
    #: ``SageMakerHook.stop_pipeline`` does: 5 attempts, 0.3 s apart (PR #36337).
    retry_rules: ClassVar[Mapping[str, OperationRetry]] = {
        "ConflictException": OperationRetry(attempts=5, delay=0.3)
    }

    pipeline_execution_arn: str = _arn_field()
    client_request_token: str = attrs.field(
        default=None, converter=_token_or_new, validator=check_token, metadata=TOKEN_METADATA
    )

    def refine_error(self, error: SageMakerError) -> SageMakerError:
        """``ValidationException`` "Only pipelines with 'Executing' status can be
        stopped" becomes :class:`ExecutionNotStoppable` (same code and fields)."""
        if isinstance(error, ValidationException) and is_not_executing_message(error.message):
            return ExecutionNotStoppable(
                error.message,
                code=error.code,
                http_status=error.http_status,
                request_id=error.request_id,
            )
        return error
