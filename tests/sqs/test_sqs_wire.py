"""SQS on the wire: the same requests as boto3 (bodies, signed headers, signatures), the
errors SQS answers, endpoints, and a long poll that outlives the read timeout."""

from __future__ import annotations

import datetime
import time
from typing import Any, Callable

import httpx
import pytest

from sagemaker_stop import (
    ConfigurationError,
    Credentials,
    MessageNotInflight,
    ParamValidationError,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    RequestThrottled,
    SageMakerClient,
    SageMakerTimeoutError,
    ThrottlingException,
)
from sagemaker_stop._config import resolve_config
from sagemaker_stop._endpoints import region_of_queue_url

from ..clients import boto3_sent
from ..loopback import ACCESS_KEY, SECRET_KEY, Reply, WireServer

FIXED = datetime.datetime(2026, 11, 25, 12, 30, 45, tzinfo=datetime.timezone.utc)
QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/callbacks"
CREDS = Credentials("AKIDEXAMPLE000000000", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok")

# (our method, its arguments, boto3's method, its arguments: same members, same order)
CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any], str, dict[str, Any]]] = [
    (
        "receive_message",
        (QUEUE,),
        {"max_number_of_messages": 10, "wait_time_seconds": 20, "visibility_timeout": 60},
        "receive_message",
        {
            "QueueUrl": QUEUE,
            "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
            "MessageAttributeNames": ["All"],
            "MaxNumberOfMessages": 10,
            "VisibilityTimeout": 60,
            "WaitTimeSeconds": 20,
        },
    ),
    (
        "receive_message",
        (QUEUE,),
        {"message_system_attribute_names": None, "message_attribute_names": None},
        "receive_message",
        {"QueueUrl": QUEUE},
    ),
    (
        "delete_message",
        (QUEUE, "AQEB/handle+1=="),
        {},
        "delete_message",
        {"QueueUrl": QUEUE, "ReceiptHandle": "AQEB/handle+1=="},
    ),
    (
        "change_message_visibility",
        (QUEUE, "AQEB/handle+1==", 120),
        {},
        "change_message_visibility",
        {"QueueUrl": QUEUE, "ReceiptHandle": "AQEB/handle+1==", "VisibilityTimeout": 120},
    ),
    (
        "get_queue_url",
        ("callbacks",),
        {"queue_owner_aws_account_id": "123456789012"},
        "get_queue_url",
        {"QueueName": "callbacks", "QueueOwnerAWSAccountId": "123456789012"},
    ),
]


def boto3_request(monkeypatch: pytest.MonkeyPatch, method: str, kwargs: dict[str, Any]) -> Any:
    return boto3_sent(
        monkeypatch, "sqs", "eu-west-1", CREDS, FIXED,
        lambda client: getattr(client, method)(**kwargs),
    )


def our_request(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> httpx.Request:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    # No region configured: the queue URL names it (GetQueueUrl has none to name).
    region = None if method != "get_queue_url" else "eu-west-1"
    with SageMakerClient(region=region, credentials=CREDS, http_client=http) as sm:
        sm._core.clock = FIXED.timestamp
        getattr(sm, method)(*args, **kwargs)
    http.close()
    return captured[0]


def _header(headers: Any, name: str) -> str:
    value = headers[name]
    return value.decode() if isinstance(value, bytes) else str(value)


@pytest.mark.parametrize(("ours", "args", "kwargs", "theirs", "boto_kwargs"), CALLS)
def test_sqs_requests_equal_boto3s(
    monkeypatch: pytest.MonkeyPatch,
    ours: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    theirs: str,
    boto_kwargs: dict[str, Any],
) -> None:
    expected = boto3_request(monkeypatch, theirs, boto_kwargs)
    got = our_request(ours, args, kwargs)
    assert str(got.url) == expected.url == "https://sqs.eu-west-1.amazonaws.com/"
    assert got.content == expected.body
    names = ("X-Amz-Target", "Content-Type", "x-amzn-query-mode", "X-Amz-Date",
             "X-Amz-Security-Token", "Authorization")
    for name in names:
        assert got.headers[name] == _header(expected.headers, name), name
    assert "x-amzn-query-mode" in got.headers["Authorization"]  # signed, as boto3 signs it


def _client(wire: WireServer, **kwargs: Any) -> SageMakerClient:
    return SageMakerClient(
        region="us-east-1", credentials=Credentials(ACCESS_KEY, SECRET_KEY),
        sqs_endpoint_url=wire.url, **kwargs,
    )


@pytest.fixture
def sqs_wire() -> Any:
    with WireServer(service="sqs") as server:
        yield server


def _error(shape: str, query: str, message: str = "m") -> Reply:
    return Reply(
        400,
        {"__type": f"com.amazonaws.sqs#{shape}", "message": message},
        {"x-amzn-query-error": f"{query};Sender", "Content-Type": "application/x-amz-json-1.0"},
    )


@pytest.mark.parametrize(
    ("shape", "query", "cls"),
    [
        ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", QueueDoesNotExist),
        ("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", ReceiptHandleIsInvalid),
        ("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", MessageNotInflight),
    ],
)
def test_sqs_errors_are_typed_by_shape_and_keep_the_query_code(
    sqs_wire: WireServer, shape: str, query: str, cls: type
) -> None:
    sqs_wire.push(_error(shape, query, "The specified queue does not exist."))
    with _client(sqs_wire) as sm, pytest.raises(cls) as caught:
        sm.delete_message(QUEUE, "h")
    error = caught.value
    # As boto3: the exception class by the modeled shape, Error.Code the Query-era code.
    assert error.code == query and error.http_status == 400 and error.request_id == "req-1"
    assert error.message == "The specified queue does not exist."
    assert str(error).startswith(f"{query}: ")
    assert sqs_wire.requests[0].auth.ok


def test_an_sqs_error_without_the_query_header_is_named_by_its_shape(sqs_wire: WireServer) -> None:
    sqs_wire.push(Reply(400, {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "x"}))
    with _client(sqs_wire) as sm, pytest.raises(QueueDoesNotExist) as caught:
        sm.get_queue_url("nope")
    assert caught.value.code == "QueueDoesNotExist"


def test_sqs_throttling_is_retried(sqs_wire: WireServer) -> None:
    sqs_wire.push(_error("RequestThrottled", "RequestThrottled"), Reply(200, {}))
    with _client(sqs_wire) as sm:
        sm._core.retry._random = lambda: 0.0  # no backoff sleep
        sm.delete_message(QUEUE, "h")
    assert len(sqs_wire.requests) == 2
    assert issubclass(RequestThrottled, ThrottlingException)


def test_a_long_poll_may_outlast_the_read_timeout_by_its_wait(sqs_wire: WireServer) -> None:
    message = {"MessageId": "m1", "ReceiptHandle": "h1", "Body": "{}",
               "Attributes": {"ApproximateReceiveCount": "3"}}
    sqs_wire.push(Reply(200, {"Messages": [message]}, delay=0.3))
    with _client(sqs_wire, timeout=0.15, max_attempts=1) as sm:
        started = time.monotonic()
        got = sm.receive_message(QUEUE, wait_time_seconds=1)
        assert time.monotonic() - started >= 0.25
        assert got.messages[0].receive_count == 3 and got.messages[0].receipt_handle == "h1"
        # ... while any other call keeps the plain read timeout.
        sqs_wire.push(Reply(200, {}, delay=0.3))
        with pytest.raises(SageMakerTimeoutError):
            sm.delete_message(QUEUE, "h1")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda sm: sm.receive_message(QUEUE, wait_time_seconds=21), "WaitTimeSeconds"),
        (lambda sm: sm.receive_message(QUEUE, max_number_of_messages=11), "MaxNumberOfMessages"),
        (lambda sm: sm.receive_message(QUEUE, visibility_timeout=43201), "VisibilityTimeout"),
        (lambda sm: sm.receive_message(QUEUE, message_system_attribute_names=["Nope"]),
         "MessageSystemAttributeNames"),
        (lambda sm: sm.receive_message(""), "QueueUrl"),
        (lambda sm: sm.change_message_visibility(QUEUE, "h", -1), "VisibilityTimeout"),
        (lambda sm: sm.delete_message(QUEUE, ""), "ReceiptHandle"),
        (lambda sm: sm.get_queue_url("q" * 81), "QueueName"),
    ],
)
def test_bad_sqs_arguments_fail_before_sending(
    sqs_wire: WireServer, call: Callable[[Any], Any], match: str
) -> None:
    with _client(sqs_wire) as sm, pytest.raises(ParamValidationError, match=match):
        call(sm)
    assert sqs_wire.requests == []


# --- endpoints (SQS's rules against botocore's: tests/config/test_endpoints.py) ---------


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/q", "eu-west-1"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1"),
        ("https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/q", "us-gov-west-1"),
        ("https://ap-south-1.queue.amazonaws.com/123456789012/q", "ap-south-1"),
        ("https://queue.amazonaws.com/123456789012/q", "us-east-1"),
        ("http://127.0.0.1:9324/000000000000/q", None),
        ("q", None),
    ],
)
def test_the_queue_url_names_the_region(url: str, region: Any) -> None:
    assert region_of_queue_url(url) == region


def test_sqs_endpoint_configuration(tmp_path: Any) -> None:
    def endpoint(env: dict[str, str], config: str = "", **kwargs: Any) -> tuple[str, str]:
        (tmp_path / ".aws").mkdir(exist_ok=True)
        (tmp_path / ".aws" / "config").write_text(config)
        resolved = resolve_config(environ=env, home=str(tmp_path), **kwargs)
        return resolved.endpoint_for(region_of_queue_url(QUEUE), "sqs")

    assert endpoint({}) == ("https://sqs.eu-west-1.amazonaws.com", "eu-west-1")
    assert endpoint({"AWS_REGION": "us-west-2"}) == ("https://sqs.us-west-2.amazonaws.com",
                                                     "us-west-2")
    assert endpoint({"AWS_USE_FIPS_ENDPOINT": "true"})[0] == "https://sqs-fips.eu-west-1.amazonaws.com"
    assert endpoint({"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:1"})[0] == "http://127.0.0.1:1"
    assert endpoint({"AWS_ENDPOINT_URL": "http://127.0.0.1:2"})[0] == "http://127.0.0.1:2"
    services = "[default]\nservices = local\n[services local]\nsqs =\n  endpoint_url = http://127.0.0.1:3\n"
    assert endpoint({}, services)[0] == "http://127.0.0.1:3"
    # SageMaker's endpoint_url is SageMaker's only; sqs_endpoint_url= wins over the rest.
    assert endpoint({}, endpoint_url="http://127.0.0.1:4")[0] == "https://sqs.eu-west-1.amazonaws.com"
    assert endpoint({"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:1"},
                    sqs_endpoint_url="http://127.0.0.1:5")[0] == "http://127.0.0.1:5"
    with pytest.raises(ConfigurationError, match="invalid endpoint_url"):
        endpoint({"AWS_ENDPOINT_URL_SQS": "localhost:1"})
    # A broken [services] block fails SQS calls only when one is made (as botocore).
    broken = "[default]\nservices = gone\n"
    config = resolve_config(environ={"AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:6"},
                            home=str(tmp_path))
    (tmp_path / ".aws" / "config").write_text(broken)
    config = resolve_config(environ={"AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:6"},
                            home=str(tmp_path))
    assert config.endpoint_for("eu-west-1")[0] == "http://127.0.0.1:6"
    with pytest.raises(ConfigurationError, match="services"):
        config.endpoint_for("eu-west-1", "sqs")
    with pytest.raises(ConfigurationError, match="queue URL"):
        resolve_config(environ={}, home=str(tmp_path / "none")).endpoint_for(None, "sqs")


@pytest.mark.parametrize(
    "operation", ["ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueUrl"]
)
def test_sqs_classes_have_the_members_of_botocores_model(operation: str) -> None:
    import botocore.session

    import sagemaker_stop

    from ..core.test_service_model import _walk, _wire_fields

    model = botocore.session.get_session().get_service_model("sqs").operation_model(operation)
    request = getattr(sagemaker_stop, operation)
    # AttributeNames is deprecated: MessageSystemAttributeNames replaces it.
    assert set(_wire_fields(request)) == set(model.input_shape.members) - {"AttributeNames"}
    problems: list[str] = []
    if model.output_shape is None:
        assert _wire_fields(request.response_type) == {}
    else:
        _walk(model.output_shape, request.response_type, operation, problems)
    assert problems == []
