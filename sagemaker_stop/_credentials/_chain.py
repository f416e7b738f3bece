"""The default credential provider chain, spelled out in one place.

Order (first that yields credentials wins):

1. ``credentials=`` given to the client (see :func:`default_credential_source`);
2. environment variables (skipped when ``profile=`` is passed, as botocore does);
3. web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN`` or profile keys);
4. the shared config/credentials files' active profile;
5. the container credentials endpoint (ECS, EKS Pod Identity);
6. EC2 instance metadata (IMDSv2).

Rule: a provider that is not configured answers :class:`Miss` and the next is tried;
any error (bad file, process failure, STS refusal, unreachable container endpoint...)
stops the chain and is raised. Nothing found: :class:`NoCredentialsError` listing
where the chain looked.
"""

from __future__ import annotations

import logging
from typing import Protocol

from .._effects import Flow
from ..errors import NoCredentialsError
from ._container import ContainerProvider
from ._context import Context
from ._env import EnvironmentProvider
from ._imds import InstanceMetadataProvider
from ._miss import Found, Miss
from ._profile import SharedFilesProvider
from ._types import Credentials
from ._web_identity import WebIdentityProvider

logger = logging.getLogger("sagemaker_stop.credentials")


class Provider(Protocol):
    @property
    def name(self) -> str: ...

    def describe(self) -> str: ...

    def load(self) -> Flow[Found]: ...


def default_providers(context: Context) -> list[Provider]:
    providers: list[Provider] = []
    if context.explicit_profile is None:
        providers.append(EnvironmentProvider(context))
    providers += [
        WebIdentityProvider(context),
        SharedFilesProvider(context),
        ContainerProvider(context),
        InstanceMetadataProvider(context),
    ]
    return providers


def resolve(
    providers: list[Provider], *, skipped_env: bool = False
) -> Flow[tuple[Provider, Credentials]]:
    """Try ``providers`` in order; the winner and its credentials."""
    looked: list[str] = []
    if skipped_env:
        looked.append("environment variables (skipped: profile= was given)")
    for provider in providers:
        found: Found = yield from provider.load()
        if isinstance(found, Miss):
            detail = f" ({found.detail})" if found.detail else ""
            looked.append(provider.describe() + detail)
            continue
        logger.debug("AWS credentials found: %s", provider.name)
        return provider, found
    raise NoCredentialsError(
        "no AWS credentials found; looked in: "
        + "; ".join(looked)
        + ". Pass credentials= to the client, set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or configure a profile (aws configure)"
    )
