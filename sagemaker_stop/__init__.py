"""Stop Amazon SageMaker Pipelines executions — and see the stop through — without boto3."""

from ._credentials._types import Credentials
from ._effects import Timeouts
from ._endpoints import resolve_endpoint
from ._flow import Attempt
from ._operations import StopPipelineExecution, StopPipelineExecutionResponse
from ._version import __version__
from .client import AsyncSageMakerClient, SageMakerClient
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

__all__ = [
    "AccessDeniedException",
    "AsyncSageMakerClient",
    "Attempt",
    "ConfigurationError",
    "ConflictException",
    "Credentials",
    "CredentialsError",
    "ExpiredTokenException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidResponseError",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "NoCredentialsError",
    "ParamValidationError",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "ResponseTooLargeError",
    "SageMakerClient",
    "SageMakerConnectionError",
    "SageMakerError",
    "SageMakerTimeoutError",
    "ServiceUnavailable",
    "StopPipelineExecution",
    "StopPipelineExecutionResponse",
    "ThrottlingException",
    "Timeouts",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "ValidationException",
    "__version__",
    "resolve_endpoint",
]
