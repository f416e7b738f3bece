"""Credentials and the interface every credential source offers the client."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Awaitable
from typing import Any, Callable, Optional, Protocol, TypeVar

import attrs

from .._effects import Flow
from .._value import Value

T = TypeVar("T")

#: Runs an effect generator to completion synchronously and returns its value.
RunFlow = Callable[[Flow[Any]], Any]
#: Runs an effect generator to completion asynchronously.
RunFlowAsync = Callable[[Flow[Any]], Awaitable[Any]]


def _utc(value: Optional[_dt.datetime]) -> Optional[_dt.datetime]:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"Credentials.{attribute.name} must be a non-empty string")


@attrs.frozen(repr=False)
class Credentials:
    """AWS credentials. ``expiration`` (UTC) is None for long-term keys.

    The repr and str never show key material, only where the credentials came from
    and when they expire.
    """

    access_key_id: str = attrs.field(validator=_non_empty)
    secret_access_key: str = attrs.field(validator=_non_empty)
    session_token: Optional[str] = None
    expiration: Optional[_dt.datetime] = attrs.field(default=None, converter=_utc)
    #: Which provider produced them ("environment", "shared-credentials-file", ...).
    source: str = attrs.field(default="explicit", eq=False)

    def __repr__(self) -> str:
        exp = self.expiration.isoformat() if self.expiration else None
        return f"Credentials(source={self.source!r}, expiration={exp!r})"

    __str__ = __repr__

    def expiry_timestamp(self) -> Optional[float]:
        """Expiration as a POSIX timestamp, or None."""
        return self.expiration.timestamp() if self.expiration else None


class CredentialSourceProtocol(Protocol):
    """What the client calls to get credentials for each request."""

    def get_sync(self, run_flow: RunFlow, force_refresh: bool = False) -> Credentials: ...

    async def get_async(
        self, run_flow_async: RunFlowAsync, force_refresh: bool = False
    ) -> Credentials: ...


class StaticCredentialSource(Value):
    """Always the same credentials (``credentials=`` passed to the client)."""

    __slots__ = ("credentials",)

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def get_sync(self, run_flow: RunFlow, force_refresh: bool = False) -> Credentials:
        return self.credentials

    async def get_async(
        self, run_flow_async: RunFlowAsync, force_refresh: bool = False
    ) -> Credentials:
        return self.credentials

    def describe(self) -> str:
        return "credentials= given to the client"
