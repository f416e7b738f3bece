"""One API call, start to finish, as a generator of effects (see ``_effects.py``).

Reading :func:`call` top to bottom is reading what goes on the wire: encode once, then per
attempt get credentials, sign afresh (same body, same ``ClientRequestToken``), send,
parse; on failure correct the clock if the service says it is off, ask the retry
strategy, log the attempt, sleep, go again.  Both clients drive this same generator.
"""

from __future__ import annotations

import datetime
import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol
from urllib.parse import urlsplit

import attrs
import httpx

from . import _protocol, _signing
from ._credentials._types import Credentials
from ._effects import (
    Flow,
    GetCredentials,
    HttpRequest,
    HttpResponse,
    Send,
    Sleep,
    Timeouts,
    TransportFailure,
    timeout_error,
)
from ._operations import Operation, R, new_client_request_token
from ._retry import RetryDecision, RetryStrategy, corrected_offset
from ._value import Value
from ._version import __version__
from .errors import SageMakerError

logger = logging.getLogger("sagemaker_stop")

USER_AGENT = (
    f"sagemaker-stop/{__version__} lang/python#{'.'.join(map(str, sys.version_info[:3]))} "
    f"httpx/{httpx.__version__}"
)


if TYPE_CHECKING:
    from ._attempt import Attempt


class AttemptHook(Protocol):
    def __call__(self, attempt: Attempt) -> None: ...


class Endpoints(Protocol):
    def endpoint_for(self, region_hint: Optional[str], service: str) -> tuple[str, str]: ...


class CallCore:
    """Everything a call needs that is not I/O; one per client, shared by its calls
    (mutable: the learned ``clock_offset``; tests swap the clocks).

    ``clock``: wall time (epoch seconds), for signing and clock-skew correction.
    ``monotonic``: monotonic seconds, for elapsed times and deadlines (waits): a
    wall-clock step (NTP, a VM resume) must not stretch or shrink a timeout.
    ``clock_offset``: seconds to add to the local clock when signing (learned from the
    service).  ``call_timeout``: seconds one call may take in all, retries and backoff
    included (None: no bound beyond ``max_attempts`` x ``timeouts.attempt`` plus the
    backoff)."""

    __slots__ = (
        "call_timeout", "clock", "clock_offset", "endpoints", "max_body", "monotonic",
        "on_attempt", "retry", "timeouts",
    )

    def __init__(
        self,
        endpoints: Endpoints,
        retry: RetryStrategy,
        timeouts: Optional[Timeouts] = None,
        max_body: int = 4 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        clock_offset: float = 0.0,
        on_attempt: Optional[AttemptHook] = None,
        call_timeout: Optional[float] = None,
    ) -> None:
        self.endpoints = endpoints
        self.retry = retry
        self.timeouts = Timeouts() if timeouts is None else timeouts
        self.max_body = max_body
        self.clock = clock
        self.monotonic = monotonic
        self.clock_offset = clock_offset
        self.on_attempt = on_attempt
        self.call_timeout = call_timeout


class Deadline(Value):
    """A point in ``core.monotonic()`` time a flow must be over by; ``bound`` names it
    in the timeout raised when it passes (``call``: ``call_timeout``; ``wait``: a
    wait's ``timeout``)."""

    __slots__ = ("at", "bound")

    def __init__(self, at: float, bound: str = "wait") -> None:
        self.at = at
        self.bound = bound

    def left(self, core: CallCore) -> float:
        return self.at - core.monotonic()


_GET_CREDENTIALS = GetCredentials()
_FORCE_REFRESH = GetCredentials(force_refresh=True)
#: Error codes saying the (temporary) credentials have expired.
EXPIRED_CREDENTIALS = frozenset({"ExpiredTokenException", "ExpiredToken"})


def _deadline(core: CallCore, outer: Optional[Deadline]) -> Optional[Deadline]:
    """The earlier of the caller's deadline and the call's own ``call_timeout``."""
    if core.call_timeout is None:
        return outer
    own = Deadline(core.monotonic() + core.call_timeout, "call")
    return own if outer is None or own.at < outer.at else outer


def _get_credentials(
    core: CallCore, bound: Optional[Deadline], force_refresh: bool = False
) -> GetCredentials:
    if bound is None:
        return _FORCE_REFRESH if force_refresh else _GET_CREDENTIALS
    return GetCredentials(force_refresh, bound.left(core), bound.bound)


def _allowing(timeouts: Timeouts, extra: float) -> Timeouts:
    """The read timeout lengthened by the time the operation waits on purpose (a long
    poll: "ensure that the HTTP response timeout for ReceiveMessage requests is longer
    than the WaitTimeSeconds parameter", SQS API reference)."""
    if not extra:
        return timeouts

    def longer(value: Optional[float]) -> Optional[float]:
        return None if value is None else value + extra

    # The read waits for the first byte of the answer; the attempt includes that wait.
    return attrs.evolve(timeouts, read=longer(timeouts.read), attempt=longer(timeouts.attempt))


def call(
    core: CallCore, operation: Operation[R], *, deadline: Optional[Deadline] = None
) -> Flow[R]:
    """Send ``operation`` with retries; returns its response or raises its error.

    ``deadline`` (a wait's, say) and ``core.call_timeout`` bound the whole call: a
    credentials refresh and each attempt get at most the time left (the shells hold
    the attempt to it, see ``_transport.py``), no backoff sleeps past it and no retry
    starts that could not finish; running out raises ``SageMakerTimeoutError`` whose
    ``phase`` names the bound (``call`` or ``wait``)."""
    bound = _deadline(core, deadline)
    service = operation.service.name
    url, region = core.endpoints.endpoint_for(operation.region_hint, service)
    if not urlsplit(url).path:
        url += "/"  # the request URI of every AWS JSON operation
    body = _protocol.encode_body(operation)
    base_headers = _protocol.base_headers(operation)
    invocation_id = new_client_request_token()
    rules = operation.retry_rules
    max_attempts = core.retry.policy.max_attempts
    name = operation.operation_name
    last_cost = 0
    attempt = 0
    refreshed: Optional[Credentials] = None  # after the service said they had expired
    while True:
        attempt += 1
        if core.retry.limiter is not None:  # adaptive mode: wait for a send token
            yield from _send_token(core, name, bound)
        credentials = refreshed or (yield _get_credentials(core, bound))
        signed_at = datetime.datetime.fromtimestamp(
            core.clock() + core.clock_offset, datetime.timezone.utc
        )
        headers = _signing.sign(
            method="POST",
            url=url,
            headers=base_headers,
            body=body,
            credentials=credentials,
            region=region,
            when=signed_at,
            service=service,
        )
        headers.append(("User-Agent", USER_AGENT))
        headers.append(("amz-sdk-invocation-id", invocation_id))
        # As botocore sends it; an operation's own retries may go past max_attempts.
        limit = max(max_attempts, attempt)
        headers.append(("amz-sdk-request", f"attempt={attempt}; max={limit}"))
        timeouts = _allowing(core.timeouts, operation.attempt_allowance)
        request = HttpRequest("POST", url, tuple(headers), body, timeouts)
        if bound is not None:
            left = bound.left(core)
            if left <= 0:
                raise timeout_error(bound.bound, f"{name}: no time left for attempt {attempt}")
            request = request.within(left, bound.bound)

        sent_at = core.clock()
        outcome = yield Send(request, core.max_body)
        received_at = core.clock()

        response_headers: Any = {}
        status: Optional[int] = None
        if isinstance(outcome, TransportFailure):
            error = outcome.to_error(url)
        else:
            assert isinstance(outcome, HttpResponse)
            response_headers, status = outcome.headers, outcome.status
            try:
                result = _protocol.parse_response(
                    operation,
                    outcome,
                    (credentials.secret_access_key, credentials.session_token),
                )
            except SageMakerError as exc:
                error = exc
            else:
                core.retry.record_success(last_cost, core.monotonic())
                _report(
                    core, name, attempt, limit, status, None, result.request_id, None
                )
                return result
        core.retry.record_failure(error, core.monotonic())

        if error.code in EXPIRED_CREDENTIALS and refreshed is None and attempt < max_attempts:
            # Temporary credentials the cache still thought valid (their expiry unknown, or
            # revoked early): load fresh ones once and, if they differ, send again at once.
            fresh: Credentials = yield _get_credentials(core, bound, force_refresh=True)
            if fresh != credentials:
                refreshed = fresh
                _report(
                    core, name, attempt, limit, status, error, error.request_id, 0.0,
                    "expired credentials refreshed",
                )
                continue

        offset = corrected_offset(
            error, response_headers, sent_at, received_at, core.clock_offset
        )
        if offset is not None:
            logger.debug(
                "%s: clock skew detected, signing with an offset of %.0f s",
                name,
                offset,
            )
            core.clock_offset = offset
        decision = core.retry.decide(
            error, attempt, response_headers, clock_corrected=offset is not None, rules=rules
        )
        if decision.retry and bound is not None and decision.delay >= bound.left(core):
            core.retry.refund(decision.cost)  # hand back the unused retry
            decision = RetryDecision(
                False, reason=f"{decision.reason}; deadline reached", limit=decision.limit
            )
        retry_in = decision.delay if decision.retry else None
        _report(
            core, name, attempt, decision.limit or limit, status, error, error.request_id,
            retry_in, decision.reason,
        )
        if not decision.retry:
            raise error
        # What a success refunds: the last retry's quota tokens (botocore keeps the last
        # acquisition in the request context; an operation's own retries take none).
        last_cost = decision.cost or last_cost
        yield Sleep(decision.delay)


def _send_token(core: CallCore, name: str, bound: Optional[Deadline]) -> Flow[None]:
    """Sleep until the client's rate limiter (adaptive mode) hands out a token; never
    past the call's deadline (``SageMakerTimeoutError`` naming it instead)."""
    waited = 0.0
    while True:
        wait = core.retry.send_delay(core.monotonic())
        if wait <= 0.0:
            break
        if bound is not None and wait >= bound.left(core):
            raise timeout_error(
                bound.bound, f"{name}: no time left to wait {wait:.3f} s for a send token"
            )
        waited += wait
        yield Sleep(wait)
    if waited and logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s: waited %.3f s for the client-side rate limiter", name, waited)


def _report(
    core: CallCore,
    name: str,
    attempt: int,
    max_attempts: int,
    status: Optional[int],
    error: Optional[SageMakerError],
    request_id: Optional[str],
    retry_in: Optional[float],
    reason: str = "",
) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        outcome = "ok" if error is None else f"{error.code}"
        if retry_in is not None:
            plan = f"; retrying in {retry_in:.3f} s ({reason})"
        elif error is not None and reason:
            plan = f"; giving up ({reason})"
        else:
            plan = ""
        logger.debug(
            "%s attempt %d/%d: status=%s %s request_id=%s%s",
            name,
            attempt,
            max_attempts,
            status,
            outcome,
            request_id,
            plan,
        )
    if core.on_attempt is not None:
        from ._attempt import Attempt  # made when a hook first needs one

        core.on_attempt(
            Attempt(name, attempt, max_attempts, status, error, request_id, retry_in)
        )
