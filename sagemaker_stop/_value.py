"""The base of internal value types (effects, HTTP requests and answers, retry
decisions, ...): plain ``__slots__`` classes with a hand-written ``__init__``.

Public values are frozen attrs classes; internal ones need no generated code.  Creating
an attrs class compiles its methods at import (about 1 ms each here: two dozen of them
were a sixth of the cold start above the floor of what must load anyway), while these
share one set of methods, defined once below: equality and hashing by the fields
(``_eq = False``: by identity), a ``repr`` without the fields in ``_hidden``, and
``replace`` (``attrs.evolve``'s counterpart, without re-running ``__init__``).  They are
treated as immutable: nothing assigns to a field after ``__init__``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

V = TypeVar("V", bound="Value")


class Value:
    __slots__ = ()
    #: Fields left out of ``repr`` (secrets, callables, environments).
    _hidden: ClassVar[frozenset[str]] = frozenset()
    #: Fields left out of equality and hashing.
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(
            name for klass in reversed(cls.__mro__) for name in vars(klass).get("__slots__", ())
        )

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self._fields if n not in self._uncompared)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self), self._key()))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden
        )
        return f"{type(self).__name__}({shown})"

    def replace(self: V, **changes: Any) -> V:
        """A copy with ``changes`` (field names) applied."""
        new = object.__new__(type(self))
        for name in self._fields:
            value = changes.pop(name) if name in changes else getattr(self, name)
            object.__setattr__(new, name, value)
        if changes:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(changes)}")
        return new


class Identity(Value):
    """A value compared by identity (an answer read off the wire, a failure)."""

    __slots__ = ()
    __eq__ = object.__eq__
    __hash__ = object.__hash__
