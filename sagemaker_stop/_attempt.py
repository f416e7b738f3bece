"""``Attempt``, what an ``on_attempt`` hook receives: a public frozen attrs class, in a
module of its own so that it is created only when a client with a hook first reports
an attempt (creating an attrs class costs about a millisecond at import)."""

from __future__ import annotations

from typing import Optional

import attrs

from .errors import SageMakerError


@attrs.frozen
class Attempt:
    """What an ``on_attempt`` hook receives after every attempt."""

    operation: str
    attempt: int
    max_attempts: int
    http_status: Optional[int]
    error: Optional[SageMakerError]
    request_id: Optional[str]
    #: Seconds until the next attempt; None when the call is over.
    retry_in: Optional[float]
