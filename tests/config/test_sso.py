"""IAM Identity Center (SSO) profiles, against loopback doubles of the portal and
SSO-OIDC, with token caches in the exact format ``aws sso login`` writes
(``awscli/botocore/utils.py`` ``SSOTokenFetcher``: ``startUrl``, ``region``,
``accessToken``, ``expiresAt``, ``clientId``, ``clientSecret``,
``registrationExpiresAt``, ``refreshToken``; ``json.dumps`` of timestamps as
``%Y-%m-%dT%H:%M:%SZ``)."""

from __future__ import annotations

import asyncio
import datetime as _dt
import hashlib
import json
import logging
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from sagemaker_stop._credentials import Credentials
from sagemaker_stop._credentials._util import utc_stamp
from sagemaker_stop.errors import ConfigurationError, CredentialsError

from ..loopback import Loopback, Reply, Request
from .conftest import Drivers, Home
from .test_providers import SECRET, form, sts_ok

NOW = 1_800_000_000.0
START_URL = "https://d-1234567890.awsapps.com/start"
ROLE_SECRET = "ssoRoleSecretKey/abcdefghijklmnopqrstuvw"
ACCESS_TOKEN = "aoaAAAAAGcached-access-token"
REFRESH_TOKEN = "Atrc|cached-refresh-token"
CLIENT_SECRET = "eyJraWQiOiJrZXktY2xpZW50LXNlY3JldA"

SESSION_CONFIG = f"""[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

LEGACY_CONFIG = f"""[profile old]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
"""


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cache_file(home: Home, name: str) -> Path:
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()
    return home.path / ".aws" / "sso" / "cache" / f"{digest}.json"


def write_token(home: Home, name: str, expires_in: float, **extra: Any) -> Path:
    """A cache file as ``aws sso login`` writes it (sso-session form by default)."""
    token = {
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": ACCESS_TOKEN,
        "expiresAt": utc_stamp(NOW + expires_in),
        "clientId": "client-id-123",
        "clientSecret": CLIENT_SECRET,
        "registrationExpiresAt": utc_stamp(NOW + 90 * 86400),
        "refreshToken": REFRESH_TOKEN,
        **extra,
    }
    path = cache_file(home, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(token))
    return path


def role_credentials(key: str = "SSOKEY", expires: float = NOW + 3600) -> Reply:
    return Reply(
        200,
        {
            "roleCredentials": {
                "accessKeyId": key,
                "secretAccessKey": ROLE_SECRET,
                "sessionToken": "SSOSESSIONTOKEN",
                "expiration": int(expires * 1000),
            }
        },
        headers=(("Content-Type", "application/json"),),
    )


def created_token(token: str = "aoaFRESH-access-token", refresh: str = "Atrc|fresh") -> Reply:
    body = {"accessToken": token, "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": refresh}
    return Reply(200, body, headers=(("Content-Type", "application/json"),))


class Identity:
    """The portal (``GET /federation/credentials``) and SSO-OIDC (``POST /token``) on one
    loopback server; the environment points both services at it."""

    def __init__(self, server: Loopback) -> None:
        self.server = server
        self.portal = role_credentials()
        self.oidc = created_token()
        server.handler = self.answer

    def answer(self, seen: Request) -> Reply:
        if seen.method == "GET" and seen.path == "/federation/credentials":
            return self.portal
        if seen.method == "POST" and seen.path == "/token":
            return self.oidc
        return Reply(404, b"no such route")

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_SSO": self.server.url,
            "AWS_ENDPOINT_URL_SSO_OIDC": self.server.url,
            **extra,
        }

    def calls(self, path: str) -> list[Request]:
        return [seen for seen in self.server.seen if seen.path == path]


@pytest.fixture
def identity(server: Loopback) -> Identity:
    return Identity(server)


def get(source: Any, drivers: Drivers) -> Credentials:
    creds: Credentials = source.get_sync(drivers.run)
    return creds


# --- the sso-session form --------------------------------------------------------


def test_session_profile_gets_role_credentials(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    creds = get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        "SSOKEY",
        ROLE_SECRET,
        "SSOSESSIONTOKEN",
    )
    assert creds.source == "sso"
    assert creds.expiration == _dt.datetime.fromtimestamp(NOW + 3600, _dt.timezone.utc)
    (seen,) = identity.server.seen
    assert seen.method == "GET" and seen.path == "/federation/credentials"
    assert urllib.parse.parse_qs(seen.query) == {
        "role_name": ["Developer"],
        "account_id": ["111122223333"],
    }
    assert seen.headers["x-amz-sso_bearer_token"] == ACCESS_TOKEN
    assert "authorization" not in seen.headers  # GetRoleCredentials is unsigned
    assert ROLE_SECRET not in repr(creds) and ACCESS_TOKEN not in repr(creds)


async def test_session_profile_async(home: Home, drivers: Drivers, identity: Identity) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    source = home.source(identity.env(), profile="dev", clock=Clock())
    creds = await source.get_async(drivers.run_async)
    assert creds.access_key_id == "SSOKEY"


def test_token_close_to_expiry_is_refreshed_and_written_back(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    path = write_token(home, "corp", expires_in=10 * 60)  # inside botocore's 15 minutes
    creds = get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert creds.access_key_id == "SSOKEY"
    (create,) = identity.calls("/token")
    assert create.headers["content-type"] == "application/json"
    assert "authorization" not in create.headers
    assert create.json == {
        "clientId": "client-id-123",
        "clientSecret": CLIENT_SECRET,
        "grantType": "refresh_token",
        "refreshToken": REFRESH_TOKEN,
    }
    (portal,) = identity.calls("/federation/credentials")
    assert portal.headers["x-amz-sso_bearer_token"] == "aoaFRESH-access-token"
    # Written back exactly as botocore's SSOTokenProvider writes it.
    assert json.loads(path.read_text()) == {
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": "aoaFRESH-access-token",
        "expiresAt": utc_stamp(NOW + 28800),
        "clientId": "client-id-123",
        "clientSecret": CLIENT_SECRET,
        "registrationExpiresAt": utc_stamp(NOW + 90 * 86400),
        "refreshToken": "Atrc|fresh",
    }
    # ... and a later process uses the fresh token without refreshing again.
    identity.server.seen.clear()
    get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert identity.calls("/token") == []


def test_failed_refresh_keeps_a_still_valid_token(
    home: Home, drivers: Drivers, identity: Identity, caplog: pytest.LogCaptureFixture
) -> None:
    home.config(SESSION_CONFIG)
    path = write_token(home, "corp", expires_in=5 * 60)
    before = path.read_text()
    identity.oidc = Reply(400, {"error": "invalid_grant"}, headers={"x-amzn-ErrorType": "InvalidGrantException"})
    with caplog.at_level(logging.DEBUG, logger="sagemaker_stop"):
        creds = get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert creds.access_key_id == "SSOKEY"
    assert identity.calls("/federation/credentials")[0].headers["x-amz-sso_bearer_token"] == ACCESS_TOKEN
    assert path.read_text() == before
    assert "InvalidGrantException" in caplog.text
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, ROLE_SECRET):
        assert secret not in caplog.text


def test_expired_token_that_cannot_refresh_says_what_to_run(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=-60)
    identity.oidc = Reply(400, {"error": "invalid_grant"}, headers={"x-amzn-ErrorType": "InvalidGrantException"})
    with pytest.raises(CredentialsError, match=r"expired; run 'aws sso login --sso-session corp'"):
        get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert identity.calls("/federation/credentials") == []


def test_expired_registration_is_not_refreshed(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=-1, registrationExpiresAt=utc_stamp(NOW - 1))
    with pytest.raises(CredentialsError, match="aws sso login --sso-session corp"):
        get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert identity.server.seen == []


def test_missing_token_says_what_to_run(home: Home, drivers: Drivers, identity: Identity) -> None:
    home.config(SESSION_CONFIG + LEGACY_CONFIG)
    with pytest.raises(CredentialsError, match=r"no cached SSO token .*'aws sso login --sso-session corp'"):
        get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    with pytest.raises(CredentialsError, match=r"'aws sso login --profile old'"):
        get(home.source(identity.env(), profile="old", clock=Clock()), drivers)
    write_token(home, "corp", expires_in=3600).write_text(json.dumps({"startUrl": START_URL}))
    with pytest.raises(CredentialsError, match=r"invalid .*aws sso login"):
        get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)


def test_portal_refusing_the_token_says_what_to_run(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    identity.portal = Reply(
        401,
        {"message": "Session token not found or invalid"},
        headers={"x-amzn-ErrorType": "UnauthorizedException"},
    )
    with pytest.raises(CredentialsError, match="expired or is otherwise invalid; run 'aws sso login") as info:
        get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert info.value.code == "UnauthorizedException"
    assert ACCESS_TOKEN not in str(info.value)


def test_portal_throttling_is_retried(home: Home, drivers: Drivers, identity: Identity) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    answers = [Reply(429, {"message": "slow down"}, headers={"x-amzn-ErrorType": "TooManyRequestsException"})]
    identity.server.handler = lambda seen: answers.pop() if answers else role_credentials()
    creds = get(home.source(identity.env(), profile="dev", clock=Clock()), drivers)
    assert creds.access_key_id == "SSOKEY" and len(identity.server.seen) == 2
    assert drivers.sleeps == [0.2]


# --- the legacy form -------------------------------------------------------------


def test_legacy_profile_uses_the_start_url_cache_key_and_never_refreshes(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(LEGACY_CONFIG)
    write_token(home, START_URL, expires_in=60)
    creds = get(home.source(identity.env(), profile="old", clock=Clock()), drivers)
    assert creds.access_key_id == "SSOKEY"
    assert [seen.path for seen in identity.server.seen] == ["/federation/credentials"]


def test_legacy_expired_token(home: Home, drivers: Drivers, identity: Identity) -> None:
    home.config(LEGACY_CONFIG)
    write_token(home, START_URL, expires_in=0)
    with pytest.raises(CredentialsError, match="expired; run 'aws sso login --profile old'"):
        get(home.source(identity.env(), profile="old", clock=Clock()), drivers)
    assert identity.server.seen == []


# --- SSO as the source of an assume-role profile ---------------------------------


def test_sso_profile_as_source_profile(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG + "[profile admin]\nrole_arn = arn:aws:iam::1:role/Admin\nsource_profile = dev\n")
    write_token(home, "corp", expires_in=3600)

    def answer(seen: Request) -> Reply:
        if seen.path == "/sts/":
            return sts_ok("AssumeRole", key="ROLEKEY")
        return identity.answer(seen)

    identity.server.handler = answer
    env = identity.env(AWS_ENDPOINT_URL_STS=identity.server.url + "/sts/")
    creds = get(home.source(env, profile="admin", region="eu-west-1", clock=Clock()), drivers)
    assert (creds.access_key_id, creds.source) == ("ROLEKEY", "assume-role")
    portal, sts = identity.server.seen
    assert portal.path == "/federation/credentials"
    assert form(sts)["RoleArn"] == "arn:aws:iam::1:role/Admin"
    assert sts.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=SSOKEY/")
    assert sts.headers["x-amz-security-token"] == "SSOSESSIONTOKEN"


# --- configuration errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            "[profile dev]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
            r"names sso_session 'nope', but .*config has no \[sso-session nope\] section",
        ),
        (
            SESSION_CONFIG.replace("sso_account_id", "sso_region = eu-west-1\nsso_account_id"),
            r"sso_region differs between profile 'dev' and \[sso-session corp\]",
        ),
        (
            "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
            "[sso-session corp]\nsso_region = us-east-1\n",
            "is configured to use SSO .* but is missing sso_start_url",
        ),
        (
            "[profile dev]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_account_id = 1\n",
            "missing sso_role_name",
        ),
    ],
)
def test_sso_configuration_errors(home: Home, drivers: Drivers, config: str, match: str) -> None:
    home.config(config)
    with pytest.raises(ConfigurationError, match=match):
        get(home.source({}, profile="dev", clock=Clock()), drivers)


# --- caching, concurrency, the event loop ------------------------------------------


def test_role_credentials_are_cached_until_close_to_expiry(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=8 * 3600)
    clock = Clock()
    source = home.source(identity.env(), profile="dev", clock=clock, jitter=lambda: 0.0)
    get(source, drivers)
    clock.now += 3600 - 400  # 400 s left: still more than the 5-minute window
    get(source, drivers)
    assert len(identity.calls("/federation/credentials")) == 1
    identity.portal = role_credentials("SSOKEY2", expires=clock.now + 3600)
    clock.now += 200  # 200 s left: refreshed
    assert get(source, drivers).access_key_id == "SSOKEY2"
    assert len(identity.calls("/federation/credentials")) == 2


async def test_one_refresh_for_many_concurrent_async_callers(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=60)  # needs an SSO-OIDC refresh first
    source = home.source(identity.env(), profile="dev", clock=Clock())
    results = await asyncio.gather(*(source.get_async(drivers.run_async) for _ in range(20)))
    assert {creds.access_key_id for creds in results} == {"SSOKEY"}
    assert len(identity.calls("/token")) == 1
    assert len(identity.calls("/federation/credentials")) == 1


def test_one_refresh_for_many_threads(home: Home, drivers: Drivers, identity: Identity) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    source = home.source(identity.env(), profile="dev", clock=Clock())
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(get(source, drivers).access_key_id))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["SSOKEY"] * 8
    assert len(identity.calls("/federation/credentials")) == 1


async def test_async_sso_never_blocks_the_event_loop(
    home: Home, drivers: Drivers, identity: Identity
) -> None:
    """The portal holds its answer until a coroutine on the same loop releases it: with a
    blocking call inside, the loop could not run that coroutine and this would hang."""
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=3600)
    release = threading.Event()
    arrived = threading.Event()

    def held(seen: Request) -> Reply:
        arrived.set()
        release.wait(10)
        return role_credentials()

    identity.server.handler = held
    source = home.source(identity.env(), profile="dev", clock=Clock())
    pending = asyncio.ensure_future(source.get_async(drivers.run_async))
    while not arrived.is_set():
        await asyncio.sleep(0.001)  # the loop is free while the request is in flight
    release.set()
    assert (await asyncio.wait_for(pending, 10)).access_key_id == "SSOKEY"


def test_sso_secrets_never_logged(
    home: Home, drivers: Drivers, identity: Identity, caplog: pytest.LogCaptureFixture
) -> None:
    home.config(SESSION_CONFIG)
    write_token(home, "corp", expires_in=60)
    with caplog.at_level(logging.DEBUG, logger="sagemaker_stop"):
        source = home.source(identity.env(), profile="dev", clock=Clock())
        creds = get(source, drivers)
    text = caplog.text + repr(source) + repr(creds)
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, ROLE_SECRET, "aoaFRESH", SECRET):
        assert secret not in text
