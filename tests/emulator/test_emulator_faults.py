from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sagemaker_stop.emulator import SageMakerEmulator, Step
from sagemaker_stop.emulator.__main__ import main

from ._helpers import QUEUE, TOKEN_A, bodies, make_client, sign

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abcdefabcdef"


@pytest.fixture
def running(emu: SageMakerEmulator) -> str:
    emu.create_pipeline("p", steps=[Step("S", duration=1000)])
    return emu.start_execution("p")


def test_throttle_then_retry_succeeds(emu: SageMakerEmulator, running: str) -> None:
    emu.throttle(2, operation="StopPipelineExecution")
    client = make_client(emu, retries=3)
    try:
        client.describe_pipeline_execution(PipelineExecutionArn=running)  # not affected
        out = client.stop_pipeline_execution(
            PipelineExecutionArn=running, ClientRequestToken=TOKEN_A
        )
    finally:
        client.close()
    assert out["PipelineExecutionArn"] == running
    stops = emu.requests_for("StopPipelineExecution")
    assert [(r.status, r.error_code, r.fault) for r in stops] == [
        (400, "ThrottlingException", "throttle"),
        (400, "ThrottlingException", "throttle"),
        (200, None, None),
    ]
    assert {r.client_request_token for r in stops} == {TOKEN_A}
    assert all(r.auth.ok for r in stops)
    assert emu.pending_faults == []


def test_throttle_body(emu: SageMakerEmulator, client: Any) -> None:
    emu.throttle()
    with pytest.raises(ClientError) as exc:
        client.describe_pipeline_execution(PipelineExecutionArn=ARN)
    assert exc.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, "InternalFailure"), (503, "ServiceUnavailable"), (502, "InternalFailure")],
)
def test_5xx(emu: SageMakerEmulator, http: httpx.Client, status: int, code: str) -> None:
    emu.fail(status=status)
    url, headers, body = sign(emu, "DescribePipelineExecution", {"PipelineExecutionArn": ARN})
    r = http.post(url, headers=headers, content=body)
    assert r.status_code == status
    assert r.json()["__type"].endswith("#" + code)
    assert r.headers["x-amzn-errortype"].startswith(code)


def test_5xx_html(emu: SageMakerEmulator, http: httpx.Client) -> None:
    emu.fail(status=502, html=True)
    url, headers, body = sign(emu, "DescribePipelineExecution", {"PipelineExecutionArn": ARN})
    r = http.post(url, headers=headers, content=body)
    assert r.status_code == 502 and r.headers["content-type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in r.text
    assert emu.requests[-1].fault == "error"
    with pytest.raises(ValueError):
        emu.fail(status=404)


def test_delay_answers_late_and_keeps_the_connection(
    emu: SageMakerEmulator, running: str, http: httpx.Client
) -> None:
    emu.delay(0.3, operation="DescribePipelineExecution")
    url, headers, body = sign(emu, "DescribePipelineExecution", {"PipelineExecutionArn": running})
    t0 = time.monotonic()
    r = http.post(url, headers=headers, content=body)  # the client's read timeout is longer
    assert time.monotonic() - t0 >= 0.3
    assert r.status_code == 200 and r.json()["PipelineExecutionStatus"] == "Executing"
    url, headers, body = sign(emu, "DescribePipelineExecution", {"PipelineExecutionArn": running})
    assert http.post(url, headers=headers, content=body).status_code == 200
    assert [(q.fault, q.status) for q in emu.requests] == [("delay", 200), (None, 200)]


def test_delay_causes_read_timeout_but_is_processed(emu: SageMakerEmulator, running: str) -> None:
    emu.delay(0.5, operation="StopPipelineExecution")
    url, headers, body = sign(
        emu,
        "StopPipelineExecution",
        {"PipelineExecutionArn": running, "ClientRequestToken": TOKEN_A},
    )
    with httpx.Client(timeout=0.1) as http, pytest.raises(httpx.ReadTimeout):
        http.post(url, headers=headers, content=body)
    deadline = time.time() + 5
    while emu.execution_status(running) != "Stopping" and time.time() < deadline:
        time.sleep(0.02)
    assert emu.execution_status(running) == "Stopping"
    assert emu.requests_for("StopPipelineExecution")[0].fault == "delay"


def test_reset_before_processing(emu: SageMakerEmulator, running: str, http: httpx.Client) -> None:
    emu.reset(operation="StopPipelineExecution")
    url, headers, body = sign(
        emu,
        "StopPipelineExecution",
        {"PipelineExecutionArn": running, "ClientRequestToken": TOKEN_A},
    )
    with pytest.raises(httpx.TransportError):
        http.post(url, headers=headers, content=body)
    assert emu.execution_status(running) == "Executing"
    rec = emu.requests[-1]
    assert rec.status is None and rec.fault == "reset"


def test_reset_after_processing(emu: SageMakerEmulator, running: str, http: httpx.Client) -> None:
    emu.reset(process=True)
    url, headers, body = sign(
        emu,
        "StopPipelineExecution",
        {"PipelineExecutionArn": running, "ClientRequestToken": TOKEN_A},
    )
    with pytest.raises(httpx.TransportError):
        http.post(url, headers=headers, content=body)
    assert emu.execution_status(running) == "Stopping"
    assert emu.requests[-1].status == 200


def test_reset_mid_body_then_idempotent_retry(emu: SageMakerEmulator, running: str) -> None:
    emu.reset(mid_body=True, operation="StopPipelineExecution")
    client = make_client(emu, retries=3)
    try:
        out = client.stop_pipeline_execution(
            PipelineExecutionArn=running, ClientRequestToken=TOKEN_A
        )
    finally:
        client.close()
    assert out["PipelineExecutionArn"] == running
    stops = emu.requests_for("StopPipelineExecution")
    assert len(stops) == 2 and stops[0].fault == "reset" and stops[1].fault is None
    assert stops[0].client_request_token == stops[1].client_request_token == TOKEN_A


def test_fault_validation_and_clear(emu: SageMakerEmulator) -> None:
    with pytest.raises(ValueError):
        emu.throttle(0)
    with pytest.raises(ValueError):
        emu._faults.add(type(emu.throttle())("nope"))
    emu.throttle(3)
    assert len(emu.pending_faults) == 2  # the one above plus this one
    emu.clear_faults()
    assert emu.pending_faults == []
    emu.clear_requests()
    assert emu.requests == []


# ---------------------------------------------------------------- lifecycle & control paths


def test_lifecycle_no_leaks() -> None:
    before = threading.active_count()
    emu = SageMakerEmulator()
    with pytest.raises(RuntimeError):
        _ = emu.port
    emu.start()
    assert emu.start() is emu and emu.running
    # an idle keep-alive connection and a half-sent request are both closed on stop
    idle = httpx.Client()
    idle.post(emu.endpoint_url + "/", content=b"{}")
    half = socket.create_connection(("127.0.0.1", emu.port))
    half.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    emu.delay(30)
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            httpx.post(emu.endpoint_url + "/", content=b"{}")
        except httpx.TransportError as exc:
            errors.append(exc)

    slow = threading.Thread(target=slow_call)
    slow.start()
    time.sleep(0.2)
    t0 = time.time()
    emu.stop()
    slow.join(5)
    assert len(errors) == 1  # the delayed request was dropped, not answered
    assert time.time() - t0 < 5
    emu.stop()
    assert not emu.running
    idle.close()
    half.close()
    assert threading.active_count() <= before


def test_control_paths(emu: SageMakerEmulator, http: httpx.Client) -> None:
    base = emu.endpoint_url + "/_emulator"
    r = http.post(
        base + "/pipelines",
        content=json.dumps(
            {
                "name": "cp",
                "steps": [
                    {"name": "P", "duration": 5},
                    {"name": "C", "type": "Callback", "sqs_queue_url": QUEUE},
                ],
            }
        ),
    )
    assert r.json()["PipelineArn"].endswith(":pipeline/cp")
    arn = emu.start_execution("cp")
    assert http.get(base + "/queues", params={"url": QUEUE}).json() == {
        "QueueUrl": QUEUE,
        "Messages": [],
    }
    assert http.post(base + "/advance", params={"seconds": "5"}).json()["Now"] == pytest.approx(
        emu.now
    )
    msgs = bodies(http.get(base + "/queues", params={"url": QUEUE}).json()["Messages"])
    assert [m.get("status") for m in msgs] == [None] and msgs[0]["pipelineExecutionArn"] == arn
    taken = http.get(base + "/queues", params={"url": QUEUE, "receive": "1"}).json()["Messages"]
    assert len(taken) == 1 and emu.queue_messages(QUEUE) == []
    assert http.get(base + "/health").json()["Region"] == "us-east-1"
    assert http.get(base + "/nope").status_code == 404
    assert http.post(base + "/advance", params={"seconds": "x"}).status_code == 400
    assert emu.requests == []  # control paths are not recorded
    for length in (b"zz", b"-1"):
        with socket.create_connection(("127.0.0.1", emu.port)) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 400")


def test_chunked_request_body(emu: SageMakerEmulator) -> None:
    url, headers, body = sign(emu, "DescribePipelineExecution", {"PipelineExecutionArn": ARN})
    with httpx.Client() as http:
        r = http.post(url, headers=headers, content=iter([body[:10], body[10:]]))
    assert "ResourceNotFound" in r.text and emu.requests[-1].body == body
    with socket.create_connection(("127.0.0.1", emu.port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


def test_env(emu: SageMakerEmulator) -> None:
    env = emu.env
    assert env["AWS_ENDPOINT_URL_SAGEMAKER"] == emu.endpoint_url
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDEMULATOR000000001"
    assert env["AWS_SECRET_ACCESS_KEY"] == "emulator-secret"
    assert "AWS_SESSION_TOKEN" not in env


# ---------------------------------------------------------------- CLI


def test_cli_subprocess() -> None:
    import boto3
    from botocore.config import Config

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_stop.emulator", "--port", "0", "--quiet", "--speed", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first.startswith("SageMaker emulator listening on http://127.0.0.1:")
        env: dict[str, str] = {}
        for line in iter(proc.stdout.readline, ""):
            if line.startswith("#"):
                break
            name, _, value = line.strip().removeprefix("export ").partition("=")
            env[name] = value
        assert env["AWS_ENDPOINT_URL_SAGEMAKER"] == first.rsplit(" ", 1)[-1].strip()
        client = boto3.client(
            "sagemaker",
            endpoint_url=env["AWS_ENDPOINT_URL_SAGEMAKER"],
            region_name=env["AWS_DEFAULT_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"total_max_attempts": 1}),
        )
        try:
            arn = client.start_pipeline_execution(PipelineName="demo-callback")[
                "PipelineExecutionArn"
            ]
            assert (
                client.describe_pipeline_execution(PipelineExecutionArn=arn)[
                    "PipelineExecutionStatus"
                ]
                == "Executing"
            )
        finally:
            client.close()
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
        proc.stdout.close()


def test_cli_main_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import sagemaker_stop.emulator._command as cli

    pipelines = tmp_path / "p.json"
    pipelines.write_text(json.dumps([{"name": "x", "steps": [{"name": "S", "duration": 1}]}]))

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.time, "sleep", interrupt)
    monkeypatch.setattr(cli.signal, "signal", lambda *a: None)
    out = io.StringIO()
    assert (
        main(
            ["--port", "0", "--pipelines", str(pipelines), "--session-token", "t", "--quiet"],
            out=out,
        )
        == 0
    )
    text = out.getvalue()
    assert "export AWS_SESSION_TOKEN=t" in text and "# pipelines: x" in text
    with pytest.raises(KeyboardInterrupt):
        cli._raise_interrupt(15, None)
