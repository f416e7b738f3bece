"""The client configuration: arguments, then environment, then the shared files.

Region, FIPS / dual-stack, endpoint URL and retry settings are read from the argument,
then the environment, then the active profile (see :mod:`._settings` for how the
environment and the shared files are read and the profile is chosen). Anything needing
the network or a process goes through effects (:mod:`sagemaker_stop._credentials`).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Optional

import attrs

from ._credentials import default_credential_source
from ._endpoints import resolve_endpoint, validate_region
from ._retry import LEGACY, RETRY_MODES, STANDARD
from ._settings import (
    Profile,
    SharedConfig,
    active_profile,
    configured_endpoint_url,
    default_home,
    env_get,
    is_true,
)
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._credentials._types import Credentials, CredentialSourceProtocol

SERVICE_ID = "sagemaker"
DEFAULT_MAX_ATTEMPTS = 3
#: botocore 1.44 ``retryhandler.py`` / ``data/_retry.json``: legacy mode's default.
LEGACY_MAX_ATTEMPTS = 5
DEFAULT_RETRY_MODE = STANDARD


def check_endpoint_url(url: str) -> str:
    """botocore's ``is_valid_endpoint_url``, roughly: an http(s) URL with a host."""
    try:
        parsed = urllib.parse.urlsplit(url)
        valid = parsed.scheme.lower() in ("http", "https") and bool(parsed.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise ConfigurationError(
            f"invalid endpoint_url {url!r}: expected http(s)://host[:port][/path]"
        )
    return url


def _bool_setting(
    argument: Optional[bool],
    environ: Mapping[str, str],
    env_name: str,
    profile: Profile,
    key: str,
) -> bool:
    if argument is not None:
        return bool(argument)
    value = env_get(environ, env_name)
    if value is None:
        value = profile.get(key)
    return is_true(value)


def _int_setting(name: str, value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from None
    if number < 1:
        raise ConfigurationError(f"{name} must be at least 1, got {number}")
    return number


def _retry_mode(argument: Optional[str], environ: Mapping[str, str], profile: Profile) -> str:
    """``retry_mode=`` -> ``AWS_RETRY_MODE`` -> the profile's ``retry_mode`` -> standard
    (botocore ``args.py``).  Case-sensitive, as botocore ``client._register_retries``
    compares them; an unknown value is refused here (botocore would register no retry
    handler at all)."""
    raw = argument
    if raw is None:
        raw = env_get(environ, "AWS_RETRY_MODE") or profile.get("retry_mode")
    mode = raw.strip() if isinstance(raw, str) else raw
    if not mode:
        mode = DEFAULT_RETRY_MODE
    if mode not in RETRY_MODES:
        raise ConfigurationError(
            f"retry_mode must be one of {', '.join(RETRY_MODES)}, got {raw!r}"
        )
    return mode


def configured_region(
    region: Optional[str], environ: Mapping[str, str], profile: Profile
) -> Optional[str]:
    found = region or env_get(environ, "AWS_REGION", "AWS_DEFAULT_REGION")
    if not found:
        found = profile.get("region") or None
    if found is not None:
        validate_region(found)
    return found


@attrs.frozen
class ClientConfig:
    """What a client needs to know before its first request."""

    region: Optional[str]
    endpoint_url: Optional[str]
    use_fips: bool
    use_dualstack: bool
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_mode: str = DEFAULT_RETRY_MODE
    profile: Optional[str] = None
    credential_source: Optional[CredentialSourceProtocol] = attrs.field(default=None, eq=False)

    def endpoint_for(self, region_hint: Optional[str] = None) -> tuple[str, str]:
        """``(url, signing_region)`` for a request. The hint (e.g. the region in the
        pipeline execution ARN) is used only when no region is configured."""
        region = self.region or region_hint
        if not region:
            raise ConfigurationError(
                "no AWS region: pass region= to the client, set AWS_REGION or "
                "AWS_DEFAULT_REGION, add 'region = ...' to your AWS config profile, "
                "or use a full pipeline execution ARN"
            )
        validate_region(region)
        if self.endpoint_url:
            if self.use_fips:
                raise ConfigurationError(
                    "FIPS and a custom endpoint_url are not supported together"
                )
            if self.use_dualstack:
                raise ConfigurationError(
                    "dual-stack and a custom endpoint_url are not supported together"
                )
            return self.endpoint_url, region
        url = resolve_endpoint(region, use_fips=self.use_fips, use_dualstack=self.use_dualstack)
        return url, region


def resolve_config(
    *,
    region: Optional[str] = None,
    profile: Optional[str] = None,
    endpoint_url: Optional[str] = None,
    use_fips: Optional[bool] = None,
    use_dualstack: Optional[bool] = None,
    max_attempts: Optional[int] = None,
    credentials: Optional[Credentials] = None,
    environ: Optional[Mapping[str, str]] = None,
    home: Optional[str] = None,
    retry_mode: Optional[str] = None,
) -> ClientConfig:
    """Read arguments, environment and shared files into a :class:`ClientConfig`."""
    env: Mapping[str, str] = dict(os.environ) if environ is None else environ
    home = home if home is not None else default_home(env)
    shared = SharedConfig.load(env, home)
    active = active_profile(shared, profile, env)
    chosen_region = configured_region(region, env, active)

    if endpoint_url is None:
        endpoint_url = configured_endpoint_url(SERVICE_ID, env, shared, active)
    if endpoint_url is not None:
        check_endpoint_url(endpoint_url)

    mode = _retry_mode(retry_mode, env, active)
    if max_attempts is None:
        raw = env_get(env, "AWS_MAX_ATTEMPTS") or active.get("max_attempts")
        default = LEGACY_MAX_ATTEMPTS if mode == LEGACY else DEFAULT_MAX_ATTEMPTS
        attempts = default if raw is None else _int_setting("max_attempts", raw)
    else:
        attempts = _int_setting("max_attempts", max_attempts)

    fips = _bool_setting(use_fips, env, "AWS_USE_FIPS_ENDPOINT", active, "use_fips_endpoint")
    dualstack = _bool_setting(
        use_dualstack,
        env,
        "AWS_USE_DUALSTACK_ENDPOINT",
        active,
        "use_dualstack_endpoint",
    )
    source = default_credential_source(
        credentials=credentials,
        profile=profile,
        environ=env,
        home=home,
        config=shared,
        region=chosen_region,
        use_fips=fips,
        use_dualstack=dualstack,
    )
    return ClientConfig(
        region=chosen_region,
        endpoint_url=endpoint_url,
        use_fips=fips,
        use_dualstack=dualstack,
        max_attempts=attempts,
        retry_mode=mode,
        profile=active.name,
        credential_source=source,
    )
