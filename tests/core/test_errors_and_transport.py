"""Error values users catch, log, pickle (multiprocessing, Celery) and compare."""

from __future__ import annotations

import copy
import pickle

import httpx
import pytest

from sagemaker_stop import (
    ParamValidationError,
    ResourceNotFound,
    ResponseTooLargeError,
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
    Timeouts,
)
from sagemaker_stop._transport import transport_failure


@pytest.mark.parametrize(
    "error",
    [
        ResourceNotFound("gone", http_status=400, request_id="r1"),
        SageMakerError("odd", code="Weird", http_status=418),
        SageMakerTimeoutError("slow", phase="connect"),
        ParamValidationError("PipelineExecutionArn", "must match pattern x"),
    ],
)
def test_errors_survive_pickle_and_copy(error: Exception) -> None:
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert repr(clone) == repr(error)


def test_error_text() -> None:
    assert str(SageMakerError(code="X")) == "X"
    assert str(SageMakerError("m", code="X", request_id="r")) == "X: m (request id r)"
    assert repr(ResourceNotFound("m")) == (
        "ResourceNotFound(code='ResourceNotFound', message='m', http_status=None, request_id=None)"
    )


@pytest.mark.parametrize(
    ("exc", "cls", "code"),
    [
        (httpx.ConnectTimeout("t"), SageMakerTimeoutError, "ConnectTimeout"),
        (httpx.ReadTimeout("t"), SageMakerTimeoutError, "ReadTimeout"),
        (httpx.WriteTimeout("t"), SageMakerTimeoutError, "WriteTimeout"),
        (httpx.PoolTimeout("t"), SageMakerTimeoutError, "PoolTimeout"),
        (httpx.ConnectError("refused"), SageMakerConnectionError, "ConnectionError"),
        (httpx.ReadError("reset"), SageMakerConnectionError, "ConnectionError"),
        (httpx.RemoteProtocolError("eof"), SageMakerConnectionError, "ConnectionError"),
        (httpx.UnsupportedProtocol("ftp"), SageMakerConnectionError, "ConnectionError"),
    ],
)
def test_every_transport_failure_is_typed_and_keeps_its_cause(
    exc: Exception, cls: type, code: str
) -> None:
    error = transport_failure(exc).to_error()
    assert type(error) is cls and error.code == code and error.__cause__ is exc
    assert error.http_status is None


def test_timeout_names_its_phase() -> None:
    error = transport_failure(httpx.ConnectTimeout("t")).to_error()
    assert isinstance(error, SageMakerTimeoutError) and error.phase == "connect"
    assert "connect timeout" in str(error)


def test_too_large() -> None:
    from sagemaker_stop._effects import TransportFailure

    assert isinstance(TransportFailure("too_large", "big").to_error(), ResponseTooLargeError)


def test_timeouts_of() -> None:
    assert Timeouts.of(3.0) == Timeouts(3.0, 3.0, 3.0, 3.0, attempt=3.0)
    custom = Timeouts(connect=1.0, read=30.0)
    assert Timeouts.of(custom) is custom and custom.attempt is None
    assert Timeouts.of(None) == Timeouts(None, None, None, None, None)
