"""The container credentials endpoint (ECS task roles, EKS Pod Identity).

Its requests are ``local``: sent straight to the endpoint, never through a proxy
(botocore's ``ContainerMetadataFetcher`` uses a session without proxies), since they
carry the authorization token.  URLs are quoted without password or query.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
from typing import Optional

import attrs

from .._effects import Flow, HttpRequest, HttpResponse, Send, Sleep, Timeouts
from .._redact import redact_url
from .._urls import url_problem
from ..errors import CredentialsError
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials
from ._util import credentials_from_mapping

ECS_HOST = "http://169.254.170.2"
_NOT_HEADER_VALUE = re.compile(r"[^\x20-\x7e\t]")
ALLOWED_HOSTS = frozenset({"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"})
#: botocore's ContainerMetadataFetcher: 2 s timeout, 3 attempts, 1 s apart.
TIMEOUT = 2.0
ATTEMPTS = 3
PAUSE = 1.0


def check_full_uri(url: str) -> None:
    """An https URL, or http to a loopback address or a known container host; and a URL
    a request can be sent to at all (``_urls.py``).  Never quoted: it may carry a token."""
    problem = url_problem(url)
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
    except ValueError:
        raise CredentialsError(
            f"AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL: {problem}"
        ) from None
    if not _allowed(parsed.scheme, host):
        raise CredentialsError(
            f"AWS_CONTAINER_CREDENTIALS_FULL_URI host {host!r} is not allowed: use https, "
            "a loopback address or one of 169.254.170.2, 169.254.170.23, [fd00:ec2::23], "
            "localhost"
        )
    if problem is not None:
        raise CredentialsError(f"AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL: {problem}")


def _allowed(scheme: str, host: str) -> bool:
    if scheme == "https":
        return bool(host)
    if scheme != "http":
        return False
    if host in ALLOWED_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen
class ContainerProvider:
    context: Context
    name = "container"
    pause: float = PAUSE

    def describe(self) -> str:
        return (
            "container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/"
            "AWS_CONTAINER_CREDENTIALS_FULL_URI)"
        )

    def _url(self) -> Optional[str]:
        env = self.context.environ
        relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        if relative:
            # botocore joins them as given; a value not starting with "/" (say
            # "@evil.example/") would move the request, token and all, to another host.
            url = ECS_HOST + relative
            if not relative.startswith("/") or url_problem(url) is not None:
                raise CredentialsError(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path starting with '/'"
                )
            return url
        full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        if full:
            check_full_uri(full)
            return full
        return None

    def _auth_header(self) -> Optional[str]:
        env = self.context.environ
        path = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        if path:
            try:
                with open(path, encoding="utf-8") as handle:  # fresh on every fetch
                    token = handle.read().strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise CredentialsError(
                    f"cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {path}: "
                    f"{getattr(exc, 'strerror', None) or type(exc).__name__}"
                ) from None
        else:
            token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
        if not token:
            return None
        if _NOT_HEADER_VALUE.search(token):  # h11 would quote it in its error
            raise CredentialsError(
                "the container authorization token is not a legal header value (a line "
                "break, a control or a non-ASCII character)"
            )
        return token

    def load(self) -> Flow[Found]:
        url = self._url()
        if url is None:
            return Miss("not set")
        headers = [("Accept", "application/json")]
        token = self._auth_header()
        if token:
            headers.append(("Authorization", token))
        request = HttpRequest(
            "GET", url, tuple(headers), timeouts=Timeouts.of(TIMEOUT), local=True
        )
        what = f"container credentials endpoint {redact_url(url)}"
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            if attempt > 1:
                yield Sleep(self.pause)
            response = yield Send(request)
            if not isinstance(response, HttpResponse):
                problem = f"{response.kind} ({response.detail})"
                continue
            if response.status != 200:
                problem = f"HTTP {response.status}"
                continue
            try:
                data = json.loads(response.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                problem = "answer is not JSON"
                continue
            if not isinstance(data, dict):
                problem = "answer is not a JSON object"
                continue
            creds: Credentials = credentials_from_mapping(data, what=what, source=self.name)
            return creds
        raise CredentialsError(f"{what}: no credentials after {ATTEMPTS} attempts: {problem}")
