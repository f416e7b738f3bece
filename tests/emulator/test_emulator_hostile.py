"""The emulator answers hostile and malformed input with an AWS-style 4xx (and keeps
serving), refuses bodies over its size cap unread, and keeps a bounded record."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from sagemaker_stop import SageMakerError
from sagemaker_stop.emulator import SageMakerEmulator, Step
from sagemaker_stop.emulator.__main__ import main

from ._helpers import exchange, raw_request, signed_request

JSON_11 = [
    ("Content-Type", "application/x-amz-json-1.1"),
    ("X-Amz-Target", "SageMaker.ListPipelineExecutions"),
]
MALFORMED = "com.amazon.coral.service#MalformedHttpRequestException"
TOO_LARGE = "com.amazon.coral.service#RequestEntityTooLargeException"
SERIALIZATION = "com.amazon.coral.service#SerializationException"


@pytest.fixture(scope="module")
def shared() -> Iterator[SageMakerEmulator]:
    """One emulator for the cases that leave no state behind (its request record is
    cleared before each use); it also shows one bad request never disturbs the next."""
    with SageMakerEmulator() as emulator:
        emulator.create_pipeline("p", [Step("S")])
        yield emulator


@pytest.mark.parametrize(
    ("headers", "body", "status", "error_type"),
    [
        ([("Content-Length", str(10**12))], b"", 413, TOO_LARGE),
        ([("Content-Length", str(10**30))], b"", 413, TOO_LARGE),
        ([("Content-Length", "-1")], b"", 400, MALFORMED),
        ([("Content-Length", "12abc")], b"", 400, MALFORMED),
        ([("Transfer-Encoding", "chunked")], b"ffffffffffff\r\n{}", 413, TOO_LARGE),
        ([("Transfer-Encoding", "chunked")], b"-5\r\n{}\r\n0\r\n\r\n", 400, MALFORMED),
        ([("Transfer-Encoding", "chunked")], b"zz\r\n{}\r\n0\r\n\r\n", 400, MALFORMED),
        ([("Transfer-Encoding", "chunked")], b"2\r\n{}XX0\r\n\r\n", 400, MALFORMED),
    ],
    ids=["length-1e12", "length-1e30", "length-negative", "length-garbage",
         "chunk-huge", "chunk-negative", "chunk-garbage", "chunk-unterminated"],
)
def test_bad_framing_gets_an_aws_error_and_the_emulator_keeps_serving(
    shared: SageMakerEmulator, headers: list[tuple[str, str]], body: bytes, status: int,
    error_type: str,
) -> None:
    answer = exchange(shared, raw_request(shared, headers=[*JSON_11, *headers], body=body))
    assert answer[0] == status and answer[1]["__type"] == error_type
    assert answer[1]["message"]
    health = exchange(shared, raw_request(shared, "/_emulator/health", method="GET"))
    assert health[0] == 200


def test_a_chunked_body_within_the_cap_is_read(emu: SageMakerEmulator) -> None:
    emu.create_pipeline("p", [Step("S")])
    chunked = raw_request(
        emu,
        "/_emulator/pipelines",
        [("Transfer-Encoding", "chunked")],
        b'8;ext=1\r\n{"name":\r\n5\r\n "q"}\r\n0\r\nTrailer: x\r\n\r\n',
    )
    assert exchange(emu, chunked) == (200, {"PipelineArn": emu.pipeline_arn("q")})


def test_a_request_over_the_size_cap_is_a_typed_413_for_the_client() -> None:
    with SageMakerEmulator(max_request_bytes=1000) as emu:
        emu.create_pipeline("p", [Step("S")])
        with emu.client() as sm:
            with pytest.raises(SageMakerError) as caught:
                sm.start_pipeline_execution("p", description="x" * 1000)
            assert (caught.value.code, caught.value.http_status) == (
                "RequestEntityTooLargeException", 413
            )
            assert sm.start_pipeline_execution("p", description="small")  # still serving
        assert [r.operation for r in emu.requests] == ["StartPipelineExecution"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "nested more than 64"),
        (b'{"PipelineName": "p", "X": ' + b"[" * 900 + b"]" * 900 + b"}", "nested more than 64"),
        (b'{"PipelineName": "p", "CreatedAfter": 1' + b"0" * 400 + b"}", "CreatedAfter"),
        (b'{"PipelineName": "p", "CreatedAfter": 1e400}', "CreatedAfter"),
        (b'{"PipelineName": "p", "CreatedBefore": -1e400}', "CreatedBefore"),
        (b'{"PipelineName": "p", "CreatedAfter": NaN}', "NaN"),
        (b'{"PipelineName": "p", "CreatedAfter": Infinity}', "Infinity"),
        (b'\xff{"PipelineName": "p"}', "Malformed JSON"),
    ],
    ids=["50000-deep", "900-deep", "10**400", "1e400", "-1e400", "NaN", "Infinity",
         "not-utf8"],
)
def test_signed_bodies_it_cannot_read_are_serialization_exceptions(
    shared: SageMakerEmulator, body: bytes, message: str
) -> None:
    shared.clear_requests()
    status, answer = exchange(shared, signed_request(shared, "ListPipelineExecutions", body))
    assert (status, answer["__type"]) == (400, SERIALIZATION)
    assert message in answer["message"]
    (recorded,) = shared.requests
    assert recorded.auth.ok and recorded.error_code == "SerializationException"


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("POST", "/_emulator/advance?seconds=nan", b"", "finite"),
        ("POST", "/_emulator/advance?seconds=inf", b"", "finite"),
        ("POST", "/_emulator/advance?seconds=-5", b"", "finite number >= 0"),
        ("POST", "/_emulator/advance?seconds=soon", b"", "could not convert"),
        ("GET", "/_emulator/queues?url=q&receive=1&max=-5", b"", ">= 1"),
        ("GET", "/_emulator/queues?url=q&receive=1&max=0", b"", ">= 1"),
        ("GET", "/_emulator/queues?url=q&receive=1&max=ten", b"", "invalid literal"),
        ("POST", "/_emulator/pipelines", b"[]", "a pipeline is a JSON object"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": [1]}', "a step is"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": {}}', "field 'steps' must be an array"),
        ("POST", "/_emulator/pipelines", b"[" * 50_000 + b"]" * 50_000, "nested"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": [{"name": "s",'
         b' "duration": "nan"}]}', "field 'duration' must be a number of seconds, not a string"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": [{"name": "s",'
         b' "type": "Lambda", "function_arn": "f", "timeout": 0}]}', "timeout must be"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": [{"name": "s",'
         b' "duration": 1e999}]}', "field 'duration' must be a finite"),
        ("POST", "/_emulator/pipelines", b'{"name": "q", "steps": [{"name": "s",'
         b' "duration": [1]}]}', "pipeline 'q': step 1: field 'duration' must be a number of seconds, not an array"),
    ],
)
def test_the_control_paths_refuse_bad_input_with_400(
    shared: SageMakerEmulator, method: str, path: str, body: bytes, message: str
) -> None:
    before = shared.now
    status, answer = exchange(shared, raw_request(shared, path, body=body, method=method))
    assert status == 400 and message in answer["message"]
    health = exchange(shared, raw_request(shared, "/_emulator/health", method="GET"))
    assert health[0] == 200 and math.isfinite(health[1]["Now"])
    assert health[1]["Now"] == pytest.approx(before) and list(shared._model.pipelines) == ["p"]


def test_the_python_api_refuses_non_finite_times_too(emu: SageMakerEmulator) -> None:
    for bad in (math.nan, math.inf, -1.0):
        with pytest.raises(ValueError, match="finite"):
            emu.advance(bad)
        with pytest.raises(ValueError, match="finite"):
            emu.speed = bad
        with pytest.raises(ValueError, match="finite"):
            Step("S", duration=bad)
    with pytest.raises(ValueError, match="a number"):
        Step("S", duration="60")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 1"):
        emu.receive_messages("q", 0)
    with pytest.raises(ValueError, match="stop_delay"):
        SageMakerEmulator(stop_delay=math.nan)
    assert math.isfinite(emu.now)


@pytest.mark.parametrize(
    ("argv", "file_text", "message"),
    [
        (["--speed", "nan"], None, "not a finite number >= 0: 'nan'"),
        (["--stop-delay", "-1"], None, "not a finite number >= 0: '-1'"),
        (["--clock-skew", "inf"], None, "not a finite number: 'inf'"),
        (["--speed", "fast"], None, "not a finite number >= 0: 'fast'"),
        ([], "{not json", "p.json: not valid JSON: Expecting property name"),
        ([], '{"name": "x"}', "must hold a JSON array of pipelines"),
        ([], '[{"name": "x", "steps": [1]}]', "a step is a JSON object"),
        ([], "[" * 5000 + "]" * 5000, "nested more than 64"),
        (["--pipelines", "/nonexistent/p.json"], None, "No such file"),
    ],
)
def test_the_command_line_refuses_bad_numbers_and_pipeline_files_as_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    file_text: str, message: str,
) -> None:
    if file_text is not None:
        (tmp_path / "p.json").write_text(file_text)
        argv = [*argv, "--pipelines", str(tmp_path / "p.json")]
    try:
        code = main(["--port", "0", "--quiet", *argv])
    except SystemExit as exited:  # argparse's option errors
        code = exited.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_record_keeps_the_latest_requests_within_its_limits() -> None:
    with SageMakerEmulator(max_recorded_requests=3, max_recorded_bytes=250) as emu:
        emu.create_pipeline("p", [Step("S")])

        def describe(n: int) -> None:
            body = b'{"PipelineExecutionArn": "%d"}' % n
            exchange(emu, signed_request(emu, "DescribePipelineExecution", body))

        for n in range(5):
            describe(n)
        assert [r.json["PipelineExecutionArn"] for r in emu.requests] == ["2", "3", "4"]
        prefix = b'{"PipelineName": "p", "PipelineExecutionDescription": "'
        big = prefix + b"d" * (198 - len(prefix)) + b'"}'  # 200 bytes
        exchange(emu, signed_request(emu, "ListPipelineExecutions", big))
        # 3 x 29 + 200 bytes of bodies do not fit in 250: the oldest go until they do
        assert [r.json.get("PipelineExecutionArn") for r in emu.requests] == ["4", None]
        describe(5)
        assert [r.json.get("PipelineExecutionArn") for r in emu.requests] == [None, "5"]
        with SageMakerEmulator(max_recorded_bytes=10) as tiny:  # the newest is always kept
            exchange(tiny, signed_request(tiny, "ListPipelineExecutions", big))
            exchange(tiny, signed_request(tiny, "ListPipelineExecutions", big))
            assert len(tiny.requests) == 1
        emu.clear_requests()
        describe(6)
        assert len(emu.requests) == 1
