"""Hostile hosts, proxies and configuration: a signed request never follows a redirect,
credential endpoints never go through a proxy, expired credentials are refused (or,
from instance metadata, extended), an undecodable body is an invalid response, and
every hostile setting fails typed and early."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_stop import (
    ConfigurationError,
    Credentials,
    CredentialsError,
    InvalidResponseError,
    NoCredentialsError,
    ParamValidationError,
    SageMakerClient,
    SageMakerError,
)
from sagemaker_stop._settings import check_endpoint_url

from ..conftest import ARN
from ..loopback import (
    ACCESS_KEY,
    SECRET_KEY,
    Loopback,
    RecordingProxy,
    Reply,
    WireServer,
    instance_metadata,
    redirect_to,
)

TOKEN = "session-token-for-the-redirect-test"
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2099-01-01T00:00:00Z"


def container_creds(expiration: str = FUTURE) -> Reply:
    return Reply(200, {"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY,
                       "Token": "container-session", "Expiration": expiration})


# --- 3: redirects ----------------------------------------------------------------------


def test_a_redirect_to_another_host_is_an_error_never_followed(client: Any) -> None:
    with Loopback(lambda seen: Reply(200, {"PipelineExecutionArn": ARN})) as elsewhere, \
            Loopback(redirect_to(elsewhere.url + "/collect?key=abc")) as moved:
        sm = client(
            endpoint_url=moved.url,
            credentials=Credentials(ACCESS_KEY, SECRET_KEY, TOKEN),
            http_client_options={"follow_redirects": True},
        )
        with pytest.raises(SageMakerError) as caught:
            sm.stop_pipeline_execution(ARN)
    assert elsewhere.seen == []  # neither the token nor the body went there
    assert len(moved.seen) == 1  # not retried
    error = caught.value
    assert (error.code, error.http_status) == ("307", 307)
    assert f"redirect to {elsewhere.url}/collect?..." in error.message
    assert "key=abc" not in error.message


# --- 4: credential endpoints never through a proxy -------------------------------------


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Any:
    with RecordingProxy() as recording:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, recording.url)
        yield recording


def test_container_credentials_never_go_through_a_proxy(
    proxy: RecordingProxy, make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Loopback(lambda seen: container_creds()) as container:
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url + "/creds")
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token")
        # Nothing listens on 127.0.0.2:9: SageMaker answers only through the proxy.
        sm = make_client(endpoint_url="http://127.0.0.2:9", credentials=None, max_attempts=1)
        assert sm.stop_pipeline_execution(ARN).request_id == "via-proxy"
    assert [s.headers.get("authorization") for s in container.seen] == ["container-auth-token"]
    assert proxy.lines == ["POST http://127.0.0.2:9/ HTTP/1.1"]  # the SageMaker call only
    assert "container-auth-token" not in repr([s.header_list for s in proxy.seen])


def test_instance_metadata_never_goes_through_a_proxy_nor_a_callers_client(
    proxy: RecordingProxy, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = {"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY, "Token": "t",
             "Expiration": FUTURE}
    with Loopback(instance_metadata(creds)) as imds:
        monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url)
        sm = client(endpoint_url="http://127.0.0.2:9", credentials=None, max_attempts=1,
                    http_client_options={"proxy": proxy.url})
        assert sm.stop_pipeline_execution(ARN).request_id == "via-proxy"
    assert [s.method for s in imds.seen] == ["PUT", "GET", "GET"]
    assert proxy.lines == ["POST http://127.0.0.2:9/ HTTP/1.1"]


# --- 8: credentials that arrive expired ------------------------------------------------


def test_credentials_that_arrive_expired_are_refused_not_fetched_per_call(
    make_client: Any, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Loopback(lambda seen: container_creds(PAST)) as container:
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url + "/creds")
        sm = make_client(endpoint_url=wire.url, credentials=None)
        errors = []
        for _ in range(20):
            with pytest.raises(CredentialsError) as caught:
                sm.stop_pipeline_execution(ARN)
            errors.append(str(caught.value))
    assert len(container.seen) == 2  # loaded, expired; loaded again, still expired: refused
    assert "container credentials were loaded twice and were expired both times" in errors[0]
    assert all("expired both times" in e for e in errors) and wire.requests == []


def test_expired_instance_metadata_credentials_are_extended(
    make_client: Any, wire: WireServer, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    creds = {"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY, "Expiration": PAST}
    with Loopback(instance_metadata(creds)) as imds:
        monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url)
        sm = make_client(endpoint_url=wire.url, credentials=None)
        for _ in range(5):
            sm.stop_pipeline_execution(ARN)
    assert len(imds.seen) == 3  # token, role, credentials: once
    assert "credential expiration extension" in caplog.text
    assert len(wire.requests) == 5 and all(r.auth.ok for r in wire.requests)


# --- 12: an undecodable body -----------------------------------------------------------


def test_a_corrupt_gzip_body_is_an_invalid_response_not_retried(
    wire: WireServer, client: Any
) -> None:
    corrupt = b"\x1f\x8b\x08\x00" + b"not deflate data" * 4  # a gzip header, then junk
    wire.push(Reply(200, corrupt, {"Content-Encoding": "gzip"}))
    sm = client(endpoint_url=wire.url)
    with pytest.raises(InvalidResponseError) as caught:
        sm.stop_pipeline_execution(ARN)
    assert "could not be decoded" in str(caught.value)  # was: "connect error: Error -3 ..."
    assert isinstance(caught.value.__cause__, httpx.DecodingError) and len(wire.requests) == 1


def test_a_gzip_body_is_decoded(wire: WireServer, client: Any) -> None:
    body = gzip.compress(f'{{"PipelineExecutionArn": "{ARN}"}}'.encode())
    wire.push(Reply(200, body, {"Content-Encoding": "gzip"}))
    assert client(endpoint_url=wire.url).stop_pipeline_execution(ARN).pipeline_execution_arn == ARN


# --- 7: hostile configuration fails typed and early ------------------------------------

EARLY = (ConfigurationError, ParamValidationError)

HOSTILE_OPTIONS: list[dict[str, Any]] = [
    {"endpoint_url": "http://127.0.0.1:99999"},
    {"endpoint_url": "http://127.0.0.1:0"},
    {"endpoint_url": "http://127.0.0.1:-1"},
    {"endpoint_url": "http://exa mple.com"},
    {"endpoint_url": "http://127.0.0.1\x00.evil"},
    {"endpoint_url": "http://[::1"},
    {"endpoint_url": "http://bücher.example"},
    {"endpoint_url": "http://-bad-.example"},
    {"endpoint_url": "ftp://127.0.0.1"},
    {"timeout": "3"},
    {"timeout": float("nan")},
    {"call_timeout": -1},
    {"max_response_bytes": -1},
    {"max_attempts": "many"},
    {"region": "us-east-1\n"},
]


@pytest.mark.parametrize("options", HOSTILE_OPTIONS, ids=repr)
def test_hostile_client_options_fail_before_anything_is_sent(
    options: dict[str, Any], creds: Credentials
) -> None:
    options = {"region": "us-east-1", "credentials": creds, **options}
    with pytest.raises(EARLY):
        SageMakerClient(**options)


HOSTILE_ENVIRONMENT: list[dict[str, str]] = [
    {"AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:70000"},
    {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:99999/creds"},
    {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/cr\x7feds"},
    {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://user:pw@[::1/creds"},
    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "@127.0.0.1:1/creds"},
    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tök"},
    {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:99999"},
    {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "not a url"},
    {"AWS_EC2_METADATA_DISABLED": "false", "AWS_METADATA_SERVICE_TIMEOUT": "nan"},
    {"AWS_EC2_METADATA_DISABLED": "false", "AWS_METADATA_SERVICE_TIMEOUT": "-1"},
    {"AWS_ACCESS_KEY_ID": "AKIDé", "AWS_SECRET_ACCESS_KEY": "s"},
    {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "tok\n"},
    {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "tök"},
]


@pytest.mark.parametrize("environment", HOSTILE_ENVIRONMENT, ids=repr)
def test_hostile_environments_fail_typed(
    environment: dict[str, str], make_client: Any, wire: WireServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        sm = make_client(endpoint_url=None, credentials=None, max_attempts=1, timeout=0.5)
        sm.stop_pipeline_execution(ARN)
    except EARLY:
        pass  # bad configuration, refused before anything was sent
    except (CredentialsError, NoCredentialsError) as error:
        assert not isinstance(error.__cause__, (UnicodeError, ValueError, httpx.InvalidURL))
    assert wire.requests == []


@settings(max_examples=150, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    host=st.one_of(
        st.sampled_from(["127.0.0.1", "localhost", "[::1]", "[::1", "a_b.example", "-x", ""]),
        st.text(max_size=12),
    ),
    port=st.one_of(st.none(), st.integers(-5, 70000).map(str), st.text(max_size=4)),
    path=st.text(max_size=8),
)
def test_an_endpoint_url_accepted_is_one_httpx_can_send_to(
    scheme: str, host: str, port: Any, path: str
) -> None:
    url = f"{scheme}://{host}{'' if port is None else ':' + port}/{path}"
    try:
        check_endpoint_url(url)
    except ConfigurationError as error:
        assert "\x00" not in str(error)
        return
    parsed = urlsplit(url)
    assert parsed.hostname and (parsed.port is None or 0 < parsed.port < 65536)
    httpx.URL(url)  # raises httpx.InvalidURL for anything it cannot send to
    httpx.Request("POST", url).headers["host"].encode("ascii")


def test_expiry_helpers_agree_on_expired() -> None:
    from sagemaker_stop._credentials._cache import EXPIRY_MARGIN, expired_on_arrival
    from sagemaker_stop._credentials._imds import extended

    now = 1_800_000_000.0
    stale = Credentials("A", "s", expiration=dt.datetime.fromtimestamp(now + EXPIRY_MARGIN,
                                                                       dt.timezone.utc))
    assert expired_on_arrival(stale, now)
    fresh = extended(stale, now, jitter=lambda: 0.0)
    assert not expired_on_arrival(fresh, now) and fresh.expiry_timestamp() == now + 300
