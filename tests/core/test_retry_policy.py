"""Retry mode decisions (botocore 1.44 retries/standard.py, quota.py, retryhandler.py), pure.

The same decisions are checked against botocore's own classes in
``test_retry_differential.py``; here they are spelled out as numbers a user can read.
"""

from __future__ import annotations

from typing import Optional

import pytest

from sagemaker_stop import (
    SageMakerConnectionError,
    SageMakerError,
    SageMakerTimeoutError,
    ThrottlingException,
)
from sagemaker_stop._retry import (
    RetryPolicy,
    RetryStrategy,
    classify,
    classify_legacy,
    corrected_offset,
    is_clock_error,
    is_throttling,
    server_time,
)


def err(code: str, status: int = 400, message: str = "") -> SageMakerError:
    return SageMakerError(message, code=code, http_status=status)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ThrottlingException("x", http_status=400), "throttling"),
        (err("RequestLimitExceeded"), "throttling"),
        (err("SlowDown", 503), "throttling"),
        (err("Whatever", 429), "throttling"),
        (err("PriorRequestNotComplete"), "throttling"),  # on both lists: throttling first
        (err("InternalFailure", 500), "transient"),
        (err("502", 502), "transient"),
        (err("RequestTimeoutException"), "transient"),
        (SageMakerConnectionError("reset"), "transient"),
        (SageMakerTimeoutError("slow", phase="connect"), "timeout"),
        (err("InternalFailure", 400), None),  # botocore goes by the 5xx status, not the name
        (err("ValidationException"), None),
        (err("AccessDeniedException", 403), None),
        (err("ResourceNotFound"), None),
        (err("ConflictException"), None),
        (err("InvalidSignatureException", 403), None),
    ],
)
def test_standard_mode_retries_throttling_and_transient_errors(
    error: SageMakerError, kind: Optional[str]
) -> None:
    assert classify(error) == kind
    assert is_throttling(error) is (kind == "throttling")


def test_standard_backoff_50ms_base_1s_for_throttling_capped_at_20s() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=12), random=lambda: 1.0)
    transient = [strategy.decide(err("InternalFailure", 500), n, {}).delay for n in range(1, 12)]
    assert transient == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 20, 20])
    timeout = strategy.decide(SageMakerTimeoutError("t", phase="read"), 1, {}).delay
    assert timeout == pytest.approx(0.05)
    throttled = [strategy.decide(err("ThrottlingException"), n, {}).delay for n in range(1, 8)]
    assert throttled == [1, 2, 4, 8, 16, 20, 20]
    half = RetryStrategy(RetryPolicy.standard(max_attempts=10), random=lambda: 0.5)
    assert half.decide(err("ThrottlingException"), 3, {}).delay == 2.0


@pytest.mark.parametrize(
    ("header", "delay"),
    [("3000", 3.0), ("60000", 5.05), ("0", 0.05), ("junk", 0.05), ("-5", 0.05), ("1.5", 0.05)],
)
def test_x_amz_retry_after_raises_the_delay_to_at_most_5s_more(header: str, delay: float) -> None:
    strategy = RetryStrategy(RetryPolicy.standard(), random=lambda: 1.0)
    decision = strategy.decide(err("InternalFailure", 500), 1, {"x-amz-retry-after": header})
    assert decision.delay == pytest.approx(delay)


def test_quota_costs_14_or_5_when_throttled_and_success_refunds() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(), random=lambda: 0.0)
    assert strategy.decide(err("InternalFailure", 500), 1, {}).cost == 14
    assert strategy.decide(SageMakerTimeoutError("t"), 1, {}).cost == 14
    assert strategy.decide(err("ThrottlingException"), 1, {}).cost == 5
    assert strategy.quota.available == 500 - 14 - 14 - 5
    strategy.record_success(last_cost=5, now=0.0)  # after retries: the last retry's cost
    assert strategy.quota.available == 500 - 28
    strategy.record_success(last_cost=0, now=0.0)  # without retries: 1
    assert strategy.quota.available == 500 - 27
    strategy.refund(27)
    strategy.record_success(last_cost=0, now=0.0)
    assert strategy.quota.available == 500  # never above the capacity


@pytest.mark.parametrize(("error", "retries"), [(err("InternalFailure", 500), 35),
                                                (err("ThrottlingException"), 100)])
def test_an_empty_quota_stops_retries(error: SageMakerError, retries: int) -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=3), random=lambda: 0.0)
    decisions = [strategy.decide(error, 1, {}) for _ in range(retries + 1)]
    assert all(d.retry for d in decisions[:retries])
    assert not decisions[retries].retry and "quota" in decisions[retries].reason


def test_max_attempts_counts_the_first_attempt() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=3))
    assert strategy.decide(err("InternalFailure", 500), 2, {}).retry
    assert not strategy.decide(err("InternalFailure", 500), 3, {}).retry


@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_each_mode_has_its_policy(mode: str) -> None:
    policy = RetryPolicy.for_mode(mode, 4)
    assert (policy.mode, policy.max_attempts) == (mode, 4)
    strategy = RetryStrategy(policy)
    assert (strategy.limiter is not None) is (mode == "adaptive")


# --- legacy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (err("ThrottlingException"), "throttling"),
        (err("Throttling"), "throttling"),
        (err("ProvisionedThroughputExceededException"), "throttling"),
        (err("Anything", 429), "throttling"),
        (err("ThrottlingException", 503), "transient"),  # by the status
        (err("InternalFailure", 500), "transient"),
        (err("Bandwidth", 509), "transient"),  # 509 is retried in legacy mode only
        (SageMakerConnectionError("reset"), "transient"),
        (SageMakerTimeoutError("slow", phase="read"), "timeout"),
        (err("RequestLimitExceeded"), None),  # a code legacy mode does not know
        (err("PriorRequestNotComplete"), None),
        (err("RequestTimeoutException"), None),
        (err("ThrottlingException", 403), None),  # the codes count with HTTP 400 only
        (err("ValidationException"), None),
    ],
)
def test_legacy_mode_retries_what_botocores_retry_json_lists(
    error: SageMakerError, kind: Optional[str]
) -> None:
    assert classify_legacy(error) == kind


def test_legacy_backoff_is_random_times_two_to_the_attempt_uncapped_without_quota() -> None:
    strategy = RetryStrategy(RetryPolicy.legacy(max_attempts=10), random=lambda: 1.0)
    delays = [strategy.decide(err("InternalFailure", 500), n, {}).delay for n in range(1, 10)]
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    throttled = strategy.decide(err("ThrottlingException"), 1, {"x-amz-retry-after": "4000"})
    assert throttled.delay == 1.0 and throttled.cost == 0  # no x-amz-retry-after, no quota
    assert [strategy.decide(err("InternalFailure", 500), 1, {}).retry for _ in range(200)] == [True] * 200
    assert strategy.quota.available == 500
    assert RetryPolicy.legacy().max_attempts == 5
    assert not strategy.decide(err("InternalFailure", 500), 10, {}).retry


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("RequestTimeTooSkewed", "", True),
        ("RequestExpired", "", True),
        ("InvalidSignatureException", "Signature expired: 2026 is now earlier than 2026", True),
        ("InvalidSignatureException", "Signature not yet current: x is still later than y", True),
        ("InvalidSignatureException", "The request signature we calculated does not match", False),
        ("AuthFailure", "AWS was not able to validate the provided access credentials", False),
        ("ValidationException", "expired", False),
    ],
)
def test_clock_errors(code: str, message: str, expected: bool) -> None:
    assert is_clock_error(err(code, 403, message)) is expected


DATE = "Wed, 25 Nov 2026 12:15:00 GMT"
DATE_EPOCH = 1795608900.0


def test_offset_is_server_time_minus_midpoint() -> None:
    e = err("RequestTimeTooSkewed", 403)
    assert server_time({"date": DATE}) == DATE_EPOCH
    offset = corrected_offset(e, {"date": DATE}, DATE_EPOCH - 1000, DATE_EPOCH - 998, 0.0)
    assert offset == 999.0
    # under the threshold, or already corrected: nothing to do
    assert corrected_offset(e, {"date": DATE}, DATE_EPOCH - 60, DATE_EPOCH - 60, 0.0) is None
    assert corrected_offset(e, {"date": DATE}, DATE_EPOCH - 999, DATE_EPOCH - 999, 999.0) is None


def test_cached_or_dateless_answers_are_ignored() -> None:
    e = err("RequestTimeTooSkewed", 403)
    assert corrected_offset(e, {"date": DATE, "age": "10"}, 0.0, 0.0, 0.0) is None
    assert corrected_offset(e, {}, 0.0, 0.0, 0.0) is None
    assert corrected_offset(e, {"date": "not a date"}, 0.0, 0.0, 0.0) is None
    assert corrected_offset(err("ValidationException"), {"date": DATE}, 0.0, 0.0, 0.0) is None
