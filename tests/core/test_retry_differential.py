"""Every retry mode decides as botocore 1.44 does, checked against botocore's own classes.

botocore is a runtime dependency for its signer only; here (a test) its retry classes
are the reference: ``retries/standard.py`` (standard and adaptive modes' retries, delays
and quota), ``retryhandler.py`` with ``data/_retry.json`` (legacy mode), and
``retries/adaptive.py`` / ``bucket.py`` / ``throttling.py`` (the rate limiter), all fed
the same answers, random numbers and clock as ours.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import botocore
import pytest
from botocore import exceptions as bexc
from botocore import retryhandler, translate
from botocore.retries import adaptive, bucket, quota, standard, throttling

from sagemaker_stop import SageMakerConnectionError, SageMakerError, SageMakerTimeoutError
from sagemaker_stop._ratelimit import ClientRateLimiter
from sagemaker_stop._retry import RetryPolicy, RetryStrategy

from ..reference import needs_reference_botocore

CODES = [
    "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete", "RequestTimeout",
    "RequestTimeoutException", "InternalFailure", "ServiceUnavailable",
    "ValidationException", "AccessDeniedException", "SomethingElse",
]
STATUSES = [400, 403, 429, 500, 502, 503, 504, 509]
#: Ours and botocore's names for "no answer".
FAILURES = [
    (SageMakerConnectionError("connect error: refused"),
     bexc.EndpointConnectionError(endpoint_url="http://x")),
    (SageMakerConnectionError("read error: reset"),
     bexc.ConnectionClosedError(endpoint_url="http://x")),
    (SageMakerTimeoutError("read timeout", phase="read"),
     bexc.ReadTimeoutError(endpoint_url="http://x")),
    (SageMakerTimeoutError("connect timeout", phase="connect"),
     bexc.ConnectTimeoutError(endpoint_url="http://x")),
]
# Modeled errors of StopPipelineExecution (ConflictException, ResourceNotFound) are left
# out: botocore does not count a 429 carrying one of them as throttling; this library
# does not read the service model, and SageMaker answers those with HTTP 400.


def answers() -> list[tuple[SageMakerError, Any, Any, Optional[Exception]]]:
    """(our error, botocore http_response, parsed_response, caught_exception)."""
    cases: list[tuple[SageMakerError, Any, Any, Optional[Exception]]] = []
    for code, status in itertools.product(CODES, STATUSES):
        for header in (None, "2500", "junk"):
            headers = {} if header is None else {"x-amz-retry-after": header}
            response = SimpleNamespace(status_code=status, headers=headers, content=b"")
            ours = SageMakerError("m", code=code, http_status=status)
            ours.headers = headers  # type: ignore[attr-defined]
            cases.append((ours, response, {"Error": {"Code": code}}, None))
    for ours, theirs in FAILURES:
        ours.headers = {}  # type: ignore[attr-defined]
        cases.append((ours, None, None, theirs))
    return cases


ANSWERS = answers()
OPERATION = SimpleNamespace(
    name="StopPipelineExecution",
    error_shapes=[],
    service_model=SimpleNamespace(service_name="sagemaker"),
)


@needs_reference_botocore
@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_standard_retries_delays_and_costs_match_botocore(mode: str) -> None:
    detector = standard.ThrottlingErrorDetector(standard.RetryEventAdapter())
    for attempt, r in itertools.product((1, 2, 3, 6), (0.0, 0.37, 1.0)):
        conditions = standard.StandardRetryConditions(max_attempts=4)
        backoff = standard.ExponentialBackoff(random=lambda r=r: r, throttling_detector=detector)
        for error, response, parsed, caught in ANSWERS:
            ours = RetryStrategy(RetryPolicy.for_mode(mode, 4), random=lambda r=r: r)
            checker = standard.RetryQuotaChecker(quota.RetryQuota(), detector)
            context = standard.RetryContext(
                attempt, OPERATION, parsed, response, caught, request_context={}
            )
            retry = conditions.is_retryable(context)
            decision = ours.decide(error, attempt, error.headers)  # type: ignore[attr-defined]
            where = (error.code, error.http_status, attempt, r)
            assert decision.retry is retry, where
            if retry:
                assert decision.delay == pytest.approx(backoff.delay_amount(context)), where
                assert checker.acquire_retry_quota(context)
                assert decision.cost == context.request_context["retry_quota_capacity"], where


@needs_reference_botocore
def test_the_quota_drains_and_refills_as_botocores() -> None:
    theirs = quota.RetryQuota()
    ours = RetryStrategy(RetryPolicy.standard(), random=lambda: 0.0)
    detector = standard.ThrottlingErrorDetector(standard.RetryEventAdapter())
    checker = standard.RetryQuotaChecker(theirs, detector)
    rng = random.Random(13)
    for _ in range(400):
        error, response, parsed, caught = rng.choice(ANSWERS)
        if rng.random() < 0.2:  # a success, after no retry or after the last one
            last = rng.choice([0, 5, 14])
            context = {} if not last else {"retry_quota_capacity": last}
            checker.release_retry_quota(context, SimpleNamespace(status_code=200))
            ours.record_success(last, 0.0)
        else:
            context_ = standard.RetryContext(1, OPERATION, parsed, response, caught, request_context={})
            if not standard.StandardRetryConditions().is_retryable(context_):
                continue
            assert ours.decide(error, 1, {}).retry is checker.acquire_retry_quota(context_)
        assert ours.quota.available == theirs.available_capacity, (error.code, error.http_status)


def legacy_handler(total_attempts: int) -> Any:
    """botocore's legacy handler for SageMaker, as ``client._register_legacy_retries``
    builds it (endpoint prefix ``api.sagemaker``)."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "_retry.json").read_text())
    config = translate.build_retry_config(
        "api.sagemaker", data["retry"], data["definitions"], {"max_attempts": total_attempts - 1}
    )
    return retryhandler.create_retry_handler(config, "api.sagemaker")


@pytest.mark.parametrize("total_attempts", [5, 2])
def test_legacy_retries_and_delays_match_botocore(
    total_attempts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = legacy_handler(total_attempts)
    for attempt, r in itertools.product(range(1, 7), (0.25, 1.0)):
        monkeypatch.setattr(retryhandler, "random", SimpleNamespace(random=lambda r=r: r))
        ours = RetryStrategy(RetryPolicy.legacy(total_attempts), random=lambda r=r: r)
        for error, response, parsed, caught in ANSWERS:
            try:
                delay = handler(
                    attempts=attempt,
                    response=None if response is None else (response, parsed),
                    caught_exception=caught,
                    request_dict={"context": {}},
                )
            except bexc.BotoCoreError:  # a retryable failure on the last attempt: raised
                assert caught is not None and attempt >= total_attempts
                delay = None
            decision = ours.decide(error, attempt, error.headers)  # type: ignore[attr-defined]
            where = (error.code, error.http_status, attempt)
            assert decision.retry is (delay is not None), where
            if delay is not None:
                assert decision.delay == pytest.approx(delay), where
    assert ours.quota.available == 500  # legacy mode has no quota


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def current_time(self) -> float:
        return self.now


class Detector:
    throttled = False

    def is_throttling_error(self, **kwargs: Any) -> bool:
        return self.throttled


@pytest.mark.parametrize("seed", range(6))
def test_the_rate_limiter_matches_botocores_step_for_step(seed: int) -> None:
    """Random sends, answers and throttles at random times: after every step botocore's
    ``ClientRateLimiter`` (clock and throttling detector scripted) and ours agree on
    whether the limiter is on, the fill rate, the bucket, the measured rate, and whether a
    send may go now or how long until it may."""
    rng = random.Random(seed)
    clock = Clock(1000.0 + rng.random() * 10)
    detector = Detector()
    token_bucket = bucket.TokenBucket(max_rate=1, clock=clock)
    clocker = adaptive.RateClocker(clock)
    theirs = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.now),
        rate_clocker=clocker,
        token_bucket=token_bucket,
        throttling_detector=detector,
        clock=clock,
    )
    ours = ClientRateLimiter()
    ours.acquire(clock.now)  # the first request starts our clocks where botocore's began
    throttle_chance = rng.choice([0.05, 0.3, 0.7])
    for _ in range(300):
        clock.now += rng.choice([0.0, 0.001, 0.02, 0.1, 0.3, 0.6, 2.0]) * rng.random()
        if rng.random() < 0.5:
            wait = ours.acquire(clock.now)
            if theirs._enabled:
                try:
                    token_bucket.acquire(block=False)
                except bexc.CapacityNotAvailableError:
                    assert wait == pytest.approx(token_bucket._sleep_amount(1))
                    assert wait > 0
                else:
                    assert wait == 0.0
            else:
                assert wait == 0.0
        else:
            detector.throttled = rng.random() < throttle_chance
            theirs.on_receiving_response()
            ours.record(detector.throttled, clock.now)
        state = ours._state
        assert state is not None
        assert ours.enabled is theirs._enabled
        assert ours.rate == pytest.approx(token_bucket.max_rate)
        assert state.bucket.max_capacity == pytest.approx(token_bucket.max_capacity)
        assert state.bucket.capacity == pytest.approx(token_bucket.available_capacity)
        assert state.clocker.measured_rate == pytest.approx(clocker.measured_rate)
        params = theirs._rate_adjustor.get_params_snapshot()
        assert (state.cubic.w_max, state.cubic.k, state.cubic.last_fail) == pytest.approx(
            (params.w_max, params.k, params.last_fail)
        )
