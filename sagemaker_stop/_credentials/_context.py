"""What every provider may consult: injected environment, home, files and clock."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

import attrs

from .._settings import Profile, SharedConfig, active_profile, configured_endpoint_url


@attrs.frozen
class Context:
    # Never in reprs: the environment and the files may hold keys.
    environ: Mapping[str, str] = attrs.field(repr=False)
    home: str
    shared: SharedConfig = attrs.field(repr=False)
    #: ``profile=`` given to the client (disables the environment provider).
    explicit_profile: Optional[str] = None
    #: The configured region (for STS), if any.
    region: Optional[str] = None
    #: The resolved FIPS / dual-stack settings: STS calls honour them too (botocore).
    use_fips: bool = False
    use_dualstack: bool = False
    clock: Callable[[], float] = time.time
    #: ``mfa_token_provider=`` of the client: serial -> code (a coroutine function too,
    #: for an async client). Called through the ``CallUser`` effect.
    mfa_token_provider: Optional[Callable[[str], Any]] = attrs.field(
        default=None, repr=False, eq=False
    )

    def profile(self) -> Profile:
        """The active profile (raises ConfigurationError if a named one is missing)."""
        return active_profile(self.shared, self.explicit_profile, self.environ)

    def endpoint_url(self, service: str) -> Optional[str]:
        """The configured endpoint URL of ``service`` (botocore's snake-case service id:
        ``sts``, ``sso``, ``sso_oidc``, ``signin``), as the active profile sees it."""
        return configured_endpoint_url(service, self.environ, self.shared, self.profile())

    def sts_endpoint_url(self) -> Optional[str]:
        return self.endpoint_url("sts")
