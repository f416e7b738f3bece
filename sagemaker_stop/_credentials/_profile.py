"""Credentials from the shared config/credentials files' active profile.

In botocore's order for one profile (``ProfileProviderBuilder.providers``, used for
the active profile and for a ``source_profile`` alike): assume-role (``role_arn`` +
``source_profile`` / ``credential_source``; for the active profile that is
:class:`AssumeRoleProvider`, tried before web identity from the environment), web
identity keys, SSO (:mod:`._sso`), static keys from the credentials file, ``aws login``
(``login_session``, :mod:`._login`), ``credential_process``, static keys from the
config file.

An assume-role profile with ``mfa_serial`` asks the client's ``mfa_token_provider``
for the current code (through the :class:`CallUser` effect, so an async client's
coroutine function is awaited and a plain one never blocks the event loop) and sends
``SerialNumber`` / ``TokenCode``; it is asked again at each refresh (like the JS SDK's
``mfaCodeProvider``; botocore refuses to refresh such credentials).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any, Optional

import attrs

from .._effects import CallUser, Flow
from .._settings import Profile
from ..errors import ConfigurationError, CredentialsError
from . import _sts
from ._context import Context
from ._miss import Found, Miss
from ._process import run_credential_process
from ._sso import is_sso_profile, sso_credentials
from ._types import Credentials
from ._web_identity import assume_role_with_web_identity, default_session_name

_KEY_ID = "aws_access_key_id"
_SECRET = "aws_secret_access_key"


def _static(profile: Profile, from_credentials_file: bool) -> Optional[Credentials]:
    keys = profile.credentials_file_keys
    present = [
        key
        for key in (_KEY_ID, _SECRET)
        if profile.get(key) and ((key in keys) == from_credentials_file)
    ]
    if not present:
        return None
    if len(present) == 1:
        missing = _SECRET if present[0] == _KEY_ID else _KEY_ID
        raise CredentialsError(f"profile {profile.name!r} has {present[0]} but not {missing}")
    # The token comes from the same file as the keys (botocore's SharedCredentialProvider
    # / ConfigProvider): a stale token in the other file must not be paired with them.
    token = next(
        (
            profile.get(key)
            for key in ("aws_session_token", "aws_security_token")
            if profile.get(key) and ((key in keys) == from_credentials_file)
        ),
        None,
    )
    return Credentials(
        access_key_id=profile.get(_KEY_ID) or "",
        secret_access_key=profile.get(_SECRET) or "",
        session_token=token or None,
        source="shared-credentials-file" if from_credentials_file else "config-file",
    )


def _sts_signer(source: Credentials, region: Optional[str], clock_value: float) -> Any:
    from .._signing import sign

    def signer(url: str, headers: Sequence[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
        return sign(
            method="POST",
            url=url,
            headers=headers,
            body=body,
            credentials=source,
            region=region or "us-east-1",
            when=_dt.datetime.fromtimestamp(clock_value, tz=_dt.timezone.utc),
            service="sts",
        )

    return signer


def _assumes_role(profile: Profile) -> bool:
    """botocore's AssumeRoleProvider takes a profile with ``role_arn`` unless it is a
    web identity one (``web_identity_token_file``)."""
    return bool(profile.get("role_arn")) and not profile.get("web_identity_token_file")


@attrs.frozen
class AssumeRoleProvider:
    """The active profile's ``role_arn`` + ``source_profile`` / ``credential_source``.

    Separate from :class:`SharedFilesProvider` because botocore tries it before web
    identity from the environment (which comes before the profile's other keys)."""

    context: Context
    name = "assume-role"

    def describe(self) -> str:
        return "assume-role profile (role_arn with source_profile/credential_source)"

    def load(self) -> Flow[Found]:
        profile = self.context.profile()
        if not profile.exists or not _assumes_role(profile):
            return Miss(f"profile {profile.name!r} has no role_arn")
        creds: Credentials = yield from SharedFilesProvider(self.context).assume_role(
            profile, ()
        )
        return creds


@attrs.frozen
class SharedFilesProvider:
    context: Context
    name = "shared-files"

    def describe(self) -> str:
        shared = self.context.shared
        return f"shared files {shared.credentials_file} and {shared.config_file}"

    def load(self) -> Flow[Found]:
        profile = self.context.profile()
        if not profile.exists:
            return Miss(f"no profile {profile.name!r}")
        found: Found = yield from self.resolve(profile, ())
        return found

    def _get_profile(self, name: str, referrer: str) -> Profile:
        profile = self.context.shared.profile(name)
        if not profile.exists:
            raise CredentialsError(
                f"profile {referrer!r} names source_profile {name!r}, which does not "
                f"exist in {self.context.shared.where()}"
            )
        return profile

    def resolve(self, profile: Profile, visited: tuple[str, ...]) -> Flow[Found]:
        """``visited`` is empty for the active profile, else the profiles that led here
        by ``source_profile``."""
        name = profile.name
        # botocore's AssumeRoleProvider: a *source* profile with static keys is a key
        # source (its role_arn is not assumed); the active profile assumes its role.
        as_key_source = bool(visited) and any(
            key in profile.values for key in (_KEY_ID, _SECRET)
        )
        if _assumes_role(profile) and not as_key_source:
            creds: Credentials = yield from self.assume_role(profile, visited)
            return creds
        token_file = profile.get("web_identity_token_file")
        if token_file:
            role_arn = profile.get("role_arn")
            if not role_arn:
                raise CredentialsError(
                    f"profile {name!r} has web_identity_token_file but no role_arn"
                )
            creds = yield from assume_role_with_web_identity(
                self.context,
                token_file=token_file,
                role_arn=role_arn,
                session_name=profile.get("role_session_name"),
                what=f"web identity of profile {name!r}",
                source="web-identity",
            )
            return creds
        if is_sso_profile(profile):
            creds = yield from sso_credentials(self.context, profile)
            return creds
        static = _static(profile, from_credentials_file=True)
        if static is not None:
            return static
        if profile.get("login_session"):
            from ._login import login_credentials

            creds = yield from login_credentials(self.context, profile)
            return creds
        command = profile.get("credential_process")
        if command:
            creds = yield from run_credential_process(command, name)
            return creds
        static = _static(profile, from_credentials_file=False)
        if static is not None:
            return static
        return Miss(f"profile {name!r} has no credentials")

    def _source_credentials(self, profile: Profile, visited: tuple[str, ...]) -> Flow[Credentials]:
        name = profile.name
        source_profile = profile.get("source_profile")
        credential_source = profile.get("credential_source")
        if source_profile and credential_source:
            raise CredentialsError(
                f"profile {name!r} has both source_profile and credential_source; use one"
            )
        if credential_source:
            found: Found = yield from self._credential_source(name, credential_source)
        elif source_profile:
            if source_profile == name:
                # A profile may name itself to use its own static keys.
                static = _static(profile, True) or _static(profile, False)
                if static is None:
                    raise CredentialsError(
                        f"profile {name!r} is its own source_profile but has no static keys"
                    )
                return static
            if source_profile in visited:
                chain = " -> ".join((*visited, name, source_profile))
                raise CredentialsError(f"source_profile loop: {chain}")
            source = self._get_profile(source_profile, name)
            found = yield from self.resolve(source, (*visited, name))
        else:
            raise CredentialsError(
                f"profile {name!r} has role_arn but neither source_profile nor credential_source"
            )
        if isinstance(found, Miss):
            raise CredentialsError(
                f"profile {name!r}: its source of credentials has none ({found.detail})"
            )
        return found

    def _credential_source(self, name: str, kind: str) -> Flow[Found]:
        from ._container import ContainerProvider
        from ._env import EnvironmentProvider
        from ._imds import InstanceMetadataProvider

        providers: dict[str, Any] = {
            "Environment": EnvironmentProvider,
            "EcsContainer": ContainerProvider,
            "Ec2InstanceMetadata": InstanceMetadataProvider,
        }
        provider = providers.get(kind)
        if provider is None:
            raise CredentialsError(
                f"profile {name!r}: unsupported credential_source {kind!r} (use "
                "Environment, EcsContainer or Ec2InstanceMetadata)"
            )
        found: Found = yield from provider(self.context).load()
        return found

    def _mfa_code(self, name: str, serial: str) -> Flow[str]:
        provider = self.context.mfa_token_provider
        if provider is None:
            raise CredentialsError(
                f"profile {name!r} needs an MFA code for {serial} (mfa_serial): pass "
                "mfa_token_provider= to the client (a function from the MFA device's "
                "serial to its current code)"
            )
        code = yield CallUser(provider, (serial,))
        if not isinstance(code, str) or not code.strip():
            raise CredentialsError(
                f"profile {name!r}: the mfa_token_provider gave no MFA code for {serial}"
            )
        return code.strip()

    def assume_role(self, profile: Profile, visited: tuple[str, ...]) -> Flow[Credentials]:
        name = profile.name
        role_arn = profile.get("role_arn") or ""
        source = yield from self._source_credentials(profile, visited)
        params = {
            "RoleArn": role_arn,
            "RoleSessionName": profile.get("role_session_name")
            or default_session_name(self.context),
        }
        external_id = profile.get("external_id")
        if external_id:
            params["ExternalId"] = external_id
        duration = profile.get("duration_seconds")
        if duration:
            if not duration.strip().isdigit():
                raise ConfigurationError(f"profile {name!r}: duration_seconds must be an integer")
            params["DurationSeconds"] = duration.strip()
        mfa_serial = profile.get("mfa_serial")
        if mfa_serial:
            params["SerialNumber"] = mfa_serial
            params["TokenCode"] = yield from self._mfa_code(name, mfa_serial)
        region = self.context.region
        creds: Credentials = yield from _sts.call(
            action="AssumeRole",
            params=params,
            region=region,
            endpoint_url=self.context.sts_endpoint_url(),
            what=f"assume role {role_arn} for profile {name!r}",
            source="assume-role",
            signer=_sts_signer(source, region, self.context.clock()),
            use_fips=self.context.use_fips,
            use_dualstack=self.context.use_dualstack,
        )
        return creds
