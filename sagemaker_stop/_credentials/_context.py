"""What every provider may consult: injected environment, home, files and clock."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

from .._settings import Profile, SharedConfig, active_profile, configured_endpoint_url
from .._value import Value


class Context(Value):
    """``environ`` and ``shared`` are never shown (the environment and the files may
    hold keys).  ``explicit_profile``: ``profile=`` given to the client (disables the
    environment provider); ``region``: the configured region (for STS), if any;
    ``use_fips`` / ``use_dualstack``: the resolved settings, which STS calls honour too
    (botocore); ``mfa_token_provider``: the client's, serial -> code (a coroutine
    function too, for an async client), called through the ``CallUser`` effect."""

    __slots__ = (
        "clock", "environ", "explicit_profile", "home", "mfa_token_provider", "region",
        "shared", "use_dualstack", "use_fips",
    )
    _hidden = frozenset({"environ", "shared", "mfa_token_provider"})
    _uncompared = frozenset({"mfa_token_provider"})

    def __init__(
        self,
        environ: Mapping[str, str],
        home: str,
        shared: SharedConfig,
        explicit_profile: Optional[str] = None,
        region: Optional[str] = None,
        use_fips: bool = False,
        use_dualstack: bool = False,
        clock: Callable[[], float] = time.time,
        mfa_token_provider: Optional[Callable[[str], Any]] = None,
    ) -> None:
        self.environ = environ
        self.home = home
        self.shared = shared
        self.explicit_profile = explicit_profile
        self.region = region
        self.use_fips = use_fips
        self.use_dualstack = use_dualstack
        self.clock = clock
        self.mfa_token_provider = mfa_token_provider

    def profile(self) -> Profile:
        """The active profile (raises ConfigurationError if a named one is missing)."""
        return active_profile(self.shared, self.explicit_profile, self.environ)

    def endpoint_url(self, service: str) -> Optional[str]:
        """The configured endpoint URL of ``service`` (botocore's snake-case service id:
        ``sts``, ``sso``, ``sso_oidc``, ``signin``), as the active profile sees it."""
        return configured_endpoint_url(service, self.environ, self.shared, self.profile())

    def sts_endpoint_url(self) -> Optional[str]:
        return self.endpoint_url("sts")
