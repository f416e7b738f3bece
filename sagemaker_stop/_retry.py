"""Retry decisions for the AWS SDKs' retry modes, and clock-skew correction. Pure.

Primary source: botocore 1.44 (``retries/standard.py``, ``retries/quota.py``,
``retries/adaptive.py``, ``retryhandler.py`` with ``data/_retry.json``, ``args.py``),
where the updated ("2026") standard behaviour is always on
(``configprovider.NEW_RETRIES_ENABLED = True``, no switch).  ``max_attempts`` counts the
first attempt everywhere.

**standard** (the default, ``args.py _compute_retry_mode``), 3 attempts by default:

* Retryable (``StandardRetryConditions``): throttling — an error code of
  ``ThrottledRetryableChecker``, or HTTP 429 (``ThrottlingStatusCodeChecker``) — and
  transient errors — connection failures and timeouts (botocore's ``ConnectionError`` /
  ``HTTPClientError``), HTTP 500/502/503/504, ``RequestTimeout(Exception)``,
  ``PriorRequestNotComplete`` (``TransientRetryableChecker``).  An error that is both
  (``PriorRequestNotComplete``, or ``RequestTimeout`` with HTTP 429) counts as
  throttling: ``ThrottlingErrorDetector`` decides the cost and the base.  SageMaker's
  model marks no error ``retryable``.
* Backoff (``ExponentialBackoff``): ``random() * min(base * 2 ** (attempt - 1), 20)``,
  ``base`` 1 s for throttling and 50 ms for anything else; an ``x-amz-retry-after``
  header (integer milliseconds; negative or unparsable: ignored) raises the delay to
  that value, at most ``delay + 5`` s.
* Retry quota (``RetryQuotaChecker``, ``quota.RetryQuota``), one per client: 500 tokens;
  a retry costs 5 after a throttling error and 14 after anything else (a timeout
  included); a call that succeeds without retrying refunds 1, one that succeeds after
  retrying refunds what its last retry took.  An empty quota stops retries.

**adaptive**: standard, plus the client-side rate limiter of ``_ratelimit.py``
(botocore's ``adaptive.register_retry_handler`` registers both).

**legacy** (``retryhandler.py``, ``data/_retry.json`` ``__default__``: SageMaker's
endpoint prefix ``api.sagemaker`` has no section of its own), 5 attempts by default:
connection failures and timeouts (``GENERAL_CONNECTION_ERROR``), HTTP 500, 502, 503,
504, 509 and 429, and the codes ``Throttling``, ``ThrottlingException``,
``ThrottledException``, ``RequestThrottledException`` and
``ProvisionedThroughputExceededException`` with HTTP 400; delay
``random() * 2 ** (attempt - 1)`` (``delay_exponential`` with ``base: rand``), no cap, no
``x-amz-retry-after``, no quota.

An operation's own rules (:class:`OperationRetry`, e.g. a stop's transient
``ConflictException``) apply on top of every mode.

Clock skew (botocore does not correct it, boto3#1252; the JS v3 and Rust SDKs do): when
the service rejects a request for its time and the response's ``Date`` is 4 minutes or
more away from the local clock, the offset ``server time - midpoint(send, receive)`` is
kept for the client and the call is retried, re-signed with corrected time.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional

from ._value import Value
from .errors import SageMakerConnectionError, SageMakerError, SageMakerTimeoutError

if TYPE_CHECKING:
    from ._ratelimit import ClientRateLimiter

STANDARD = "standard"
ADAPTIVE = "adaptive"
LEGACY = "legacy"
#: The values of ``retry_mode`` / ``AWS_RETRY_MODE`` (botocore ``config.py``).
RETRY_MODES = (LEGACY, STANDARD, ADAPTIVE)

#: botocore ``ThrottledRetryableChecker._THROTTLED_ERROR_CODES``.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
#: botocore ``TransientRetryableChecker``.
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
THROTTLING_STATUS = frozenset({429})

#: ``data/_retry.json`` ``__default__`` policies: codes retried with HTTP 400, statuses
#: retried whatever the code.
LEGACY_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
    }
)
LEGACY_STATUS = frozenset({500, 502, 503, 504, 509})

THROTTLING = "throttling"
TRANSIENT = "transient"
TIMEOUT = "timeout"
CLOCK_SKEW = "clock_skew"


def classify(error: SageMakerError) -> Optional[str]:
    """Why standard mode retries ``error`` (THROTTLING, TRANSIENT, TIMEOUT), or None."""
    if isinstance(error, SageMakerTimeoutError):
        return TIMEOUT
    if isinstance(error, SageMakerConnectionError):
        return TRANSIENT
    if error.code in THROTTLING_CODES or error.http_status in THROTTLING_STATUS:
        return THROTTLING
    if error.code in TRANSIENT_CODES or error.http_status in TRANSIENT_STATUS:
        return TRANSIENT
    return None


def is_throttling(error: Optional[SageMakerError]) -> bool:
    """A throttling answer (botocore ``ThrottlingErrorDetector``): what adaptive mode's
    rate limiter slows down for, and what a cheaper, slower retry follows."""
    return error is not None and classify(error) == THROTTLING


def classify_legacy(error: SageMakerError) -> Optional[str]:
    """Why legacy mode retries ``error``, or None."""
    if isinstance(error, SageMakerTimeoutError):
        return TIMEOUT
    if isinstance(error, SageMakerConnectionError):
        return TRANSIENT
    if error.http_status in THROTTLING_STATUS or (
        error.http_status == 400 and error.code in LEGACY_THROTTLING_CODES
    ):
        return THROTTLING
    if error.http_status in LEGACY_STATUS:
        return TRANSIENT
    return None


class RetryPolicy(Value):
    """The constants of a retry mode (the defaults: standard mode); ``max_backoff``
    None: no cap (legacy)."""

    __slots__ = (
        "honour_retry_after", "initial_capacity", "max_attempts", "max_backoff", "mode",
        "no_retry_increment", "throttling_base", "throttling_cost", "transient_base",
        "transient_cost",
    )

    def __init__(
        self,
        mode: str = STANDARD,
        max_attempts: int = 3,
        max_backoff: Optional[float] = 20.0,
        throttling_base: float = 1.0,
        transient_base: float = 0.05,
        throttling_cost: int = 5,
        transient_cost: int = 14,
        no_retry_increment: int = 1,
        initial_capacity: int = 500,
        honour_retry_after: bool = True,
    ) -> None:
        self.mode = mode
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self.throttling_base = throttling_base
        self.transient_base = transient_base
        self.throttling_cost = throttling_cost
        self.transient_cost = transient_cost
        self.no_retry_increment = no_retry_increment
        self.initial_capacity = initial_capacity
        self.honour_retry_after = honour_retry_after

    @classmethod
    def standard(cls, max_attempts: int = 3) -> RetryPolicy:
        return cls(max_attempts=max_attempts)

    @classmethod
    def adaptive(cls, max_attempts: int = 3) -> RetryPolicy:
        return cls(mode=ADAPTIVE, max_attempts=max_attempts)

    @classmethod
    def legacy(cls, max_attempts: int = 5) -> RetryPolicy:
        return cls(
            mode=LEGACY,
            max_attempts=max_attempts,
            max_backoff=None,
            transient_base=1.0,
            throttling_cost=0,
            transient_cost=0,
            no_retry_increment=0,
            honour_retry_after=False,
        )

    @classmethod
    def for_mode(cls, mode: str, max_attempts: int) -> RetryPolicy:
        """The policy of a mode already checked (``_config.resolve_config``)."""
        maker = {STANDARD: cls.standard, ADAPTIVE: cls.adaptive, LEGACY: cls.legacy}[mode]
        return maker(max_attempts)

    def classify(self, error: SageMakerError) -> Optional[str]:
        return classify_legacy(error) if self.mode == LEGACY else classify(error)

    def cost(self, kind: str) -> int:
        return self.throttling_cost if kind == THROTTLING else self.transient_cost

    def base(self, kind: str) -> float:
        return self.throttling_base if kind == THROTTLING else self.transient_base


class RetryQuota:
    """The per-client token bucket (botocore ``quota.RetryQuota``)."""

    def __init__(self, capacity: int = 500) -> None:
        self.max_capacity = capacity
        self.available = capacity
        self._lock = threading.Lock()

    def acquire(self, amount: int) -> bool:
        with self._lock:
            if amount > self.available:
                return False
            self.available -= amount
            return True

    def release(self, amount: int) -> None:
        with self._lock:
            self.available = min(self.max_capacity, self.available + amount)


class OperationRetry(NamedTuple):
    """An operation's own rule for one error code, on top of the retry mode's rules:
    retried up to ``attempts`` attempts in all (or ``max_attempts`` if that is larger;
    ``max_attempts=1`` still means no retries), ``delay`` seconds apart (x0.75-1.25
    jitter), without spending the retry quota (the error says nothing about the
    endpoint's health)."""

    attempts: int
    delay: float


#: No operation-specific rules.
NO_RULES: Mapping[str, OperationRetry] = {}


class RetryDecision(Value):
    """``cost``: quota tokens taken for this retry (refunded if the call then
    succeeds); ``reason``: why (the error's kind) or why not ("not retryable", "max
    attempts", "quota"); ``limit``: the attempt limit that applied, when an
    operation's own rule set it."""

    __slots__ = ("cost", "delay", "limit", "reason", "retry")

    def __init__(
        self,
        retry: bool,
        delay: float = 0.0,
        cost: int = 0,
        reason: str = "",
        limit: Optional[int] = None,
    ) -> None:
        self.retry = retry
        self.delay = delay
        self.cost = cost
        self.reason = reason
        self.limit = limit


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    raw = headers.get("x-amz-retry-after")
    if raw is None:
        return None
    try:
        value = int(raw) / 1000.0
    except (ValueError, OverflowError):
        return None
    return value if value >= 0 else None


class RetryStrategy:
    """Decides, per failed attempt, whether and when to try again; in adaptive mode it
    also holds the client's rate limiter (:attr:`limiter`).

    ``random`` is injectable so backoff is deterministic under test."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.quota = RetryQuota(policy.initial_capacity)
        self._random = random
        self.limiter: Optional[ClientRateLimiter] = None
        if policy.mode == ADAPTIVE:
            from ._ratelimit import ClientRateLimiter  # only adaptive clients load it

            self.limiter = ClientRateLimiter()

    def decide(
        self,
        error: SageMakerError,
        attempt: int,
        headers: Mapping[str, str],
        clock_corrected: bool = False,
        rules: Mapping[str, OperationRetry] = NO_RULES,
    ) -> RetryDecision:
        rule = None if clock_corrected else rules.get(error.code)
        if rule is not None:
            return self._decide_by_rule(error.code, rule, attempt)
        kind = CLOCK_SKEW if clock_corrected else self.policy.classify(error)
        if kind is None:
            return RetryDecision(False, reason="not retryable")
        if attempt >= self.policy.max_attempts:
            return RetryDecision(False, reason=f"{kind}; max attempts reached")
        cost = self.policy.cost(kind)
        if not self.quota.acquire(cost):
            return RetryDecision(False, reason=f"{kind}; retry quota exhausted")
        backoff = self.policy.base(kind) * 2 ** (attempt - 1)
        if self.policy.max_backoff is not None:
            backoff = min(backoff, self.policy.max_backoff)
        delay = self._random() * backoff
        if self.policy.honour_retry_after:
            after = _retry_after(headers)
            if after is not None:
                delay = max(delay, min(after, delay + 5.0))
        return RetryDecision(True, delay=delay, cost=cost, reason=kind)

    def _decide_by_rule(self, code: str, rule: OperationRetry, attempt: int) -> RetryDecision:
        limit = self.policy.max_attempts
        if limit > 1:
            limit = max(limit, rule.attempts)
        if attempt >= limit:
            return RetryDecision(False, reason=f"{code}; max attempts reached", limit=limit)
        delay = rule.delay * (0.75 + 0.5 * self._random())
        return RetryDecision(
            True, delay=delay, reason=f"{code} (transient for this operation)", limit=limit
        )

    def send_delay(self, now: float) -> float:
        """Before an attempt: 0.0 to send now, else the seconds to wait for adaptive
        mode's rate limiter before asking again."""
        return 0.0 if self.limiter is None else self.limiter.acquire(now)

    def record_success(self, last_cost: int, now: float) -> None:
        """After a 2xx: refund the last retry's cost, or the no-retry increment."""
        self.quota.release(last_cost if last_cost else self.policy.no_retry_increment)
        if self.limiter is not None:
            self.limiter.record(False, now)

    def record_failure(self, error: SageMakerError, now: float) -> None:
        """After an attempt that failed (with an answer or without)."""
        if self.limiter is not None:
            self.limiter.record(is_throttling(error), now)

    def refund(self, cost: int) -> None:
        """Hand back the tokens of a retry that will not be made after all."""
        self.quota.release(cost)


# --- clock skew ----------------------------------------------------------------------

CLOCK_SKEW_CODES = frozenset(
    {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"}
)
#: Codes that mean a clock problem only when the message says so.
_MAYBE_CLOCK_CODES = frozenset(
    {"InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"}
)
#: Compiled on first use (re's cache), not at import.
_CLOCK_MESSAGE = r"expired|not yet current|in the future|skew|time.*differ"
SKEW_THRESHOLD = 240.0  # seconds: the JS v3 / Rust SDKs' "4-5 minutes"


def is_clock_error(error: SageMakerError) -> bool:
    if error.code in CLOCK_SKEW_CODES:
        return True
    return error.code in _MAYBE_CLOCK_CODES and bool(
        re.search(_CLOCK_MESSAGE, error.message, re.IGNORECASE)
    )


def server_time(headers: Mapping[str, str]) -> Optional[float]:
    """The response's ``Date`` as epoch seconds (None if absent, cached, or bad)."""
    if "age" in headers:  # a cached answer: its Date is not the server's now
        return None
    raw = headers.get("date")
    if not raw:
        return None
    import email.utils  # only on a clock error

    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.timestamp()


def corrected_offset(
    error: SageMakerError,
    headers: Mapping[str, str],
    sent_at: float,
    received_at: float,
    current_offset: float,
) -> Optional[float]:
    """The new clock offset (seconds to add to local time) if ``error`` is a clock error
    whose response says the corrected local clock is off by the threshold or more."""
    if not is_clock_error(error):
        return None
    remote = server_time(headers)
    if remote is None:
        return None
    midpoint = (sent_at + received_at) / 2.0
    if abs(remote - (midpoint + current_offset)) < SKEW_THRESHOLD:
        return None
    return remote - midpoint
