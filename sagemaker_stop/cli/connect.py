"""The client a command talks to SageMaker with, as the global options describe it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..client import SageMakerClient


def mfa_prompt(serial: str) -> str:
    """The MFA code for an assume-role profile's ``mfa_serial``: asked on the terminal
    without echo, as the AWS CLI does (botocore's ``AssumeRoleCredentialFetcher``
    prompt); without a terminal there is no one to ask, and the command fails."""
    from ..errors import CredentialsError

    if not sys.stdin.isatty():
        raise CredentialsError(
            f"the profile needs an MFA code for {serial} (mfa_serial), and stdin is not a "
            "terminal to ask for it: run the command in a terminal, or use credentials "
            "that need no MFA code"
        )
    import getpass

    return getpass.getpass(f"Enter MFA code for {serial}: ", stream=sys.stderr)


def make_client(args: argparse.Namespace) -> SageMakerClient:
    from ..client import SageMakerClient

    return SageMakerClient(
        region=args.region,
        endpoint_url=args.endpoint_url,
        max_attempts=args.max_attempts,
        profile=args.profile,
        mfa_token_provider=mfa_prompt,
        retry_mode=args.retry_mode,
    )


def command_options(
    args: argparse.Namespace, client: SageMakerClient, arn: Optional[str] = None
) -> tuple[str, ...]:
    """The global options a command shown to the user (the one that answers a Callback
    step) needs to reach the same place in the same shell: those given on this command
    line (the environment and the profile stay as they are), and ``--region`` when the
    region came from the execution's ARN (a callback token names none)."""
    from .._operations import region_of_arn

    options: list[str] = []
    region = args.region or (None if client.config.region else region_of_arn(arn))
    for option, value in (
        ("--region", region),
        ("--profile", args.profile),
        ("--endpoint-url", args.endpoint_url),
    ):
        if value:
            options += [option, value]
    return tuple(options)
