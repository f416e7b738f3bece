"""Adaptive retry mode's client-side rate limiter. Pure: time is an argument.

The maths is botocore's (1.44, ``retries/adaptive.py``, ``retries/bucket.py``,
``retries/throttling.py``), constant for constant; only the waiting differs. botocore's
``TokenBucket.acquire`` blocks its thread on a condition variable; here
:meth:`ClientRateLimiter.acquire` takes the token or says how many seconds until one is
due, and the call flow yields ``Sleep`` for that long and asks again (``_flow.py``), so
sync threads and async tasks share one bucket per client and the event loop never
blocks.  A lock guards only the few arithmetic updates, never a wait.

* Off until the first throttling answer (``ClientRateLimiter._enabled``); from then on
  every attempt, first or retry, takes a token first.
* Every answer (success, error or no answer at all) is *recorded*: the measured send rate
  (:class:`RateClocker`) is updated, and the bucket's fill rate becomes the CUBIC rate
  (:class:`CubicCalculator`) — cut to ``0.7 x`` the rate at the time of a throttling
  answer, grown along a cubic curve after it — capped at twice the measured rate.
* The bucket (:class:`TokenBucket`) holds at most ``max(rate, 1)`` tokens and fills at
  ``max(rate, 0.5)`` tokens per second.

The clock is the client's monotonic clock (botocore reads ``time.time()``; a step of the
wall clock would empty or overfill the bucket).  The limiter starts its clocks at the
client's first request, where botocore starts them when the client is created.
"""

from __future__ import annotations

import math
import threading
from typing import Optional


class CubicCalculator:
    """botocore ``throttling.CubicCalculator``: the send rate after a throttling answer
    (``error_received``) and at any time since the last one (``success_received``)."""

    SCALE_CONSTANT = 0.4
    BETA = 0.7

    def __init__(self, starting_max_rate: float, start_time: float) -> None:
        self.w_max = starting_max_rate
        self.k = self._zero_point()
        self.last_fail = start_time

    def _zero_point(self) -> float:
        scaled: float = (self.w_max * (1 - self.BETA)) / self.SCALE_CONSTANT
        return float(scaled ** (1 / 3.0))

    def success_received(self, timestamp: float) -> float:
        dt = timestamp - self.last_fail
        return float(self.SCALE_CONSTANT * (dt - self.k) ** 3 + self.w_max)

    def error_received(self, current_rate: float, timestamp: float) -> float:
        self.w_max = current_rate
        self.k = self._zero_point()
        self.last_fail = timestamp
        return current_rate * self.BETA


class RateClocker:
    """botocore ``adaptive.RateClocker``: the client's send rate, counted in half-second
    buckets and smoothed (``0.8 x`` the latest bucket's rate ``+ 0.2 x`` the previous
    estimate)."""

    SMOOTHING = 0.8
    TIME_BUCKET_RANGE = 0.5

    def __init__(self, now: float) -> None:
        self.measured_rate = 0.0
        self._scale = 1 / self.TIME_BUCKET_RANGE
        self._last_bucket = float(math.floor(now))  # sic: botocore floors to a whole second
        self._count = 0

    def record(self, now: float, amount: int = 1) -> float:
        bucket = math.floor(now * self._scale) / self._scale
        self._count += amount
        if bucket > self._last_bucket:
            current_rate = self._count / float(bucket - self._last_bucket)
            self.measured_rate = current_rate * self.SMOOTHING + self.measured_rate * (
                1 - self.SMOOTHING
            )
            self._count = 0
            self._last_bucket = bucket
        return self.measured_rate


class TokenBucket:
    """botocore ``bucket.TokenBucket``, minus the blocking: :meth:`acquire` returns the
    seconds until the token is due instead of waiting for it."""

    MIN_RATE = 0.5
    #: Sleeping exactly the wait returned can land a rounding error short of the token
    #: (0.9999999999999999 tokens); that counts as the token, where botocore's blocking
    #: loop would wait again for ~1e-16 s (and a virtual clock would never get there).
    ROUNDING = 1e-9

    def __init__(self, max_rate: float, now: float) -> None:
        self.fill_rate = 0.0
        self.max_capacity = 0.0
        self.capacity = 0.0
        self._last_timestamp: Optional[float] = None
        self.set_max_rate(max_rate, now)

    def set_max_rate(self, value: float, now: float) -> None:
        # Tokens due at the old rate are added first (botocore's max_rate setter).
        self._refill(now)
        self.fill_rate = max(value, self.MIN_RATE)
        self.max_capacity = value if value >= 1 else 1
        self.capacity = min(self.capacity, self.max_capacity)

    def acquire(self, now: float, amount: float = 1) -> float:
        """Take ``amount`` tokens and return 0.0, or take nothing and return the seconds
        until they are due at the current rate (ask again then)."""
        self._refill(now)
        if amount <= self.capacity + self.ROUNDING:
            self.capacity -= amount
            return 0.0
        return (amount - self.capacity) / self.fill_rate

    def _refill(self, now: float) -> None:
        if self._last_timestamp is None:
            self._last_timestamp = now
            return
        fill = (now - self._last_timestamp) * self.fill_rate
        self.capacity = min(self.max_capacity, self.capacity + fill)
        self._last_timestamp = now


class _State:
    def __init__(self, now: float) -> None:
        # botocore adaptive.register_retry_handler: CUBIC from 0, a bucket of rate 1.
        self.cubic = CubicCalculator(starting_max_rate=0, start_time=now)
        self.bucket = TokenBucket(max_rate=1, now=now)
        self.clocker = RateClocker(now)


class ClientRateLimiter:
    """botocore ``adaptive.ClientRateLimiter``, one per client, shared by its calls."""

    MAX_RATE_ADJUST_SCALE = 2.0

    def __init__(self) -> None:
        self._enabled = False
        self._lock = threading.Lock()
        self._state: Optional[_State] = None

    def _at(self, now: float) -> _State:
        if self._state is None:
            self._state = _State(now)
        return self._state

    @property
    def enabled(self) -> bool:
        """Whether sends wait for tokens (from the first throttling answer on)."""
        return self._enabled

    @property
    def rate(self) -> Optional[float]:
        """The bucket's fill rate (tokens per second; None before the first request)."""
        return None if self._state is None else self._state.bucket.fill_rate

    def acquire(self, now: float) -> float:
        """Before an attempt (botocore's ``on_sending_request``): 0.0 to send now (the
        token is taken), else the seconds to wait before asking again."""
        with self._lock:
            state = self._at(now)
            if not self._enabled:
                return 0.0
            return state.bucket.acquire(now)

    def record(self, throttled: bool, now: float) -> None:
        """After an attempt's answer, or its failure to get one (botocore's
        ``on_receiving_response``)."""
        with self._lock:
            state = self._at(now)
            measured = state.clocker.record(now)
            if not throttled:
                new_rate = state.cubic.success_received(now)
            else:
                used = measured if not self._enabled else min(measured, state.bucket.fill_rate)
                new_rate = state.cubic.error_received(used, now)
                self._enabled = True
            state.bucket.set_max_rate(
                min(new_rate, self.MAX_RATE_ADJUST_SCALE * measured), now
            )
