"""Exit codes: what each means, which wins among several outcomes, and what an exception
maps to; the two exceptions of the command line itself (:class:`UsageError`,
:class:`Declined`)."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130

#: Exit code -> meaning (the table in ``--help``).
EXIT_CODES = {
    EXIT_OK: "done",
    EXIT_ERROR: "service or network error (or confirmation declined)",
    EXIT_USAGE: "usage or validation error; nothing was sent",
    EXIT_TIMEOUT: "--wait timed out",
    EXIT_FAILED: "--wait: the execution ended Failed",
    EXIT_INTERRUPTED: "interrupted",
}

#: Which code wins when several executions end differently (most serious first).
_PRECEDENCE = (EXIT_INTERRUPTED, EXIT_USAGE, EXIT_ERROR, EXIT_FAILED, EXIT_TIMEOUT, EXIT_OK)


def worst(codes: Sequence[int]) -> int:
    """The exit code of several outcomes: the most serious one (0 when there are none)."""
    return min(codes, key=_PRECEDENCE.index, default=EXIT_OK)


class UsageError(Exception):
    """Bad command-line input found after parsing (exit 2, nothing sent)."""


class Declined(Exception):
    """The bulk-stop confirmation was answered no (exit 1)."""


def exit_code_for(exc: BaseException) -> int:
    """The exit code an exception maps to."""
    from .._waiter import WaitTimeoutError
    from ..errors import ConfigurationError, NoCredentialsError, ParamValidationError

    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, (UsageError, ParamValidationError, ConfigurationError)):
        return EXIT_USAGE
    if isinstance(exc, NoCredentialsError):
        return EXIT_USAGE  # nothing could be sent
    if isinstance(exc, WaitTimeoutError):
        return EXIT_TIMEOUT
    return EXIT_ERROR
