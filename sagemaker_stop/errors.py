"""The exceptions users catch.

Every failure that comes from the network or the service is a :class:`SageMakerError`
carrying ``code``, ``message``, ``http_status`` and ``request_id``.  Service errors are
raised as the subclass named after their AWS error code (``ResourceNotFound``,
``ConflictException``, ...); codes without a class of their own raise
:class:`SageMakerError` itself.  Bad input is refused before anything is sent with a
:class:`ParamValidationError`, which is a :class:`ValueError`.
"""

from __future__ import annotations

import re
from typing import Optional


class SageMakerError(Exception):
    """An error answered by SageMaker, or a failure to get an answer at all."""

    #: The code used when the class is raised without an explicit one.
    default_code = "SageMakerError"

    def __init__(
        self,
        message: str = "",
        *,
        code: Optional[str] = None,
        http_status: Optional[int] = None,
        request_id: Optional[str] = None,
    ) -> None:
        self.code: str = code if code is not None else self.default_code
        self.message: str = message
        self.http_status: Optional[int] = http_status
        self.request_id: Optional[str] = request_id
        super().__init__(self.code, message, http_status, request_id)

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        details = []
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        if details:
            text += f" ({', '.join(details)})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword-only constructor arguments: teach pickle (and copy) how to rebuild us.
        return (
            _rebuild,
            (type(self), self.message, self.code, self.http_status, self.request_id),
        )


def _rebuild(
    cls: type[SageMakerError],
    message: str,
    code: str,
    http_status: Optional[int],
    request_id: Optional[str],
) -> SageMakerError:
    error = cls.__new__(cls)
    SageMakerError.__init__(
        error, message, code=code, http_status=http_status, request_id=request_id
    )
    return error


# --- errors answered by the service --------------------------------------------------


class ResourceNotFound(SageMakerError):
    """The pipeline execution (or other resource) does not exist."""

    default_code = "ResourceNotFound"


class ConflictException(SageMakerError):
    """The request conflicts with the resource's state right now.

    On StopPipelineExecution it is transient: the stop landed while the execution moved
    from one step to the next (apache/airflow ``SageMakerHook.stop_pipeline``, PR #36337),
    and the client retries it by itself.  On SendPipelineExecutionStepSuccess/Failure it
    means the step is no longer waiting (already answered, or its execution ended).
    """

    default_code = "ConflictException"


class ResourceLimitExceeded(SageMakerError):
    default_code = "ResourceLimitExceeded"


class ValidationException(SageMakerError):
    default_code = "ValidationException"


class ExecutionNotStoppable(ValidationException):
    """StopPipelineExecution refused because the execution is not ``Executing`` any more:
    it is already ``Stopping``, or it has ended (Stopped, Failed, Succeeded,
    CompletedWithFailures).  *The* way to say "it is not running any more".

    The live service answers such a stop with HTTP 400 ``ValidationException`` and the
    message "Only pipelines with 'Executing' status can be stopped" — the same code as
    a malformed request, so the message is what tells them apart (apache/airflow
    ``providers/amazon/.../hooks/sagemaker.py`` ``stop_pipeline``, PRs #29077 and
    #36337).  ``code`` stays ``ValidationException``, as answered; being a subclass, an
    ``except ValidationException`` handler still catches it.
    """

    default_code = "ValidationException"


#: The message of StopPipelineExecution's "not Executing" answer, matched whatever its
#: case, quoting and surrounding text (see :class:`ExecutionNotStoppable`).
#: Compiled on first use (re's cache), not at import.
_NOT_EXECUTING = r"only\s+pipelines?\s+with\s+\W?executing\W?\s+status\s+can\s+be\s+stopped"


def is_not_executing_message(message: str) -> bool:
    """Whether a ValidationException message says the execution is not Executing."""
    return bool(re.search(_NOT_EXECUTING, message, re.IGNORECASE))


class ThrottlingException(SageMakerError):
    default_code = "ThrottlingException"


class AccessDeniedException(SageMakerError):
    default_code = "AccessDeniedException"


class UnrecognizedClientException(SageMakerError):
    default_code = "UnrecognizedClientException"


class InvalidSignatureException(SageMakerError):
    default_code = "InvalidSignatureException"


class IncompleteSignature(SageMakerError):
    default_code = "IncompleteSignature"


class MissingAuthenticationToken(SageMakerError):
    default_code = "MissingAuthenticationToken"


class ExpiredTokenException(SageMakerError):
    default_code = "ExpiredTokenException"


class InternalFailure(SageMakerError):
    default_code = "InternalFailure"


class ServiceUnavailable(SageMakerError):
    default_code = "ServiceUnavailable"


class UnknownOperationException(SageMakerError):
    default_code = "UnknownOperationException"


#: AWS error code -> the class raised for it.  Codes not listed raise SageMakerError.
ERROR_CLASSES: dict[str, type[SageMakerError]] = {
    cls.default_code: cls
    for cls in (
        ResourceNotFound,
        ConflictException,
        ResourceLimitExceeded,
        ValidationException,
        ThrottlingException,
        AccessDeniedException,
        UnrecognizedClientException,
        InvalidSignatureException,
        IncompleteSignature,
        MissingAuthenticationToken,
        ExpiredTokenException,
        InternalFailure,
        ServiceUnavailable,
        UnknownOperationException,
    )
}


def error_for_code(
    code: str,
    message: str,
    *,
    http_status: Optional[int] = None,
    request_id: Optional[str] = None,
) -> SageMakerError:
    """Build the exception a service error code maps to."""
    cls = ERROR_CLASSES.get(code, SageMakerError)
    return cls(message, code=code, http_status=http_status, request_id=request_id)


# --- errors answered by SQS ---------------------------------------------------------
# The modeled errors of ReceiveMessage, DeleteMessage, ChangeMessageVisibility and
# GetQueueUrl (botocore ``sqs/2012-11-05``).  SQS answers ``__type:
# com.amazonaws.sqs#<Shape>`` plus ``x-amzn-query-error: <Query code>;<Sender|Receiver>``;
# the class is chosen by the shape, ``code`` is the Query-era code when one is sent
# (``AWS.SimpleQueueService.NonExistentQueue`` for QueueDoesNotExist), as in botocore.


class QueueDoesNotExist(SageMakerError):
    """The SQS queue does not exist (or this identity may not see it), or the client
    talks to another region than the queue's."""

    default_code = "QueueDoesNotExist"


class ReceiptHandleIsInvalid(SageMakerError):
    """The receipt handle is not valid (malformed, or its message is gone)."""

    default_code = "ReceiptHandleIsInvalid"


class MessageNotInflight(SageMakerError):
    """ChangeMessageVisibility on a message that is not in flight (visible again)."""

    default_code = "MessageNotInflight"


class OverLimit(SageMakerError):
    """An SQS limit was hit (e.g. too many in-flight messages)."""

    default_code = "OverLimit"


class RequestThrottled(ThrottlingException):
    """SQS throttled the request (retried like any throttling error)."""

    default_code = "RequestThrottled"


ERROR_CLASSES.update(
    {
        cls.default_code: cls
        for cls in (
            QueueDoesNotExist,
            ReceiptHandleIsInvalid,
            MessageNotInflight,
            OverLimit,
            RequestThrottled,
        )
    }
)


# --- errors on our side of the wire --------------------------------------------------


class InvalidResponseError(SageMakerError):
    """The service answered with something that is not a valid AWS JSON 1.1 response."""

    default_code = "InvalidResponse"


class ResponseTooLargeError(InvalidResponseError):
    """The response body exceeded the size limit and was not read into memory."""

    default_code = "ResponseTooLarge"


class SageMakerConnectionError(SageMakerError):
    """No answer: the connection could not be made or broke. The cause is kept."""

    default_code = "ConnectionError"


class SageMakerTimeoutError(SageMakerConnectionError):
    """No answer in time. ``phase`` says what ran out: ``attempt`` (the client's
    ``timeout``, one attempt as a whole), ``call`` (``call_timeout``), ``wait`` (a wait's
    ``timeout``, cutting a call inside it short), or one socket operation's own timeout
    (``connect``, ``read``, ``write``, ``pool``); the code is ``<Phase>Timeout``."""

    default_code = "Timeout"

    def __init__(
        self,
        message: str = "",
        *,
        phase: str = "read",
        code: Optional[str] = None,
        http_status: Optional[int] = None,
        request_id: Optional[str] = None,
    ) -> None:
        self.phase = phase
        super().__init__(
            message,
            code=code if code is not None else f"{phase.capitalize()}Timeout",
            http_status=http_status,
            request_id=request_id,
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild_timeout, (self.message, self.phase))


def _rebuild_timeout(message: str, phase: str) -> SageMakerTimeoutError:
    return SageMakerTimeoutError(message, phase=phase)


class NoCredentialsError(SageMakerError):
    """No credentials were found. The message lists where the library looked."""

    default_code = "NoCredentials"


class CredentialsError(SageMakerError):
    """Credentials were configured but could not be loaded (bad profile, process failed...)."""

    default_code = "CredentialsError"


# --- bad input -----------------------------------------------------------------------


class ParamValidationError(ValueError):
    """An argument breaks a rule of the service model. Raised before anything is sent."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"Invalid {field}: {rule}")

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.field, self.rule))


class ConfigurationError(ValueError):
    """The configuration (region, endpoint, profile settings) is missing or invalid."""
