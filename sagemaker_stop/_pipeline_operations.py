"""The pipeline-workflow operations: describe, list executions and steps, answer Callback
steps.  Same style as ``_operations.py`` (which holds the base classes and the stop); kept
apart so that a plain stop loads none of them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Optional, TypeVar, Union

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
    parse_json_object,
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


# --- name/value pairs: output parameters, pipeline parameters --------------------------


def _check_text(member: str, low: int, high: int, pattern: Optional[Any] = None) -> Any:
    length = check_length(member, low, high)
    shape = None if pattern is None else check_pattern(member, pattern, pattern.pattern)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, str):
            raise ParamValidationError(member, "must be a string")
        length(instance, attribute, value)
        if shape is not None:
            shape(instance, attribute, value)

    return check


@attrs.frozen
class OutputParameter:
    """A name/value pair a Callback or Lambda step outputs."""

    name: str = wire(
        "Name", parse=parse_str, validator=_check_text("OutputParameters.Name", 0, 256)
    )
    value: str = wire(
        "Value", parse=parse_str, validator=_check_text("OutputParameters.Value", 0, 1024)
    )


_PIPELINE_PARAMETER_NAME = re.compile(r"[A-Za-z0-9\-_]*")


@attrs.frozen
class PipelineParameter:
    """A parameter a pipeline execution is started with (the model's ``Parameter``)."""

    name: str = wire(
        "Name",
        parse=parse_str,
        validator=_check_text("PipelineParameters.Name", 1, 256, _PIPELINE_PARAMETER_NAME),
    )
    value: str = wire(
        "Value", parse=parse_str, validator=_check_text("PipelineParameters.Value", 0, 1024)
    )


_OUTPUTS = parse_list(parse_object(OutputParameter))

P = TypeVar("P", OutputParameter, PipelineParameter)
OutputParametersLike = Union[
    Mapping[str, str],
    Iterable[Union[OutputParameter, tuple[str, str], Mapping[str, str]]],
    None,
]
PipelineParametersLike = Union[
    Mapping[str, str],
    Iterable[Union[PipelineParameter, tuple[str, str], Mapping[str, str]]],
    None,
]
_PAIRS = "must be a mapping or a list of (name, value) pairs or {Name, Value} items"


def _pair(cls: type[P], member: str, item: Any) -> P:
    if isinstance(item, cls):
        return item
    if isinstance(item, Mapping):  # boto3's form: {"Name": ..., "Value": ...}
        if set(item) != {"Name", "Value"}:
            raise ParamValidationError(
                member, f"an item that is a mapping needs exactly Name and Value "
                f"keys (got {sorted(map(str, item))})"
            )
        return cls(item["Name"], item["Value"])
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return cls(item[0], item[1])
    raise ParamValidationError(member, _PAIRS)


def _pairs(cls: type[P], member: str, value: Any) -> tuple[P, ...]:
    """``{"name": "value"}``, ``[("name", "value")]``, boto3's
    ``[{"Name": "name", "Value": "value"}]`` or ``[cls(...)]`` as a tuple of ``cls``
    (``ParamValidationError`` naming ``member`` for anything else)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        raise ParamValidationError(member, _PAIRS)
    if isinstance(value, Mapping):
        return tuple(cls(k, v) for k, v in value.items())
    try:
        items = iter(value)
    except TypeError:
        raise ParamValidationError(member, _PAIRS) from None
    return tuple(_pair(cls, member, item) for item in items)


def to_output_parameters(value: OutputParametersLike) -> tuple[OutputParameter, ...]:
    """Output parameters in any accepted form (see :func:`_pairs`)."""
    return _pairs(OutputParameter, "OutputParameters", value)


def to_pipeline_parameters(value: PipelineParametersLike) -> tuple[PipelineParameter, ...]:
    """Pipeline parameters in any accepted form (see :func:`_pairs`)."""
    return _pairs(PipelineParameter, "PipelineParameters", value)


def _check_count(member: str, most: int) -> Any:
    def check(instance: Any, attribute: Any, value: tuple[Any, ...]) -> None:
        if len(value) > most:
            raise ParamValidationError(
                member, f"at most {most} items are allowed (got {len(value)})"
            )

    return check


_check_outputs = _check_count("OutputParameters", 50)


# --- DescribePipelineExecution -------------------------------------------------------


@attrs.frozen(kw_only=True)
class ParallelismConfiguration:
    """How many steps of an execution may run at once."""

    max_parallel_execution_steps: Optional[int] = wire(
        "MaxParallelExecutionSteps", parse=parse_int, default=None
    )


@attrs.frozen(kw_only=True)
class PipelineExperimentConfig:
    """The SageMaker Experiments experiment and trial an execution is recorded under."""

    experiment_name: Optional[str] = _opt_str("ExperimentName")
    trial_name: Optional[str] = _opt_str("TrialName")


@attrs.frozen(kw_only=True)
class IamIdentity:
    """Who started or last modified an execution, when an IAM identity did (``IamIdentity``)."""

    arn: Optional[str] = _opt_str("Arn")
    principal_id: Optional[str] = _opt_str("PrincipalId")
    source_identity: Optional[str] = _opt_str("SourceIdentity")


@attrs.frozen(kw_only=True)
class UserContext:
    """Who created or last modified the execution (``CreatedBy`` / ``LastModifiedBy``)."""

    user_profile_arn: Optional[str] = _opt_str("UserProfileArn")
    user_profile_name: Optional[str] = _opt_str("UserProfileName")
    domain_id: Optional[str] = _opt_str("DomainId")
    iam_identity: Optional[IamIdentity] = wire(
        "IamIdentity", parse=parse_object(IamIdentity), default=None
    )


@attrs.frozen
class SelectedStep:
    """One step a selective execution runs (``SelectedStep``)."""

    step_name: str = wire("StepName", parse=parse_str)


@attrs.frozen(kw_only=True)
class SelectiveExecutionConfig:
    """Which steps of which earlier execution a selective execution runs."""

    source_pipeline_execution_arn: Optional[str] = _opt_str("SourcePipelineExecutionArn")
    selected_steps: tuple[SelectedStep, ...] = wire(
        "SelectedSteps", parse=parse_list(parse_object(SelectedStep)), default=()
    )


@attrs.frozen(kw_only=True)
class MLflowConfiguration:
    """The MLflow tracking server and experiment an execution reports to, if any."""

    mlflow_resource_arn: Optional[str] = _opt_str("MlflowResourceArn")
    mlflow_experiment_name: Optional[str] = _opt_str("MlflowExperimentName")


_STR_LIST = parse_list(parse_str)


@attrs.frozen(kw_only=True)
class DescribePipelineExecutionResponse(Response):
    """Every member of botocore's ``DescribePipelineExecutionResponse`` shape."""

    pipeline_arn: Optional[str] = _opt_str("PipelineArn")
    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")
    pipeline_execution_display_name: Optional[str] = _opt_str("PipelineExecutionDisplayName")
    pipeline_execution_status: Optional[str] = _opt_str("PipelineExecutionStatus")
    pipeline_execution_description: Optional[str] = _opt_str("PipelineExecutionDescription")
    pipeline_experiment_config: Optional[PipelineExperimentConfig] = wire(
        "PipelineExperimentConfig", parse=parse_object(PipelineExperimentConfig), default=None
    )
    failure_reason: Optional[str] = _opt_str("FailureReason")
    creation_time: Optional[datetime.datetime] = _opt_time("CreationTime")
    last_modified_time: Optional[datetime.datetime] = _opt_time("LastModifiedTime")
    created_by: Optional[UserContext] = wire(
        "CreatedBy", parse=parse_object(UserContext), default=None
    )
    last_modified_by: Optional[UserContext] = wire(
        "LastModifiedBy", parse=parse_object(UserContext), default=None
    )
    parallelism_configuration: Optional[ParallelismConfiguration] = wire(
        "ParallelismConfiguration", parse=parse_object(ParallelismConfiguration), default=None
    )
    selective_execution_config: Optional[SelectiveExecutionConfig] = wire(
        "SelectiveExecutionConfig", parse=parse_object(SelectiveExecutionConfig), default=None
    )
    pipeline_version_id: Optional[int] = wire("PipelineVersionId", parse=parse_int, default=None)
    mlflow_config: Optional[MLflowConfiguration] = wire(
        "MLflowConfig", parse=parse_object(MLflowConfiguration), default=None
    )
    pipeline_version_aliases: tuple[str, ...] = wire(
        "PipelineVersionAliases", parse=_STR_LIST, default=()
    )
    role_arn: Optional[str] = _opt_str("RoleArn")

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
    """The DescribePipelineExecution request: one execution's status, failure reason and
    configuration (``sm.describe_pipeline_execution(arn)``)."""

    target: ClassVar[str] = "SageMaker.DescribePipelineExecution"
    response_type: ClassVar[type[Any]] = DescribePipelineExecutionResponse

    pipeline_execution_arn: str = _required_arn_field()


# --- StartPipelineExecution ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class StartPipelineExecutionResponse(Response):
    """What StartPipelineExecution answers: the new execution's ARN
    (with ``http_status`` and ``request_id``, like every response)."""

    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")


_EXECUTION_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}")
_VERSION_ALIAS = re.compile(r"[a-zA-Z0-9._\-]{1,128}")
_ROLE_ARN = re.compile(r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")


def _check_parallelism(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, ParallelismConfiguration):
        raise ParamValidationError(
            "ParallelismConfiguration", "must be a ParallelismConfiguration"
        )
    steps = value.max_parallel_execution_steps
    check_required("ParallelismConfiguration.MaxParallelExecutionSteps")(instance, None, steps)
    check_int_range("ParallelismConfiguration.MaxParallelExecutionSteps", 1, 2**31 - 1)(
        instance, None, steps
    )


def _check_selective(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    member = "SelectiveExecutionConfig"
    if not isinstance(value, SelectiveExecutionConfig):
        raise ParamValidationError(member, "must be a SelectiveExecutionConfig")
    check_length(f"{member}.SourcePipelineExecutionArn", 0, 2048)(
        instance, None, value.source_pipeline_execution_arn
    )
    check_pattern(
        f"{member}.SourcePipelineExecutionArn",
        _PIPELINE_EXECUTION_ARN,
        PIPELINE_EXECUTION_ARN_PATTERN,
    )(instance, None, value.source_pipeline_execution_arn)
    steps = value.selected_steps
    if not 1 <= len(steps) <= 50:
        raise ParamValidationError(f"{member}.SelectedSteps", "must have 1 to 50 items")
    for step in steps:
        if not isinstance(step, SelectedStep):
            raise ParamValidationError(f"{member}.SelectedSteps", "items must be SelectedStep")
        _check_text(f"{member}.SelectedSteps.StepName", 0, 256)(instance, None, step.step_name)


@attrs.frozen(kw_only=True)
class StartPipelineExecution(Operation[StartPipelineExecutionResponse]):
    """Start an execution of a pipeline (name or ARN).  ``client_request_token`` makes
    the call idempotent; one is generated (uuid4) when not given."""

    target: ClassVar[str] = "SageMaker.StartPipelineExecution"
    response_type: ClassVar[type[Any]] = StartPipelineExecutionResponse

    pipeline_name: str = wire(
        "PipelineName",
        validator=[
            check_required("PipelineName"),
            check_length("PipelineName", 1, 2048),
            check_pattern("PipelineName", _PIPELINE_NAME_OR_ARN, PIPELINE_NAME_OR_ARN_PATTERN),
        ],
    )
    pipeline_execution_display_name: Optional[str] = wire(
        "PipelineExecutionDisplayName",
        default=None,
        validator=[
            check_length("PipelineExecutionDisplayName", 1, 82),
            check_pattern(
                "PipelineExecutionDisplayName", _EXECUTION_NAME, _EXECUTION_NAME.pattern
            ),
        ],
    )
    pipeline_parameters: tuple[PipelineParameter, ...] = attrs.field(
        default=(),
        converter=to_pipeline_parameters,
        validator=_check_count("PipelineParameters", 200),
        metadata=wire_metadata("PipelineParameters"),
    )
    pipeline_execution_description: Optional[str] = wire(
        "PipelineExecutionDescription",
        default=None,
        validator=check_length("PipelineExecutionDescription", 0, 3072),
    )
    client_request_token: str = attrs.field(
        default=None, converter=_token_or_new, validator=check_token, metadata=TOKEN_METADATA
    )
    parallelism_configuration: Optional[ParallelismConfiguration] = wire(
        "ParallelismConfiguration", default=None, validator=_check_parallelism
    )
    selective_execution_config: Optional[SelectiveExecutionConfig] = wire(
        "SelectiveExecutionConfig", default=None, validator=_check_selective
    )
    pipeline_version_id: Optional[int] = wire(
        "PipelineVersionId",
        default=None,
        validator=check_int_range("PipelineVersionId", 1, 2**63 - 1),
    )
    mlflow_experiment_name: Optional[str] = wire(
        "MlflowExperimentName",
        default=None,
        validator=check_length("MlflowExperimentName", 1, 256),
    )
    pipeline_version_alias: Optional[str] = wire(
        "PipelineVersionAlias",
        default=None,
        validator=check_pattern("PipelineVersionAlias", _VERSION_ALIAS, _VERSION_ALIAS.pattern),
    )
    role_arn: Optional[str] = wire(
        "RoleArn",
        default=None,
        validator=[
            check_length("RoleArn", 20, 2048),
            check_pattern("RoleArn", _ROLE_ARN, _ROLE_ARN.pattern),
        ],
    )

    @property
    def region_hint(self) -> Optional[str]:
        return region_of_arn(self.pipeline_name)

    def to_json(self) -> dict[str, Any]:
        body = members_to_json(self)
        if not self.pipeline_parameters:
            body.pop("PipelineParameters", None)
        return body


# --- ListPipelineExecutions ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class PipelineExecutionSummary:
    """One execution in a ListPipelineExecutions page: ARN, start time, status, display
    name, description and failure reason."""

    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")
    start_time: Optional[datetime.datetime] = _opt_time("StartTime")
    pipeline_execution_status: Optional[str] = _opt_str("PipelineExecutionStatus")
    pipeline_execution_description: Optional[str] = _opt_str("PipelineExecutionDescription")
    pipeline_execution_display_name: Optional[str] = _opt_str("PipelineExecutionDisplayName")
    pipeline_execution_failure_reason: Optional[str] = _opt_str(
        "PipelineExecutionFailureReason"
    )
    pipeline_version_aliases: tuple[str, ...] = wire(
        "PipelineVersionAliases", parse=_STR_LIST, default=()
    )

    @property
    def status(self) -> Optional[str]:
        """Short for ``pipeline_execution_status``."""
        return self.pipeline_execution_status


@attrs.frozen(kw_only=True)
class ListPipelineExecutionsResponse(Response):
    """One page of ListPipelineExecutions: the summaries and the ``next_token`` of the
    next page, if any (with ``http_status`` and ``request_id``, like every response)."""

    pipeline_execution_summaries: tuple[PipelineExecutionSummary, ...] = wire(
        "PipelineExecutionSummaries",
        parse=parse_list(parse_object(PipelineExecutionSummary)),
        default=(),
    )
    next_token: Optional[str] = _opt_str("NextToken")

    @property
    def items(self) -> tuple[PipelineExecutionSummary, ...]:
        """This page's executions (what paging iterates)."""
        return self.pipeline_execution_summaries

    @staticmethod
    def item_key(item: PipelineExecutionSummary) -> Optional[str]:
        """An execution's identity across pages (see ``_paging``)."""
        return item.pipeline_execution_arn


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
    created_after: Optional[datetime.datetime] = wire(
        "CreatedAfter", default=None, validator=check_aware_datetime("CreatedAfter")
    )
    created_before: Optional[datetime.datetime] = wire(
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
    pipeline_version_alias: Optional[str] = wire(
        "PipelineVersionAlias",
        default=None,
        validator=check_pattern("PipelineVersionAlias", _VERSION_ALIAS, _VERSION_ALIAS.pattern),
    )

    @property
    def region_hint(self) -> Optional[str]:
        return region_of_arn(self.pipeline_name)


# --- ListPipelineExecutionSteps ------------------------------------------------------


@attrs.frozen(kw_only=True)
class CallbackStepMetadata:
    """A Callback step's metadata: its callback token, the SQS queue its messages go to,
    and the output parameters it was answered with."""

    callback_token: Optional[str] = _opt_str("CallbackToken")
    sqs_queue_url: Optional[str] = _opt_str("SqsQueueUrl")
    output_parameters: tuple[OutputParameter, ...] = wire(
        "OutputParameters", parse=_OUTPUTS, default=()
    )


@attrs.frozen(kw_only=True)
class LambdaStepMetadata:
    """A Lambda step's metadata: the function's ARN and the output parameters it returned."""

    arn: Optional[str] = _opt_str("Arn")
    output_parameters: tuple[OutputParameter, ...] = wire(
        "OutputParameters", parse=_OUTPUTS, default=()
    )


@attrs.frozen(kw_only=True)
class ResourceStepMetadata:
    """The resource a step made or used (a training job, a model, an endpoint, ...)."""

    arn: Optional[str] = _opt_str("Arn")


@attrs.frozen(kw_only=True)
class ConditionStepMetadata:
    """A Condition step's metadata: the outcome it evaluated to (``True``/``False``)."""

    outcome: Optional[str] = _opt_str("Outcome")


@attrs.frozen(kw_only=True)
class FailStepMetadata:
    """A Fail step's metadata: the error message it ended the execution with."""

    error_message: Optional[str] = _opt_str("ErrorMessage")


def _resource(name: str) -> Any:
    return wire(name, parse=parse_object(ResourceStepMetadata), default=None)


def _as_received(name: str) -> Any:
    return wire(name, parse=parse_json_object, default=None)


@attrs.frozen(kw_only=True)
class StepMetadata:
    """What a step points at: one member per kind in botocore's
    ``PipelineExecutionStepMetadata`` (only the step's own kind is set).  Callback,
    Lambda, Condition, Fail and the kinds that name one resource are typed; the deeper
    EMR, check, lineage, Athena, cleanup, ForEach and hub kinds are the JSON objects as
    received.  ``raw`` holds the whole metadata object as received."""

    training_job: Optional[ResourceStepMetadata] = _resource("TrainingJob")
    processing_job: Optional[ResourceStepMetadata] = _resource("ProcessingJob")
    transform_job: Optional[ResourceStepMetadata] = _resource("TransformJob")
    tuning_job: Optional[ResourceStepMetadata] = _resource("TuningJob")
    model: Optional[ResourceStepMetadata] = _resource("Model")
    register_model: Optional[ResourceStepMetadata] = _resource("RegisterModel")
    condition: Optional[ConditionStepMetadata] = wire(
        "Condition", parse=parse_object(ConditionStepMetadata), default=None
    )
    callback: Optional[CallbackStepMetadata] = wire(
        "Callback", parse=parse_object(CallbackStepMetadata), default=None
    )
    lambda_: Optional[LambdaStepMetadata] = wire(
        "Lambda", parse=parse_object(LambdaStepMetadata), default=None
    )
    emr: Optional[dict[str, Any]] = _as_received("EMR")
    emr_serverless: Optional[dict[str, Any]] = _as_received("EMRServerless")
    quality_check: Optional[dict[str, Any]] = _as_received("QualityCheck")
    clarify_check: Optional[dict[str, Any]] = _as_received("ClarifyCheck")
    fail: Optional[FailStepMetadata] = wire(
        "Fail", parse=parse_object(FailStepMetadata), default=None
    )
    auto_ml_job: Optional[ResourceStepMetadata] = _resource("AutoMLJob")
    endpoint: Optional[ResourceStepMetadata] = _resource("Endpoint")
    endpoint_config: Optional[ResourceStepMetadata] = _resource("EndpointConfig")
    bedrock_custom_model: Optional[ResourceStepMetadata] = _resource("BedrockCustomModel")
    bedrock_custom_model_deployment: Optional[ResourceStepMetadata] = _resource(
        "BedrockCustomModelDeployment"
    )
    bedrock_provisioned_model_throughput: Optional[ResourceStepMetadata] = _resource(
        "BedrockProvisionedModelThroughput"
    )
    bedrock_model_import: Optional[ResourceStepMetadata] = _resource("BedrockModelImport")
    inference_component: Optional[ResourceStepMetadata] = _resource("InferenceComponent")
    lineage: Optional[dict[str, Any]] = _as_received("Lineage")
    job: Optional[ResourceStepMetadata] = _resource("Job")
    athena: Optional[dict[str, Any]] = _as_received("Athena")
    cleanup: Optional[dict[str, Any]] = _as_received("Cleanup")
    for_each: Optional[dict[str, Any]] = _as_received("ForEach")
    hub_content: Optional[dict[str, Any]] = _as_received("HubContent")
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


def _parse_metadata(raw: Any, name: str) -> StepMetadata:
    metadata: StepMetadata = parse_object(StepMetadata)(raw, name)
    return attrs.evolve(metadata, raw=dict(raw))


@attrs.frozen(kw_only=True)
class CacheHitResult:
    """For a step whose result came from the step cache: the execution that produced it."""

    source_pipeline_execution_arn: Optional[str] = _opt_str("SourcePipelineExecutionArn")


@attrs.frozen(kw_only=True)
class SelectiveExecutionResult:
    """For a step reused by a selective execution: the execution it came from."""

    source_pipeline_execution_arn: Optional[str] = _opt_str("SourcePipelineExecutionArn")


@attrs.frozen(kw_only=True)
class IterationContext:
    """Where a step ran inside a ForEach step."""

    parent_step_name: Optional[str] = _opt_str("ParentStepName")
    index: Optional[int] = wire("Index", parse=parse_int, default=None)
    item: Optional[str] = _opt_str("Item")


#: Metadata member -> the step type as a pipeline definition spells it.
_STEP_TYPES = {
    "TrainingJob": "Training",
    "ProcessingJob": "Processing",
    "TransformJob": "Transform",
    "TuningJob": "Tuning",
    "AutoMLJob": "AutoML",
}


@attrs.frozen(kw_only=True)
class PipelineExecutionStep:
    """Every member of botocore's ``PipelineExecutionStep`` shape."""

    step_name: Optional[str] = _opt_str("StepName")
    step_display_name: Optional[str] = _opt_str("StepDisplayName")
    step_description: Optional[str] = _opt_str("StepDescription")
    start_time: Optional[datetime.datetime] = _opt_time("StartTime")
    end_time: Optional[datetime.datetime] = _opt_time("EndTime")
    step_status: Optional[str] = _opt_str("StepStatus")
    cache_hit_result: Optional[CacheHitResult] = wire(
        "CacheHitResult", parse=parse_object(CacheHitResult), default=None
    )
    failure_reason: Optional[str] = _opt_str("FailureReason")
    metadata: StepMetadata = wire(
        "Metadata", parse=_parse_metadata, factory=StepMetadata
    )
    attempt_count: Optional[int] = wire("AttemptCount", parse=parse_int, default=None)
    selective_execution_result: Optional[SelectiveExecutionResult] = wire(
        "SelectiveExecutionResult", parse=parse_object(SelectiveExecutionResult), default=None
    )
    iteration_context: Optional[IterationContext] = wire(
        "IterationContext", parse=parse_object(IterationContext), default=None
    )

    @property
    def status(self) -> Optional[str]:
        """Short for ``step_status``."""
        return self.step_status

    @property
    def kind(self) -> Optional[str]:
        """The step type, from the metadata's kind (``Callback``, ``Lambda``,
        ``Training`` for ``TrainingJob``, ...); None when the metadata is empty.  (The
        API has no step-type member: botocore's model lists none.)"""
        key = next(iter(self.metadata.raw), None)
        return None if key is None else _STEP_TYPES.get(key, key)


@attrs.frozen(kw_only=True)
class ListPipelineExecutionStepsResponse(Response):
    """One page of ListPipelineExecutionSteps: the steps and the ``next_token`` of the next
    page, if any (with ``http_status`` and ``request_id``, like every response)."""

    pipeline_execution_steps: tuple[PipelineExecutionStep, ...] = wire(
        "PipelineExecutionSteps",
        parse=parse_list(parse_object(PipelineExecutionStep)),
        default=(),
    )
    next_token: Optional[str] = _opt_str("NextToken")

    @property
    def items(self) -> tuple[PipelineExecutionStep, ...]:
        """This page's steps (what paging iterates)."""
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
    """What SendPipelineExecutionStepSuccess and ...Failure answer: the ARN of the
    execution whose step was answered (with ``http_status`` and ``request_id``, like every
    response)."""

    pipeline_execution_arn: Optional[str] = _opt_str("PipelineExecutionArn")


SendPipelineExecutionStepSuccessResponse = SendPipelineExecutionStepResponse
SendPipelineExecutionStepFailureResponse = SendPipelineExecutionStepResponse


@attrs.frozen(kw_only=True)
class SendPipelineExecutionStepSuccess(
    _ExecutionArnRegion, Operation[SendPipelineExecutionStepResponse]
):
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
    #: The execution whose step this answers, when known (a Callback message names it).
    #: Not sent: its region is used when the client has none, as for every other call.
    pipeline_execution_arn: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        body = members_to_json(self)
        if not self.output_parameters:
            body.pop("OutputParameters", None)
        return body


@attrs.frozen(kw_only=True)
class SendPipelineExecutionStepFailure(
    _ExecutionArnRegion, Operation[SendPipelineExecutionStepResponse]
):
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
    #: As :attr:`SendPipelineExecutionStepSuccess.pipeline_execution_arn`.
    pipeline_execution_arn: Optional[str] = None
