"""Declarative wire fields: how an attrs attribute maps to an AWS JSON 1.1 member.

An operation class declares each member once::

    pipeline_execution_arn: str = wire("PipelineExecutionArn", validator=...)

and gets ``to_json()`` (request side) and ``from_json()`` (response side) for free, so
adding an operation is a small, obvious change. Parsing never raises anything but
:class:`InvalidResponseError`: a service that sends a number where a string belongs gets
a typed error, not a ``TypeError`` deep inside user code.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Callable, Optional, TypeVar

import attrs

from .errors import InvalidResponseError, ParamValidationError

T = TypeVar("T")
Parser = Callable[[Any, str], Any]

_WIRE = "sagemaker_stop.wire"
_PARSE = "sagemaker_stop.parse"


def wire(
    name: str,
    *,
    parse: Optional[Parser] = None,
    **kwargs: Any,
) -> Any:
    """An attrs field serialised as the JSON member ``name``."""
    return attrs.field(metadata=wire_metadata(name, parse), **kwargs)


def wire_metadata(name: str, parse: Optional[Parser] = None) -> dict[str, Any]:
    """The metadata of :func:`wire`, for fields that must call ``attrs.field`` directly
    (mypy's attrs plugin reads converters only there)."""
    return {_WIRE: name, _PARSE: parse or parse_any}


# --- request side --------------------------------------------------------------------


def to_wire(value: Any) -> Any:
    """A Python value as JSON data (attrs objects by their wire names)."""
    if attrs.has(type(value)):
        return members_to_json(value)
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


#: Per class: (attribute, wire name) of each wire member, in declaration order; and
#: (attribute, wire name, parser) for reading.  Walking ``attrs.fields`` and their
#: metadata once per class, not once per call.
_TO_JSON: dict[type, tuple[tuple[str, str], ...]] = {}
_FROM_JSON: dict[type, tuple[tuple[str, str, Parser], ...]] = {}


def _wire_members(cls: type) -> tuple[tuple[str, str], ...]:
    members = _TO_JSON.get(cls)
    if members is None:
        members = _TO_JSON[cls] = tuple(
            (field.name, field.metadata[_WIRE])
            for field in attrs.fields(cls)
            if field.metadata.get(_WIRE) is not None
        )
    return members


def members_to_json(instance: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute, name in _wire_members(type(instance)):
        value = getattr(instance, attribute)
        if value is not None:
            out[name] = to_wire(value)
    return out


# --- response side -------------------------------------------------------------------


def members_from_json(cls: type[T], body: Mapping[str, Any], **extra: Any) -> T:
    """Build ``cls`` from a JSON object, by wire names; unknown members are ignored."""
    kwargs: dict[str, Any] = dict(extra)
    members = _FROM_JSON.get(cls)
    if members is None:
        members = _FROM_JSON[cls] = tuple(
            (field.name, field.metadata[_WIRE], field.metadata[_PARSE])
            for field in attrs.fields(cls)  # type: ignore[arg-type]
            if field.metadata.get(_WIRE) is not None
        )
    for attribute, name, parse in members:
        raw = body.get(name)
        if raw is not None:
            kwargs[attribute] = parse(raw, name)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise InvalidResponseError(f"cannot read {cls.__name__}: {exc}") from None


def _wrong(name: str, expected: str, raw: Any) -> InvalidResponseError:
    return InvalidResponseError(
        f"member {name} should be {expected}, got {type(raw).__name__}"
    )


def parse_any(raw: Any, name: str) -> Any:
    return raw


def parse_str(raw: Any, name: str) -> str:
    if not isinstance(raw, str):
        raise _wrong(name, "a string", raw)
    return raw


def parse_int(raw: Any, name: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise _wrong(name, "an integer", raw)


def parse_bool(raw: Any, name: str) -> bool:
    if not isinstance(raw, bool):
        raise _wrong(name, "a boolean", raw)
    return raw


def parse_timestamp(raw: Any, name: str) -> datetime.datetime:
    """AWS JSON timestamps are epoch seconds (number); accept ISO 8601 strings too."""
    try:
        if isinstance(raw, bool):
            raise TypeError
        if isinstance(raw, (int, float)):
            return datetime.datetime.fromtimestamp(raw, datetime.timezone.utc)
        if isinstance(raw, str):
            value = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    raise _wrong(name, "a timestamp", raw)


def parse_str_map(raw: Any, name: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise _wrong(name, "a map of strings", raw)
    return dict(raw)


def parse_json_object(raw: Any, name: str) -> dict[str, Any]:
    """A structure kept as the JSON object received (for rarely used, deep shapes: every
    member is there, by its wire name)."""
    if not isinstance(raw, dict):
        raise _wrong(name, "an object", raw)
    return dict(raw)


def parse_object(cls: type[T]) -> Parser:
    """A nested structure."""

    def parse(raw: Any, name: str) -> T:
        if not isinstance(raw, dict):
            raise _wrong(name, "an object", raw)
        return members_from_json(cls, raw)

    return parse


def parse_list(item: Parser) -> Parser:
    """A list whose items are parsed by ``item``; returned as a tuple."""

    def parse(raw: Any, name: str) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise _wrong(name, "a list", raw)
        return tuple(item(entry, name) for entry in raw)

    return parse


# --- validators (raise ParamValidationError, a ValueError, before anything is sent) ---


def check_length(wire_name: str, low: int, high: int) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            raise ParamValidationError(wire_name, "must be a string")
        if not low <= len(value) <= high:
            raise ParamValidationError(
                wire_name,
                f"length must be between {low} and {high} characters (got {len(value)})",
            )

    return check


def check_pattern(wire_name: str, pattern: Any, shown: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is not None and not pattern.fullmatch(value):
            raise ParamValidationError(wire_name, f"must match pattern {shown}")

    return check


def check_enum(wire_name: str, allowed: tuple[str, ...]) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is not None and value not in allowed:
            raise ParamValidationError(wire_name, f"must be one of {', '.join(allowed)}")

    return check


def check_int_range(wire_name: str, low: int, high: int) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamValidationError(wire_name, "must be an integer")
        if not low <= value <= high:
            raise ParamValidationError(
                wire_name, f"must be between {low} and {high} (got {value})"
            )

    return check


def check_aware_datetime(wire_name: str) -> Callable[[Any, Any, Any], None]:
    """A timestamp request member: a timezone-aware ``datetime`` (naive ones are
    ambiguous: local time or UTC?)."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, datetime.datetime):
            raise ParamValidationError(wire_name, "must be a datetime")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ParamValidationError(wire_name, "must be timezone-aware")

    return check


def check_required(wire_name: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            raise ParamValidationError(wire_name, "is required")

    return check
