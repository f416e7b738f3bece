"""The vocabulary between the pure core and the two I/O shells.

Everything that decides (what to send, how to sign, whether to retry, how to read an
answer, where credentials come from) is written as a generator that *yields effects* and
*receives their results*::

    response = yield Send(request)       # -> HttpResponse | TransportFailure
    yield Sleep(0.25)                     # -> None
    creds = yield GetCredentials()        # -> Credentials (or the error is thrown in)
    result = yield RunProcess(argv)       # -> ProcessResult
    outcomes = yield Gather(flows, 8)     # -> [value or exception, ...]
    code = yield CallUser(fn, (serial,))  # -> fn's value (awaited in the async shell)

The sync driver performs effects with ``httpx.Client`` / ``time.sleep`` / ``subprocess``;
the async driver with ``httpx.AsyncClient`` / ``asyncio.sleep`` / asyncio subprocesses
(see ``_drive.py``). The same generator runs under both, so no logic is written twice.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Callable, Optional, TypeVar, Union

import attrs

from ._redact import redact_url
from .errors import (
    ConfigurationError,
    InvalidResponseError,
    ResponseTooLargeError,
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
)

T = TypeVar("T")


def check_seconds(name: str, value: Any) -> Optional[float]:
    """None (no bound) or a finite number of seconds > 0, checked before anything is
    sent (``ConfigurationError`` otherwise)."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value < float("inf")
    ):
        raise ConfigurationError(f"{name} must be a number of seconds > 0 or None, got {value!r}")
    return float(value)


def _seconds(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_seconds(f"timeout {attribute.name}", value)


@attrs.frozen
class Timeouts:
    """Timeouts in seconds (None: no bound).

    ``connect``, ``read``, ``write`` and ``pool`` bound each socket operation, as httpx
    does: a server trickling one byte at a time never trips them.  ``attempt`` bounds one
    attempt as a whole (waiting for a connection, connecting, sending, the headers and
    the body together), like the Java SDK's ``apiCallAttemptTimeout``.  A number given
    as ``timeout=`` sets all five.
    """

    connect: Optional[float] = attrs.field(default=10.0, validator=_seconds)
    read: Optional[float] = attrs.field(default=10.0, validator=_seconds)
    write: Optional[float] = attrs.field(default=10.0, validator=_seconds)
    pool: Optional[float] = attrs.field(default=10.0, validator=_seconds)
    attempt: Optional[float] = attrs.field(default=None, validator=_seconds)

    @classmethod
    def of(cls, value: Union[float, Timeouts, None]) -> Timeouts:
        """``value`` itself if it is :class:`Timeouts`, else those seconds (or None) for each
        bound."""
        if isinstance(value, Timeouts):
            return value
        return cls(value, value, value, value, value)

    def within(self, left: float) -> Timeouts:
        """Every bound cut to the ``left`` seconds before a deadline."""
        left = max(left, 0.001)

        def cut(value: Optional[float]) -> float:
            return left if value is None else min(value, left)

        return Timeouts(
            cut(self.connect), cut(self.read), cut(self.write), cut(self.pool), cut(self.attempt)
        )


@attrs.frozen
class HttpRequest:
    """A request ready for the wire: the shells send exactly these bytes."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    #: None: the shell's client default.
    timeouts: Optional[Timeouts] = None
    #: What ``timeouts.attempt`` stands for, named by a timeout when it runs out:
    #: ``attempt`` (the client's ``timeout``), or ``call`` / ``wait`` when the deadline
    #: of ``call_timeout`` / a wait cut it shorter.
    bound: str = "attempt"
    #: A link-local or loopback credential endpoint (container, instance metadata): sent
    #: straight to it, never through a proxy nor through a caller's httpx client.
    local: bool = False

    def within(self, left: float, bound: str) -> HttpRequest:
        """This request with its timeouts cut to ``left`` seconds when that is tighter
        than its own attempt bound; ``bound`` then names the deadline."""
        timeouts = self.timeouts or Timeouts()
        if timeouts.attempt is not None and timeouts.attempt <= left:
            return self
        return attrs.evolve(self, timeouts=timeouts.within(left), bound=bound)


@attrs.frozen(eq=False)
class HttpResponse:
    """An answer as read off the wire. Header names are lower-case."""

    status: int
    headers: Mapping[str, str]
    body: bytes


#: Where the shells were when a bound ran out, for the message.
DOING = {
    "connect": "connecting",
    "read": "reading the answer",
    "write": "sending the request",
    "pool": "waiting for a connection",
}
#: Transport failure kinds that are timeouts, and the phase each names: a socket
#: operation (httpx's per-operation timeouts) or a bound on the whole attempt / call /
#: wait (see :class:`HttpRequest`).
_TIMEOUT_KINDS = {
    f"{phase}_timeout": phase for phase in (*DOING, "attempt", "call", "wait")
}


def timeout_error(phase: str, detail: str) -> SageMakerTimeoutError:
    """The timeout raised when ``phase`` (an operation, or the attempt, call or wait) ran out."""
    return SageMakerTimeoutError(f"{phase} timeout: {detail}", phase=phase)


@attrs.frozen(eq=False)
class TransportFailure:
    """No (complete, usable) answer. ``kind`` is one of: connect, read, write,
    protocol, too_large, decoding (a complete answer whose body could not be decoded),
    or ``<phase>_timeout`` for the phases connect, read, write, pool, attempt, call and
    wait."""

    kind: str
    detail: str
    cause: Optional[BaseException] = attrs.field(default=None, repr=False)

    def to_error(self, url: Optional[str] = None) -> SageMakerError:
        """The typed exception users see; the original exception is its ``__cause__``.
        A connection error names the ``url`` it was sending to (redacted: no password,
        query or fragment)."""
        error: SageMakerError
        if self.kind in _TIMEOUT_KINDS:
            error = timeout_error(_TIMEOUT_KINDS[self.kind], self.detail)
        elif self.kind == "too_large":
            error = ResponseTooLargeError(self.detail)
        elif self.kind == "decoding":
            error = InvalidResponseError(f"the response body could not be decoded: {self.detail}")
        else:
            where = "" if url is None else f" ({redact_url(url)})"
            error = SageMakerConnectionError(f"{self.kind} error{where}: {self.detail}")
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
    the cached ones as expired.  ``within``: seconds left before the deadline named by
    ``bound`` (``call`` / ``wait``); a refresh runs :func:`bounded` by it."""

    force_refresh: bool = False
    within: Optional[float] = None
    bound: str = "call"


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


@attrs.frozen
class CallUser:
    """Call a function the user gave the client (``mfa_token_provider``). The sync
    shell calls it; the async shell awaits a coroutine function and runs a plain one
    in a worker thread (it may prompt), so the event loop never blocks. The result is
    its return value; what it raises is thrown into the flow."""

    function: Callable[..., Any] = attrs.field(repr=False)
    args: tuple[Any, ...] = attrs.field(default=(), repr=False)


Effect = Union[Send, Sleep, GetCredentials, RunProcess, Gather, CallUser]

#: A computation in the effect style returning T.
Flow = Generator[Effect, Any, T]


def _cut(effect: Effect, left: float, bound: str) -> Effect:
    if isinstance(effect, Send):
        return attrs.evolve(effect, request=effect.request.within(left, bound))
    if isinstance(effect, Sleep):
        return Sleep(min(effect.seconds, left))
    if isinstance(effect, RunProcess):
        timeout = left if effect.timeout is None else min(effect.timeout, left)
        return attrs.evolve(effect, timeout=timeout)
    return effect


def bounded(flow: Flow[T], seconds: float, bound: str, clock: Callable[[], float]) -> Flow[T]:
    """``flow`` held to a deadline ``seconds`` from now (by ``clock``): every request,
    process and sleep it yields gets at most the time left; once none is left, it is
    resumed with the timeout instead of another effect.  Should it then fail (a
    credential provider turns a timeout into its own error), the timeout is raised,
    with that error as its cause."""
    deadline = clock() + seconds
    value: Any = None
    error: Optional[Exception] = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except Exception as exc:
            if exc is error or clock() < deadline:
                raise
            raise timeout_error(bound, f"no time left after {seconds:.3g} s") from exc
        value, error = None, None
        left = deadline - clock()
        if left <= 0:
            error = timeout_error(bound, f"no time left after {seconds:.3g} s")
            continue
        try:
            value = yield _cut(effect, left, bound)
        except Exception as exc:  # thrown on into the flow: it decides
            error = exc
