from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any, Optional

import pytest

from sagemaker_stop._credentials import Credentials, CredentialSource
from sagemaker_stop._credentials._container import check_full_uri
from sagemaker_stop._credentials._util import parse_expiration
from sagemaker_stop.errors import CredentialsError, NoCredentialsError

from ..loopback import Loopback, Reply, Request, routes
from .conftest import ISO_FUTURE, Drivers, Home, python_argv

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


def get(source: Any, drivers: Drivers) -> Credentials:
    creds: Credentials = source.get_sync(drivers.run)
    return creds


# --- environment -------------------------------------------------------------------


def test_environment(home: Home, drivers: Drivers) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": "TOKEN",
        "AWS_CREDENTIAL_EXPIRATION": "2099-01-01T00:00:00+01:00",
    }
    creds = get(home.source(env), drivers)
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        "AKID",
        SECRET,
        "TOKEN",
    )
    assert creds.source == "environment"
    assert creds.expiration is not None and creds.expiration.hour == 23
    assert SECRET not in repr(creds) and "AKID" not in str(creds)


def test_environment_partial_is_an_error(home: Home, drivers: Drivers) -> None:
    with pytest.raises(CredentialsError, match="AWS_SECRET_ACCESS_KEY is not"):
        get(home.source({"AWS_ACCESS_KEY_ID": "AKID"}), drivers)


def test_environment_bad_expiration(home: Home, drivers: Drivers) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "A",
        "AWS_SECRET_ACCESS_KEY": "S",
        "AWS_CREDENTIAL_EXPIRATION": "tomorrow",
    }
    with pytest.raises(CredentialsError, match="ISO 8601"):
        get(home.source(env), drivers)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2030-05-06T07:08:09Z", "2030-05-06T07:08:09+00:00"),
        ("2030-05-06T07:08:09.5Z", "2030-05-06T07:08:09.500000+00:00"),
        ("2030-05-06 07:08:09.1234567-0130", "2030-05-06T08:38:09.123456+00:00"),
        ("2030-05-06T07:08:09", "2030-05-06T07:08:09+00:00"),
    ],
)
def test_parse_expiration(text: str, iso: str) -> None:
    parsed = parse_expiration(text, "x")
    assert parsed is not None and parsed.isoformat() == iso


def test_parse_expiration_rejects() -> None:
    assert parse_expiration(None, "x") is None
    for bad in ("2030-13-01T00:00:00Z", 12345, "soon"):
        with pytest.raises(CredentialsError):
            parse_expiration(bad, "x")


@pytest.mark.parametrize(
    "bad",
    [
        "2030-01-01T00:00:00+24:00",  # timezone() refuses offsets of a day or more
        "2030-01-01T00:00:00-2400",
        "2030-01-01T00:00:00+99:99",
        "2030-01-01T00:00:00+05:60",
        "9999-12-31T23:59:59-01:00",  # past datetime.max in UTC
        "0001-01-01T00:00:00+01:00",  # before datetime.min in UTC
    ],
)
def test_parse_expiration_out_of_range_is_a_credentials_error(
    bad: str, home: Home, drivers: Drivers
) -> None:
    with pytest.raises(CredentialsError, match="not a valid timestamp"):
        parse_expiration(bad, "x")
    env = {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_CREDENTIAL_EXPIRATION": bad}
    with pytest.raises(CredentialsError, match="AWS_CREDENTIAL_EXPIRATION"):
        get(home.source(env), drivers)


# --- credential_process --------------------------------------------------------------

GOOD = {
    "Version": 1,
    "AccessKeyId": "PROCKEY",
    "SecretAccessKey": SECRET,
    "SessionToken": "PTOKEN",
    "Expiration": ISO_FUTURE,
}


def process_profile(home: Home, code: str) -> None:
    home.config(f"[profile proc]\ncredential_process = {python_argv(code)}\n")


def test_credential_process(home: Home, drivers: Drivers) -> None:
    process_profile(home, f"print({json.dumps(json.dumps(GOOD))})")
    creds = get(home.source(profile="proc"), drivers)
    assert (creds.access_key_id, creds.session_token) == ("PROCKEY", "PTOKEN")
    assert creds.expiration is not None and creds.expiration.year == 2099
    assert creds.source == "credential-process"


async def test_credential_process_async(home: Home, drivers: Drivers) -> None:
    process_profile(home, f"print({json.dumps(json.dumps(GOOD))})")
    source = home.source(profile="proc")
    creds = await source.get_async(drivers.run_async)
    assert creds.access_key_id == "PROCKEY"


@pytest.mark.parametrize(
    ("code", "match"),
    [
        (
            "import sys; sys.stderr.write('token expired, run login'); sys.exit(3)",
            r"'proc'.*exit status 3: token expired, run login",
        ),
        (f"print('{SECRET} oops not json')", "'proc'.*did not print valid JSON"),
        ("print('[1, 2]')", "did not print a JSON object"),
        (f"print({json.dumps(json.dumps({**GOOD, 'Version': 2}))})", "unsupported Version 2"),
        (
            f"print({json.dumps(json.dumps({'Version': 1, 'SecretAccessKey': SECRET}))})",
            "lacks AccessKeyId",
        ),
        (
            f"print({json.dumps(json.dumps({**GOOD, 'SessionToken': 5}))})",
            "SessionToken is not a string",
        ),
    ],
)
def test_credential_process_failures(home: Home, drivers: Drivers, code: str, match: str) -> None:
    process_profile(home, code)
    with pytest.raises(CredentialsError, match=match) as info:
        get(home.source(profile="proc"), drivers)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


@pytest.mark.parametrize(
    ("command", "match"), [("'unterminated", "cannot split"), ("''", "is empty")]
)
def test_credential_process_bad_command(
    home: Home, drivers: Drivers, command: str, match: str
) -> None:
    home.config(f"[profile proc]\ncredential_process = {command}\n")
    with pytest.raises(CredentialsError, match=match):
        get(home.source(profile="proc"), drivers)


def test_credential_process_missing_program(home: Home, drivers: Drivers) -> None:
    home.config("[profile proc]\ncredential_process = /nonexistent/helper --x\n")
    with pytest.raises(CredentialsError, match="exit status 127"):
        get(home.source(profile="proc"), drivers)


# --- container endpoint --------------------------------------------------------------

CONTAINER_BODY = json.dumps(
    {"AccessKeyId": "CKEY", "SecretAccessKey": SECRET, "Token": "CTOKEN", "Expiration": ISO_FUTURE}
)


def test_container_full_uri_with_token_file(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = routes({("GET", "/creds"): Reply(200, CONTAINER_BODY)})
    token = home.file("token", "first-token\n")
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-file-set",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    source = home.source(env)
    creds = get(source, drivers)
    assert (creds.access_key_id, creds.session_token, creds.source) == (
        "CKEY",
        "CTOKEN",
        "container",
    )
    assert server.seen[0].headers["authorization"] == "first-token"
    token.write_text("second-token")
    source.get_sync(drivers.run, force_refresh=True)
    assert server.seen[1].headers["authorization"] == "second-token"


async def test_container_token_env_async(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = routes({("GET", "/creds"): Reply(200, CONTAINER_BODY)})
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url.replace("127.0.0.1", "localhost")
        + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic abc",
    }
    creds = await home.source(env).get_async(drivers.run_async)
    assert creds.access_key_id == "CKEY"
    assert server.seen[0].headers["authorization"] == "Basic abc"


def test_container_retries_then_succeeds(home: Home, drivers: Drivers, server: Loopback) -> None:
    answers = [Reply(500), Reply(200, "not json"), Reply(200, CONTAINER_BODY)]
    server.handler = lambda seen: answers.pop(0)
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/c"}
    assert get(home.source(env), drivers).access_key_id == "CKEY"
    assert len(server.seen) == 3 and drivers.sleeps == [1.0, 1.0]
    assert "authorization" not in server.seen[0].headers


def test_container_gives_up_after_three(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: Reply(200, "[1]")
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/c"}
    with pytest.raises(CredentialsError, match="after 3 attempts: answer is not a JSON"):
        get(home.source(env), drivers)
    server.handler = lambda seen: Reply(403, "denied")
    with pytest.raises(CredentialsError, match="HTTP 403"):
        get(home.source(env), drivers)


def test_container_unreachable(home: Home, drivers: Drivers) -> None:
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c"}
    with pytest.raises(CredentialsError, match="connect"):
        get(home.source(env), drivers)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:80/x",
        "http://127.9.9.9/x",
        "http://[::1]:8080/x",
        "http://localhost/x",
        "http://169.254.170.2/x",
        "http://169.254.170.23/x",
        "http://[fd00:ec2::23]/x",
        "https://creds.example.com/x",
    ],
)
def test_container_allowed_hosts(url: str) -> None:
    check_full_uri(url)


@pytest.mark.parametrize(
    "url", ["http://example.com/x", "http://10.0.0.1/x", "ftp://127.0.0.1/x", "https:///x"]
)
def test_container_refused_hosts(url: str, home: Home, drivers: Drivers) -> None:
    with pytest.raises(CredentialsError, match="not allowed"):
        check_full_uri(url)
    with pytest.raises(CredentialsError, match="not allowed"):
        get(home.source({"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}), drivers)


@pytest.mark.parametrize(
    "url", ["http://[::1/creds", "http://127.0.0.1:99999/creds", "http://localhost:x/c"]
)
def test_container_malformed_full_uri(url: str, home: Home, drivers: Drivers) -> None:
    with pytest.raises(CredentialsError, match="not a valid URL") as info:
        get(home.source({"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}), drivers)
    assert url not in str(info.value)


def test_container_relative_uri_targets_ecs_host(home: Home) -> None:
    from sagemaker_stop._credentials._container import ContainerProvider
    from sagemaker_stop._credentials._context import Context

    ctx = Context(
        environ={"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds?id=1"},
        home=str(home.path),
        shared=home.shared(),
    )
    assert ContainerProvider(ctx)._url() == "http://169.254.170.2/v2/creds?id=1"


@pytest.mark.parametrize("token", ["bad\r\nheader", None])
def test_container_token_problems(
    home: Home, drivers: Drivers, server: Loopback, token: Optional[str]
) -> None:
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/c"}
    if token is None:
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(home.path / "missing")
        match = "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
    else:
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
        match = "not a legal header"
    with pytest.raises(CredentialsError, match=match):
        get(home.source(env), drivers)
    assert server.seen == []


# --- EC2 instance metadata (IMDSv2) ------------------------------------------------------

IMDS_CREDS = json.dumps(
    {
        "Code": "Success",
        "Type": "AWS-HMAC",
        "AccessKeyId": "IKEY",
        "SecretAccessKey": SECRET,
        "Token": "ITOKEN",
        "Expiration": ISO_FUTURE,
    }
)
ROLE = "/latest/meta-data/iam/security-credentials/"


def imds_handler(creds: str = IMDS_CREDS, role: str = "my-role\n") -> Any:
    def handler(seen: Request) -> Reply:
        if seen.method == "PUT" and seen.path == "/latest/api/token":
            if seen.headers.get("x-aws-ec2-metadata-token-ttl-seconds") != "21600":
                return Reply(400)
            return Reply(200, "IMDSTOKEN")
        if seen.headers.get("x-aws-ec2-metadata-token") != "IMDSTOKEN":
            return Reply(401)
        if seen.path == ROLE:
            return Reply(200, role)
        if seen.path == ROLE + "my-role":
            return Reply(200, creds)
        return Reply(404)

    return handler


def imds_env(server: Loopback, **extra: str) -> dict[str, str]:
    return {"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/", **extra}


def test_imds_v2_flow(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = imds_handler()
    creds = get(home.source(imds_env(server)), drivers)
    assert (creds.access_key_id, creds.session_token, creds.source) == (
        "IKEY",
        "ITOKEN",
        "ec2-instance-metadata",
    )
    assert [(s.method, s.path) for s in server.seen] == [
        ("PUT", "/latest/api/token"),
        ("GET", ROLE),
        ("GET", ROLE + "my-role"),
    ]


async def test_imds_v2_flow_async(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = imds_handler()
    home.config(f"[default]\nec2_metadata_service_endpoint = {server.url}\n")
    creds = await home.source({}).get_async(drivers.run_async)
    assert creds.access_key_id == "IKEY"


def test_imds_disabled(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = imds_handler()
    env = imds_env(server, AWS_EC2_METADATA_DISABLED="TRUE")
    with pytest.raises(NoCredentialsError, match="disabled by AWS_EC2_METADATA_DISABLED"):
        get(home.source(env), drivers)
    assert server.seen == []


def test_imds_timeout_fails_fast(home: Home, drivers: Drivers, server: Loopback) -> None:
    import time

    server.handler = lambda seen: Reply(200, "late", delay=1.0)
    env = imds_env(
        server, AWS_METADATA_SERVICE_TIMEOUT="0.2", AWS_METADATA_SERVICE_NUM_ATTEMPTS="2"
    )
    started = time.monotonic()
    with pytest.raises(NoCredentialsError, match="no IMDSv2 token: attempt_timeout"):
        get(home.source(env), drivers)
    assert time.monotonic() - started < 0.9
    assert len(server.seen) == 2


def test_imds_unreachable_default_attempts(home: Home, drivers: Drivers) -> None:
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"}
    with pytest.raises(NoCredentialsError, match=r"EC2 instance metadata.*connect"):
        get(home.source(env), drivers)


@pytest.mark.parametrize(
    ("handler", "match"),
    [
        (lambda seen: Reply(403), "no IMDSv2 token: HTTP 403"),
        (lambda seen: Reply(503), "no IMDSv2 token: HTTP 503"),
        (imds_handler(role="\n"), "no instance role attached"),
        (imds_handler(creds="{nope"), "not JSON"),
        (imds_handler(creds=json.dumps({"Code": "Failed"})), "no usable credentials"),
    ],
)
def test_imds_misses(
    home: Home, drivers: Drivers, server: Loopback, handler: Any, match: str
) -> None:
    server.handler = handler
    with pytest.raises(NoCredentialsError, match=match):
        get(home.source(imds_env(server)), drivers)


def test_imds_no_role_and_no_creds(home: Home, drivers: Drivers, server: Loopback) -> None:
    def no_role(seen: Request) -> Reply:
        return Reply(200, "T") if seen.method == "PUT" else Reply(404)

    server.handler = no_role
    with pytest.raises(NoCredentialsError, match="no instance role: HTTP 404"):
        get(home.source(imds_env(server)), drivers)

    def no_creds(seen: Request) -> Reply:
        if seen.method == "PUT":
            return Reply(200, "T")
        return Reply(200, "r") if seen.path == ROLE else Reply(404)

    server.handler = no_creds
    with pytest.raises(NoCredentialsError, match="no credentials for the role"):
        get(home.source(imds_env(server)), drivers)


def test_imds_ipv6_mode_and_bad_settings(home: Home) -> None:
    from sagemaker_stop._credentials._context import Context
    from sagemaker_stop._credentials._imds import InstanceMetadataProvider
    from sagemaker_stop.errors import ConfigurationError

    ctx = Context(
        environ={"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"},
        home=str(home.path),
        shared=home.shared(),
    )
    assert InstanceMetadataProvider(ctx)._settings().endpoint == "http://[fd00:ec2::254]"
    ctx = Context(
        environ={"AWS_METADATA_SERVICE_TIMEOUT": "soon"}, home=str(home.path), shared=home.shared()
    )
    with pytest.raises(ConfigurationError):
        InstanceMetadataProvider(ctx)._settings()


# --- STS: AssumeRoleWithWebIdentity and AssumeRole ------------------------------------


def sts_ok(action: str, key: str = "STSKEY") -> Reply:
    return Reply(
        200,
        f"""<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <Credentials>
      <AccessKeyId>{key}</AccessKeyId>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <SessionToken>STSTOKEN</SessionToken>
      <Expiration>{ISO_FUTURE}</Expiration>
    </Credentials>
  </{action}Result>
</{action}Response>""",
        headers=(("Content-Type", "text/xml"),),
    )


def sts_error(code: str, status: int = 400) -> Reply:
    return Reply(
        status,
        f"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>Nope for {code}</Message></Error>
  <RequestId>abc</RequestId></ErrorResponse>""",
    )


def form(seen: Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(seen.body.decode()))


def web_env(home: Home, server: Loopback, **extra: str) -> dict[str, str]:
    token = home.file("wi-token", "eyJ.web.token\n")
    return {
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
        "AWS_ENDPOINT_URL_STS": server.url,
        **extra,
    }


def test_web_identity_env(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: sts_ok("AssumeRoleWithWebIdentity")
    env = web_env(home, server, AWS_ROLE_SESSION_NAME="sess")
    creds = get(home.source(env), drivers)
    assert (creds.access_key_id, creds.session_token, creds.source) == (
        "STSKEY",
        "STSTOKEN",
        "web-identity",
    )
    seen = server.seen[0]
    assert seen.method == "POST" and "authorization" not in seen.headers
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert form(seen) == {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::123456789012:role/r",
        "RoleSessionName": "sess",
        "WebIdentityToken": "eyJ.web.token",
    }


async def test_web_identity_profile_async(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: sts_ok("AssumeRoleWithWebIdentity")
    token = home.file("tok", "T")
    home.config(
        f"[profile wi]\nweb_identity_token_file = {token}\n"
        "role_arn = arn:aws:iam::1:role/p\n"
        f"services = s\n[services s]\nsts =\n  endpoint_url = {server.url}\n"
    )
    source = home.source({}, profile="wi", clock=lambda: 1700000000.0)
    creds = await source.get_async(drivers.run_async)
    assert creds.access_key_id == "STSKEY"
    assert form(server.seen[0])["RoleSessionName"] == "sagemaker-stop-session-1700000000"


def test_web_identity_error(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: sts_error("InvalidIdentityToken")
    with pytest.raises(CredentialsError, match="InvalidIdentityToken") as info:
        get(home.source(web_env(home, server)), drivers)
    assert info.value.code == "InvalidIdentityToken"
    assert "eyJ.web.token" not in str(info.value)
    assert len(server.seen) == 1


def test_web_identity_retries_transient(home: Home, drivers: Drivers, server: Loopback) -> None:
    answers = [
        sts_error("IDPCommunicationError"),
        Reply(503, "busy"),
        sts_ok("AssumeRoleWithWebIdentity"),
    ]
    server.handler = lambda seen: answers.pop(0)
    assert get(home.source(web_env(home, server)), drivers).access_key_id == "STSKEY"
    assert drivers.sleeps == [0.2, 0.4]


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (Reply(500, "<html>"), "HTTP 500 .no error code"),
        (Reply(200, "not xml"), "answer is not XML"),
        (Reply(200, "<AssumeRoleWithWebIdentityResponse/>"), "has no Credentials"),
        (
            Reply(
                200,
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>"
                "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
            ),
            "lacks a key or token",
        ),
        (Reply(403, "<Error><Code>AccessDenied</Code></Error>"), "AccessDenied"),
    ],
)
def test_web_identity_bad_answers(
    home: Home, drivers: Drivers, server: Loopback, reply: Reply, match: str
) -> None:
    server.handler = lambda seen: reply
    with pytest.raises(CredentialsError, match=match):
        get(home.source(web_env(home, server)), drivers)


def test_web_identity_unreachable(home: Home, drivers: Drivers) -> None:
    token = home.file("t", "x")
    env = {
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:r",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    with pytest.raises(CredentialsError, match="could not reach STS"):
        get(home.source(env), drivers)
    assert len(drivers.sleeps) == 2


def test_web_identity_config_errors(home: Home, drivers: Drivers) -> None:
    with pytest.raises(CredentialsError, match="no role ARN"):
        get(home.source({"AWS_WEB_IDENTITY_TOKEN_FILE": "/x"}), drivers)
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(home.path / "gone"), "AWS_ROLE_ARN": "r"}
    with pytest.raises(CredentialsError, match="cannot read the web identity token"):
        get(home.source(env), drivers)


def test_sts_endpoint_ignored_when_configured_urls_ignored(home: Home) -> None:
    from sagemaker_stop._credentials._context import Context

    env = {"AWS_ENDPOINT_URL_STS": "http://x", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    ctx = Context(environ=env, home=str(home.path), shared=home.shared())
    assert ctx.sts_endpoint_url() is None
    ctx = Context(
        environ={"AWS_ENDPOINT_URL_STS": "http://x"}, home=str(home.path), shared=home.shared()
    )
    assert ctx.sts_endpoint_url() == "http://x"


def test_assume_role_with_source_profile(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: sts_ok("AssumeRole", key="ROLEKEY")
    home.credentials(f"[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = {SECRET}\n")
    home.config(
        "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\n"
        "external_id = ext\nrole_session_name = me\nduration_seconds = 900\n"
        "[profile base]\nregion = eu-west-1\n"
    )
    env = {"AWS_ENDPOINT_URL_STS": server.url}
    source = home.source(env, profile="admin", region="eu-west-1")
    creds = get(source, drivers)
    assert (creds.access_key_id, creds.source) == ("ROLEKEY", "assume-role")
    seen = server.seen[0]
    assert form(seen) == {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::1:role/admin",
        "RoleSessionName": "me",
        "ExternalId": "ext",
        "DurationSeconds": "900",
    }
    auth = seen.headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=BASEKEY/")
    assert "/eu-west-1/sts/aws4_request" in auth
    assert "x-amz-security-token" not in seen.headers


def test_assume_role_chain_via_process_and_env_source(
    home: Home, drivers: Drivers, server: Loopback
) -> None:
    server.handler = lambda seen: sts_ok("AssumeRole")
    good = json.dumps(json.dumps(GOOD))
    home.config(
        "[profile top]\nrole_arn = arn:top\nsource_profile = middle\n"
        "[profile middle]\nrole_arn = arn:middle\nsource_profile = proc\n"
        f"[profile proc]\ncredential_process = {python_argv(f'print({good})')}\n"
        "[profile fromenv]\nrole_arn = arn:e\ncredential_source = Environment\n"
    )
    env = {"AWS_ENDPOINT_URL_STS": server.url}
    assert get(home.source(env, profile="top"), drivers).access_key_id == "STSKEY"
    assert [form(s)["RoleArn"] for s in server.seen] == ["arn:middle", "arn:top"]
    assert "Credential=PROCKEY/" in server.seen[0].headers["authorization"]
    assert server.seen[0].headers["x-amz-security-token"] == "PTOKEN"
    assert "/us-east-1/sts/" in server.seen[0].headers["authorization"]

    env.update(AWS_ACCESS_KEY_ID="ENVKEY", AWS_SECRET_ACCESS_KEY="s")
    assert get(home.source(env, profile="fromenv"), drivers).access_key_id == "STSKEY"
    assert "Credential=ENVKEY/" in server.seen[-1].headers["authorization"]


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            "[profile p]\nrole_arn = a\nsource_profile = q\n"
            "[profile q]\nrole_arn = b\nsource_profile = p\n",
            "source_profile loop: p -> q -> p",
        ),
        ("[profile p]\nrole_arn = a\nsource_profile = ghost\n", "'ghost', which does not exist"),
        ("[profile p]\nrole_arn = a\n", "neither source_profile nor credential_source"),
        (
            "[profile p]\nrole_arn = a\nsource_profile = q\ncredential_source = Environment\n",
            "both source_profile and credential_source",
        ),
        (
            "[profile p]\nrole_arn = a\ncredential_source = Magic\n",
            "unsupported credential_source 'Magic'",
        ),
        (
            "[profile p]\nrole_arn = a\nsource_profile = p\naws_access_key_id = A\n"
            "aws_secret_access_key = S\nmfa_serial = arn:mfa\n",
            "needs an MFA code for arn:mfa .*pass mfa_token_provider=",
        ),
        ("[profile p]\nrole_arn = a\nsource_profile = p\n", "its own source_profile but has no"),
        (
            "[profile p]\nrole_arn = a\nsource_profile = q\n[profile q]\nregion = x\n",
            "source of credentials has none",
        ),
        (
            "[profile p]\nrole_arn = a\ncredential_source = Environment\n",
            "source of credentials has none",
        ),
        (
            "[profile p]\nrole_arn = a\nsource_profile = p\naws_access_key_id = A\n"
            "aws_secret_access_key = S\nduration_seconds = long\n",
            "duration_seconds",
        ),
        ("[profile p]\nsso_session = corp\nsso_account_id = 1\n", "no \\[sso-session corp\\]"),
        ("[profile p]\nsso_role_name = R\n", "missing sso_start_url, sso_region, sso_account_id"),
        (
            "[profile p]\nrole_arn = a\nsource_profile = w\n[profile w]\nweb_identity_token_file = /t\n",
            "'w' has web_identity_token_file but no role_arn",
        ),
        ("[profile p]\naws_access_key_id = A\n", "has aws_access_key_id but not"),
        ("[profile p]\naws_secret_access_key = S\n", "has aws_secret_access_key but not"),
    ],
)
def test_profile_errors(home: Home, drivers: Drivers, config: str, match: str) -> None:
    from sagemaker_stop.errors import ConfigurationError

    home.config(config)
    with pytest.raises((CredentialsError, ConfigurationError), match=match) as info:
        get(home.source({}, profile="p"), drivers)
    assert "NoCredentials" not in type(info.value).__name__


def test_self_source_profile_uses_own_keys(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = lambda seen: sts_ok("AssumeRole")
    home.credentials("[p]\naws_access_key_id = SELFKEY\naws_secret_access_key = S\n")
    home.config("[profile p]\nrole_arn = a\nsource_profile = p\n")
    get(home.source({"AWS_ENDPOINT_URL_STS": server.url}, profile="p"), drivers)
    assert "Credential=SELFKEY/" in server.seen[0].headers["authorization"]


def test_source_profile_with_web_identity(home: Home, drivers: Drivers, server: Loopback) -> None:
    answers = [sts_ok("AssumeRoleWithWebIdentity", key="WIKEY"), sts_ok("AssumeRole")]
    server.handler = lambda seen: answers.pop(0)
    token = home.file("t", "tok")
    home.config(
        f"[profile p]\nrole_arn = a\nsource_profile = w\n"
        f"[profile w]\nrole_arn = b\nweb_identity_token_file = {token}\n"
    )
    creds = get(home.source({"AWS_ENDPOINT_URL_STS": server.url}, profile="p"), drivers)
    assert creds.access_key_id == "STSKEY"
    assert form(server.seen[0])["Action"] == "AssumeRoleWithWebIdentity"
    assert "Credential=WIKEY/" in server.seen[1].headers["authorization"]


def test_static_profile_keys(home: Home, drivers: Drivers) -> None:
    home.credentials(
        "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = S\naws_session_token = T\n"
    )
    home.config(
        "[default]\naws_access_key_id = CFGKEY\naws_secret_access_key = S2\n"
        "[profile cfg]\naws_access_key_id = ONLYCFG\naws_secret_access_key = S3\n"
        "aws_security_token = OLD\n"
    )
    creds = get(home.source({}), drivers)
    assert (creds.access_key_id, creds.session_token, creds.source) == (
        "CREDKEY",
        "T",
        "shared-credentials-file",
    )
    creds = get(home.source({}, profile="cfg"), drivers)
    assert (creds.access_key_id, creds.session_token, creds.source) == (
        "ONLYCFG",
        "OLD",
        "config-file",
    )


def test_credentials_file_keys_beat_process(home: Home, drivers: Drivers) -> None:
    home.credentials("[p]\naws_access_key_id = FILEKEY\naws_secret_access_key = S\n")
    home.config("[profile p]\ncredential_process = /nonexistent\n")
    assert get(home.source({}, profile="p"), drivers).access_key_id == "FILEKEY"
    home.credentials("")
    home.config(
        "[profile p]\ncredential_process = /nonexistent\n"
        "aws_access_key_id = CFG\naws_secret_access_key = S\n"
    )
    with pytest.raises(CredentialsError, match="exit status 127"):
        get(home.source({}, profile="p"), drivers)


def test_source_is_a_credential_source(home: Home) -> None:
    assert isinstance(home.source({}), CredentialSource)


def _botocore_credentials(
    home: Home, monkeypatch: pytest.MonkeyPatch, profile: Optional[str], **env: str
) -> Optional[tuple[str, Optional[str], str]]:
    """What botocore finds for ``profile`` in the same files, with only ``env`` (and
    the files) in its environment: give it a loopback AWS_ENDPOINT_URL_STS whenever
    it may call STS."""
    import botocore.session

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home.path / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home.path / ".aws" / "credentials"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = botocore.session.Session(profile=profile).get_credentials()
    if found is None:
        return None
    return found.access_key, found.token, found.method


def test_session_token_comes_from_the_keys_file(
    home: Home, drivers: Drivers, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.config(
        "[default]\nregion = us-east-1\naws_session_token = STALE\n"
        "[profile cfg]\naws_access_key_id = CFGKEY\naws_secret_access_key = S\n"
    )
    home.credentials(
        "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = S\n"
        "[cfg]\naws_session_token = STALE2\n"
    )
    for profile in ("default", "cfg"):
        creds = get(home.source({}, profile=profile), drivers)
        ours = (creds.access_key_id, creds.session_token)
        botocore_found = _botocore_credentials(home, monkeypatch, profile)
        assert botocore_found is not None and ours == botocore_found[:2]
        assert creds.session_token is None


def test_sso_session_or_start_url_alone_is_not_sso(
    home: Home, drivers: Drivers, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.config(
        "[profile dev]\nsso_session = corp\nregion = us-east-1\n"
        "[profile old]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
        "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    home.credentials(
        "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = S\n"
        "[old]\naws_access_key_id = OLDKEY\naws_secret_access_key = S\n"
    )
    for profile, key in (("dev", "DEVKEY"), ("old", "OLDKEY")):
        assert get(home.source({}, profile=profile), drivers).access_key_id == key
        botocore_found = _botocore_credentials(home, monkeypatch, profile)
        assert botocore_found is not None and botocore_found[0] == key


def test_source_profile_with_static_keys_and_role_is_a_key_source(
    home: Home, drivers: Drivers, server: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.handler = lambda seen: sts_ok("AssumeRole", key="ROLEKEY")
    home.config(
        "[profile target]\nrole_arn = arn:aws:iam::1:role/Target\nsource_profile = base\n"
        "[profile base]\nrole_arn = arn:aws:iam::2:role/BaseRole\n"
        "[profile target2]\nrole_arn = arn:aws:iam::1:role/Target\nsource_profile = base2\n"
        "[profile base2]\nrole_arn = arn:aws:iam::2:role/BaseRole\n"
        "aws_access_key_id = BASE2KEY\naws_secret_access_key = S\n"
    )
    home.credentials("[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = S\n")
    env = {"AWS_ENDPOINT_URL_STS": server.url}
    for profile, key in (("target", "BASEKEY"), ("target2", "BASE2KEY")):
        server.seen.clear()
        creds = get(home.source(env, profile=profile, region="us-east-1"), drivers)
        assert creds.access_key_id == "ROLEKEY"
        ours = [(form(s)["RoleArn"], s.headers["authorization"].split("/")[0]) for s in server.seen]
        assert ours == [("arn:aws:iam::1:role/Target", f"AWS4-HMAC-SHA256 Credential={key}")]
        # botocore: one AssumeRole for the target role, signed with the base keys.
        server.seen.clear()
        found = _botocore_credentials(
            home,
            monkeypatch,
            profile,
            AWS_ENDPOINT_URL_STS=server.url,
            AWS_DEFAULT_REGION="us-east-1",
        )
        assert found is not None and found[0] == "ROLEKEY"
        theirs = [
            (form(s)["RoleArn"], s.headers["authorization"].split("/")[0]) for s in server.seen
        ]
        assert theirs == ours
