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
        CallbackStepMetadata,
        DescribePipelineExecution,
        DescribePipelineExecutionResponse,
        LambdaStepMetadata,
        ListPipelineExecutions,
        ListPipelineExecutionsResponse,
        ListPipelineExecutionSteps,
        ListPipelineExecutionStepsResponse,
        OutputParameter,
        ParallelismConfiguration,
        PipelineExecutionStep,
        PipelineExecutionSummary,
        SendPipelineExecutionStepFailure,
        SendPipelineExecutionStepResponse,
        SendPipelineExecutionStepSuccess,
        StepMetadata,
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
    "CallbackMessage": ".callback",
    "CallbackStepMetadata": "._pipeline_operations",
    "Credentials": "._credentials._types",
    "DescribePipelineExecution": "._pipeline_operations",
    "DescribePipelineExecutionResponse": "._pipeline_operations",
    "LambdaStepMetadata": "._pipeline_operations",
    "ListPipelineExecutionSteps": "._pipeline_operations",
    "ListPipelineExecutionStepsResponse": "._pipeline_operations",
    "ListPipelineExecutions": "._pipeline_operations",
    "ListPipelineExecutionsResponse": "._pipeline_operations",
    "OutputParameter": "._pipeline_operations",
    "ParallelismConfiguration": "._pipeline_operations",
    "PipelineExecutionStep": "._pipeline_operations",
    "PipelineExecutionSummary": "._pipeline_operations",
    "SageMakerClient": ".client",
    "SendPipelineExecutionStepFailure": "._pipeline_operations",
    "SendPipelineExecutionStepResponse": "._pipeline_operations",
    "SendPipelineExecutionStepSuccess": "._pipeline_operations",
    "StepMetadata": "._pipeline_operations",
    "StopPipelineExecution": "._operations",
    "StopPipelineExecutionResponse": "._operations",
    "StopResult": "._bulk",
    "Timeouts": "._effects",
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
    "CallbackMessage",
    "CallbackStepMetadata",
    "ConfigurationError",
    "ConflictException",
    "Credentials",
    "CredentialsError",
    "DescribePipelineExecution",
    "DescribePipelineExecutionResponse",
    "ExpiredTokenException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidResponseError",
    "InvalidSignatureException",
    "LambdaStepMetadata",
    "ListPipelineExecutionSteps",
    "ListPipelineExecutionStepsResponse",
    "ListPipelineExecutions",
    "ListPipelineExecutionsResponse",
    "MissingAuthenticationToken",
    "NoCredentialsError",
    "OutputParameter",
    "ParallelismConfiguration",
    "ParamValidationError",
    "PipelineExecutionStep",
    "PipelineExecutionSummary",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "ResponseTooLargeError",
    "SageMakerClient",
    "SageMakerConnectionError",
    "SageMakerError",
    "SageMakerTimeoutError",
    "SendPipelineExecutionStepFailure",
    "SendPipelineExecutionStepResponse",
    "SendPipelineExecutionStepSuccess",
    "ServiceUnavailable",
    "StepMetadata",
    "StopPipelineExecution",
    "StopPipelineExecutionResponse",
    "StopResult",
    "ThrottlingException",
    "Timeouts",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "ValidationException",
    "WaitProgress",
    "WaitTimeoutError",
    "__version__",
    "resolve_endpoint",
]
