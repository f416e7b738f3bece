"""``sagemaker-stop config``: which profile, region, endpoint, CA bundle and credential
source the other commands would use, and where each came from (never a secret).
Computes a :class:`ConfigReport`; the renderer shows it."""

from __future__ import annotations

import argparse
from typing import Any, Optional

from .._credentials._types import Credentials
from .._effects import Flow, GetCredentials
from .connect import make_client
from .exits import EXIT_OK, exit_code_for
from .render import Renderer
from .results import ConfigReport, ConfigSetting


def _credentials() -> Flow[Credentials]:
    creds: Credentials = yield GetCredentials()
    return creds


def command(args: argparse.Namespace, renderer: Renderer) -> int:
    with make_client(args) as client:
        config = client.config
        settings = [
            ConfigSetting(name, getattr(config, name), config.source_of(name))
            for name in ("profile", "region")
        ]
        endpoint: Optional[str] = config.endpoint_url
        where = config.source_of("endpoint_url")
        if endpoint is None and config.region:
            endpoint = config.endpoint_for()[0]
            where = f"resolved from the region ({where})"
        settings.append(ConfigSetting("endpoint_url", endpoint, where))
        settings.append(
            ConfigSetting("ca_bundle", config.ca_bundle, config.source_of("ca_bundle"))
        )
        error: Optional[BaseException] = None
        source: Any = config.credential_source
        try:
            creds = client._run(_credentials())
            settings.append(ConfigSetting("credentials", creds.source, source.describe()))
        except Exception as exc:
            error = exc
            settings.append(ConfigSetting("credentials", None, "none could be loaded"))
    renderer.config(ConfigReport(tuple(settings), error))
    return EXIT_OK if error is None else exit_code_for(error)
