"""Caching and refreshing temporary credentials.

The decisions are pure functions of (cached state, now) written once; the sync and
async :class:`CredentialSource` methods differ only in their lock (``threading.Lock``
vs ``asyncio.Lock``) and in how they run a flow. Like aws-sdk-rust's lazy cache and
botocore's refreshable credentials:

* credentials with an expiry are refreshed when less than 5 minutes (plus up to one
  minute of jitter, chosen per credentials) are left: an *optional* refresh. Only one
  caller refreshes; the others keep using the still-valid credentials meanwhile. If it
  fails, the old credentials are kept and the refresh is retried 30 s later;
* within 10 s of expiry (or when forced, or when there are none yet) a refresh is
  *required*: concurrent callers wait for the one refresher, and a failure is raised;
* credentials that *arrive* expired (or within those 10 s) are loaded once more from
  the same provider; still expired, they are refused with :class:`CredentialsError`
  (botocore raises "the refreshed credentials are still expired", ``credentials.py``
  ``_protected_refresh``), and for 30 s every caller gets that error at once instead
  of another load (without it, every call loaded them again and went on with expired
  credentials).  Instance metadata extends its own expired credentials first, as every
  AWS SDK does for static stability (``_imds.py``).
"""

from __future__ import annotations

import enum
import logging
import random
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .._effects import Flow
from .._value import Value
from ..errors import ConfigurationError, CredentialsError, SageMakerError
from ._chain import Provider, resolve
from ._miss import Miss
from ._types import Credentials, RunFlow, RunFlowAsync

if TYPE_CHECKING:
    import asyncio

logger = logging.getLogger("sagemaker_stop.credentials")

REFRESH_WINDOW = 300.0
JITTER = 60.0
EXPIRY_MARGIN = 10.0
RETRY_PAUSE = 30.0
MIN_REFRESH_INTERVAL = 30.0


class Need(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Cached(Value):
    """Credentials, the provider that produced them and refreshes them, and when."""

    __slots__ = ("credentials", "expires_at", "provider", "refresh_at")
    _uncompared = frozenset({"provider"})

    def __init__(
        self,
        credentials: Credentials,
        provider: Provider,
        expires_at: Optional[float] = None,
        refresh_at: Optional[float] = None,
    ) -> None:
        self.credentials = credentials
        self.provider = provider
        self.expires_at = expires_at
        self.refresh_at = refresh_at


def need(state: Optional[Cached], now: float, force: bool = False) -> Need:
    if state is None or force:
        return Need.REQUIRED
    if state.expires_at is not None and now >= state.expires_at - EXPIRY_MARGIN:
        return Need.REQUIRED
    if state.refresh_at is not None and now >= state.refresh_at:
        return Need.OPTIONAL
    return Need.NONE


class StillExpired(CredentialsError):
    """Credentials loaded twice and expired both times (remembered for a while)."""


def expired_on_arrival(credentials: Credentials, now: float) -> bool:
    expires = credentials.expiry_timestamp()
    return expires is not None and now >= expires - EXPIRY_MARGIN


def _load(provider: Provider) -> Flow[Credentials]:
    found = yield from provider.load()
    if isinstance(found, Miss):
        raise CredentialsError(f"the {provider.name} credentials are gone: {found.detail}")
    return found


def refresh_flow(
    state: Optional[Cached],
    chain: Callable[[], Flow[tuple[Provider, Credentials]]],
    clock: Callable[[], float] = time.time,
) -> Flow[tuple[Provider, Credentials]]:
    """The whole chain the first time; afterwards the provider that won.  Credentials
    that arrive expired are loaded once more from their provider; expired again, they
    are refused (:class:`StillExpired`)."""
    if state is None:
        provider, credentials = yield from chain()
    else:
        provider, credentials = state.provider, (yield from _load(state.provider))
    if expired_on_arrival(credentials, clock()):
        credentials = yield from _load(provider)
        if expired_on_arrival(credentials, clock()):
            expiration = credentials.expiration.isoformat() if credentials.expiration else "?"
            raise StillExpired(
                f"the {provider.name} credentials were loaded twice and were expired both "
                f"times (expiration {expiration}): renew them at their source (aws sso "
                "login, the credential process's cache, ...) or check this machine's clock"
            )
    return provider, credentials


def succeeded(result: tuple[Provider, Credentials], now: float, jitter: float) -> Cached:
    """The new state; ``jitter`` is a fraction in [0, 1)."""
    provider, creds = result
    expires = creds.expiry_timestamp()
    if expires is None:
        return Cached(creds, provider)
    refresh_at = max(expires - REFRESH_WINDOW - JITTER * jitter, now + MIN_REFRESH_INTERVAL)
    return Cached(creds, provider, expires, refresh_at)


def describe_failure(error: Optional[BaseException]) -> str:
    """Why a refresh failed, for the log: type and message of our own errors (their
    messages never hold key material or process output), only the type otherwise."""
    if error is None:
        return "unknown error"
    if isinstance(error, (SageMakerError, ConfigurationError)):
        message = str(error)
        if len(message) > 500:
            message = message[:500] + "..."
        return f"{type(error).__name__}: {message}"
    return type(error).__name__


def failed(
    state: Optional[Cached],
    now: float,
    wanted: Need,
    error: Optional[BaseException] = None,
) -> Optional[Cached]:
    """After a failed refresh: the old state with a later retry when the old
    credentials may still be used; otherwise None: the caller re-raises."""
    if wanted is Need.OPTIONAL and state is not None and need(state, now) is not Need.REQUIRED:
        logger.warning(
            "refreshing the %s credentials failed (%s); using the current ones until "
            "they expire",
            state.provider.name,
            describe_failure(error),
        )
        return state.replace(refresh_at=now + RETRY_PAUSE)
    return None


class CredentialSource:
    """Credentials from a provider chain, cached and refreshed by one caller at a time.

    ``get_sync(run_flow)`` for the sync client, ``await get_async(run_flow_async)`` for
    the async one; ``force_refresh=True`` after the service said they expired.
    """

    def __init__(
        self,
        chain: Callable[[], Flow[tuple[Provider, Credentials]]],
        *,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._chain = chain
        self._clock = clock
        self._jitter = jitter
        self._state: Optional[Cached] = None
        #: A StillExpired refusal and until when it is repeated without loading again.
        self._refused: Optional[tuple[StillExpired, float]] = None
        self._lock = threading.Lock()
        self._async_lock: Optional[asyncio.Lock] = None
        self._async_loop: Optional[asyncio.AbstractEventLoop] = None

    @classmethod
    def from_providers(
        cls,
        providers: list[Provider],
        *,
        skipped_env: bool = False,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> CredentialSource:
        return cls(
            lambda: resolve(providers, skipped_env=skipped_env),
            clock=clock,
            jitter=jitter,
        )

    def __repr__(self) -> str:
        state = self._state
        return f"CredentialSource(cached={state.credentials if state else None!r})"

    def describe(self) -> Optional[str]:
        """Which provider of the chain gave the current credentials (None: none yet)."""
        state = self._state
        return state.provider.describe() if state else None

    # -- the shared decision steps --------------------------------------------------

    def _refuse_again(self, wanted: Need) -> None:
        """Raise a recent StillExpired refusal again, instead of loading once more
        (an optional refresh keeps the current credentials: see :func:`failed`)."""
        refused = self._refused
        if refused is not None and wanted is Need.REQUIRED:
            error, until = refused
            if self._clock() < until:
                raise StillExpired(f"{error.message} (not loaded again for {RETRY_PAUSE:g} s)")
            self._refused = None

    def _refresh(self, current: Optional[Cached]) -> Flow[tuple[Provider, Credentials]]:
        return refresh_flow(current, self._chain, self._clock)

    def _fresh(self, seen: Optional[Cached]) -> Optional[Credentials]:
        """After waiting for the lock: another caller's fresh result, if any."""
        current = self._state
        if (
            current is not None
            and current is not seen
            and need(current, self._clock()) is not Need.REQUIRED
        ):
            return current.credentials
        return None

    def _finish(
        self, current: Optional[Cached], wanted: Need, outcome: Union[Any, Exception]
    ) -> Credentials:
        now = self._clock()
        if isinstance(outcome, Exception):
            if isinstance(outcome, StillExpired):
                self._refused = (outcome, now + RETRY_PAUSE)
            kept = failed(current, now, wanted, outcome)
            if kept is None:
                raise outcome
            self._state = kept
            return kept.credentials
        self._state = succeeded(outcome, now, self._jitter())
        return self._state.credentials

    # -- the shells -----------------------------------------------------------------

    def get_sync(self, run_flow: RunFlow, force_refresh: bool = False) -> Credentials:
        seen = self._state
        wanted = need(seen, self._clock(), force_refresh)
        if wanted is Need.NONE and seen is not None:
            return seen.credentials
        if wanted is Need.OPTIONAL:
            if not self._lock.acquire(blocking=False):
                assert seen is not None
                return seen.credentials  # someone else is refreshing
        else:
            self._lock.acquire()
        try:
            fresh = self._fresh(seen)
            if fresh is not None:
                return fresh
            self._refuse_again(wanted)
            current = self._state
            outcome: Union[Any, Exception]
            try:
                outcome = run_flow(self._refresh(current))
            except Exception as exc:
                outcome = exc
            return self._finish(current, wanted, outcome)
        finally:
            self._lock.release()

    def _get_async_lock(self) -> asyncio.Lock:
        import asyncio  # only async users pay for it, and they have it loaded already

        loop = asyncio.get_running_loop()
        if self._async_lock is None or self._async_loop is not loop:
            self._async_lock = asyncio.Lock()
            self._async_loop = loop
        return self._async_lock

    async def get_async(
        self, run_flow_async: RunFlowAsync, force_refresh: bool = False
    ) -> Credentials:
        seen = self._state
        wanted = need(seen, self._clock(), force_refresh)
        if wanted is Need.NONE and seen is not None:
            return seen.credentials
        lock = self._get_async_lock()
        if wanted is Need.OPTIONAL and lock.locked():
            assert seen is not None
            return seen.credentials  # someone else is refreshing
        async with lock:
            fresh = self._fresh(seen)
            if fresh is not None:
                return fresh
            self._refuse_again(wanted)
            current = self._state
            outcome: Union[Any, Exception]
            try:
                outcome = await run_flow_async(self._refresh(current))
            except Exception as exc:
                outcome = exc
            return self._finish(current, wanted, outcome)
