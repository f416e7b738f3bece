from __future__ import annotations

import json

import pytest

from sagemaker_stop._credentials import Credentials
from sagemaker_stop.errors import CredentialsError, NoCredentialsError

from ..loopback import Loopback, Reply, routes
from .conftest import ISO_FUTURE, Drivers, Home
from .test_providers import imds_handler, sts_ok

SECRET = "chain-secret-value"


def container_body(key: str) -> str:
    return json.dumps(
        {"AccessKeyId": key, "SecretAccessKey": SECRET, "Token": "T", "Expiration": ISO_FUTURE}
    )


@pytest.fixture
def everything(home: Home, server: Loopback) -> dict[str, str]:
    """Every provider configured; each answers with its own key id."""

    def handler(seen):  # type: ignore[no-untyped-def]
        if seen.path.startswith("/sts"):
            return sts_ok("AssumeRoleWithWebIdentity", key="WEBKEY")
        if seen.path == "/container":
            return Reply(200, container_body("CONTAINERKEY"))
        return imds_handler()(seen)

    server.handler = handler
    token = home.file("tok", "t")
    home.credentials(
        "[default]\naws_access_key_id = FILEKEY\n"
        f"aws_secret_access_key = {SECRET}\n"
        "[other]\naws_access_key_id = OTHERKEY\n"
        f"aws_secret_access_key = {SECRET}\n"
    )
    return {
        "AWS_ACCESS_KEY_ID": "ENVKEY",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:r",
        "AWS_ENDPOINT_URL_STS": server.url + "/sts",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/container",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
    }


def key(home: Home, drivers: Drivers, env: dict[str, str], **kw: object) -> str:
    creds: Credentials = home.source(env, **kw).get_sync(drivers.run)
    return creds.access_key_id


def test_precedence(home: Home, drivers: Drivers, everything: dict[str, str]) -> None:
    env = dict(everything)
    assert key(home, drivers, env) == "ENVKEY"
    del env["AWS_ACCESS_KEY_ID"]
    assert key(home, drivers, env) == "WEBKEY"
    del env["AWS_WEB_IDENTITY_TOKEN_FILE"]
    assert key(home, drivers, env) == "FILEKEY"
    home.credentials("")
    assert key(home, drivers, env) == "CONTAINERKEY"
    del env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    assert key(home, drivers, env) == "IKEY"


def test_explicit_profile_skips_environment(
    home: Home, drivers: Drivers, everything: dict[str, str]
) -> None:
    env = {k: v for k, v in everything.items() if "WEB_IDENTITY" not in k}
    assert key(home, drivers, env, profile="other") == "OTHERKEY"
    # AWS_PROFILE does not: explicit env keys still win, like boto3.
    assert key(home, drivers, {**env, "AWS_PROFILE": "other"}) == "ENVKEY"
    # And profile= disables AWS_WEB_IDENTITY_TOKEN_FILE too (botocore).
    assert key(home, drivers, everything, profile="other") == "OTHERKEY"


def test_error_stops_the_chain(
    home: Home, drivers: Drivers, server: Loopback, everything: dict[str, str]
) -> None:
    home.credentials("")
    home.config("[default]\ncredential_process = /nonexistent/tool\n")
    env = {
        k: v
        for k, v in everything.items()
        if k.startswith("AWS_CONTAINER") or k.startswith("AWS_EC2")
    }
    with pytest.raises(CredentialsError, match="exit status 127"):
        key(home, drivers, env)
    assert server.seen == []


def test_nothing_found_lists_where_it_looked(home: Home, drivers: Drivers) -> None:
    env = {"AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.raises(NoCredentialsError) as info:
        key(home, drivers, env)
    message = str(info.value)
    for place in (
        "environment variables",
        "web identity",
        "shared files",
        str(home.path / ".aws" / "credentials"),
        "container endpoint",
        "EC2 instance metadata",
        "disabled",
        "aws configure",
    ):
        assert place in message
    home.config("[profile p]\nregion = us-east-1\n")
    with pytest.raises(NoCredentialsError, match=r"skipped: profile= was given.*'p' has no"):
        key(home, drivers, env, profile="p")


def test_container_relative_uri_wins_over_full(home: Home, drivers: Drivers) -> None:
    from sagemaker_stop._credentials._container import ContainerProvider
    from sagemaker_stop._credentials._context import Context

    env = {
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/r",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/",
    }
    ctx = Context(environ=env, home=str(home.path), shared=home.shared())
    assert ContainerProvider(ctx)._url() == "http://169.254.170.2/r"


def test_full_uri_server(home: Home, drivers: Drivers, server: Loopback) -> None:
    server.handler = routes({("GET", "/c"): Reply(200, container_body("K"))})
    assert (
        key(
            home,
            drivers,
            {
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/c",
                "AWS_EC2_METADATA_DISABLED": "true",
            },
        )
        == "K"
    )


def test_no_secret_in_any_repr_or_log(
    home: Home, drivers: Drivers, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from sagemaker_stop._config import resolve_config

    home.credentials(f"[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = {SECRET}\n")
    env = {"AWS_SESSION_TOKEN": "ENVTOKEN-" + SECRET}
    config = resolve_config(environ=env, home=str(home.path), region="us-east-1")
    source = config.credential_source
    assert source is not None
    caplog.set_level(logging.DEBUG)
    creds = source.get_sync(drivers.run)
    assert "shared-files" in caplog.text
    texts = [
        repr(config),
        repr(source),
        repr(creds),
        str(creds),
        repr(source._state),  # type: ignore[attr-defined]
        repr(home.shared()),
        repr(home.shared().profile("default")),
    ]
    for text in texts:
        assert SECRET not in text and "FILEKEY" not in text, text
    assert SECRET not in caplog.text and "FILEKEY" not in caplog.text


def test_assume_role_profile_beats_web_identity_from_environment(
    home: Home, drivers: Drivers, server: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_providers import _botocore_credentials, form

    server.handler = lambda seen: sts_ok(form(seen)["Action"], key=form(seen)["Action"])
    token = home.file("tok", "eyJtoken")
    home.config(
        "[default]\nregion = us-west-2\n"
        "role_arn = arn:aws:iam::1:role/FromProfile\nsource_profile = base\n"
        "[profile base]\naws_access_key_id = BASEKEY\naws_secret_access_key = S\n"
        "[profile wi]\nrole_arn = arn:aws:iam::1:role/WebProfile\n"
        f"web_identity_token_file = {token}\n"
    )
    env = {
        "AWS_ENDPOINT_URL_STS": server.url,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:aws:iam::2:role/FromEnv",
    }

    def calls() -> list[tuple[str, str]]:
        seen = [(form(s)["Action"], form(s)["RoleArn"]) for s in server.seen]
        server.seen.clear()
        return seen

    for profile, expected in (
        ("default", [("AssumeRole", "arn:aws:iam::1:role/FromProfile")]),
        # A profile with web_identity_token_file is a web identity one: the
        # environment's AWS_ROLE_ARN wins over its role_arn (botocore).
        ("wi", [("AssumeRoleWithWebIdentity", "arn:aws:iam::2:role/FromEnv")]),
    ):
        creds = home.source({**env, "AWS_PROFILE": profile}, region="us-west-2").get_sync(
            drivers.run
        )
        ours = calls()
        assert ours == expected
        assert creds.access_key_id == expected[0][0]
        found = _botocore_credentials(home, monkeypatch, None, AWS_PROFILE=profile, **env)
        assert found is not None and found[0] == expected[0][0]
        assert calls() == ours
    # Keys in the environment still come first.
    env_keys = {**env, "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "S"}
    assert key(home, drivers, env_keys) == "ENVKEY"
    assert calls() == []
