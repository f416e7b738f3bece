"""Stop Amazon SageMaker Pipelines executions — and see the stop through — without boto3.

Everything public is re-exported here.  Only the exceptions are imported eagerly; the
rest loads on first use (PEP 562), so ``import sagemaker_stop`` costs almost nothing and
a Lambda function pays only for what its handler touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    AccessDeniedException,
    ConfigurationError,
    ConflictException,
    CredentialsError,
    ExecutionNotStoppable,
    ExpiredTokenException,
    IncompleteSignature,
    InternalFailure,
    InvalidResponseError,
    InvalidSignatureException,
    MissingAuthenticationToken,
    NoCredentialsError,
    ParamValidationError,
    ResourceLimitExceeded,
    ResourceNotFound,
    ResponseTooLargeError,
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
    ServiceUnavailable,
    ThrottlingException,
    UnknownOperationException,
    UnrecognizedClientException,
    ValidationException,
)

if TYPE_CHECKING:
    from ._bulk import (
        StopResult,
    )
    from ._credentials._types import (
        Credentials,
    )
    from ._effects import (
        Timeouts,
    )
    from ._endpoints import (
        resolve_endpoint,
    )
    from ._flow import (
        Attempt,
    )
    from ._operations import StopPipelineExecution, StopPipelineExecutionResponse
    from ._pipeline_operations import (
        CacheHitResult,
        CallbackStepMetadata,
        ConditionStepMetadata,
        DescribePipelineExecution,
        DescribePipelineExecutionResponse,
        FailStepMetadata,
        IamIdentity,
        IterationContext,
        LambdaStepMetadata,
        ListPipelineExecutions,
        ListPipelineExecutionsResponse,
        ListPipelineExecutionSteps,
        ListPipelineExecutionStepsResponse,
        MLflowConfiguration,
        OutputParameter,
        ParallelismConfiguration,
        PipelineExecutionStep,
        PipelineExecutionSummary,
        PipelineExperimentConfig,
        PipelineParameter,
        ResourceStepMetadata,
        SelectedStep,
        SelectiveExecutionConfig,
        SelectiveExecutionResult,
        SendPipelineExecutionStepFailure,
        SendPipelineExecutionStepResponse,
        SendPipelineExecutionStepSuccess,
        StartPipelineExecution,
        StartPipelineExecutionResponse,
        StepMetadata,
        UserContext,
    )
    from ._waiter import (
        WaitProgress,
        WaitTimeoutError,
    )
    from .callback import (
        CallbackMessage,
    )
    from .client import (
        AsyncSageMakerClient,
        SageMakerClient,
    )

#: Public name -> the private module that defines it.
_LAZY = {
    "AsyncSageMakerClient": ".client",
    "Attempt": "._flow",
    "CacheHitResult": "._pipeline_operations",
    "CallbackMessage": ".callback",
    "CallbackStepMetadata": "._pipeline_operations",
    "ConditionStepMetadata": "._pipeline_operations",
    "Credentials": "._credentials._types",
    "DescribePipelineExecution": "._pipeline_operations",
    "DescribePipelineExecutionResponse": "._pipeline_operations",
    "FailStepMetadata": "._pipeline_operations",
    "IamIdentity": "._pipeline_operations",
    "IterationContext": "._pipeline_operations",
    "LambdaStepMetadata": "._pipeline_operations",
    "ListPipelineExecutionSteps": "._pipeline_operations",
    "ListPipelineExecutionStepsResponse": "._pipeline_operations",
    "ListPipelineExecutions": "._pipeline_operations",
    "ListPipelineExecutionsResponse": "._pipeline_operations",
    "MLflowConfiguration": "._pipeline_operations",
    "OutputParameter": "._pipeline_operations",
    "ParallelismConfiguration": "._pipeline_operations",
    "PipelineExecutionStep": "._pipeline_operations",
    "PipelineExecutionSummary": "._pipeline_operations",
    "PipelineExperimentConfig": "._pipeline_operations",
    "PipelineParameter": "._pipeline_operations",
    "ResourceStepMetadata": "._pipeline_operations",
    "SageMakerClient": ".client",
    "SelectedStep": "._pipeline_operations",
    "SelectiveExecutionConfig": "._pipeline_operations",
    "SelectiveExecutionResult": "._pipeline_operations",
    "SendPipelineExecutionStepFailure": "._pipeline_operations",
    "SendPipelineExecutionStepResponse": "._pipeline_operations",
    "SendPipelineExecutionStepSuccess": "._pipeline_operations",
    "StartPipelineExecution": "._pipeline_operations",
    "StartPipelineExecutionResponse": "._pipeline_operations",
    "StepMetadata": "._pipeline_operations",
    "StopPipelineExecution": "._operations",
    "StopPipelineExecutionResponse": "._operations",
    "StopResult": "._bulk",
    "Timeouts": "._effects",
    "UserContext": "._pipeline_operations",
    "WaitProgress": "._waiter",
    "WaitTimeoutError": "._waiter",
    "resolve_endpoint": "._endpoints",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AccessDeniedException",
    "AsyncSageMakerClient",
    "Attempt",
    "CacheHitResult",
    "CallbackMessage",
    "CallbackStepMetadata",
    "ConditionStepMetadata",
    "ConfigurationError",
    "ConflictException",
    "Credentials",
    "CredentialsError",
    "DescribePipelineExecution",
    "DescribePipelineExecutionResponse",
    "ExecutionNotStoppable",
    "ExpiredTokenException",
    "FailStepMetadata",
    "IamIdentity",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidResponseError",
    "InvalidSignatureException",
    "IterationContext",
    "LambdaStepMetadata",
    "ListPipelineExecutionSteps",
    "ListPipelineExecutionStepsResponse",
    "ListPipelineExecutions",
    "ListPipelineExecutionsResponse",
    "MLflowConfiguration",
    "MissingAuthenticationToken",
    "NoCredentialsError",
    "OutputParameter",
    "ParallelismConfiguration",
    "ParamValidationError",
    "PipelineExecutionStep",
    "PipelineExecutionSummary",
    "PipelineExperimentConfig",
    "PipelineParameter",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "ResourceStepMetadata",
    "ResponseTooLargeError",
    "SageMakerClient",
    "SageMakerConnectionError",
    "SageMakerError",
    "SageMakerTimeoutError",
    "SelectedStep",
    "SelectiveExecutionConfig",
    "SelectiveExecutionResult",
    "SendPipelineExecutionStepFailure",
    "SendPipelineExecutionStepResponse",
    "SendPipelineExecutionStepSuccess",
    "ServiceUnavailable",
    "StartPipelineExecution",
    "StartPipelineExecutionResponse",
    "StepMetadata",
    "StopPipelineExecution",
    "StopPipelineExecutionResponse",
    "StopResult",
    "ThrottlingException",
    "Timeouts",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "UserContext",
    "ValidationException",
    "WaitProgress",
    "WaitTimeoutError",
    "resolve_endpoint",
    "__version__",
]
