"""Small helpers shared by the providers."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import re
import tempfile
from collections.abc import Mapping
from typing import Any, Optional, TypeVar

from .._effects import Flow
from ..errors import CredentialsError
from ._types import Credentials

T = TypeVar("T")

logger = logging.getLogger("sagemaker_stop.credentials")

#: Compiled on first use (re's cache), not at import.
_ISO = (
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def pure(value: T) -> Flow[T]:
    """A flow that needs no effects."""
    return value
    yield  # pragma: no cover  (makes this a generator)


def parse_expiration(value: Any, what: str) -> Optional[_dt.datetime]:
    """An ISO 8601 timestamp (``2024-01-01T00:00:00Z``, fractions, offsets) as UTC."""
    if value is None or value == "":
        return None
    match = re.match(_ISO, value.strip(), re.IGNORECASE) if isinstance(value, str) else None
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


def json_object(raw: bytes, not_json: str, not_object: str) -> dict[str, Any]:
    """``raw`` decoded as a JSON object; otherwise ``CredentialsError(not_json)`` or
    ``CredentialsError(not_object)`` (the text is never quoted: it may hold secrets)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CredentialsError(not_json) from None
    if not isinstance(data, dict):
        raise CredentialsError(not_object)
    return data


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


def read_json_cache(path: str, what: str) -> Optional[dict[str, Any]]:
    """A token cache file the AWS CLI wrote (``~/.aws/sso/cache/...``,
    ``~/.aws/login/cache/...``): its JSON object, None if there is no file. Read afresh
    every time: another process (``aws sso login``, a refresh) may have replaced it."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(
            f"{what}: cannot read {path}: {getattr(exc, 'strerror', None) or type(exc).__name__}"
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialsError(f"{what}: {path} is not valid JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{what}: {path} is not a JSON object")
    return data


def write_json_cache(path: str, data: Mapping[str, Any]) -> None:
    """Replace a token cache file the way botocore's ``JSONFileCache`` does: a private
    temporary file in the same folder, flushed, then renamed over the old one (readers
    never see half a file). A failure is logged, not raised: the refreshed token is
    still good for this process (aws-sdk-rust does the same)."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(data))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        logger.warning(
            "could not save the refreshed token to %s: %s",
            path,
            getattr(exc, "strerror", None) or type(exc).__name__,
        )


def utc_stamp(timestamp: float) -> str:
    """``2024-01-01T00:00:00Z``: how botocore and the AWS CLI write cache timestamps."""
    return _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
