"""``credential_process`` from a profile: run the command, read its JSON."""

from __future__ import annotations

import json
import shlex

from .._effects import Flow, ProcessResult, RunProcess
from ..errors import CredentialsError
from ._types import Credentials
from ._util import credentials_from_mapping


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
        stderr = result.stderr.decode("utf-8", "replace").strip()
        hint = f": {stderr[-300:]}" if stderr else ""
        raise CredentialsError(
            f"{what} ({argv[0]}) failed with exit status {result.returncode}{hint}"
        )
    try:
        data = json.loads(result.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # Never quote stdout: it may hold half-printed secrets.
        raise CredentialsError(f"{what} ({argv[0]}) did not print valid JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{what} ({argv[0]}) did not print a JSON object")
    if data.get("Version") != 1:
        raise CredentialsError(
            f"{what} ({argv[0]}): unsupported Version {data.get('Version')!r} (expected 1)"
        )
    return credentials_from_mapping(
        data, what=what, source="credential-process", token_key="SessionToken"
    )
