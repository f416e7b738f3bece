"""The default credential provider chain, spelled out in one place.

Order (first that yields credentials wins):

1. ``credentials=`` given to the client (see :func:`default_credential_source`);
2. environment variables (skipped when ``profile=`` is passed, as botocore does);
3. assume role: the active profile's ``role_arn`` with ``source_profile`` /
   ``credential_source`` (before web identity from the environment, like botocore);
4. web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN`` or profile keys);
5. the rest of the shared config/credentials files' active profile, in botocore's
   order (``_profile.py``): web identity keys, SSO / IAM Identity Center
   (``_sso.py``), static keys from the credentials file, ``aws login``
   (``_login.py``), ``credential_process``, static keys from the config file — the
   same order resolves a ``source_profile``;
6. the container credentials endpoint (ECS, EKS Pod Identity);
7. EC2 instance metadata (IMDSv2).

Rule: a provider that is not configured answers :class:`Miss` and the next is tried;
any error (bad file, process failure, STS refusal, unreachable container endpoint...)
stops the chain and is raised. Nothing found: :class:`NoCredentialsError` listing
where the chain looked.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Optional, Protocol

from .._effects import Flow
from ..errors import NoCredentialsError
from ._context import Context
from ._miss import Found, Miss
from ._types import Credentials

logger = logging.getLogger("sagemaker_stop.credentials")


class Provider(Protocol):
    @property
    def name(self) -> str: ...

    def describe(self) -> str: ...

    def load(self) -> Flow[Found]: ...


#: The chain, in order, as (module, class): a provider's module is imported only when the
#: chain reaches it, so a Lambda function with credentials in its environment never loads
#: the STS, container or instance-metadata code.
DEFAULT_CHAIN: tuple[tuple[str, str], ...] = (
    ("._env", "EnvironmentProvider"),
    ("._profile", "AssumeRoleProvider"),
    ("._web_identity", "WebIdentityProvider"),
    ("._profile", "SharedFilesProvider"),
    ("._container", "ContainerProvider"),
    ("._imds", "InstanceMetadataProvider"),
)


class _Deferred:
    """A provider built on first use (a :class:`Provider` itself)."""

    def __init__(self, module: str, cls: str, context: Context) -> None:
        self._where = (module, cls)
        self._context = context
        self._provider: Optional[Any] = None

    def _get(self) -> Provider:
        if self._provider is None:
            module, cls = self._where
            self._provider = getattr(importlib.import_module(module, __package__), cls)(
                self._context
            )
        provider: Provider = self._provider
        return provider

    @property
    def name(self) -> str:
        return self._get().name

    def describe(self) -> str:
        return self._get().describe()

    def load(self) -> Flow[Found]:
        return self._get().load()


def default_providers(context: Context) -> list[Provider]:
    chain = DEFAULT_CHAIN
    if context.explicit_profile is not None:  # botocore skips the environment then
        chain = chain[1:]
    return [_Deferred(module, cls, context) for module, cls in chain]


def resolve(
    providers: list[Provider], *, skipped_env: bool = False
) -> Flow[tuple[Provider, Credentials]]:
    """Try ``providers`` in order; the winner and its credentials."""
    looked: list[str] = []
    tried: list[tuple[str, str]] = []
    if skipped_env:
        looked.append("environment variables (skipped: profile= was given)")
        tried.append(("environment", "skipped: a profile was given"))
    for provider in providers:
        found: Found = yield from provider.load()
        if isinstance(found, Miss):
            detail = f" ({found.detail})" if found.detail else ""
            looked.append(provider.describe() + detail)
            tried.append((provider.name, found.detail or "none"))
            continue
        logger.debug("AWS credentials found: %s (%s)", provider.name, provider.describe())
        return provider, found
    raise NoCredentialsError(
        "no AWS credentials found; looked in: "
        + "; ".join(looked)
        + ". Pass credentials= to the client, set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or configure a profile (aws configure)",
        tried=tuple(tried),
    )
