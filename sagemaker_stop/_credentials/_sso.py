"""IAM Identity Center (SSO) role credentials, from the token ``aws sso login`` cached.

As botocore's ``SSOProvider`` / ``SSOCredentialFetcher`` (``credentials.py``),
``SSOTokenLoader`` (``utils.py``) and ``SSOTokenProvider`` (``tokens.py``) do it:

* a profile is an SSO one when it has ``sso_account_id`` or ``sso_role_name``; it then
  needs both, plus ``sso_start_url`` and ``sso_region`` — in the profile (the legacy
  form) or in the ``[sso-session NAME]`` section its ``sso_session`` names (a key in
  both must agree);
* the token is ``~/.aws/sso/cache/<sha1>.json``, the SHA-1 of the session name (or, in
  the legacy form, of the start URL), with ``accessToken`` and ``expiresAt``;
* with a session, a token with less than 15 minutes left is refreshed first: SSO-OIDC
  ``CreateToken`` (grant ``refresh_token``; client id / secret from the cache, unless
  the client registration has expired) and the new token written back to the same
  file, in the AWS CLI's format. A failed refresh is logged and the old token used
  while it lasts. The legacy form never refreshes;
* the role credentials: the portal's ``GetRoleCredentials`` (``GET
  /federation/credentials?role_name=..&account_id=..``, the token in the
  ``x-amz-sso_bearer_token`` header, unsigned); ``expiration`` is in milliseconds.

An expired or missing token is a :class:`CredentialsError` saying what to run
(``aws sso login --sso-session NAME`` / ``--profile NAME``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import urllib.parse
from typing import Any, Optional

import attrs

from .._effects import Flow, HttpRequest, HttpResponse
from .._endpoints import regional_endpoint
from .._settings import Profile
from ..errors import ConfigurationError, CredentialsError
from ._context import Context
from ._types import Credentials
from ._util import parse_expiration, read_json_cache, utc_stamp, write_json_cache
from ._wire import TIMEOUTS, json_body, rest_json_error, send_with_retries

logger = logging.getLogger("sagemaker_stop.credentials")

#: botocore's SSOTokenProvider._REFRESH_WINDOW.
TOKEN_REFRESH_WINDOW = 15 * 60.0
_PROFILE_KEYS = ("sso_role_name", "sso_account_id")
_SSO_KEYS = ("sso_start_url", "sso_region")
_REFRESH_KEYS = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")


def is_sso_profile(profile: Profile) -> bool:
    """botocore's test: ``sso_account_id`` or ``sso_role_name`` present (``sso_session``
    or ``sso_start_url`` alone make a token-only profile, not a credential source)."""
    return any(key in profile.values for key in _PROFILE_KEYS)


@attrs.frozen
class SsoConfig:
    profile: str
    start_url: str
    region: str
    account_id: str
    role_name: str
    #: The ``sso_session`` name; None for the legacy form.
    session: Optional[str] = None

    @property
    def login_command(self) -> str:
        if self.session is not None:
            return f"aws sso login --sso-session {self.session}"
        return f"aws sso login --profile {self.profile}"

    @property
    def cache_key(self) -> str:
        """botocore's ``SSOTokenLoader._generate_cache_key``."""
        name = self.session if self.session is not None else self.start_url
        return hashlib.sha1(name.encode("utf-8")).hexdigest()

    def describe(self) -> str:
        via = f"sso-session {self.session!r}" if self.session else f"start URL {self.start_url}"
        return f"SSO role {self.role_name} in account {self.account_id} ({via})"


def sso_config(profile: Profile, context: Context) -> SsoConfig:
    """The profile's SSO settings, checked as botocore's ``SSOProvider._load_sso_config``
    checks them (a ConfigurationError naming the file, profile and keys)."""
    shared = context.shared
    values: dict[str, Any] = dict(profile.values)
    session = profile.get("sso_session")
    if session is not None:
        block = shared.sso_sessions.get(session)
        if block is None:
            raise ConfigurationError(
                f"profile {profile.name!r} names sso_session {session!r}, but "
                f"{shared.config_file} has no [sso-session {session}] section"
            )
        for key, value in block.items():
            if key in values and values[key] != value:
                raise ConfigurationError(
                    f"the value of {key} differs between profile {profile.name!r} and "
                    f"[sso-session {session}] in {shared.config_file}"
                )
            values[key] = value
    missing = [
        key
        for key in (*_SSO_KEYS, *_PROFILE_KEYS)
        if not isinstance(values.get(key), str) or not values[key]
    ]
    if missing:
        raise ConfigurationError(
            f"profile {profile.name!r} is configured to use SSO (IAM Identity Center) "
            f"but is missing {', '.join(missing)} (in {shared.config_file})"
        )
    return SsoConfig(
        profile=profile.name,
        start_url=values["sso_start_url"],
        region=values["sso_region"],
        account_id=values["sso_account_id"],
        role_name=values["sso_role_name"],
        session=session,
    )


def cache_path(context: Context, config: SsoConfig) -> str:
    return os.path.join(context.home, ".aws", "sso", "cache", config.cache_key + ".json")


def _expires(token: dict[str, Any], what: str) -> float:
    value = token.get("expiresAt")
    if isinstance(value, str) and value.endswith("UTC"):  # older AWS CLI v2 writes it so
        value = value[:-3] + "Z"
    stamp = parse_expiration(value, what)
    if stamp is None:
        raise CredentialsError(f"{what}: the cached token has no expiresAt")
    return stamp.timestamp()


def _load_token(path: str, config: SsoConfig, what: str) -> dict[str, Any]:
    token = read_json_cache(path, what)
    if token is None:
        raise CredentialsError(
            f"{what}: no cached SSO token ({path} does not exist); run "
            f"'{config.login_command}'"
        )
    if not isinstance(token.get("accessToken"), str) or "expiresAt" not in token:
        raise CredentialsError(
            f"{what}: the cached SSO token in {path} is invalid (no accessToken or "
            f"expiresAt); run '{config.login_command}'"
        )
    return token


def _oidc_url(context: Context, config: SsoConfig) -> str:
    base = context.endpoint_url("sso_oidc") or regional_endpoint(
        "oidc", config.region, use_fips=context.use_fips, use_dualstack=context.use_dualstack
    )
    return base.rstrip("/") + "/token"


def _refreshed_token(
    context: Context, config: SsoConfig, token: dict[str, Any], what: str
) -> Flow[Optional[dict[str, Any]]]:
    """SSO-OIDC ``CreateToken`` with the cached refresh token; None (logged) when the
    cache cannot refresh or the service refused (the old token is used while valid)."""
    missing = [key for key in _REFRESH_KEYS if not isinstance(token.get(key), str)]
    if missing:
        logger.info("%s: the SSO token cannot be refreshed (no %s)", what, ", ".join(missing))
        return None
    registration_expires = parse_expiration(token["registrationExpiresAt"], what)
    now = context.clock()
    if registration_expires is not None and registration_expires.timestamp() <= now:
        logger.info("%s: the SSO client registration has expired", what)
        return None
    url = _oidc_url(context, config)
    body = json.dumps(
        {
            "clientId": token["clientId"],
            "clientSecret": token["clientSecret"],
            "grantType": "refresh_token",
            "refreshToken": token["refreshToken"],
        }
    ).encode()
    response = yield from send_with_retries(
        lambda: HttpRequest(
            "POST", url, (("Content-Type", "application/json"),), body, timeouts=TIMEOUTS
        ),
        what=what,
        service="SSO-OIDC",
        error_code=lambda answer: rest_json_error(answer)[0],
    )
    if response.status != 200:
        code, _ = rest_json_error(response)
        logger.warning(
            "%s: refreshing the SSO token failed (HTTP %s, %s)",
            what,
            response.status,
            code or "no error code",
        )
        return None
    data = json_body(response, what)
    access_token, expires_in = data.get("accessToken"), data.get("expiresIn")
    if not isinstance(access_token, str) or not isinstance(expires_in, int):
        logger.warning("%s: the SSO-OIDC CreateToken answer lacks accessToken/expiresIn", what)
        return None
    # Exactly the fields botocore's SSOTokenProvider._attempt_create_token writes.
    fresh: dict[str, Any] = {
        "startUrl": config.start_url,
        "region": config.region,
        "accessToken": access_token,
        "expiresAt": utc_stamp(context.clock() + expires_in),
        "clientId": token["clientId"],
        "clientSecret": token["clientSecret"],
        "registrationExpiresAt": token["registrationExpiresAt"],
    }
    if isinstance(data.get("refreshToken"), str):
        fresh["refreshToken"] = data["refreshToken"]
    logger.debug("%s: SSO token refreshed", what)
    return fresh


def _access_token(context: Context, config: SsoConfig, what: str) -> Flow[str]:
    path = cache_path(context, config)
    token = _load_token(path, config, what)
    expires = _expires(token, what)
    if config.session is not None and expires - context.clock() < TOKEN_REFRESH_WINDOW:
        fresh = yield from _refreshed_token(context, config, token, what)
        if fresh is not None:
            write_json_cache(path, fresh)
            token, expires = fresh, _expires(fresh, what)
    if expires <= context.clock():
        raise CredentialsError(
            f"{what}: the SSO token has expired; run '{config.login_command}'"
        )
    access_token: str = token["accessToken"]
    return access_token


def _portal_url(context: Context, config: SsoConfig) -> str:
    base = context.endpoint_url("sso") or regional_endpoint(
        "portal.sso",
        config.region,
        use_fips=context.use_fips,
        use_dualstack=context.use_dualstack,
    )
    query = urllib.parse.urlencode(
        {"role_name": config.role_name, "account_id": config.account_id}
    )
    return f"{base.rstrip('/')}/federation/credentials?{query}"


def _role_credentials(response: HttpResponse, config: SsoConfig, what: str) -> Credentials:
    if response.status != 200:
        code, message = rest_json_error(response)
        if response.status == 401 or code == "UnauthorizedException":
            raise CredentialsError(
                f"{what}: the SSO session has expired or is otherwise invalid; run "
                f"'{config.login_command}'",
                code=code or "UnauthorizedException",
                http_status=response.status,
            )
        detail = f"{code}: {message}" if code and message else code or "no error code"
        raise CredentialsError(
            f"{what}: GetRoleCredentials failed with HTTP {response.status} ({detail[:300]})",
            code=code or "CredentialsError",
            http_status=response.status,
        )
    role = json_body(response, what).get("roleCredentials")
    if not isinstance(role, dict):
        raise CredentialsError(f"{what}: the GetRoleCredentials answer has no roleCredentials")
    keys = ("accessKeyId", "secretAccessKey", "sessionToken")
    missing = [key for key in keys if not isinstance(role.get(key), str) or not role[key]]
    if missing:
        raise CredentialsError(f"{what}: the GetRoleCredentials answer lacks {', '.join(missing)}")
    expiration = role.get("expiration")
    if not isinstance(expiration, (int, float)) or isinstance(expiration, bool):
        raise CredentialsError(f"{what}: the GetRoleCredentials answer has no expiration")
    try:
        expires = _dt.datetime.fromtimestamp(expiration / 1000.0, _dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise CredentialsError(f"{what}: the expiration is out of range") from None
    return Credentials(
        access_key_id=role["accessKeyId"],
        secret_access_key=role["secretAccessKey"],
        session_token=role["sessionToken"],
        expiration=expires,
        source="sso",
    )


def sso_credentials(context: Context, profile: Profile) -> Flow[Credentials]:
    """The role credentials of an SSO profile (see the module)."""
    config = sso_config(profile, context)
    what = f"profile {profile.name!r}: {config.describe()}"
    token = yield from _access_token(context, config, what)
    url = _portal_url(context, config)
    headers = (("x-amz-sso_bearer_token", token),)
    response = yield from send_with_retries(
        lambda: HttpRequest("GET", url, headers, timeouts=TIMEOUTS),
        what=what,
        service="the IAM Identity Center portal",
        error_code=lambda answer: rest_json_error(answer)[0],
        transient_codes=frozenset({"TooManyRequestsException"}),
    )
    return _role_credentials(response, config, what)
