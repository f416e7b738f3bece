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
    """The service answered ``ResourceLimitExceeded``: a quota of the account was reached
    (starting one more execution, for instance)."""

    default_code = "ResourceLimitExceeded"


class ValidationException(SageMakerError):
    """The service refused the request as invalid (HTTP 400 ``ValidationException``).

    A stop of an execution that is not ``Executing`` any more has this code too, and is
    raised as its subclass :class:`ExecutionNotStoppable`."""

    default_code = "ValidationException"


class ExecutionNotStoppable(ValidationException):
    """StopPipelineExecution refused because the execution is not ``Executing`` any more:
    it is already ``Stopping``, or it has ended (Stopped, Failed, Succeeded,
    CompletedWithFailures).  *The* way to say "it is not running any more".

    The live service answers such a stop with HTTP 400 ``ValidationException`` and the
    message "Only pipelines with 'Executing' status can be stopped" — the same code as
    a malformed request, so the message is what tells them apart (apache/airflow
    ``providers/amazon/.../hooks/sagemaker.py`` ``stop_pipeline``, PRs #29077 and #36337).
    ``code`` stays ``ValidationException``, as answered; being a subclass, an
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
    """The service is throttling the account (``Rate exceeded``); retried by every retry
    mode before it is raised."""

    default_code = "ThrottlingException"


class AccessDeniedException(SageMakerError):
    """The credentials are valid but not allowed this action (an IAM policy lacks it)."""

    default_code = "AccessDeniedException"


class UnrecognizedClientException(SageMakerError):
    """The access key id is not known to AWS (deleted, mistyped, or of another
    partition)."""

    default_code = "UnrecognizedClientException"


class InvalidSignatureException(SageMakerError):
    """The request's signature did not match: usually a wrong secret key."""

    default_code = "InvalidSignatureException"


class IncompleteSignature(SageMakerError):
    """The request's signature or its Authorization header was incomplete."""

    default_code = "IncompleteSignature"


class MissingAuthenticationToken(SageMakerError):
    """The request carried no signature the service recognised."""

    default_code = "MissingAuthenticationToken"


class ExpiredTokenException(SageMakerError):
    """The session token has expired (the client reloads the credentials once and
    resends when they changed)."""

    default_code = "ExpiredTokenException"


class InternalFailure(SageMakerError):
    """The service failed internally (HTTP 500); retried before it is raised."""

    default_code = "InternalFailure"


class ServiceUnavailable(SageMakerError):
    """The service was unavailable (HTTP 503); retried before it is raised."""

    default_code = "ServiceUnavailable"


class UnknownOperationException(SageMakerError):
    """The endpoint does not know the operation (an endpoint that is not SageMaker's)."""

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
    """No credentials were found. The message lists where the library looked; ``tried``
    holds the same as ``(source, why it had none)`` pairs, in the order tried."""

    default_code = "NoCredentials"

    def __init__(
        self,
        message: str = "",
        *,
        tried: tuple[tuple[str, str], ...] = (),
        code: Optional[str] = None,
        http_status: Optional[int] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code, http_status=http_status, request_id=request_id)
        self.tried = tuple(tried)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild_no_credentials, (self.message, self.tried, self.code))


def _rebuild_no_credentials(
    message: str, tried: tuple[tuple[str, str], ...], code: str
) -> NoCredentialsError:
    return NoCredentialsError(message, tried=tried, code=code)


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
