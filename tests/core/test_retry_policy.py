"""Standard retry mode decisions (botocore retries/standard.py, quota.py), pure."""

from __future__ import annotations

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
    corrected_offset,
    is_clock_error,
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
        (err("InternalFailure", 500), "transient"),
        (err("502", 502), "transient"),
        (err("RequestTimeoutException"), "transient"),
        (SageMakerConnectionError("reset"), "transient"),
        (SageMakerTimeoutError("slow", phase="connect"), "timeout"),
        (err("ValidationException"), None),
        (err("AccessDeniedException", 403), None),
        (err("ResourceNotFound"), None),
        (err("ConflictException"), None),
        (err("InvalidSignatureException", 403), None),
    ],
)
def test_classify(error: SageMakerError, kind: str) -> None:
    assert classify(error) == kind


def test_backoff_is_full_jitter_exponential_capped_at_20s() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=10), random=lambda: 1.0)
    delays = [strategy.decide(err("InternalFailure", 500), n, {}).delay for n in range(1, 8)]
    assert delays == [1, 2, 4, 8, 16, 20, 20]
    half = RetryStrategy(RetryPolicy.standard(max_attempts=10), random=lambda: 0.5)
    assert half.decide(err("InternalFailure", 500), 3, {}).delay == 2.0


def test_quota_costs_5_or_10_for_timeouts_and_refunds() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(), random=lambda: 0.0)
    first = strategy.decide(err("InternalFailure", 500), 1, {})
    assert first.cost == 5 and strategy.quota.available == 495
    timeout = strategy.decide(SageMakerTimeoutError("t"), 1, {})
    assert timeout.cost == 10 and strategy.quota.available == 485
    strategy.record_success(last_cost=10)
    assert strategy.quota.available == 495
    strategy.record_success(last_cost=0)
    assert strategy.quota.available == 496


def test_an_empty_quota_stops_retries() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=3), random=lambda: 0.0)
    decisions = [strategy.decide(err("InternalFailure", 500), 1, {}) for _ in range(101)]
    assert all(d.retry for d in decisions[:100])
    assert not decisions[100].retry and "quota" in decisions[100].reason


def test_max_attempts_counts_the_first_attempt() -> None:
    strategy = RetryStrategy(RetryPolicy.standard(max_attempts=3))
    assert strategy.decide(err("InternalFailure", 500), 2, {}).retry
    assert not strategy.decide(err("InternalFailure", 500), 3, {}).retry


def test_max_attempts_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy.from_settings(0, False)


def test_2026_variant_bases_costs_and_retry_after() -> None:
    policy = RetryPolicy.from_settings(5, True)
    strategy = RetryStrategy(policy, random=lambda: 1.0)
    transient = strategy.decide(err("InternalFailure", 500), 1, {})
    assert transient.delay == pytest.approx(0.05) and transient.cost == 14
    throttled = strategy.decide(err("ThrottlingException"), 2, {})
    assert throttled.delay == 2.0 and throttled.cost == 5
    # x-amz-retry-after raises the delay, to at most t + 5 s
    assert strategy.decide(err("InternalFailure", 500), 1, {"x-amz-retry-after": "3000"}).delay == 3.0
    assert strategy.decide(err("InternalFailure", 500), 1, {"x-amz-retry-after": "60000"}).delay == pytest.approx(5.05)
    assert strategy.decide(err("InternalFailure", 500), 1, {"x-amz-retry-after": "junk"}).delay == pytest.approx(0.05)
    classic = RetryStrategy(RetryPolicy.standard(), random=lambda: 1.0)
    assert classic.decide(err("InternalFailure", 500), 1, {"x-amz-retry-after": "3000"}).delay == 1.0


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
