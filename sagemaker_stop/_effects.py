"""The vocabulary between the pure core and the two I/O shells.

Everything that decides (what to send, how to sign, whether to retry, how to read an
answer, where credentials come from) is written as a generator that *yields effects* and
*receives their results*::

    response = yield Send(request)       # -> HttpResponse | TransportFailure
    yield Sleep(0.25)                     # -> None
    creds = yield GetCredentials()        # -> Credentials (or the error is thrown in)
    result = yield RunProcess(argv)       # -> ProcessResult
    outcomes = yield Gather(flows, 8)     # -> [value or exception, ...]

The sync driver performs effects with ``httpx.Client`` / ``time.sleep`` / ``subprocess``;
the async driver with ``httpx.AsyncClient`` / ``asyncio.sleep`` / asyncio subprocesses
(see ``_drive.py``). The same generator runs under both, so no logic is written twice.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Optional, TypeVar, Union

import attrs

from .errors import (
    ResponseTooLargeError,
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
)

T = TypeVar("T")


@attrs.frozen
class Timeouts:
    """Per-phase timeouts in seconds (None: wait forever)."""

    connect: Optional[float] = 10.0
    read: Optional[float] = 10.0
    write: Optional[float] = 10.0
    pool: Optional[float] = 10.0

    @classmethod
    def of(cls, value: Union[float, Timeouts, None]) -> Timeouts:
        if isinstance(value, Timeouts):
            return value
        return cls(value, value, value, value)


@attrs.frozen
class HttpRequest:
    """A request ready for the wire: the shells send exactly these bytes."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    #: None: the shell's client default.
    timeouts: Optional[Timeouts] = None


@attrs.frozen(eq=False)
class HttpResponse:
    """An answer as read off the wire. Header names are lower-case."""

    status: int
    headers: Mapping[str, str]
    body: bytes


#: Transport failure kinds and whether they are timeouts.
_TIMEOUT_KINDS = {
    "connect_timeout": "connect",
    "read_timeout": "read",
    "write_timeout": "write",
    "pool_timeout": "pool",
}


@attrs.frozen(eq=False)
class TransportFailure:
    """No (complete) answer. ``kind`` is one of: connect, connect_timeout, read,
    read_timeout, write, write_timeout, pool_timeout, protocol, too_large."""

    kind: str
    detail: str
    cause: Optional[BaseException] = attrs.field(default=None, repr=False)

    def to_error(self) -> SageMakerError:
        """The typed exception users see; the original exception is its ``__cause__``."""
        error: SageMakerError
        if self.kind in _TIMEOUT_KINDS:
            phase = _TIMEOUT_KINDS[self.kind]
            error = SageMakerTimeoutError(
                f"{phase} timeout: {self.detail}", phase=phase
            )
        elif self.kind == "too_large":
            error = ResponseTooLargeError(self.detail)
        else:
            error = SageMakerConnectionError(f"{self.kind} error: {self.detail}")
        error.__cause__ = self.cause
        return error


@attrs.frozen
class ProcessResult:
    returncode: int
    stdout: bytes
    stderr: bytes


# --- effects -------------------------------------------------------------------------


@attrs.frozen
class Send:
    """Send ``request``; the result is an :class:`HttpResponse` or a
    :class:`TransportFailure` (never an exception)."""

    request: HttpRequest
    #: Refuse (as ``TransportFailure("too_large")``) bodies larger than this.
    max_body: int = 4 * 1024 * 1024


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class GetCredentials:
    """Ask the shell's credential source; ``force_refresh`` after the service rejected
    the cached ones as expired."""

    force_refresh: bool = False


@attrs.frozen
class RunProcess:
    argv: tuple[str, ...]
    timeout: Optional[float] = 60.0
    #: Bytes fed to its stdin (None: it inherits ours).
    stdin: Optional[bytes] = None
    #: Its whole environment (None: ours).  Never shown: it may hold credentials.
    env: Optional[Mapping[str, str]] = attrs.field(default=None, eq=False, repr=False)
    #: The shell may cancel it: it runs in a process group of its own, and a
    #: cancellation sends SIGTERM to that group, then SIGKILL after ``grace`` seconds.
    cancellable: bool = False
    grace: float = 10.0


@attrs.frozen
class Gather:
    """Run ``flows`` with at most ``concurrency`` at a time; the result is a list with,
    in order, each flow's return value or the exception it raised (one failure never
    aborts the others)."""

    flows: tuple[Flow[Any], ...]
    concurrency: int = 8


Effect = Union[Send, Sleep, GetCredentials, RunProcess, Gather]

#: A computation in the effect style returning T.
Flow = Generator[Effect, Any, T]
