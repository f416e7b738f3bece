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
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, NamedTuple, Optional

from botocore.auth import SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, SigV4Auth, _host_from_url

from ._credentials._types import Credentials
from .errors import CredentialsError

SERVICE = "sagemaker"
#: Anything but visible ASCII: key material never holds it.  The key id and the token
#: go into headers, where h11 would refuse it with an exception quoting the value
#: ("Illegal header value b'...\\n'") and httpx would raise UnicodeEncodeError.
_NOT_KEY_MATERIAL = r"[^\x21-\x7e]"  # compiled only to report a bad value


class ReadOnlyCredentials(NamedTuple):
    """The shape of ``botocore.credentials.ReadOnlyCredentials`` (what SigV4Auth reads),
    without importing ``botocore.credentials``: it drags in botocore's config, endpoint,
    parser and model modules (~15 ms and ~1.5 MiB at import)."""

    access_key: str
    secret_key: str
    token: Optional[str]


class _Headers:
    """The headers of a request being signed: what ``SigV4Auth`` uses of botocore's
    ``HTTPHeaders`` (an ``email.message.Message``, which parses and folds on every
    access) — case-insensitive ``in``, ``[]`` (None when absent, as ``Message``),
    ``[]=``, ``del`` and ``items()`` in insertion order — over a dict keyed by the
    lower-case name.  Each name is held once: ``sign`` is given distinct names, and
    botocore deletes a header before setting it again; a name set again moves to the
    end with its new value (whatever is signed is what is sent: both read this map)."""

    __slots__ = ("_by_name",)

    def __init__(self, headers: Iterable[tuple[str, str]]) -> None:
        self._by_name: dict[str, tuple[str, str]] = {}
        for name, value in headers:
            self[name] = value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __getitem__(self, name: str) -> Optional[str]:
        found = self._by_name.get(name.lower())
        return None if found is None else found[1]

    def __setitem__(self, name: str, value: str) -> None:
        key = name.lower()
        self._by_name.pop(key, None)
        self._by_name[key] = (name, value)

    def __delitem__(self, name: str) -> None:
        self._by_name.pop(name.lower(), None)

    def items(self) -> list[tuple[str, str]]:
        return list(self._by_name.values())


class _HeadersToSign:
    """What ``SigV4Auth.headers_to_sign`` returns, without its ``HTTPHeaders``: the
    request's headers by lower-case name, those in botocore's
    ``SIGNED_HEADERS_BLACKLIST`` left out, ``host`` from the URL when absent — the same
    selection, as botocore's ``canonical_headers`` and ``signed_headers`` read it
    (iterating the names, ``get_all``)."""

    __slots__ = ("_values",)

    def __init__(self, headers: _Headers, url: str) -> None:
        values: dict[str, list[str]] = {}
        for name, value in headers.items():
            lname = name.lower()
            if lname not in SIGNED_HEADERS_BLACKLIST:
                values.setdefault(lname, []).append(value)
        if "host" not in values:
            values["host"] = [_host_from_url(url)]
        self._values = values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def get_all(self, name: str, failobj: Any = None) -> Any:
        return self._values.get(name.lower(), failobj)


class _SignedRequest:
    """What ``SigV4Auth`` reads and writes of botocore's ``AWSRequest``: ``method``,
    ``url``, ``headers`` (:class:`_Headers`), ``params`` (none: the query, if any, is in
    the URL), ``body`` (the bytes as given: ``AWSRequest.body`` prepares a whole request
    just to return them) and ``context``.  botocore still computes every byte of the
    canonical request, the string to sign and the signature from it."""

    __slots__ = ("body", "context", "headers", "method", "url")
    params: ClassVar[dict[str, str]] = {}

    def __init__(self, method: str, url: str, headers: _Headers, body: bytes) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.context: dict[str, Any] = {}


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
            cached = request.context["_headers_to_sign"] = _HeadersToSign(
                request.headers, request.url
            )
        return cached

    def sign_at(self, request: _SignedRequest, when: datetime.datetime) -> None:
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
        if value.isascii() and value.isprintable() and " " not in value:
            continue  # visible ASCII only (0x21-0x7e)
        found = re.search(_NOT_KEY_MATERIAL, value)
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
    header_map = _Headers(headers)
    del header_map["Host"]
    header_map["Host"] = host_header(url)

    request = _SignedRequest(method, url, header_map, body)
    _signer(credentials, service, region).sign_at(request, when.astimezone(datetime.timezone.utc))
    return header_map.items()


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

