"""Where credentials come from: the default provider chain, cached and refreshed.

The client calls ``source.get_sync(run_flow)`` or ``await source.get_async(run_flow)``
on the object :func:`default_credential_source` returns.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from .._settings import SharedConfig, default_home
from ._cache import CredentialSource
from ._chain import default_providers
from ._context import Context
from ._types import (
    Credentials,
    CredentialSourceProtocol,
    RunFlow,
    RunFlowAsync,
    StaticCredentialSource,
)

__all__ = [
    "CredentialSource",
    "CredentialSourceProtocol",
    "Credentials",
    "RunFlow",
    "RunFlowAsync",
    "StaticCredentialSource",
    "default_credential_source",
]


def default_credential_source(
    credentials: Optional[Credentials] = None,
    profile: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
    home: Optional[str] = None,
    config: Optional[SharedConfig] = None,
    *,
    region: Optional[str] = None,
    use_fips: bool = False,
    use_dualstack: bool = False,
    clock: Callable[[], float] = time.time,
    jitter: Callable[[], float] = random.random,
    mfa_token_provider: Optional[Callable[[str], Any]] = None,
) -> Union[StaticCredentialSource, CredentialSource]:
    """The source a client uses: ``credentials`` as given, else the default chain.

    ``environ`` (default: a snapshot of ``os.environ``), ``home`` (default ``$HOME``),
    ``config`` (the already parsed shared files; default: read them now) and ``clock``
    are injectable for tests. ``region``, ``use_fips`` and ``use_dualstack`` pick the
    STS (and SSO, Sign-In) endpoints. ``mfa_token_provider`` gives assume-role profiles
    with ``mfa_serial`` their code.
    """
    if credentials is not None:
        return StaticCredentialSource(credentials)
    env: Mapping[str, str] = dict(os.environ) if environ is None else environ
    home = home if home is not None else default_home(env)
    shared = config if config is not None else SharedConfig.load(env, home)
    context = Context(
        environ=env,
        home=home,
        shared=shared,
        explicit_profile=profile or None,
        region=region,
        use_fips=use_fips,
        use_dualstack=use_dualstack,
        clock=clock,
        mfa_token_provider=mfa_token_provider,
    )
    return CredentialSource.from_providers(
        default_providers(context),
        skipped_env=context.explicit_profile is not None,
        clock=clock,
        jitter=jitter,
    )
