"""Paging, written once: a :class:`Pages` cursor decides what to ask for next, a flow
fetches one page, and the sync and async iterators are thin loops over both.

A paginated request is any operation with a ``next_token`` field whose response has
``items`` and ``next_token``.  The cursor stops at a missing or empty token, and refuses
to loop forever on a service that hands back a token it has already given.

A listing can shift between two pages: an execution started between page 1 and page 2
of a newest-first listing pushes the last one of page 1 onto page 2.  A response whose
items have an identity says so with ``item_key(item)``; an item whose key was already
handed out is skipped, so every item comes once, where it was first listed (the bulk
stop would otherwise stop that execution twice, with two tokens, and report it twice).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, Optional, Protocol, TypeVar

import attrs

from ._effects import Flow
from ._flow import CallCore, Deadline, call
from .errors import InvalidResponseError

Item = TypeVar("Item")


class _Runner(Protocol):
    def run(self, flow: Flow[Any]) -> Any: ...


class Pages(Generic[Item]):
    """Which page comes next (pure state; no I/O)."""

    def __init__(self, core: CallCore, request: Any, deadline: Optional[Deadline] = None) -> None:
        self._core = core
        self._deadline = deadline
        self._request: Any = request
        self._next: Optional[Any] = request
        self._seen: set[str] = set()
        self._keys: set[Any] = set()

    def next_flow(self) -> Optional[Flow[Any]]:
        """The flow fetching the next page, or None when there is none."""
        if self._next is None:
            return None
        return call(self._core, self._next, deadline=self._deadline)

    def accept(self, response: Any) -> tuple[Item, ...]:
        """Take a fetched page: returns its items and moves the cursor on."""
        token: Optional[str] = response.next_token
        if not token:
            self._next = None
        elif token in self._seen:
            raise InvalidResponseError(
                f"the service returned the same NextToken twice ({token[:40]!r})"
            )
        else:
            self._seen.add(token)
            self._next = attrs.evolve(self._request, next_token=token)
        items: tuple[Item, ...] = response.items
        key = getattr(response, "item_key", None)
        return items if key is None else tuple(i for i in items if self._first(key(i)))

    def _first(self, key: Any) -> bool:
        """Whether an item with this key is new (one without a key always is)."""
        if key is None:
            return True
        if key in self._keys:
            return False
        self._keys.add(key)
        return True


def all_items(core: CallCore, request: Any) -> Flow[list[Any]]:
    """Every item of every page, as a flow."""
    pages: Pages[Any] = Pages(core, request)
    out: list[Any] = []
    flow = pages.next_flow()
    while flow is not None:
        out.extend(pages.accept((yield from flow)))
        flow = pages.next_flow()
    return out


def iterate(io: _Runner, core: CallCore, request: Any) -> Iterator[Any]:
    """Items one by one, fetching pages as needed (sync)."""
    pages: Pages[Any] = Pages(core, request)
    flow = pages.next_flow()
    while flow is not None:
        yield from pages.accept(io.run(flow))
        flow = pages.next_flow()


async def aiterate(io: Any, core: CallCore, request: Any) -> AsyncIterator[Any]:
    """Items one by one, fetching pages as needed (async)."""
    pages: Pages[Any] = Pages(core, request)
    flow = pages.next_flow()
    while flow is not None:
        for item in pages.accept(await io.run(flow)):
            yield item
        flow = pages.next_flow()
