"""Each public operation is defined once; both clients expose it through one adapter.

An operation is a function from the client's :class:`CallCore` and the caller's
arguments to a flow (``_calls.py``).  On the class both clients share it is declared as
``name = operation(_calls.name)`` (or ``pages(...)`` for the iterators).  When a shell —
:class:`SyncShell` or :class:`AsyncShell` — is subclassed, every declared operation
becomes a real method of the subclass: a plain method that runs the flow and returns
its value for the sync client, a coroutine method for the async one.  Those methods
carry the function's name, docstring and signature (without the core; the return type
``T`` in place of ``Flow[T]``), so ``help()``, ``inspect.signature`` and
``inspect.iscoroutinefunction`` see ordinary methods; the descriptor's typed
``__get__`` overloads give mypy and IDEs ``T`` for the sync client and ``Awaitable[T]``
for the async one.  No per-call work is added: the methods are made once, at class
creation.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Optional, TypeVar, overload

from ._effects import Flow

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    from ._drive import AsyncIO, SyncIO
    from ._flow import CallCore

    P = ParamSpec("P")
elif sys.version_info >= (3, 10):
    from typing import ParamSpec

    P = ParamSpec("P")
else:  # Python 3.9: only the type checker needs a ParamSpec
    P = TypeVar("P")

T = TypeVar("T")
Item = TypeVar("Item")


class Paged(Generic[Item]):
    """What a paging operation returns: the first page's request; the shells iterate."""

    __slots__ = ("request",)

    def __init__(self, request: Any) -> None:
        self.request = request


class operation(Generic[P, T]):
    """An operation both clients expose: ``fn(core, *args, **kwargs) -> Flow[T]``."""

    def __init__(self, fn: Callable[Concatenate[CallCore, P], Flow[T]]) -> None:
        self.fn = fn

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> operation[P, T]: ...
    @overload
    def __get__(self, instance: SyncShell, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, instance: AsyncShell, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, instance: Any, owner: type[Any]) -> Any:
        if instance is None:
            return self
        raise TypeError(f"{type(instance).__name__} is not a client shell")


class pages(Generic[P, Item]):
    """A paging operation: ``fn(core, *args, **kwargs) -> Paged[Item]``; the sync client
    returns an ``Iterator[Item]``, the async one an ``AsyncIterator[Item]``."""

    def __init__(self, fn: Callable[Concatenate[CallCore, P], Paged[Item]]) -> None:
        self.fn = fn

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> pages[P, Item]: ...
    @overload
    def __get__(self, instance: SyncShell, owner: type[Any]) -> Callable[P, Iterator[Item]]: ...
    @overload
    def __get__(
        self, instance: AsyncShell, owner: type[Any]
    ) -> Callable[P, AsyncIterator[Item]]: ...
    def __get__(self, instance: Any, owner: type[Any]) -> Any:
        if instance is None:
            return self
        raise TypeError(f"{type(instance).__name__} is not a client shell")


def _declared(cls: type) -> dict[str, Any]:
    """The operations declared on ``cls`` or its bases (nearest definition wins)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, (operation, pages)):
                found[name] = value
            elif name in found:
                del found[name]  # overridden by something else further down
    return found


def _returns(annotation: Any, wrapper: Optional[str]) -> Any:
    """``Flow[X]`` / ``Paged[X]`` -> ``X`` (or ``wrapper[X]``) in a (string) annotation."""
    if isinstance(annotation, str):
        for outer in ("Flow[", "Paged["):
            if annotation.startswith(outer) and annotation.endswith("]"):
                inner = annotation[len(outer) : -1]
                return f"{wrapper}[{inner}]" if wrapper else inner
    return annotation


_SIGNATURES: dict[Callable[..., Any], inspect.Signature] = {}


def _dress(
    method: Any, cls: type, name: str, fn: Callable[..., Any], wrapper: Optional[str]
) -> Any:
    """Give ``method`` the name, docstring and signature of ``fn`` (``self`` in place of
    the core; ``T`` — or ``wrapper[Item]`` for a paging one — as the return type)."""
    signature = _SIGNATURES.get(fn)
    if signature is None:  # once per operation, not once per client class
        signature = _SIGNATURES[fn] = inspect.signature(fn)
    params = list(signature.parameters.values())
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = signature.replace(
        parameters=[self_param, *params[1:]],
        return_annotation=_returns(signature.return_annotation, wrapper),
    )
    method.__name__ = name
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    method.__module__ = cls.__module__
    method.__doc__ = fn.__doc__
    return method


class _Shell:
    """What both shells share: every operation declared on a subclass (or its bases)
    becomes a method: made by the shell's :meth:`_method` for a single flow, by
    :func:`_pages_method` with the shell's ``_paging`` iterator for a paging one."""

    _core: CallCore
    _io: Any
    #: Raises if the client has been closed (``_ClientBase`` provides it).
    _check_open: Callable[[], None]
    #: The ``_paging`` function that iterates the pages, and what it returns.
    _pager: ClassVar[str] = ""
    _iterator: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, declared in _declared(cls).items():
            if isinstance(declared, pages):
                method = _pages_method(cls._pager, declared.fn)
                wrapper: Optional[str] = cls._iterator
            else:
                method, wrapper = cls._method(declared.fn), None
            setattr(cls, name, _dress(method, cls, name, declared.fn, wrapper))

    if TYPE_CHECKING:  # each shell defines it

        @staticmethod
        def _method(fn: Callable[..., Any]) -> Callable[..., Any]: ...


def _pages_method(pager: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def iterate(self: _Shell, *args: Any, **kwargs: Any) -> Any:
        from . import _paging

        self._check_open()
        request = fn(self._core, *args, **kwargs).request
        return getattr(_paging, pager)(self._io, self._core, request)

    return iterate


class SyncShell(_Shell):
    """Base of the sync client: runs each operation's flow to its value."""

    _io: SyncIO
    _pager = "iterate"
    _iterator = "Iterator"

    if TYPE_CHECKING:  # the client defines it

        def _run(self, flow: Flow[T]) -> T: ...

    @staticmethod
    def _method(fn: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: SyncShell, *args: Any, **kwargs: Any) -> Any:
            return self._run(fn(self._core, *args, **kwargs))

        return method


class AsyncShell(_Shell):
    """Base of the async client: awaits each operation's flow."""

    _io: AsyncIO
    _pager = "aiterate"
    _iterator = "AsyncIterator"

    if TYPE_CHECKING:  # the client defines it

        async def _run(self, flow: Flow[T]) -> T: ...

    @staticmethod
    def _method(fn: Callable[..., Any]) -> Callable[..., Any]:
        async def method(self: AsyncShell, *args: Any, **kwargs: Any) -> Any:
            return await self._run(fn(self._core, *args, **kwargs))

        return method
