"""Endpoint resolution (SageMaker, SQS, STS), agreeing with botocore's endpoint rule sets.

The rules below are each service's ``endpoint-rule-set-1.json`` written out by hand;
the partition data (DNS suffixes, region patterns, FIPS / dual-stack support) is read
from botocore's own ``data/partitions.json`` so new partitions and regions arrive with
botocore upgrades. Only the data file is read:
botocore's resolver, session and loader are never used at runtime.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import urlsplit

from ._value import Value
from .errors import ConfigurationError

#: botocore.utils.validate_region_name: a host label, not all digits.
_VALID_REGION = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")


class Partition(Value):
    __slots__ = (
        "dns_suffix", "dual_stack_dns_suffix", "implicit_global_region", "name",
        "supports_dual_stack", "supports_fips",
    )

    def __init__(
        self,
        name: str,
        dns_suffix: str,
        dual_stack_dns_suffix: str,
        supports_fips: bool,
        supports_dual_stack: bool,
        implicit_global_region: str,
    ) -> None:
        self.name = name
        self.dns_suffix = dns_suffix
        self.dual_stack_dns_suffix = dual_stack_dns_suffix
        self.supports_fips = supports_fips
        self.supports_dual_stack = supports_dual_stack
        self.implicit_global_region = implicit_global_region


def _partitions_path() -> str:
    spec = importlib.util.find_spec("botocore")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = os.path.join(location, "data", "partitions.json")
        if os.path.isfile(path):
            return path
    raise ConfigurationError(
        "cannot resolve SageMaker endpoints: botocore's data/partitions.json was not "
        "found (is botocore installed?); pass endpoint_url= instead"
    )


@functools.lru_cache(maxsize=1)
def _partition_data() -> tuple[tuple[Mapping[str, Any], Partition], ...]:
    with open(_partitions_path(), encoding="utf-8") as handle:
        data = json.load(handle)
    result = []
    for entry in data["partitions"]:
        outputs = entry["outputs"]
        partition = Partition(
            name=entry["id"],
            dns_suffix=outputs["dnsSuffix"],
            dual_stack_dns_suffix=outputs["dualStackDnsSuffix"],
            supports_fips=bool(outputs["supportsFIPS"]),
            supports_dual_stack=bool(outputs["supportsDualStack"]),
            implicit_global_region=outputs.get("implicitGlobalRegion", ""),
        )
        result.append((entry, partition))
    return tuple(result)


def partition_for_region(region: str) -> Partition:
    """The partition of ``region`` (botocore's ``aws.partition``): listed regions or a
    match of the partition's regionRegex; unknown names fall back to the first (aws)."""
    data = _partition_data()
    for entry, partition in data:
        if region in entry["regions"] or re.match(entry["regionRegex"], region):
            return partition
    return data[0][1]


def validate_region(region: str) -> str:
    if not isinstance(region, str) or not _VALID_REGION.fullmatch(region):  # "$" passes "x\n"
        raise ConfigurationError(
            f"invalid region name {region!r}: a region is a DNS label such as 'us-east-1'"
        )
    return region


def resolve_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """The SageMaker API endpoint URL for ``region``, as botocore would resolve it."""
    validate_region(region)
    return endpoint_in_partition(
        region,
        partition_for_region(region),
        use_fips=use_fips,
        use_dualstack=use_dualstack,
    )


def endpoint_in_partition(region: str, p: Partition, *, use_fips: bool, use_dualstack: bool) -> str:
    """SageMaker's endpoint rules (``endpoint-rule-set-1.json``) for one partition."""
    check_variant(region, p, use_fips=use_fips, use_dualstack=use_dualstack)
    if use_fips and use_dualstack:
        return f"https://api.sagemaker-fips.{region}.{p.dual_stack_dns_suffix}"
    if use_fips:
        if p.name in ("aws", "aws-us-gov"):
            return f"https://api-fips.sagemaker.{region}.amazonaws.com"
        return f"https://api.sagemaker-fips.{region}.{p.dns_suffix}"
    if use_dualstack:
        return f"https://api.sagemaker.{region}.{p.dual_stack_dns_suffix}"
    return f"https://api.sagemaker.{region}.{p.dns_suffix}"


def check_variant(
    region: str, p: Partition, *, use_fips: bool, use_dualstack: bool, service: str = ""
) -> None:
    """Refuse a FIPS / dual-stack variant the region's partition does not offer (the
    same rule in every service's rule set)."""
    where = f"partition {p.name!r} (region {region!r})"
    suffix = f" ({service})" if service else ""
    if use_fips and use_dualstack:
        if not (p.supports_fips and p.supports_dual_stack):
            raise ConfigurationError(
                f"FIPS and DualStack are enabled, but {where} does not support one or "
                f"both{suffix}"
            )
    elif use_fips and not p.supports_fips:
        raise ConfigurationError(f"FIPS is enabled but {where} does not support FIPS{suffix}")
    elif use_dualstack and not p.supports_dual_stack:
        raise ConfigurationError(
            f"DualStack is enabled but {where} does not support DualStack{suffix}"
        )


def sqs_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """SQS's endpoint rules (``sqs/2012-11-05/endpoint-rule-set-1.json``): the shared
    regional ones.  The queue URL is a request member, not the endpoint (boto3 sends every
    call to the regional endpoint)."""
    return regional_endpoint(
        "sqs", region, use_fips=use_fips, use_dualstack=use_dualstack, service="SQS"
    )


def service_endpoint(
    service: str, region: str, *, use_fips: bool = False, use_dualstack: bool = False
) -> str:
    """The endpoint of ``service`` (``sagemaker`` or ``sqs``) in ``region``."""
    resolve = sqs_endpoint if service == "sqs" else resolve_endpoint
    return resolve(region, use_fips=use_fips, use_dualstack=use_dualstack)


#: Queue URL hosts: ``sqs.{region}.{suffix}`` (and ``sqs-fips.``), the legacy
#: ``{region}.queue.amazonaws.com`` and ``queue.amazonaws.com`` (us-east-1).
_QUEUE_HOST = r"^(?:sqs(?:-fips)?\.(?P<a>[a-z0-9-]+)\.|(?P<b>[a-z0-9-]+)\.queue\.)"


def region_of_queue_url(url: Optional[str]) -> Optional[str]:
    """The region a queue URL names in its host, if any."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "") if "//" in url else ""
    if host == "queue.amazonaws.com":
        return "us-east-1"
    match = re.match(_QUEUE_HOST, host)  # compiled on first use, not at import
    if match is None:
        return None
    return match.group("a") or match.group("b")


def sts_endpoint(
    region: Optional[str], *, use_fips: bool = False, use_dualstack: bool = False
) -> str:
    """STS's endpoint rules (``sts/2011-06-15/endpoint-rule-set-1.json``, regional
    endpoints): ``https://sts.{region}.{dnsSuffix}``, ``sts-fips.`` for FIPS (except in
    aws-us-gov, whose regional endpoints are FIPS already), the dual-stack suffix for
    dual-stack. Without a region: the global ``https://sts.amazonaws.com``, or
    us-east-1's FIPS / dual-stack endpoint."""
    if not region:
        if not (use_fips or use_dualstack):
            return "https://sts.amazonaws.com"
        region = "us-east-1"
    if region == "aws-global" and not (use_fips or use_dualstack):
        return "https://sts.amazonaws.com"
    return regional_endpoint(
        "sts", region, use_fips=use_fips, use_dualstack=use_dualstack, service="STS"
    )


def regional_endpoint(
    prefix: str,
    region: str,
    *,
    use_fips: bool = False,
    use_dualstack: bool = False,
    service: str = "",
) -> str:
    """The rule-set shape STS (regional), SQS, the IAM Identity Center portal
    (``sso/2019-06-10``, ``prefix`` ``portal.sso``) and SSO-OIDC (``sso-oidc``,
    ``oidc``) share: ``https://{prefix}.{region}.{dnsSuffix}``, ``{prefix}-fips`` for
    FIPS (but the plain name in aws-us-gov, whose endpoints are FIPS already), the
    dual-stack suffix for dual-stack."""
    validate_region(region)
    p = partition_for_region(region)
    check_variant(
        region, p, use_fips=use_fips, use_dualstack=use_dualstack, service=service or prefix
    )
    if use_fips and use_dualstack:
        return f"https://{prefix}-fips.{region}.{p.dual_stack_dns_suffix}"
    if use_fips:
        if p.name == "aws-us-gov":
            return f"https://{prefix}.{region}.amazonaws.com"
        return f"https://{prefix}-fips.{region}.{p.dns_suffix}"
    if use_dualstack:
        return f"https://{prefix}.{region}.{p.dual_stack_dns_suffix}"
    return f"https://{prefix}.{region}.{p.dns_suffix}"


#: AWS Sign-In's named hosts per partition (``signin/2023-01-01`` rule set, for an
#: operation that is not the control plane, e.g. ``CreateOAuth2Token``).
_SIGNIN_HOSTS = {
    "aws": "signin.aws.amazon.com",
    "aws-cn": "signin.amazonaws.cn",
    "aws-us-gov": "signin.amazonaws-us-gov.com",
    "aws-iso": "signin.c2shome.ic.gov",
    "aws-iso-b": "signin.sc2shome.sgov.gov",
    "aws-iso-f": "signin.csphome.hci.ic.gov",
    "aws-iso-e": "signin.csphome.adc-e.uk",
    "aws-eusc": "signin.amazonaws-eusc.eu",
}


def signin_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """AWS Sign-In (``aws login``'s token endpoint lives under it) by its rule set:
    ``https://{region}.signin.aws.amazon.com`` and the partitions' own names; FIPS
    ``signin-fips.amazonaws-us-gov.com`` (us-gov-west-1), ``{region}.signin-fips...``
    (aws-us-gov) or ``signin-fips.{region}.{dnsSuffix}``; dual-stack
    ``signin.{region}.{dualStackDnsSuffix}``."""
    validate_region(region)
    p = partition_for_region(region)
    if not use_fips and not use_dualstack:
        host = _SIGNIN_HOSTS.get(p.name, f"signin.{p.dns_suffix}")
        return f"https://{region}.{host}"
    if use_fips and not use_dualstack and p.name == "aws-us-gov":
        if region == "us-gov-west-1":
            return "https://signin-fips.amazonaws-us-gov.com"
        return f"https://{region}.signin-fips.amazonaws-us-gov.com"
    check_variant(region, p, use_fips=use_fips, use_dualstack=use_dualstack, service="signin")
    if use_fips and use_dualstack:
        return f"https://signin-fips.{region}.{p.dual_stack_dns_suffix}"
    if use_fips:
        return f"https://signin-fips.{region}.{p.dns_suffix}"
    return f"https://signin.{region}.{p.dual_stack_dns_suffix}"
