"""``_signing.sign`` hands botocore's ``SigV4Auth`` a light request object instead of an
``AWSRequest`` with email-based ``HTTPHeaders``; every header it returns must equal what
botocore's own ``SigV4Auth.add_auth`` puts on an ``AWSRequest`` for the same request."""

from __future__ import annotations

import datetime
from typing import Any, Optional
from unittest import mock

from botocore.auth import SigV4Auth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_stop import Credentials
from sagemaker_stop._signing import sign

#: Visible ASCII and spaces: what a header value can carry (h11 refuses the rest).
_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
#: Names botocore treats specially (dates, payload hash, blacklisted, replaced ones).
_SPECIAL = st.sampled_from([
    "Date", "X-Amz-Date", "X-Amz-Content-SHA256", "User-Agent", "Expect",
    "X-Amzn-Trace-Id", "Authorization", "X-Amz-Security-Token", "Content-Type",
    "X-Amz-Target", "amz-sdk-invocation-id",
])
_NAME = st.one_of(_SPECIAL, st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,20}\Z"))
_URL = st.builds(
    lambda host, path, query: f"https://{host}{path}{query}",
    st.sampled_from([
        "api.sagemaker.us-east-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com:443",
        "127.0.0.1:8443", "example.com:80",
    ]),
    st.sampled_from(["/", "/a/b", "/a/./b/../c", "/with space", "/%7Euser"]),
    st.sampled_from(["", "?b=2&a=1", "?Action=Receive&x="]),
) | st.sampled_from(["http://127.0.0.1:9/", "http://localhost:80/"])
_KEY = st.from_regex(r"\A[A-Za-z0-9/+]{1,40}\Z")


def _distinct(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One value per name, whatever its case (what ``sign`` is given), never ``Host``
    (``sign`` sets it from the URL, as botocore derives it)."""
    seen: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        if name.lower() != "host":
            seen.setdefault(name.lower(), (name, value))
    return list(seen.values())


def botocore_signed(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, key: str,
    secret: str, token: Optional[str], region: str, service: str, when: datetime.datetime,
) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    auth = SigV4Auth(BotoCredentials(key, secret, token), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        auth.add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


@settings(max_examples=100, deadline=None)  # hypothesis default; 300 cost 10 s under coverage
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "delete"]),
    url=_URL,
    headers=st.lists(st.tuples(_NAME, _VALUE), max_size=8).map(_distinct),
    body=st.binary(max_size=200),
    key=_KEY,
    secret=_KEY,
    token=st.none() | _KEY,
    region=st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1"]),
    service=st.sampled_from(["sagemaker", "sqs", "sts"]),
    when=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31)
    ),
)
def test_the_signature_is_botocores(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, key: str,
    secret: str, token: Optional[str], region: str, service: str, when: Any,
) -> None:
    when = when.replace(tzinfo=datetime.timezone.utc, microsecond=0)
    ours = sign(
        method=method, url=url, headers=headers, body=body,
        credentials=Credentials(key, secret, token), region=region, when=when,
        service=service,
    )
    ours_by_name = {name.lower(): value for name, value in ours}
    assert len(ours_by_name) == len(ours)  # no name sent twice
    theirs = botocore_signed(
        method, url, headers, body, key, secret, token, region, service, when
    )
    # botocore signs the host it derives from the URL; sign() also sends it.
    assert ours_by_name.pop("host") == _host_from_url(url)
    assert ours_by_name == theirs


def test_a_header_botocore_replaces_is_sent_once_with_its_new_value() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    ours = sign(
        method="POST", url="https://example.com/",
        headers=[("x-amz-date", "stale"), ("Authorization", "old"), ("Content-Type", "t")],
        body=b"{}", credentials=Credentials("AKID", "secret", "tok"), region="us-east-1",
        when=when,
    )
    names = [name.lower() for name, _ in ours]
    assert sorted(names) == sorted(set(names))
    values = dict((name.lower(), value) for name, value in ours)
    assert values["x-amz-date"] == "20260102T030405Z"
    assert values["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/20260102/")
    assert values["x-amz-security-token"] == "tok"
