"""``sagemaker-stop config`` (where each setting came from) and the MFA prompt."""

from __future__ import annotations

import io
import json
import os
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from ..config.test_providers import SECRET, sts_ok
from ..loopback import Loopback
from .conftest import FakeStream, Result

SERIAL = "arn:aws:iam::111122223333:mfa/me"


@pytest.fixture
def sts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    home = Path(os.environ["HOME"])
    (home / ".aws").mkdir(exist_ok=True)
    (home / ".aws" / "config").write_text(
        "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n"
        f"source_profile = base\nmfa_serial = {SERIAL}\nregion = eu-west-1\n"
        f"[profile base]\naws_access_key_id = BASEKEY\naws_secret_access_key = {SECRET}\n"
    )
    with Loopback(lambda seen: sts_ok("AssumeRole", key="ROLEKEY")) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", server.url)
        yield server


def test_config_shows_where_each_setting_came_from(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    result = run("config")
    assert result.code == 0, result.err
    lines = dict(line.split(None, 1) for line in result.out.splitlines())
    assert lines["profile"] == "default  (default)"
    assert lines["region"].endswith("(argument region=)")
    assert lines["endpoint_url"].startswith("http://127.0.0.1:")
    assert lines["endpoint_url"].endswith("(argument endpoint_url=)")
    assert lines["ca_bundle"] == "-  (not set)"
    assert lines["credentials"].startswith("environment  (environment variables")
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in result.out + result.err


def test_config_json_and_resolved_endpoint(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    result = run("--output", "json", "config", endpoint=False)
    assert result.code == 0, result.err
    settings = {s["Setting"]: s for s in json.loads(result.out)["Settings"]}
    assert settings["region"] == {
        "Setting": "region",
        "Value": "eu-west-1",
        "Source": "environment variable AWS_REGION",
    }
    assert settings["endpoint_url"]["Value"] == "https://api.sagemaker.eu-west-1.amazonaws.com"
    assert settings["endpoint_url"]["Source"].startswith("resolved from the region")


def test_config_without_credentials_still_shows_the_rest(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run("config")
    assert result.code == 2  # nothing configured: like any NoCredentialsError
    assert "credentials   -  (none could be loaded)" in result.out
    assert "error: NoCredentials: no AWS credentials found" in result.err


def test_debug_logs_the_provenance(run: Callable[..., Result]) -> None:
    result = run("--debug", "config")
    assert "region = 'us-east-1' (from argument region=)" in result.err
    assert "AWS credentials found: environment" in result.err


def test_mfa_profile_prompts_on_a_terminal(
    run: Callable[..., Result], sts: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def getpass(prompt: str, stream: object = None) -> str:
        prompts.append(prompt)
        return "123456"

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr(sys, "stdin", FakeStream(tty=True))
    result = run("--profile", "mfa", "config")
    assert result.code == 0, result.err
    assert prompts == [f"Enter MFA code for {SERIAL}: "]
    sent = dict(urllib.parse.parse_qsl(sts.seen[0].body.decode()))
    assert (sent["SerialNumber"], sent["TokenCode"]) == (SERIAL, "123456")
    assert "credentials   assume-role" in result.out
    assert "123456" not in result.out + result.err


def test_mfa_profile_without_a_terminal_refuses(
    run: Callable[..., Result], sts: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = run("--profile", "mfa", "config")
    assert result.code == 1
    assert f"needs an MFA code for {SERIAL} (mfa_serial), and stdin is not a terminal" in result.err
    assert sts.seen == []
