"""Small helpers shared by the providers."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any, Optional, TypeVar

from .._effects import Flow
from ..errors import CredentialsError
from ._types import Credentials

T = TypeVar("T")

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def pure(value: T) -> Flow[T]:
    """A flow that needs no effects."""
    return value
    yield  # pragma: no cover  (makes this a generator)


def parse_expiration(value: Any, what: str) -> Optional[_dt.datetime]:
    """An ISO 8601 timestamp (``2024-01-01T00:00:00Z``, fractions, offsets) as UTC."""
    if value is None or value == "":
        return None
    match = _ISO.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise CredentialsError(f"{what}: Expiration is not an ISO 8601 timestamp")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        tz = _dt.timezone.utc
        if zone and zone.upper() != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if minutes > 59:
                raise ValueError("minutes of the offset out of range")
            # timezone() itself refuses offsets of 24 hours or more.
            tz = _dt.timezone(sign * _dt.timedelta(hours=hours, minutes=minutes))
        stamp = _dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            micro,
            tzinfo=tz,
        )
        return stamp.astimezone(_dt.timezone.utc)
    except (ValueError, OverflowError):
        # Out-of-range fields or offset, or a date that leaves datetime's range in UTC.
        raise CredentialsError(f"{what}: Expiration is not a valid timestamp") from None


def credentials_from_mapping(
    data: Mapping[str, Any],
    *,
    what: str,
    source: str,
    token_key: str = "Token",
) -> Credentials:
    """``AccessKeyId`` / ``SecretAccessKey`` / token / ``Expiration`` from a JSON
    object. Messages name the missing keys, never their values."""
    missing = [
        key
        for key in ("AccessKeyId", "SecretAccessKey")
        if not isinstance(data.get(key), str) or not data.get(key)
    ]
    if missing:
        raise CredentialsError(f"{what}: answer lacks {', '.join(missing)}")
    token = data.get(token_key)
    if token is not None and not isinstance(token, str):
        raise CredentialsError(f"{what}: {token_key} is not a string")
    return Credentials(
        access_key_id=data["AccessKeyId"],
        secret_access_key=data["SecretAccessKey"],
        session_token=token or None,
        expiration=parse_expiration(data.get("Expiration"), what),
        source=source,
    )
