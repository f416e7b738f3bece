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
from ._value import Identity, Value
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


class HttpRequest(Value):
    """A request ready for the wire: the shells send exactly these bytes.

    ``timeouts``: None for the shell's client default.  ``bound``: what
    ``timeouts.attempt`` stands for, named by a timeout when it runs out: ``attempt``
    (the client's ``timeout``), or ``call`` / ``wait`` when the deadline of
    ``call_timeout`` / a wait cut it shorter.  ``local``: a link-local or loopback
    credential endpoint (container, instance metadata), sent straight to it, never
    through a proxy nor through a caller's httpx client."""

    __slots__ = ("body", "bound", "headers", "local", "method", "timeouts", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes = b"",
        timeouts: Optional[Timeouts] = None,
        bound: str = "attempt",
        local: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.bound = bound
        self.local = local

    def within(self, left: float, bound: str) -> HttpRequest:
        """This request with its timeouts cut to ``left`` seconds when that is tighter
        than its own attempt bound; ``bound`` then names the deadline."""
        timeouts = self.timeouts or Timeouts()
        if timeouts.attempt is not None and timeouts.attempt <= left:
            return self
        return self.replace(timeouts=timeouts.within(left), bound=bound)


class HttpResponse(Identity):
    """An answer as read off the wire. Header names are lower-case."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


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


class TransportFailure(Identity):
    """No (complete, usable) answer. ``kind`` is one of: connect, read, write,
    protocol, too_large, decoding (a complete answer whose body could not be decoded),
    or ``<phase>_timeout`` for the phases connect, read, write, pool, attempt, call and
    wait."""

    __slots__ = ("cause", "detail", "kind")
    _hidden = frozenset({"cause"})

    def __init__(self, kind: str, detail: str, cause: Optional[BaseException] = None) -> None:
        self.kind = kind
        self.detail = detail
        self.cause = cause

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


class ProcessResult(Value):
    __slots__ = ("returncode", "stderr", "stdout")

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


# --- effects -------------------------------------------------------------------------


class Send(Value):
    """Send ``request``; the result is an :class:`HttpResponse` or a
    :class:`TransportFailure` (never an exception).  Bodies larger than ``max_body``
    are refused (as ``TransportFailure("too_large")``)."""

    __slots__ = ("max_body", "request")

    def __init__(self, request: HttpRequest, max_body: int = 4 * 1024 * 1024) -> None:
        self.request = request
        self.max_body = max_body


class Sleep(Value):
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class GetCredentials(Value):
    """Ask the shell's credential source; ``force_refresh`` after the service rejected
    the cached ones as expired.  ``within``: seconds left before the deadline named by
    ``bound`` (``call`` / ``wait``); a refresh runs :func:`bounded` by it."""

    __slots__ = ("bound", "force_refresh", "within")

    def __init__(
        self, force_refresh: bool = False, within: Optional[float] = None, bound: str = "call"
    ) -> None:
        self.force_refresh = force_refresh
        self.within = within
        self.bound = bound


class RunProcess(Value):
    """Run ``argv``.  ``stdin``: bytes fed to its stdin (None: it inherits ours).
    ``env``: its whole environment (None: ours), never shown nor compared: it may hold
    credentials.  ``cancellable``: the shell may cancel it: it runs in a process group
    of its own, and a cancellation sends SIGTERM to that group, then SIGKILL after
    ``grace`` seconds."""

    __slots__ = ("argv", "cancellable", "env", "grace", "stdin", "timeout")
    _hidden = _uncompared = frozenset({"env"})

    def __init__(
        self,
        argv: tuple[str, ...],
        timeout: Optional[float] = 60.0,
        stdin: Optional[bytes] = None,
        env: Optional[Mapping[str, str]] = None,
        cancellable: bool = False,
        grace: float = 10.0,
    ) -> None:
        self.argv = argv
        self.timeout = timeout
        self.stdin = stdin
        self.env = env
        self.cancellable = cancellable
        self.grace = grace


class Gather(Value):
    """Run ``flows`` with at most ``concurrency`` at a time; the result is a list with,
    in order, each flow's return value or the exception it raised (one failure never
    aborts the others)."""

    __slots__ = ("concurrency", "flows")

    def __init__(self, flows: tuple[Flow[Any], ...], concurrency: int = 8) -> None:
        self.flows = flows
        self.concurrency = concurrency


class CallUser(Value):
    """Call a function the user gave the client (``mfa_token_provider``). The sync
    shell calls it; the async shell awaits a coroutine function and runs a plain one
    in a worker thread (it may prompt), so the event loop never blocks. The result is
    its return value; what it raises is thrown into the flow."""

    __slots__ = ("args", "function")
    _hidden = frozenset({"args", "function"})

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...] = ()) -> None:
        self.function = function
        self.args = args


Effect = Union[Send, Sleep, GetCredentials, RunProcess, Gather, CallUser]

#: A computation in the effect style returning T.
Flow = Generator[Effect, Any, T]


def _cut(effect: Effect, left: float, bound: str) -> Effect:
    if isinstance(effect, Send):
        return effect.replace(request=effect.request.within(left, bound))
    if isinstance(effect, Sleep):
        return Sleep(min(effect.seconds, left))
    if isinstance(effect, RunProcess):
        timeout = left if effect.timeout is None else min(effect.timeout, left)
        return effect.replace(timeout=timeout)
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
