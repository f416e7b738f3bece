"""The container credentials endpoint (ECS task roles, EKS Pod Identity)."""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from typing import Optional

import attrs

from .._effects import Flow, HttpRequest, HttpResponse, Send, Sleep, Timeouts
from ..errors import CredentialsError
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials
from ._util import credentials_from_mapping

ECS_HOST = "http://169.254.170.2"
ALLOWED_HOSTS = frozenset({"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"})
#: botocore's ContainerMetadataFetcher: 2 s timeout, 3 attempts, 1 s apart.
TIMEOUT = 2.0
ATTEMPTS = 3
PAUSE = 1.0


def check_full_uri(url: str) -> None:
    try:
        parsed = urllib.parse.urlparse(url)
        host = parsed.hostname or ""
        parsed.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        # Not quoted: a URL may carry a token.
        raise CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL") from None
    if parsed.scheme == "https" and host:
        return
    if parsed.scheme == "http":
        if host in ALLOWED_HOSTS:
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise CredentialsError(
        f"AWS_CONTAINER_CREDENTIALS_FULL_URI host {host!r} is not allowed: use https, "
        "a loopback address or one of 169.254.170.2, 169.254.170.23, [fd00:ec2::23], "
        "localhost"
    )


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
            return ECS_HOST + relative
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
        if "\r" in token or "\n" in token:
            raise CredentialsError("the container authorization token is not a legal header value")
        return token

    def load(self) -> Flow[Found]:
        url = self._url()
        if url is None:
            return Miss("not set")
        headers = [("Accept", "application/json")]
        token = self._auth_header()
        if token:
            headers.append(("Authorization", token))
        request = HttpRequest("GET", url, tuple(headers), timeouts=Timeouts.of(TIMEOUT))
        what = f"container credentials endpoint {url}"
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
