"""The adapter around botocore's SigV4 signer.

botocore computes the signature (canonical request, string to sign, HMAC chain); this
module only chooses *when* the request is signed (so a clock-skew offset can be applied,
which ``SigV4Auth.add_auth`` cannot take) and caches the derived signing key, which is
constant for one secret, day, region and service.  No botocore session, client or loader
is involved, and nothing here logs (botocore's own ``add_auth`` logs the canonical
request, which contains the session token).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple, Optional

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth, _host_from_url
from botocore.awsrequest import AWSRequest

from ._credentials._types import Credentials
from .errors import CredentialsError

SERVICE = "sagemaker"
#: Anything but visible ASCII: key material never holds it.  The key id and the token
#: go into headers, where h11 would refuse it with an exception quoting the value
#: ("Illegal header value b'...\\n'") and httpx would raise UnicodeEncodeError.
_NOT_KEY_MATERIAL = re.compile(r"[^\x21-\x7e]")


class ReadOnlyCredentials(NamedTuple):
    """The shape of ``botocore.credentials.ReadOnlyCredentials`` (what SigV4Auth reads),
    without importing ``botocore.credentials``: it drags in botocore's config, endpoint,
    parser and model modules (~15 ms and ~1.5 MiB at import)."""

    access_key: str
    secret_key: str
    token: Optional[str]


class _SignedRequest(AWSRequest):
    """An AWSRequest whose ``body`` is its bytes as given.  ``AWSRequest.body`` prepares
    a whole request (headers included) just to return them, for every signature;
    ``SigV4Auth.payload`` only hashes them."""

    @property
    def body(self) -> bytes:
        data: bytes = self.data
        return data


@functools.lru_cache(maxsize=64)
def host_header(url: str) -> str:
    """The ``Host`` value botocore signs for ``url`` (default ports dropped), computed
    by botocore once per URL instead of twice per signature."""
    host: str = _host_from_url(url)
    return host


class _SigV4(SigV4Auth):
    """SigV4Auth with an explicit signing time and a cached signing key."""

    _key_cache: ClassVar[dict[tuple[str, str, str, str], bytes]] = {}

    def signature(self, string_to_sign: str, request: Any) -> str:
        date = request.context["timestamp"][0:8]
        secret = self.credentials.secret_key
        cache_key = (secret, date, self._region_name, self._service_name)
        k_signing = self._key_cache.get(cache_key)
        if k_signing is None:
            k_date = self._sign(f"AWS4{secret}".encode(), date)
            k_region = self._sign(k_date, self._region_name)
            k_service = self._sign(k_region, self._service_name)
            k_signing = self._sign(k_service, "aws4_request")
            if len(self._key_cache) > 64:
                self._key_cache.clear()
            self._key_cache[cache_key] = k_signing
        result: str = self._sign(k_signing, string_to_sign, hex=True)
        return result

    def headers_to_sign(self, request: Any) -> Any:
        # SigV4Auth computes this twice per signature (canonical request, then the
        # Authorization header) from unchanged headers; keep the first answer.
        cached = request.context.get("_headers_to_sign")
        if cached is None:
            cached = request.context["_headers_to_sign"] = super().headers_to_sign(request)
        return cached

    def sign_at(self, request: AWSRequest, when: datetime.datetime) -> None:
        """``SigV4Auth.add_auth`` with ``when`` instead of the local clock."""
        request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        request.context.pop("_headers_to_sign", None)  # headers are final from here on
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)


def check_credentials(credentials: Credentials) -> None:
    """Refuse credentials that cannot be sent (``CredentialsError``, naming where they
    came from and what is wrong, never their value): a trailing newline from a file, a
    space, a control or a non-ASCII character."""
    for field, value in (
        ("access key id", credentials.access_key_id),
        ("secret access key", credentials.secret_access_key),
        ("session token", credentials.session_token or ""),
    ):
        found = _NOT_KEY_MATERIAL.search(value)
        if found is not None:
            char = found.group(0)
            what = (
                "a line break" if char in "\r\n"
                else "white space" if char.isspace()
                else "a control character" if char.isascii()
                else "a non-ASCII character"
            )
            raise CredentialsError(
                f"the {credentials.source} credentials cannot be used: their {field} "
                f"contains {what} (at position {found.start() + 1} of {len(value)})"
            )


def sign(
    *,
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    credentials: Credentials,
    region: str,
    when: datetime.datetime,
    service: str = SERVICE,
) -> list[tuple[str, str]]:
    """Sign a request; returns its headers plus ``X-Amz-Date``, ``Authorization`` and
    (with a session token) ``X-Amz-Security-Token``."""
    header_map = dict(headers)
    header_map["Host"] = host_header(url)

    request = _SignedRequest(method=method, url=url, headers=header_map, data=body)
    _signer(credentials, service, region).sign_at(request, when.astimezone(datetime.timezone.utc))
    # raw_items(): the values as set, without email.message's per-read header parsing.
    return [(str(k), _text(v)) for k, v in request.headers.raw_items()]


@functools.lru_cache(maxsize=16)
def _signer(credentials: Credentials, service: str, region: str) -> _SigV4:
    """One signer per credentials, service and region (it holds no per-request state);
    the credentials are checked once, when their signer is made."""
    check_credentials(credentials)
    return _SigV4(
        ReadOnlyCredentials(
            credentials.access_key_id, credentials.secret_access_key, credentials.session_token
        ),
        service,
        region,
    )


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
