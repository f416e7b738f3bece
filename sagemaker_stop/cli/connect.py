"""The client a command talks to SageMaker with, as the global options describe it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..client import SageMakerClient


def make_client(args: argparse.Namespace) -> SageMakerClient:
    from ..client import SageMakerClient

    return SageMakerClient(
        region=args.region,
        endpoint_url=args.endpoint_url,
        max_attempts=args.max_attempts,
        profile=args.profile,
        retry_mode=args.retry_mode,
    )
