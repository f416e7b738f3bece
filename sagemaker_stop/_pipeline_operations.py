"""The pipeline-workflow operations: describe, list executions and steps, answer Callback
steps.  Same style as ``_operations.py`` (which holds the base classes and the stop); kept
apart so that a plain stop loads none of them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Optional, Union

import attrs

from ._operations import (
    _PIPELINE_EXECUTION_ARN,
    PIPELINE_EXECUTION_ARN_PATTERN,
    TOKEN_METADATA,
    Operation,
    Response,
    _ExecutionArnRegion,
    _token_or_new,
    check_token,
    region_of_arn,
)
from ._shapes import (
    check_aware_datetime,
    check_enum,
    check_int_range,
    check_length,
    check_pattern,
    check_required,
    members_to_json,
    parse_int,
    parse_list,
    parse_object,
    parse_str,
    parse_timestamp,
    wire,
    wire_metadata,
)
from .errors import ParamValidationError

# --- shared vocabulary ---------------------------------------------------------------

#: Every PipelineExecutionStatus, and the ones an execution never leaves.
EXECUTION_STATUSES = (
    "Executing",
    "Stopping",
    "Stopped",
    "Failed",
    "Succeeded",
    "CompletedWithFailures",
)
TERMINAL_STATUSES = frozenset({"Stopped", "Failed", "Succeeded", "CompletedWithFailures"})
STEP_STATUSES = ("Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")
SORT_ORDERS = ("Ascending", "Descending")

PIPELINE_NAME_OR_ARN_PATTERN = (
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:([0-9]{12}|aws):pipeline/.*)?"
    r"([a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})"
)
_PIPELINE_NAME_OR_ARN = re.compile(PIPELINE_NAME_OR_ARN_PATTERN)
CALLBACK_TOKEN_PATTERN = r"[a-zA-Z0-9]+"
_CALLBACK_TOKEN = re.compile(CALLBACK_TOKEN_PATTERN)

_NEXT_TOKEN = wire("NextToken", default=None, validator=check_length("NextToken", 0, 8192))
_MAX_RESULTS = wire(
    "MaxResults", default=None, validator=check_int_range("MaxResults", 1, 100)
)
_SORT_ORDER = wire("SortOrder", default=None, validator=check_enum("SortOrder", SORT_ORDERS))


def _required_arn_field() -> Any:
    return wire(
        "PipelineExecutionArn",
        validator=[
            check_required("PipelineExecutionArn"),
            check_length("PipelineExecutionArn", 1, 2048),
            check_pattern(
                "PipelineExecutionArn", _PIPELINE_EXECUTION_ARN, PIPELINE_EXECUTION_ARN_PATTERN
            ),
        ]
    )


def _opt_str(name: str) -> Any:
    return wire(name, parse=parse_str, default=None)


def _opt_time(name: str) -> Any:
    return wire(name, parse=parse_timestamp, default=None)


def callback_token_validators() -> list[Any]:
    return [
        check_required("CallbackToken"),
        check_length("CallbackToken", 10, 10),
        check_pattern("CallbackToken", _CALLBACK_TOKEN, CALLBACK_TOKEN_PATTERN),
    ]


# --- DescribePipelineExecution -------------------------------------------------------


@attrs.frozen(kw_only=True)
class ParallelismConfiguration:
    max_parallel_execution_steps: Optional[int] = wire(
        "MaxParallelExecutionSteps", parse=parse_int, default=None
    )


@attrs.frozen(kw_only=True)
class DescribePipelineExecutionResponse(Response):
    pipeline_arn: Optional[str] = _opt_str("PipelineArn")
    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")
    pipeline_execution_display_name: Optional[str] = _opt_str("PipelineExecutionDisplayName")
    pipeline_execution_status: Optional[str] = _opt_str("PipelineExecutionStatus")
    pipeline_execution_description: Optional[str] = _opt_str("PipelineExecutionDescription")
    failure_reason: Optional[str] = _opt_str("FailureReason")
    creation_time: Optional[datetime.datetime] = _opt_time("CreationTime")  # noqa: RUF009
    last_modified_time: Optional[datetime.datetime] = _opt_time("LastModifiedTime")  # noqa: RUF009
    parallelism_configuration: Optional[ParallelismConfiguration] = wire(  # noqa: RUF009
        "ParallelismConfiguration", parse=parse_object(ParallelismConfiguration), default=None
    )

    @property
    def status(self) -> Optional[str]:
        """Short for ``pipeline_execution_status``."""
        return self.pipeline_execution_status

    @property
    def is_terminal(self) -> bool:
        """True once the execution can no longer change (Stopped, Failed, ...)."""
        return self.pipeline_execution_status in TERMINAL_STATUSES


@attrs.frozen
class DescribePipelineExecution(
    _ExecutionArnRegion, Operation[DescribePipelineExecutionResponse]
):
    target: ClassVar[str] = "SageMaker.DescribePipelineExecution"
    response_type: ClassVar[type[Any]] = DescribePipelineExecutionResponse

    pipeline_execution_arn: str = _required_arn_field()


# --- ListPipelineExecutions ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class PipelineExecutionSummary:
    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")
    start_time: Optional[datetime.datetime] = _opt_time("StartTime")  # noqa: RUF009
    pipeline_execution_status: Optional[str] = _opt_str("PipelineExecutionStatus")
    pipeline_execution_description: Optional[str] = _opt_str("PipelineExecutionDescription")
    pipeline_execution_display_name: Optional[str] = _opt_str("PipelineExecutionDisplayName")
    pipeline_execution_failure_reason: Optional[str] = _opt_str(
        "PipelineExecutionFailureReason"
    )

    @property
    def status(self) -> Optional[str]:
        return self.pipeline_execution_status


@attrs.frozen(kw_only=True)
class ListPipelineExecutionsResponse(Response):
    pipeline_execution_summaries: tuple[PipelineExecutionSummary, ...] = wire(
        "PipelineExecutionSummaries",
        parse=parse_list(parse_object(PipelineExecutionSummary)),
        default=(),
    )
    next_token: Optional[str] = _opt_str("NextToken")

    @property
    def items(self) -> tuple[PipelineExecutionSummary, ...]:
        return self.pipeline_execution_summaries


@attrs.frozen(kw_only=True)
class ListPipelineExecutions(Operation[ListPipelineExecutionsResponse]):
    """One page of a pipeline's executions (newest first unless ``sort_order`` says)."""

    target: ClassVar[str] = "SageMaker.ListPipelineExecutions"
    response_type: ClassVar[type[Any]] = ListPipelineExecutionsResponse

    pipeline_name: str = wire(
        "PipelineName",
        validator=[
            check_required("PipelineName"),
            check_length("PipelineName", 1, 2048),
            check_pattern("PipelineName", _PIPELINE_NAME_OR_ARN, PIPELINE_NAME_OR_ARN_PATTERN),
        ],
    )
    created_after: Optional[datetime.datetime] = wire(  # noqa: RUF009
        "CreatedAfter", default=None, validator=check_aware_datetime("CreatedAfter")
    )
    created_before: Optional[datetime.datetime] = wire(  # noqa: RUF009
        "CreatedBefore", default=None, validator=check_aware_datetime("CreatedBefore")
    )
    sort_by: Optional[str] = wire(
        "SortBy",
        default=None,
        validator=check_enum("SortBy", ("CreationTime", "PipelineExecutionArn")),
    )
    sort_order: Optional[str] = _SORT_ORDER
    next_token: Optional[str] = _NEXT_TOKEN
    max_results: Optional[int] = _MAX_RESULTS

    @property
    def region_hint(self) -> Optional[str]:
        return region_of_arn(self.pipeline_name)


# --- ListPipelineExecutionSteps ------------------------------------------------------


def _check_output_name(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ParamValidationError("OutputParameters.Name", "must be a string")
    check_length("OutputParameters.Name", 0, 256)(instance, attribute, value)


def _check_output_value(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ParamValidationError("OutputParameters.Value", "must be a string")
    check_length("OutputParameters.Value", 0, 1024)(instance, attribute, value)


@attrs.frozen
class OutputParameter:
    """A name/value pair a Callback or Lambda step outputs."""

    name: str = wire("Name", parse=parse_str, validator=_check_output_name)
    value: str = wire("Value", parse=parse_str, validator=_check_output_value)


_OUTPUTS = parse_list(parse_object(OutputParameter))

OutputParametersLike = Union[
    Mapping[str, str],
    Iterable[Union[OutputParameter, tuple[str, str], Mapping[str, str]]],
    None,
]
_PAIRS = "must be a mapping or a list of (name, value) pairs or {Name, Value} items"


def _output_item(item: Any) -> OutputParameter:
    if isinstance(item, OutputParameter):
        return item
    if isinstance(item, Mapping):  # boto3's form: {"Name": ..., "Value": ...}
        if set(item) != {"Name", "Value"}:
            raise ParamValidationError(
                "OutputParameters", f"an item that is a mapping needs exactly Name and Value "
                f"keys (got {sorted(map(str, item))})"
            )
        return OutputParameter(item["Name"], item["Value"])
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return OutputParameter(item[0], item[1])
    raise ParamValidationError("OutputParameters", _PAIRS)


def to_output_parameters(value: OutputParametersLike) -> tuple[OutputParameter, ...]:
    """``{"name": "value"}``, ``[("name", "value")]``, boto3's
    ``[{"Name": "name", "Value": "value"}]`` or ``[OutputParameter]`` as a tuple of
    :class:`OutputParameter` (``ParamValidationError`` for anything else)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        raise ParamValidationError("OutputParameters", _PAIRS)
    if isinstance(value, Mapping):
        return tuple(OutputParameter(k, v) for k, v in value.items())
    try:
        items = iter(value)
    except TypeError:
        raise ParamValidationError("OutputParameters", _PAIRS) from None
    return tuple(_output_item(item) for item in items)


def _check_outputs(instance: Any, attribute: Any, value: tuple[OutputParameter, ...]) -> None:
    if len(value) > 50:
        raise ParamValidationError(
            "OutputParameters", f"at most 50 items are allowed (got {len(value)})"
        )


@attrs.frozen(kw_only=True)
class CallbackStepMetadata:
    callback_token: Optional[str] = _opt_str("CallbackToken")
    sqs_queue_url: Optional[str] = _opt_str("SqsQueueUrl")
    output_parameters: tuple[OutputParameter, ...] = wire(
        "OutputParameters", parse=_OUTPUTS, default=()
    )


@attrs.frozen(kw_only=True)
class LambdaStepMetadata:
    arn: Optional[str] = _opt_str("Arn")
    output_parameters: tuple[OutputParameter, ...] = wire(
        "OutputParameters", parse=_OUTPUTS, default=()
    )


@attrs.frozen(kw_only=True)
class StepMetadata:
    """What a step points at. Callback and Lambda metadata are typed; every kind is
    also in ``raw`` (the JSON object as received)."""

    callback: Optional[CallbackStepMetadata] = wire(  # noqa: RUF009
        "Callback", parse=parse_object(CallbackStepMetadata), default=None
    )
    lambda_: Optional[LambdaStepMetadata] = wire(  # noqa: RUF009
        "Lambda", parse=parse_object(LambdaStepMetadata), default=None
    )
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


def _parse_metadata(raw: Any, name: str) -> StepMetadata:
    metadata: StepMetadata = parse_object(StepMetadata)(raw, name)
    return attrs.evolve(metadata, raw=dict(raw))


@attrs.frozen(kw_only=True)
class PipelineExecutionStep:
    step_name: Optional[str] = _opt_str("StepName")
    step_display_name: Optional[str] = _opt_str("StepDisplayName")
    step_description: Optional[str] = _opt_str("StepDescription")
    #: Not in the published model, but sent by the service (and the emulator).
    step_type: Optional[str] = _opt_str("StepType")
    start_time: Optional[datetime.datetime] = _opt_time("StartTime")  # noqa: RUF009
    end_time: Optional[datetime.datetime] = _opt_time("EndTime")  # noqa: RUF009
    step_status: Optional[str] = _opt_str("StepStatus")
    failure_reason: Optional[str] = _opt_str("FailureReason")
    attempt_count: Optional[int] = wire("AttemptCount", parse=parse_int, default=None)
    metadata: StepMetadata = wire(  # noqa: RUF009
        "Metadata", parse=_parse_metadata, factory=StepMetadata
    )

    @property
    def status(self) -> Optional[str]:
        return self.step_status

    @property
    def kind(self) -> Optional[str]:
        """The step type: ``step_type``, else the metadata's kind (``Callback``, ...)."""
        if self.step_type:
            return self.step_type
        return next(iter(self.metadata.raw), None)


@attrs.frozen(kw_only=True)
class ListPipelineExecutionStepsResponse(Response):
    pipeline_execution_steps: tuple[PipelineExecutionStep, ...] = wire(
        "PipelineExecutionSteps",
        parse=parse_list(parse_object(PipelineExecutionStep)),
        default=(),
    )
    next_token: Optional[str] = _opt_str("NextToken")

    @property
    def items(self) -> tuple[PipelineExecutionStep, ...]:
        return self.pipeline_execution_steps


@attrs.frozen(kw_only=True)
class ListPipelineExecutionSteps(
    _ExecutionArnRegion, Operation[ListPipelineExecutionStepsResponse]
):
    """One page of an execution's started steps (newest first unless ``sort_order``)."""

    target: ClassVar[str] = "SageMaker.ListPipelineExecutionSteps"
    response_type: ClassVar[type[Any]] = ListPipelineExecutionStepsResponse

    pipeline_execution_arn: str = _required_arn_field()
    next_token: Optional[str] = _NEXT_TOKEN
    max_results: Optional[int] = _MAX_RESULTS
    sort_order: Optional[str] = _SORT_ORDER


# --- SendPipelineExecutionStepSuccess / Failure --------------------------------------


@attrs.frozen(kw_only=True)
class SendPipelineExecutionStepResponse(Response):
    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")


SendPipelineExecutionStepSuccessResponse = SendPipelineExecutionStepResponse
SendPipelineExecutionStepFailureResponse = SendPipelineExecutionStepResponse


@attrs.frozen(kw_only=True)
class SendPipelineExecutionStepSuccess(Operation[SendPipelineExecutionStepResponse]):
    """Let a waiting Callback step succeed (on a Stopping execution: stop it)."""

    target: ClassVar[str] = "SageMaker.SendPipelineExecutionStepSuccess"
    response_type: ClassVar[type[Any]] = SendPipelineExecutionStepResponse

    callback_token: str = wire("CallbackToken", validator=callback_token_validators())
    output_parameters: tuple[OutputParameter, ...] = attrs.field(
        default=(),
        converter=to_output_parameters,
        validator=_check_outputs,
        metadata=wire_metadata("OutputParameters"),
    )
    client_request_token: str = attrs.field(
        default=None, converter=_token_or_new, validator=check_token, metadata=TOKEN_METADATA
    )

    def to_json(self) -> dict[str, Any]:
        body = members_to_json(self)
        if not self.output_parameters:
            body.pop("OutputParameters", None)
        return body


@attrs.frozen(kw_only=True)
class SendPipelineExecutionStepFailure(Operation[SendPipelineExecutionStepResponse]):
    """Let a waiting Callback step fail (on a Stopping execution: stop it)."""

    target: ClassVar[str] = "SageMaker.SendPipelineExecutionStepFailure"
    response_type: ClassVar[type[Any]] = SendPipelineExecutionStepResponse

    callback_token: str = wire("CallbackToken", validator=callback_token_validators())
    failure_reason: Optional[str] = wire(
        "FailureReason", default=None, validator=check_length("FailureReason", 0, 256)
    )
    client_request_token: str = attrs.field(
        default=None, converter=_token_or_new, validator=check_token, metadata=TOKEN_METADATA
    )
