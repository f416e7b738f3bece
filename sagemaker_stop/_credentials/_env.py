"""Credentials from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``."""

from __future__ import annotations

from .._effects import Flow
from .._value import Value
from ..errors import CredentialsError
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials
from ._util import parse_expiration, pure


class EnvironmentProvider(Value):
    __slots__ = ("context",)
    name = "environment"

    def __init__(self, context: Context) -> None:
        self.context = context

    def describe(self) -> str:
        return "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"

    def load(self) -> Flow[Found]:
        return pure(self.read())

    def read(self) -> Found:
        env = self.context.environ
        access_key = env.get("AWS_ACCESS_KEY_ID", "")
        if not access_key:
            return Miss("not set")
        secret = env.get("AWS_SECRET_ACCESS_KEY", "")
        if not secret:
            raise CredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None
        return Credentials(
            access_key_id=access_key,
            secret_access_key=secret,
            session_token=token,
            expiration=parse_expiration(
                env.get("AWS_CREDENTIAL_EXPIRATION"), "AWS_CREDENTIAL_EXPIRATION"
            ),
            source=self.name,
        )
