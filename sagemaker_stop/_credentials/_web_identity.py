"""``AssumeRoleWithWebIdentity`` from ``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN``
(or the same keys in the active profile), as botocore does."""

from __future__ import annotations

from typing import Optional

import attrs

from .._effects import Flow
from .._settings import Profile
from ..errors import CredentialsError
from . import _sts
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials

_ENV = {
    "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
    "role_arn": "AWS_ROLE_ARN",
    "role_session_name": "AWS_ROLE_SESSION_NAME",
}


def default_session_name(context: Context) -> str:
    return f"sagemaker-stop-session-{int(context.clock())}"


def read_token(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(
            f"{what}: cannot read the web identity token file {path}: "
            f"{getattr(exc, 'strerror', None) or type(exc).__name__}"
        ) from None


def assume_role_with_web_identity(
    context: Context,
    *,
    token_file: str,
    role_arn: str,
    session_name: Optional[str],
    what: str,
    source: str,
) -> Flow[Credentials]:
    token = read_token(token_file, what)  # read afresh on every refresh
    params = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name or default_session_name(context),
        "WebIdentityToken": token,
    }
    creds: Credentials = yield from _sts.call(
        action="AssumeRoleWithWebIdentity",
        params=params,
        region=context.region,
        endpoint_url=context.sts_endpoint_url(),
        what=what,
        source=source,
        use_fips=context.use_fips,
        use_dualstack=context.use_dualstack,
    )
    return creds


@attrs.frozen
class WebIdentityProvider:
    context: Context
    name = "web-identity"

    def describe(self) -> str:
        return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN)"

    def _get(self, key: str, profile: Profile) -> Optional[str]:
        if self.context.explicit_profile is None:
            value = self.context.environ.get(_ENV[key])
            if value:
                return value
        return profile.get(key) or None

    def load(self) -> Flow[Found]:
        profile = self.context.profile()
        token_file = self._get("web_identity_token_file", profile)
        if not token_file:
            return Miss("not set")
        role_arn = self._get("role_arn", profile)
        if not role_arn:
            raise CredentialsError(
                "web identity is configured (web_identity_token_file / "
                "AWS_WEB_IDENTITY_TOKEN_FILE) but no role ARN: set AWS_ROLE_ARN or "
                f"role_arn in profile {profile.name!r}"
            )
        creds: Credentials = yield from assume_role_with_web_identity(
            self.context,
            token_file=token_file,
            role_arn=role_arn,
            session_name=self._get("role_session_name", profile),
            what=f"web identity for role {role_arn}",
            source=self.name,
        )
        return creds
