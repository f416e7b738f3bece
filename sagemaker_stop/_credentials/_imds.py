"""EC2 instance metadata (IMDSv2 only), failing fast off EC2.

Its requests are ``local``: sent straight to the link-local endpoint, never through a
proxy.  This differs from botocore on purpose: its ``IMDSFetcher`` passes the
environment's proxies (``utils.py``: ``proxies=get_environ_proxies(base_url)``), which
is why the AWS CLI guide tells users behind a proxy on EC2 to set
``NO_PROXY=169.254.169.254``; a link-local address is not reachable through a proxy
anyway (RFC 3927), and the IMDSv2 token has no business there.

Static stability, as every AWS SDK does it: credentials that arrive expired (instance
metadata may serve the last ones during an outage, and the service keeps honouring
them) get a new expiry 5-10 minutes away, with a warning, instead of being refused —
botocore ``utils.py`` ``_evaluate_expiration``, aws-sdk-js-v3
``getExtendedInstanceMetadataCredentials`` (5 min + up to 5 min of jitter),
aws-config's ``imds/credentials.rs``.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import random
import re
from typing import Callable, Optional, Union

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
#: Static stability: expired credentials are used for 5 minutes plus up to 5 more.
EXTENSION = 300.0
EXTENSION_JITTER = 300.0
#: A little more than the cache's expiry margin, so "expired" means the same to both.
_EXPIRED_WITHIN = 15.0

logger = logging.getLogger("sagemaker_stop.credentials")
#: What a token and a role name may hold: visible ASCII (a token goes into a header),
#: IAM's role name characters (the name goes into the path).
_TOKEN = re.compile(r"[\x21-\x7e]{1,4096}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,128}")


@attrs.frozen
class _Settings:
    endpoint: str
    timeout: float
    attempts: int


def extended(
    credentials: Credentials, now: float, jitter: Callable[[], float] = random.random
) -> Credentials:
    """``credentials`` as they are, or, when they have (all but) expired, with a new
    expiry 5-10 minutes from ``now`` (static stability)."""
    expires = credentials.expiry_timestamp()
    if expires is None or expires - _EXPIRED_WITHIN > now:
        return credentials
    extension = EXTENSION + EXTENSION_JITTER * jitter()
    logger.warning(
        "Attempting credential expiration extension due to a credential service "
        "availability issue. A refresh of these credentials will be attempted again "
        "within the next %.0f minutes.",
        extension / 60,
    )
    later = _dt.datetime.fromtimestamp(now + extension, _dt.timezone.utc)
    return attrs.evolve(credentials, expiration=later)


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
            timeout = math.nan
        if not (0 < timeout < math.inf):
            raise ConfigurationError(
                "metadata_service_timeout / metadata_service_num_attempts must be numbers "
                "(a timeout of seconds > 0)"
            )
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
            local=True,
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
        text = token.decode("latin-1").strip()
        if not _TOKEN.fullmatch(text):
            return Miss(f"{where}: the IMDSv2 token is not a legal header value")
        auth = (("x-aws-ec2-metadata-token", text),)
        roles = yield from self._fetch(settings, "GET", ROLE_PATH, auth)
        if isinstance(roles, str):
            return Miss(f"{where}: no instance role: {roles}")
        role = roles.decode("utf-8", "replace").strip().splitlines()
        if not role or not role[0].strip():
            return Miss(f"{where}: no instance role attached")
        name = role[0].strip()
        if not _ROLE_NAME.fullmatch(name):
            return Miss(f"{where}: the instance role's name is not an IAM role name")
        body = yield from self._fetch(settings, "GET", ROLE_PATH + name, auth)
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
        return extended(creds, self.context.clock())
