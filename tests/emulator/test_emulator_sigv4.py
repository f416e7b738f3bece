from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx
import pytest

from sagemaker_stop.emulator import Credentials, SageMakerEmulator
from sagemaker_stop.emulator._sigv4 import canonical_query, parse_authorization, verify

from ._helpers import make_client, sign

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abcdefabcdef"
BODY = {"PipelineExecutionArn": ARN}
OP = "DescribePipelineExecution"


def post(http: httpx.Client, url: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return http.post(url, headers=headers, content=body)


def assert_error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    data: dict[str, Any] = r.json()
    assert data["__type"] == code
    assert r.headers["x-amzn-requestid"]
    assert r.headers["x-amzn-errortype"].startswith(code.rsplit("#", 1)[-1] + ":")
    assert len(r.headers.get_list("date")) == 1
    return data


def test_signed_request_accepted(emu: SageMakerEmulator, http: httpx.Client) -> None:
    r = post(http, *sign(emu, OP, BODY))
    assert_error(
        r, 400, "com.amazonaws.sagemaker#ResourceNotFound"
    )  # authenticated, then not found
    rec = emu.requests[-1]
    assert rec.auth.ok and rec.auth.access_key_id == emu.credentials.access_key_id
    assert "host" in rec.auth.signed_headers and rec.auth.canonical_request
    assert rec.signature and rec.amz_date and rec.operation == OP and rec.json == BODY
    assert rec.headers["x-amz-target"] == "SageMaker." + OP


def test_query_string_canonicalised(emu: SageMakerEmulator, http: httpx.Client) -> None:
    r = post(http, *sign(emu, OP, BODY, path="/?b=2&a=1&a=0&c"))
    assert r.status_code == 400 and "ResourceNotFound" in r.text
    assert canonical_query("b=x%20y&a=1&a=0&c") == "a=0&a=1&b=x%20y&c="


def test_every_response_has_date_and_request_id(emu: SageMakerEmulator, http: httpx.Client) -> None:
    for r in (post(http, *sign(emu, OP, BODY)), http.post(emu.endpoint_url + "/", content=b"{}")):
        assert r.headers["x-amzn-requestid"]
        date = email.utils.parsedate_to_datetime(r.headers["date"]).timestamp()
        assert abs(date - time.time()) < 5


def test_tampered_body(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    data = assert_error(
        post(http, url, headers, body.replace(b"abcdef", b"abcdeg", 1)),
        403,
        "InvalidSignatureException",
    )
    assert data["message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert emu.requests[-1].auth.ok is False


def test_tampered_signed_header(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    headers["X-Amz-Target"] = "SageMaker.StopPipelineExecution"
    assert_error(post(http, url, headers, body), 403, "InvalidSignatureException")


def test_wrong_secret(emu: SageMakerEmulator, http: httpx.Client) -> None:
    assert_error(post(http, *sign(emu, OP, BODY, secret="wrong")), 403, "InvalidSignatureException")


def test_unknown_access_key(emu: SageMakerEmulator, http: httpx.Client) -> None:
    data = assert_error(
        post(http, *sign(emu, OP, BODY, access_key="AKIDUNKNOWN")),
        403,
        "UnrecognizedClientException",
    )
    assert data["message"] == "The security token included in the request is invalid."


def test_missing_authorization(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    del headers["Authorization"]
    assert_error(post(http, url, headers, body), 403, "MissingAuthenticationToken")


@pytest.mark.parametrize(
    ("auth", "fragment"),
    [
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR000000001/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host",
            "'Signature'",
        ),
        (
            "AWS4-HMAC-SHA1 Credential=x, SignedHeaders=host, Signature=00",
            "Unsupported AWS 'algorithm'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1, SignedHeaders=host, Signature=00",
            "five slash-separated",
        ),
    ],
)
def test_malformed_authorization(
    emu: SageMakerEmulator, http: httpx.Client, auth: str, fragment: str
) -> None:
    url, headers, body = sign(emu, OP, BODY)
    headers["Authorization"] = auth
    data = assert_error(post(http, url, headers, body), 400, "IncompleteSignature")
    assert fragment in data["message"]


def test_duplicate_authorization(emu: SageMakerEmulator) -> None:
    result = verify(
        method="POST",
        path="/",
        query="",
        headers=[("Authorization", "a"), ("Authorization", "b")],
        body=b"",
        credentials={},
        region="us-east-1",
        service="sagemaker",
        now=time.time(),
    )
    assert result.code == "IncompleteSignature" and result.status == 400
    params, problem = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=b"
    )
    assert (
        params == {"Credential": "a", "SignedHeaders": "host", "Signature": "b"} and problem is None
    )


def test_missing_and_bad_amz_date(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    no_date = {k: v for k, v in headers.items() if k.lower() != "x-amz-date"}
    assert (
        "X-Amz-Date"
        in assert_error(post(http, url, no_date, body), 400, "IncompleteSignature")["message"]
    )
    headers["X-Amz-Date"] = "yesterday"
    assert (
        "ISO-8601"
        in assert_error(post(http, url, headers, body), 400, "IncompleteSignature")["message"]
    )


def test_expired_signature_with_server_ahead(http: httpx.Client) -> None:
    with SageMakerEmulator(clock_skew=900) as emu:
        url, headers, body = sign(emu, OP, BODY)
        r = post(http, url, headers, body)
        data = assert_error(r, 400, "InvalidSignatureException")
        assert data["message"].startswith(
            f"Signature expired: {headers['X-Amz-Date']} is now earlier than "
        )
        assert data["message"].endswith(" - 5 min.)")
        server_date = email.utils.parsedate_to_datetime(r.headers["date"]).timestamp()
        assert abs(server_date - (time.time() + 900)) < 5
        assert abs(emu.wall_time() - time.time() - 900) < 1


def test_signature_not_yet_current(http: httpx.Client) -> None:
    with SageMakerEmulator(clock_skew=-900) as emu:
        data = assert_error(post(http, *sign(emu, OP, BODY)), 400, "InvalidSignatureException")
        assert data["message"].startswith("Signature not yet current: ")
        emu.clock_skew = 0
        assert "ResourceNotFound" in post(http, *sign(emu, OP, BODY)).text


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"region": "eu-west-1"}, "valid region, not 'eu-west-1'"),
        ({"service": "s3"}, "correct service: 'sagemaker'"),
    ],
)
def test_wrong_scope(
    emu: SageMakerEmulator, http: httpx.Client, kwargs: dict[str, str], fragment: str
) -> None:
    data = assert_error(
        post(http, *sign(emu, OP, BODY, **kwargs)), 403, "InvalidSignatureException"
    )
    assert fragment in data["message"]


def _rescope(headers: dict[str, str], old: str, new: str) -> dict[str, str]:
    return {**headers, "Authorization": headers["Authorization"].replace(old, new, 1)}


def test_wrong_scope_date_and_terminator(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    date = headers["X-Amz-Date"][:8]
    data = assert_error(
        post(http, url, _rescope(headers, f"/{date}/", "/20000101/"), body),
        403,
        "InvalidSignatureException",
    )
    assert "Date in Credential scope does not match" in data["message"]
    data = assert_error(
        post(http, url, _rescope(headers, "aws4_request", "aws5_request"), body),
        403,
        "InvalidSignatureException",
    )
    assert "valid terminator" in data["message"]


def test_host_must_be_signed(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    data = assert_error(
        post(
            http,
            url,
            _rescope(headers, "SignedHeaders=content-type;host;", "SignedHeaders=content-type;"),
            body,
        ),
        403,
        "InvalidSignatureException",
    )
    assert "'Host'" in data["message"]


def test_session_tokens(http: httpx.Client) -> None:
    temp = Credentials("ASIATEMPORARY0000001", "temp-secret", "session-token-1")
    with SageMakerEmulator(extra_credentials=[temp, ("AKIDSECOND0000000001", "second")]) as emu:
        ok = post(
            http,
            *sign(
                emu,
                OP,
                BODY,
                access_key=temp.access_key_id,
                secret=temp.secret_access_key,
                token=temp.session_token,
            ),
        )
        assert "ResourceNotFound" in ok.text
        assert emu.requests[-1].headers["x-amz-security-token"] == "session-token-1"
        missing = post(
            http, *sign(emu, OP, BODY, access_key=temp.access_key_id, secret=temp.secret_access_key)
        )
        assert_error(missing, 403, "UnrecognizedClientException")
        wrong = post(
            http,
            *sign(
                emu,
                OP,
                BODY,
                access_key=temp.access_key_id,
                secret=temp.secret_access_key,
                token="other",
            ),
        )
        assert_error(wrong, 403, "UnrecognizedClientException")
        unexpected = post(http, *sign(emu, OP, BODY, token="surprise"))
        assert_error(unexpected, 403, "UnrecognizedClientException")
        assert (
            "ResourceNotFound"
            in post(
                http, *sign(emu, OP, BODY, access_key="AKIDSECOND0000000001", secret="second")
            ).text
        )
        added = emu.add_credentials("AKIDTHIRD00000000001", "third")
        assert (
            "ResourceNotFound"
            in post(http, *sign(emu, OP, BODY, access_key=added.access_key_id, secret="third")).text
        )


def test_boto3_with_session_token_primary() -> None:
    creds = Credentials("ASIAPRIMARY000000001", "s", "tok")
    with SageMakerEmulator(credentials=creds) as emu:
        assert emu.env["AWS_SESSION_TOKEN"] == "tok"
        client = make_client(emu)
        try:
            with pytest.raises(client.exceptions.ResourceNotFound):
                client.describe_pipeline_execution(PipelineExecutionArn=ARN)
        finally:
            client.close()


def test_non_api_requests(emu: SageMakerEmulator, http: httpx.Client) -> None:
    url, headers, body = sign(emu, OP, BODY)
    r = post(
        http, url, {**headers, "Content-Type": "text/plain"}, body
    )  # content-type is signed...
    assert r.status_code == 403
    url, headers, body = sign(emu, OP, BODY, headers={"Content-Type": "text/plain"})
    assert_error(
        post(http, url, headers, body), 400, "com.amazon.coral.service#UnknownOperationException"
    )
    url, headers, body = sign(emu, "NoSuchThing", BODY)
    assert_error(
        post(http, url, headers, body), 400, "com.amazon.coral.service#UnknownOperationException"
    )
    url, headers, body = sign(emu, OP, b"{not json")
    assert_error(
        post(http, url, headers, body), 400, "com.amazon.coral.service#SerializationException"
    )
    url, headers, body = sign(emu, OP, b"[1]")
    assert_error(
        post(http, url, headers, body), 400, "com.amazon.coral.service#SerializationException"
    )
    r = http.get(emu.endpoint_url + "/")
    assert_error(r, 403, "MissingAuthenticationToken")
