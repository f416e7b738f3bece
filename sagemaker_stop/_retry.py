"""Retry decisions for the AWS SDKs' "standard" mode, and clock-skew correction. Pure.

Primary source: botocore ``retries/standard.py`` and ``retries/quota.py`` (and the AWS
SDKs and Tools reference guide, "Retry behavior"):

* ``max_attempts`` counts the first attempt (default 3).
* Retryable: transient errors — connection failures, timeouts, HTTP 500/502/503/504,
  ``RequestTimeout(Exception)``, ``PriorRequestNotComplete`` (botocore's
  ``TransientRetryableChecker``; we add the 5xx codes ``InternalFailure``,
  ``InternalError``, ``ServiceUnavailable`` for answers that carry them with another
  status) — and throttling: the codes of ``ThrottledRetryableChecker`` and an
  unmodelled HTTP 429.
* Backoff: truncated binary exponential with full jitter,
  ``delay = random() * min(base * 2 ** (attempt - 1), 20)``.  Classic standard mode uses
  ``base = 1`` s for every error.
* Retry quota (a token bucket per client): 500 tokens; a retry costs 5 (10 after a
  timeout); a call that succeeds without retrying refunds 1, one that succeeds after
  retrying refunds what its last retry cost.  An empty bucket stops retries, so a failing
  endpoint is not hammered.

The 2026 variant (``AWS_NEW_RETRIES_2026=true``; botocore >= 1.44 has switched to it):
``base`` is 1 s for throttling and 50 ms for other errors, an ``x-amz-retry-after``
header (milliseconds) raises the delay to at most ``t + 5`` s, and a retry costs 5 for
throttling and 14 otherwise.

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
from typing import Callable, NamedTuple, Optional

import attrs

from .errors import SageMakerConnectionError, SageMakerError, SageMakerTimeoutError

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
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
    }
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
THROTTLING_STATUS = frozenset({429})

THROTTLING = "throttling"
TRANSIENT = "transient"
TIMEOUT = "timeout"
CLOCK_SKEW = "clock_skew"


def classify(error: SageMakerError) -> Optional[str]:
    """Why ``error`` may be retried (THROTTLING, TRANSIENT, TIMEOUT), or None."""
    if isinstance(error, SageMakerTimeoutError):
        return TIMEOUT
    if isinstance(error, SageMakerConnectionError):
        return TRANSIENT
    if error.code in THROTTLING_CODES:
        return THROTTLING
    if error.code in TRANSIENT_CODES or error.http_status in TRANSIENT_STATUS:
        return TRANSIENT
    if error.http_status in THROTTLING_STATUS:
        return THROTTLING
    return None


@attrs.frozen
class RetryPolicy:
    """The constants of a retry mode."""

    max_attempts: int = 3
    max_backoff: float = 20.0
    throttling_base: float = 1.0
    transient_base: float = 1.0
    throttling_cost: int = 5
    transient_cost: int = 5
    timeout_cost: int = 10
    no_retry_increment: int = 1
    initial_capacity: int = 500
    honour_retry_after: bool = False

    @classmethod
    def standard(cls, max_attempts: int = 3) -> RetryPolicy:
        return cls(max_attempts=max_attempts)

    @classmethod
    def standard_2026(cls, max_attempts: int = 3) -> RetryPolicy:
        return cls(
            max_attempts=max_attempts,
            transient_base=0.05,
            transient_cost=14,
            timeout_cost=14,
            honour_retry_after=True,
        )

    @classmethod
    def from_settings(cls, max_attempts: int, new_retries_2026: bool) -> RetryPolicy:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1 (got {max_attempts})")
        maker = cls.standard_2026 if new_retries_2026 else cls.standard
        return maker(max_attempts)

    def cost(self, kind: str) -> int:
        if kind == THROTTLING:
            return self.throttling_cost
        if kind == TIMEOUT:
            return self.timeout_cost
        return self.transient_cost

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


@attrs.frozen
class RetryDecision:
    retry: bool
    delay: float = 0.0
    #: Quota tokens taken for this retry (refunded if the call then succeeds).
    cost: int = 0
    #: Why: the error's kind, or why not ("not retryable", "max attempts", "quota").
    reason: str = ""
    #: The attempt limit that applied, when an operation's own rule set it.
    limit: Optional[int] = None


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
    """Decides, per failed attempt, whether and when to try again.

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
        kind = CLOCK_SKEW if clock_corrected else classify(error)
        if kind is None:
            return RetryDecision(False, reason="not retryable")
        if attempt >= self.policy.max_attempts:
            return RetryDecision(False, reason=f"{kind}; max attempts reached")
        cost = self.policy.cost(kind)
        if not self.quota.acquire(cost):
            return RetryDecision(False, reason=f"{kind}; retry quota exhausted")
        delay = self._random() * min(
            self.policy.base(kind) * 2 ** (attempt - 1), self.policy.max_backoff
        )
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

    def record_success(self, last_cost: int) -> None:
        """After a 2xx: refund the last retry's cost, or the no-retry increment."""
        self.quota.release(last_cost if last_cost else self.policy.no_retry_increment)


# --- clock skew ----------------------------------------------------------------------

CLOCK_SKEW_CODES = frozenset(
    {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"}
)
#: Codes that mean a clock problem only when the message says so.
_MAYBE_CLOCK_CODES = frozenset(
    {"InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"}
)
_CLOCK_MESSAGE = re.compile(
    r"expired|not yet current|in the future|skew|time.*differ", re.IGNORECASE
)
SKEW_THRESHOLD = 240.0  # seconds: the JS v3 / Rust SDKs' "4-5 minutes"


def is_clock_error(error: SageMakerError) -> bool:
    if error.code in CLOCK_SKEW_CODES:
        return True
    return error.code in _MAYBE_CLOCK_CODES and bool(_CLOCK_MESSAGE.search(error.message))


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
