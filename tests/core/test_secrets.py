"""No secret on any surface: what the service (or a credential process, or the
environment) sends back is redacted before it reaches an exception, a log record, the
CLI's stderr or its ``--output json`` — the session token, the secret key and
signatures; never the access key id, which users need."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from sagemaker_stop import (
    CredentialsError,
    InvalidSignatureException,
    SageMakerError,
    cli,
)
from sagemaker_stop._redact import redact
from sagemaker_stop.emulator import SageMakerEmulator

from ..conftest import ARN
from ..loopback import ACCESS_KEY, SECRET_KEY, Credentials, Loopback, Reply, WireServer

TOKEN = "IQoJb3JpZ2luX2VjEHAaCXVzLWVhc3QtMSJHMEUCIQD" + "Zk9xY2F3+bW9jay10b2tlbi/" * 12 + "=="
SIGNATURE = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"

#: The shapes AWS answers a bad signature with (an ECS ListClusters answer, quoted whole
#: in SigV4 debugging write-ups; the emulator's own IncompleteSignature text).
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details.\n\nThe Canonical String for this request should have "
    "been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\n"
    "host:api.sagemaker.us-east-1.amazonaws.com\nx-amz-date:20240101T000000Z\n"
    f"x-amz-security-token:{TOKEN}\nx-amz-target:SageMaker.StopPipelineExecution\n\n"
    "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'\n\n"
    "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240101T000000Z\n"
    "20240101/us-east-1/sagemaker/aws4_request\n"
    "13712268eb5192201514629fbd04cfcd05986ed1d78b4026497772ad67e7e1e9'\n"
)
INCOMPLETE = (
    "Authorization header requires 'SignedHeaders' parameter. Authorization="
    f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20240101/us-east-1/sagemaker/aws4_request, "
    f"Signature={SIGNATURE}"
)
LEAKS = (TOKEN, SIGNATURE, SECRET_KEY, TOKEN[20:80])


def assert_clean(*surfaces: str) -> None:
    for text in surfaces:
        for leak in LEAKS:
            assert leak not in text


@pytest.fixture
def session_wire() -> Any:
    with WireServer(credentials=(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN),)) as server:
        yield server


@pytest.mark.parametrize(
    ("code", "message"),
    [("InvalidSignatureException", MISMATCH), ("IncompleteSignature", INCOMPLETE)],
)
def test_signature_errors_never_echo_the_token_or_signature(
    session_wire: WireServer, make_client: Any, code: str, message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from sagemaker_stop import Credentials as Creds

    session_wire.push(Reply(403, {"__type": code, "message": message}))
    sm = make_client(
        endpoint_url=session_wire.url, credentials=Creds(ACCESS_KEY, SECRET_KEY, TOKEN)
    )
    caplog.set_level(logging.DEBUG, logger="sagemaker_stop")
    with pytest.raises(SageMakerError) as caught:
        sm.stop_pipeline_execution(ARN)
    error = caught.value
    assert error.code == code and len(session_wire.requests) == 1  # not retried
    assert_clean(str(error), repr(error), error.message, caplog.text)
    assert "<redacted>" in error.message
    if code == "IncompleteSignature":
        assert f"Credential={ACCESS_KEY}/20240101" in error.message  # the key id stays


def test_the_cli_never_prints_the_token(
    session_wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_wire.push(*[Reply(403, {"__type": "InvalidSignatureException", "message": MISMATCH})] * 2)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    base = ["--endpoint-url", session_wire.url, "--region", "us-east-1"]
    for output in ("text", "json"):
        out, err = io.StringIO(), io.StringIO()
        code = cli.run([*base, "--output", output, "stop", ARN], stdout=out, stderr=err)
        assert code == 1
        assert "InvalidSignatureException" in out.getvalue() + err.getvalue()
        assert_clean(out.getvalue(), err.getvalue())


def test_the_emulator_does_not_echo_the_token_either(make_client: Any) -> None:
    from sagemaker_stop import Credentials as Creds

    with SageMakerEmulator() as emu:
        emu.add_credentials("AKIDSESSION000000001", SECRET_KEY, TOKEN)
        wrong = Creds("AKIDSESSION000000001", "not-the-secret", TOKEN)
        sm = make_client(endpoint_url=emu.endpoint_url, credentials=wrong)
        with pytest.raises(InvalidSignatureException) as caught:
            sm.stop_pipeline_execution(ARN)
    assert "The Canonical String for this request should have been" in caught.value.message
    assert_clean(str(caught.value))


def test_the_emulators_messages_are_redacted_at_the_source() -> None:
    from sagemaker_stop.emulator._sigv4 import Credentials as EmuCreds
    from sagemaker_stop.emulator._sigv4 import verify

    headers = [
        ("Host", "h"),
        ("X-Amz-Date", "20240101T000000Z"),
        ("X-Amz-Security-Token", TOKEN),
        ("Authorization", f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20240101/us-east-1/"
                          f"sagemaker/aws4_request, SignedHeaders=host;x-amz-date;"
                          f"x-amz-security-token, Signature={SIGNATURE}"),
    ]
    result = verify(method="POST", path="/", query="", headers=headers, body=b"{}",
                    credentials={ACCESS_KEY: EmuCreds(ACCESS_KEY, SECRET_KEY, TOKEN)},
                    region="us-east-1", service="sagemaker", now=1704067200.0)
    assert result.code == "InvalidSignatureException" and result.message
    assert "x-amz-security-token:<redacted>" in result.message
    assert_clean(result.message)
    assert result.canonical_request and TOKEN in result.canonical_request  # kept for tests


def test_a_failing_credential_process_is_quoted_by_its_last_line_only(
    make_client: Any, wire: WireServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "proc.py"
    script.write_text(
        "import sys\n"
        f"sys.stderr.write('loaded aws_secret_access_key = {SECRET_KEY}\\n')\n"
        f"sys.stderr.write('cached session token {TOKEN}\\n')\n"
        "sys.stderr.write('SSO session expired: run aws sso login\\n')\n"
        "sys.exit(2)\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {script}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    sm = make_client(endpoint_url=wire.url, credentials=None)
    with pytest.raises(CredentialsError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert str(caught.value).endswith("exit status 2: SSO session expired: run aws sso login")
    assert_clean(str(caught.value))


def test_a_container_url_is_quoted_without_password_or_query(
    make_client: Any, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Loopback(lambda seen: Reply(200, {"Code": "Unavailable"})) as container:
        secret_url = f"http://user:hunter2@127.0.0.1:{container.port}/creds?token=s3cr3t"
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", secret_url)
        sm = make_client(endpoint_url=wire.url, credentials=None)
        with pytest.raises(CredentialsError) as caught:
            sm.stop_pipeline_execution(ARN)
    text = str(caught.value)
    assert "hunter2" not in text and "s3cr3t" not in text
    assert f"127.0.0.1:{container.port}/creds" in text and "lacks AccessKeyId" in text


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AWS_SESSION_TOKEN", TOKEN + "\n"),
        ("AWS_SESSION_TOKEN", TOKEN[:30] + "é" + TOKEN[30:]),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY + "\r\n"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY + "\n"),
    ],
)
def test_credentials_that_cannot_be_sent_are_refused_before_sending(
    make_client: Any, wire: WireServer, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    env[variable] = value
    for name, text in env.items():
        monkeypatch.setenv(name, text)
    sm = make_client(endpoint_url=wire.url, credentials=None)
    with pytest.raises(CredentialsError, match="environment credentials cannot be used") as caught:
        sm.stop_pipeline_execution(ARN)
    assert wire.requests == []  # refused before h11 could quote it
    assert_clean(str(caught.value))
    assert value.strip() not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        (f'{{"AccessKeyId": "{ACCESS_KEY}", "SecretAccessKey": "{SECRET_KEY}"}}',
         ACCESS_KEY, SECRET_KEY),
        ("aws_session_token=abc123def456", "aws_session_token=", "abc123def456"),
        ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=tok%2Fen&X-Amz-Signature=abc&x=1",
         "x=1", "tok%2Fen"),
        ("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY found", "found", "wJalrXUtnFEMI"),
    ],
)
def test_redact_shapes(text: str, kept: str, gone: str) -> None:
    out = redact(text)
    assert kept in out and gone not in out


def test_redact_keeps_digests_and_words() -> None:
    digest = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    text = f"the security token included in the request is invalid {digest}"
    assert redact(text) == text
    assert json.loads(redact(json.dumps({"ClientRequestToken": "abc-123"})))

