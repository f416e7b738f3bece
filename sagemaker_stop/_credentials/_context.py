"""What every provider may consult: injected environment, home, files and clock."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Callable, Optional

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

    def profile(self) -> Profile:
        """The active profile (raises ConfigurationError if a named one is missing)."""
        return active_profile(self.shared, self.explicit_profile, self.environ)

    def sts_endpoint_url(self) -> Optional[str]:
        return configured_endpoint_url("sts", self.environ, self.shared, self.profile())
