"""EC2 instance metadata (IMDSv2 only), failing fast off EC2."""

from __future__ import annotations

import json
from typing import Optional, Union

import attrs

from .._effects import Flow, HttpRequest, HttpResponse, Send, Timeouts
from .._settings import check_endpoint_url, env_get, is_true
from ..errors import ConfigurationError
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials
from ._util import credentials_from_mapping

DEFAULT_ENDPOINT = "http://169.254.169.254"
DEFAULT_ENDPOINT_IPV6 = "http://[fd00:ec2::254]"
TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TOKEN_TTL = "21600"


@attrs.frozen
class _Settings:
    endpoint: str
    timeout: float
    attempts: int


@attrs.frozen
class InstanceMetadataProvider:
    context: Context
    name = "ec2-instance-metadata"

    def describe(self) -> str:
        return "EC2 instance metadata (IMDSv2)"

    def _setting(self, env_name: str, key: str) -> Optional[str]:
        return env_get(self.context.environ, env_name) or self.context.profile().get(key)

    def _settings(self) -> _Settings:
        endpoint = self._setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"
        )
        # botocore's resolve_imds_endpoint_mode: ipv4 or ipv6 (any case), else an error.
        mode = self._setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"
        )
        if mode is not None and mode.lower() not in ("ipv4", "ipv6"):
            raise ConfigurationError(
                f"invalid ec2_metadata_service_endpoint_mode / "
                f"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE {mode!r}: expected IPv4 or IPv6"
            )
        if endpoint:
            # botocore's InstanceMetadataFetcher._select_base_url: is_valid_uri.
            check_endpoint_url(endpoint, "ec2_metadata_service_endpoint")
        else:
            endpoint = DEFAULT_ENDPOINT_IPV6 if (mode or "").lower() == "ipv6" else DEFAULT_ENDPOINT
        raw_timeout = self._setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
        raw_attempts = self._setting(
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"
        )
        try:
            timeout = float(raw_timeout) if raw_timeout else 1.0
            attempts = int(raw_attempts) if raw_attempts else 1
        except ValueError:
            raise ConfigurationError(
                "metadata_service_timeout / metadata_service_num_attempts must be numbers"
            ) from None
        return _Settings(endpoint.rstrip("/"), timeout, max(1, attempts))

    def _fetch(
        self,
        settings: _Settings,
        method: str,
        path: str,
        headers: tuple[tuple[str, str], ...],
    ) -> Flow[Union[bytes, str]]:
        """The body of a 200 answer, or a string saying why there is none."""
        request = HttpRequest(
            method,
            settings.endpoint + path,
            headers,
            timeouts=Timeouts.of(settings.timeout),
        )
        problem = ""
        for _ in range(settings.attempts):
            response = yield Send(request)
            if not isinstance(response, HttpResponse):
                problem = f"{response.kind} ({response.detail})"
                continue
            if response.status == 200:
                return response.body
            problem = f"HTTP {response.status} for {path}"
            if response.status < 500:
                break
        return problem

    def load(self) -> Flow[Found]:
        if is_true(env_get(self.context.environ, "AWS_EC2_METADATA_DISABLED")):
            return Miss("disabled by AWS_EC2_METADATA_DISABLED")
        settings = self._settings()
        where = f"at {settings.endpoint}"
        token = yield from self._fetch(
            settings,
            "PUT",
            TOKEN_PATH,
            (("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL),),
        )
        if isinstance(token, str):
            return Miss(f"{where}: no IMDSv2 token: {token}")
        auth = (("x-aws-ec2-metadata-token", token.decode("ascii", "replace")),)
        roles = yield from self._fetch(settings, "GET", ROLE_PATH, auth)
        if isinstance(roles, str):
            return Miss(f"{where}: no instance role: {roles}")
        role = roles.decode("utf-8", "replace").strip().splitlines()
        if not role or not role[0].strip():
            return Miss(f"{where}: no instance role attached")
        body = yield from self._fetch(settings, "GET", ROLE_PATH + role[0].strip(), auth)
        if isinstance(body, str):
            return Miss(f"{where}: no credentials for the role: {body}")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Miss(f"{where}: credentials answer is not JSON")
        if not isinstance(data, dict) or data.get("Code", "Success") != "Success":
            return Miss(f"{where}: the instance role has no usable credentials")
        creds: Credentials = credentials_from_mapping(
            data, what=f"EC2 instance metadata {where}", source=self.name
        )
        return creds
