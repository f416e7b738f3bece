"""The client configuration: arguments, then environment, then the shared files.

Region, FIPS / dual-stack, endpoint URL, CA bundle and retry settings are read from the
argument, then the environment, then the active profile (see :mod:`._settings` for how
the environment and the shared files are read and the profile is chosen). Anything
needing the network or a process goes through effects (:mod:`sagemaker_stop._credentials`).

Where the profile, region, endpoint URL and CA bundle came from is recorded
(``ClientConfig.sources`` / ``source_of``, as smithy-python's config does) and logged at
DEBUG, never a secret: ``sagemaker-stop config`` and ``--debug`` show it.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional

from ._credentials import default_credential_source
from ._endpoints import service_endpoint, validate_region
from ._retry import LEGACY, RETRY_MODES, STANDARD
from ._settings import (
    Profile,
    SharedConfig,
    active_profile,
    check_endpoint_url,
    configured_endpoint_url,
    default_home,
    endpoint_url_and_source,
    env_get,
    is_true,
)
from ._value import Value
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._credentials._types import Credentials, CredentialSourceProtocol

logger = logging.getLogger("sagemaker_stop.config")

SERVICE_ID = "sagemaker"
DEFAULT_MAX_ATTEMPTS = 3
#: botocore 1.44 ``retryhandler.py`` / ``data/_retry.json``: legacy mode's default.
LEGACY_MAX_ATTEMPTS = 5
DEFAULT_RETRY_MODE = STANDARD


class NoRegionError(ConfigurationError):
    """No region is configured and the request names none (the command line says so in
    terms of its own options)."""


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
    region: Optional[str], environ: Mapping[str, str], shared: SharedConfig, profile: Profile
) -> tuple[Optional[str], str]:
    """The region and where it came from."""
    found, where = _first(region, "region=", environ, ("AWS_REGION", "AWS_DEFAULT_REGION"))
    if not found and profile.get("region"):
        found, where = profile.get("region"), shared.location(profile, "region")
    if found is not None:
        validate_region(found)
    return found, where


def _first(
    argument: Optional[str], name: str, environ: Mapping[str, str], variables: tuple[str, ...]
) -> tuple[Optional[str], str]:
    """The argument, else the first environment variable set."""
    if argument:
        return argument, f"argument {name}"
    for variable in variables:
        value = env_get(environ, variable)
        if value:
            return value, f"environment variable {variable}"
    return None, "not set"


def _profile_source(profile: Optional[str], environ: Mapping[str, str]) -> str:
    found, where = _first(profile, "profile=", environ, ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"))
    return where if found else "default"


def configured_ca_bundle(
    argument: Optional[str], environ: Mapping[str, str], shared: SharedConfig, profile: Profile
) -> tuple[Optional[str], str]:
    """botocore's ``verify``: the argument, ``AWS_CA_BUNDLE``, the profile's
    ``ca_bundle``, then ``REQUESTS_CA_BUNDLE`` (``Endpoint._get_verify_value``). The
    file must exist: a ConfigurationError names the path and where it was set."""
    found, where = _first(argument, "ca_bundle=", environ, ("AWS_CA_BUNDLE",))
    if not found and profile.get("ca_bundle"):
        found, where = profile.get("ca_bundle"), shared.location(profile, "ca_bundle")
    if not found:
        found, where = _first(None, "", environ, ("REQUESTS_CA_BUNDLE",))
    if found and not os.path.isfile(found):
        raise ConfigurationError(f"the CA bundle {found} (from {where}) is not a file")
    return found, where


class ClientConfig(Value):
    """What a client needs to know before its first request.

    ``ca_bundle``: a CA bundle (PEM file) replacing the default trust store for every
    https call; ``sources``: setting -> where its value came from (argument,
    environment variable, file); ``sqs_endpoint_url``: the SQS endpoint given as an
    argument (None: the configured one, if any); ``configured_endpoint``: a service's
    configured endpoint URL (``AWS_ENDPOINT_URL_<ID>``, the profile's ``services``
    section ...), looked up when first needed: as with botocore, a broken ``services``
    setting fails only the clients of the services it concerns."""

    __slots__ = (
        "ca_bundle", "configured_endpoint", "credential_source", "endpoint_url",
        "max_attempts", "profile", "region", "retry_mode", "sources", "sqs_endpoint_url",
        "use_dualstack", "use_fips",
    )
    _hidden = frozenset({"configured_endpoint"})
    _uncompared = frozenset({"configured_endpoint", "credential_source", "sources"})

    def __init__(
        self,
        region: Optional[str],
        endpoint_url: Optional[str],
        use_fips: bool,
        use_dualstack: bool,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_mode: str = DEFAULT_RETRY_MODE,
        profile: Optional[str] = None,
        credential_source: Optional[CredentialSourceProtocol] = None,
        ca_bundle: Optional[str] = None,
        sources: Optional[Mapping[str, str]] = None,
        sqs_endpoint_url: Optional[str] = None,
        configured_endpoint: Optional[Callable[[str], Optional[str]]] = None,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.use_fips = use_fips
        self.use_dualstack = use_dualstack
        self.max_attempts = max_attempts
        self.retry_mode = retry_mode
        self.profile = profile
        self.credential_source = credential_source
        self.ca_bundle = ca_bundle
        self.sources = {} if sources is None else sources
        self.sqs_endpoint_url = sqs_endpoint_url
        self.configured_endpoint = configured_endpoint

    def source_of(self, setting: str) -> str:
        """Where ``setting`` (profile, region, endpoint_url, ca_bundle) came from."""
        return self.sources.get(setting, "default")

    def _endpoint_url(self, service: str) -> Optional[str]:
        if service == SERVICE_ID:
            return self.endpoint_url
        found = self.sqs_endpoint_url
        if found is None and self.configured_endpoint is not None:
            found = self.configured_endpoint(service)
        return None if found is None else check_endpoint_url(found)

    def endpoint_for(
        self, region_hint: Optional[str] = None, service: str = SERVICE_ID
    ) -> tuple[str, str]:
        """``(url, signing_region)`` for a request to ``service`` (``sagemaker`` or
        ``sqs``). The hint (the region in the pipeline execution ARN or the queue URL)
        is used only when no region is configured."""
        region = self.region or region_hint
        if not region:
            raise NoRegionError(
                "no AWS region: pass region= to the client, set AWS_REGION or "
                "AWS_DEFAULT_REGION, add 'region = ...' to your AWS config profile, "
                "or use a full pipeline execution ARN (or SQS queue URL)"
            )
        validate_region(region)
        configured = self._endpoint_url(service)
        if configured:
            if self.use_fips:
                raise ConfigurationError(
                    "FIPS and a custom endpoint_url are not supported together"
                )
            if self.use_dualstack:
                raise ConfigurationError(
                    "dual-stack and a custom endpoint_url are not supported together"
                )
            return configured, region
        url = service_endpoint(
            service, region, use_fips=self.use_fips, use_dualstack=self.use_dualstack
        )
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
    ca_bundle: Optional[str] = None,
    mfa_token_provider: Optional[Callable[[str], Any]] = None,
    sqs_endpoint_url: Optional[str] = None,
    retry_mode: Optional[str] = None,
) -> ClientConfig:
    """Read arguments, environment and shared files into a :class:`ClientConfig`."""
    env: Mapping[str, str] = dict(os.environ) if environ is None else environ
    home = home if home is not None else default_home(env)
    shared = SharedConfig.load(env, home)
    active = active_profile(shared, profile, env)
    chosen_region, region_source = configured_region(region, env, shared, active)

    if endpoint_url is None:
        endpoint_url, endpoint_source = endpoint_url_and_source(SERVICE_ID, env, shared, active)
    else:
        endpoint_source = "argument endpoint_url="
    if endpoint_url is not None:
        check_endpoint_url(endpoint_url)
    if sqs_endpoint_url is not None:
        check_endpoint_url(sqs_endpoint_url)
    chosen_ca_bundle, ca_bundle_source = configured_ca_bundle(ca_bundle, env, shared, active)
    sources = {
        "profile": _profile_source(profile, env),
        "region": region_source,
        "endpoint_url": endpoint_source,
        "ca_bundle": ca_bundle_source,
    }
    values = {
        "profile": active.name,
        "region": chosen_region,
        "endpoint_url": endpoint_url,
        "ca_bundle": chosen_ca_bundle,
    }
    for setting, where in sources.items():
        logger.debug("%s = %r (from %s)", setting, values[setting], where)

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
        mfa_token_provider=mfa_token_provider,
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
        ca_bundle=chosen_ca_bundle,
        sources=sources,
        sqs_endpoint_url=sqs_endpoint_url,
        configured_endpoint=functools.partial(
            configured_endpoint_url, environ=env, shared=shared, profile=active
        ),
    )
