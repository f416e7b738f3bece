"""The defaults users can override, in one place (and cheap to import)."""

#: Per-phase HTTP timeout, seconds.
TIMEOUT = 10.0
#: Responses larger than this are refused (ResponseTooLargeError), not read into memory.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
#: Waiting for an execution to end: give up after, first delay, longest delay (seconds).
WAIT_TIMEOUT = 3600.0
POLL = 5.0
MAX_POLL = 60.0
