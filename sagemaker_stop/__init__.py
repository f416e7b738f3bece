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
    MessageNotInflight,
    MissingAuthenticationToken,
    NoCredentialsError,
    OverLimit,
    ParamValidationError,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    RequestThrottled,
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
    from ._attempt import (
        Attempt,
    )
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
    from ._lambda import handle_sqs_event
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
    from ._sqs_operations import (
        ChangeMessageVisibility,
        DeleteMessage,
        EmptyResponse,
        GetQueueUrl,
        GetQueueUrlResponse,
        MessageAttributeValue,
        ReceiveMessage,
        ReceiveMessageResponse,
        SQSMessage,
    )
    from ._waiter import (
        WaitProgress,
        WaitTimeoutError,
    )
    from ._worker import (
        CallbackCommand,
        CallbackJob,
        RetryLater,
        WorkerStats,
    )
    from .callback import (
        CallbackMessage,
    )
    from .client import (
        AsyncSageMakerClient,
        SageMakerClient,
    )
    from .worker import (
        AsyncCallbackWorker,
        CallbackWorker,
    )

#: Public name -> the private module that defines it.
_LAZY = {
    "AsyncCallbackWorker": ".worker",
    "AsyncSageMakerClient": ".client",
    "Attempt": "._attempt",
    "CacheHitResult": "._pipeline_operations",
    "CallbackCommand": "._worker",
    "CallbackJob": "._worker",
    "CallbackMessage": ".callback",
    "CallbackStepMetadata": "._pipeline_operations",
    "CallbackWorker": ".worker",
    "ChangeMessageVisibility": "._sqs_operations",
    "ConditionStepMetadata": "._pipeline_operations",
    "Credentials": "._credentials._types",
    "DeleteMessage": "._sqs_operations",
    "DescribePipelineExecution": "._pipeline_operations",
    "DescribePipelineExecutionResponse": "._pipeline_operations",
    "EmptyResponse": "._sqs_operations",
    "FailStepMetadata": "._pipeline_operations",
    "GetQueueUrl": "._sqs_operations",
    "GetQueueUrlResponse": "._sqs_operations",
    "IamIdentity": "._pipeline_operations",
    "IterationContext": "._pipeline_operations",
    "LambdaStepMetadata": "._pipeline_operations",
    "ListPipelineExecutionSteps": "._pipeline_operations",
    "ListPipelineExecutionStepsResponse": "._pipeline_operations",
    "ListPipelineExecutions": "._pipeline_operations",
    "ListPipelineExecutionsResponse": "._pipeline_operations",
    "MLflowConfiguration": "._pipeline_operations",
    "MessageAttributeValue": "._sqs_operations",
    "OutputParameter": "._pipeline_operations",
    "ParallelismConfiguration": "._pipeline_operations",
    "PipelineExecutionStep": "._pipeline_operations",
    "PipelineExecutionSummary": "._pipeline_operations",
    "PipelineExperimentConfig": "._pipeline_operations",
    "PipelineParameter": "._pipeline_operations",
    "ReceiveMessage": "._sqs_operations",
    "ReceiveMessageResponse": "._sqs_operations",
    "ResourceStepMetadata": "._pipeline_operations",
    "RetryLater": "._worker",
    "SQSMessage": "._sqs_operations",
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
    "WorkerStats": "._worker",
    "handle_sqs_event": "._lambda",
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
    "AsyncCallbackWorker",
    "AsyncSageMakerClient",
    "Attempt",
    "CacheHitResult",
    "CallbackCommand",
    "CallbackJob",
    "CallbackMessage",
    "CallbackStepMetadata",
    "CallbackWorker",
    "ChangeMessageVisibility",
    "ConditionStepMetadata",
    "ConfigurationError",
    "ConflictException",
    "Credentials",
    "CredentialsError",
    "DeleteMessage",
    "DescribePipelineExecution",
    "DescribePipelineExecutionResponse",
    "EmptyResponse",
    "ExecutionNotStoppable",
    "ExpiredTokenException",
    "FailStepMetadata",
    "GetQueueUrl",
    "GetQueueUrlResponse",
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
    "MessageAttributeValue",
    "MessageNotInflight",
    "MissingAuthenticationToken",
    "NoCredentialsError",
    "OutputParameter",
    "OverLimit",
    "ParallelismConfiguration",
    "ParamValidationError",
    "PipelineExecutionStep",
    "PipelineExecutionSummary",
    "PipelineExperimentConfig",
    "PipelineParameter",
    "QueueDoesNotExist",
    "ReceiptHandleIsInvalid",
    "ReceiveMessage",
    "ReceiveMessageResponse",
    "RequestThrottled",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "ResourceStepMetadata",
    "ResponseTooLargeError",
    "RetryLater",
    "SQSMessage",
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
    "WorkerStats",
    "handle_sqs_event",
    "resolve_endpoint",
    "__version__",
]
