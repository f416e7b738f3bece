"""Record botocore's SageMaker endpoint answers as fixtures/endpoints/sagemaker.json.

Run at generation time only (botocore is the reference, never used by the library)::

    .venv/bin/python tests/config/make_endpoint_fixture.py
"""

from __future__ import annotations

import gzip
import json
import os
from typing import Any, Optional

import botocore
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import BotoCoreError, EndpointResolutionError
from botocore.utils import validate_region_name

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, os.pardir, os.pardir, "fixtures", "endpoints", "sagemaker.json")

REGIONS = [
    # aws
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-7",
    "mx-central-1",
    "aws-global",
    "us-east-7",
    "eu-north-9",
    "xx-east-1",
    "local",
    # aws-cn
    "cn-north-1",
    "cn-northwest-1",
    "cn-north-9",
    "aws-cn-global",
    # aws-us-gov
    "us-gov-west-1",
    "us-gov-east-1",
    "us-gov-north-5",
    "aws-us-gov-global",
    # aws-iso
    "us-iso-east-1",
    "us-iso-west-1",
    "us-iso-south-3",
    # aws-iso-b
    "us-isob-east-1",
    "us-isob-west-4",
    # aws-iso-e
    "eu-isoe-west-1",
    "eu-isoe-north-2",
    # aws-iso-f
    "us-isof-south-1",
    "us-isof-east-1",
    "us-isof-west-9",
    # aws-eusc
    "eusc-de-east-1",
    "eusc-de-west-3",
    # invalid names
    "",
    "us_east_1",
    "-us-east-1",
    "us-east-1-",
    "12345",
    "us.east.1",
    "a" * 64,
    "US-EAST-1",
]


def botocore_answer(
    provider: EndpointProvider, region: str, fips: bool, dualstack: bool
) -> dict[str, Optional[str]]:
    try:
        validate_region_name(region)
        if not region:
            raise ValueError("empty region")
    except (BotoCoreError, ValueError) as exc:
        return {"url": None, "error": f"invalid region: {exc}"}
    try:
        endpoint = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack)
    except EndpointResolutionError as exc:
        return {"url": None, "error": str(exc)}
    return {"url": endpoint.url, "error": None}


def make_provider() -> EndpointProvider:
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    with gzip.open(
        os.path.join(data, "sagemaker", "2017-07-24", "endpoint-rule-set-1.json.gz")
    ) as handle:
        ruleset = json.load(handle)
    with open(os.path.join(data, "partitions.json"), encoding="utf-8") as handle:
        partitions = json.load(handle)
    return EndpointProvider(ruleset, partitions)


def build() -> dict[str, Any]:
    provider = make_provider()
    cases = []
    for region in REGIONS:
        for fips in (False, True):
            for dualstack in (False, True):
                answer = botocore_answer(provider, region, fips, dualstack)
                cases.append({"region": region, "fips": fips, "dualstack": dualstack, **answer})
    return {"botocore_version": botocore.__version__, "cases": cases}


def main() -> None:
    with open(FIXTURE, "w", encoding="utf-8") as handle:
        json.dump(build(), handle, indent=1)
        handle.write("\n")
    print(f"wrote {os.path.normpath(FIXTURE)}")


if __name__ == "__main__":
    main()
