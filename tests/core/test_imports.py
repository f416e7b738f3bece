"""What a user's process loads: never boto3 or botocore's client machinery, and for a plain
stop none of the code it does not use (cold start in Lambda)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..conftest import ARN
from ..loopback import ACCESS_KEY, SECRET_KEY, WireServer

SCRIPT = f"""
import json, os, sys
import sagemaker_stop
after_import = sorted(sys.modules)
from sagemaker_stop import SageMakerClient
with SageMakerClient(region="us-east-1", endpoint_url=os.environ["URL"]) as sm:
    sm.stop_pipeline_execution({ARN!r})
print(json.dumps({{"after_import": after_import, "after_stop": sorted(sys.modules)}}))
"""


def run(url: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(URL=url, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True, timeout=60)
    result: dict[str, list[str]] = json.loads(out.stdout)
    return result


def test_import_is_cheap_and_a_stop_loads_only_what_it_needs(wire: WireServer) -> None:
    loaded = run(wire.url)
    assert wire.requests and wire.requests[0].auth.ok

    after_import = set(loaded["after_import"])
    assert "httpx" not in after_import and "botocore" not in after_import

    after_stop = set(loaded["after_stop"])
    assert "botocore.auth" in after_stop  # botocore signs ...
    for never in ("boto3", "botocore.session", "botocore.client", "botocore.loaders",
                  "botocore.credentials", "botocore.endpoint"):
        assert never not in after_stop, never  # ... and nothing more of botocore is used
    for unused in ("sagemaker_stop.emulator", "sagemaker_stop.cli", "sagemaker_stop._waiter",
                   "sagemaker_stop._bulk", "sagemaker_stop._pipeline_operations",
                   "sagemaker_stop._ratelimit",
                   "sagemaker_stop._credentials._imds", "sagemaker_stop._credentials._sts",
                   "sagemaker_stop._credentials._container", "asyncio",
                   "sagemaker_stop._sqs_operations", "sagemaker_stop.worker",
                   "sagemaker_stop._worker", "sagemaker_stop._lambda",
                   "aiohttp", "httpx_aiohttp"):
        assert unused not in after_stop, unused


CLI_SCRIPT = """
import io, json, sys
before = set(sys.modules)
import sagemaker_stop.cli
after_import = set(sys.modules) - before
sagemaker_stop.cli.run(["--help"], stdout=io.StringIO(), stderr=io.StringIO())
sagemaker_stop.cli.run(["stop", "--help"], stdout=io.StringIO(), stderr=io.StringIO())
after_help = set(sys.modules) - before
print(json.dumps({"after_import": sorted(after_import), "after_help": sorted(after_help)}))
"""


def test_the_cli_imports_only_the_standard_library_until_a_command_runs() -> None:
    out = subprocess.run([sys.executable, "-c", CLI_SCRIPT], capture_output=True, text=True,
                         check=True, timeout=60)
    loaded: dict[str, list[str]] = json.loads(out.stdout)
    ours = {"sagemaker_stop", "sagemaker_stop._defaults", "sagemaker_stop._lazy", "sagemaker_stop._version",
            "sagemaker_stop.errors", "sagemaker_stop.cli", "sagemaker_stop.cli.app",
            "sagemaker_stop.cli.console", "sagemaker_stop.cli.exits",
            "sagemaker_stop.cli.parser", "sagemaker_stop.cli.render"}
    # the parser reads the emulator command's options (standard library only; the
    # emulator itself is not loaded)
    options = {"sagemaker_stop.emulator", "sagemaker_stop.emulator._command"}
    stdlib = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    for moment in ("after_import", "after_help"):
        names = set(loaded[moment])
        expected = ours | options if moment == "after_help" else ours
        assert {n for n in names if n.startswith("sagemaker_stop")} == expected, moment
        for never in ("attr", "attrs", "httpx", "botocore"):
            assert never not in names, (moment, never)
        if stdlib is not None:
            others = {n.partition(".")[0] for n in names} - {"sagemaker_stop"}
            assert others <= set(stdlib), (moment, sorted(others - set(stdlib)))
