"""``credential_process`` from a profile: run the command, read its JSON."""

from __future__ import annotations

import shlex

from .._effects import Flow, ProcessResult, RunProcess
from .._redact import redact
from ..errors import CredentialsError
from ._types import Credentials
from ._util import credentials_from_mapping, json_object


def run_credential_process(command: str, profile: str) -> Flow[Credentials]:
    what = f"credential_process of profile {profile!r}"
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise CredentialsError(f"{what}: cannot split the command: {exc}") from None
    if not argv or not argv[0]:
        raise CredentialsError(f"{what}: the command is empty")
    result: ProcessResult = yield RunProcess(argv)
    if result.returncode != 0:
        raise CredentialsError(
            f"{what} ({argv[0]}) failed with exit status {result.returncode}"
            f"{_last_words(result.stderr)}"
        )
    data = json_object(  # never quoting stdout: it may hold half-printed secrets
        result.stdout,
        f"{what} ({argv[0]}) did not print valid JSON",
        f"{what} ({argv[0]}) did not print a JSON object",
    )
    if data.get("Version") != 1:
        raise CredentialsError(
            f"{what} ({argv[0]}): unsupported Version {data.get('Version')!r} (expected 1)"
        )
    return credentials_from_mapping(
        data, what=what, source="credential-process", token_key="SessionToken"
    )


def _last_words(stderr: bytes) -> str:
    """What a failed process said last, fit to quote: its last non-empty line only
    (a process may print its whole configuration or half its credentials before it
    fails), at most 200 characters, with anything that looks like a secret redacted
    (botocore quotes the whole stderr)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    if not last:
        return ""
    last = redact(last)
    return f": {last[:200]}{'...' if len(last) > 200 else ''}"
