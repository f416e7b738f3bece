from __future__ import annotations

import json
import os
from typing import Any

import pytest

from sagemaker_stop._endpoints import (
    Partition,
    endpoint_in_partition,
    partition_for_region,
    regional_endpoint,
    resolve_endpoint,
    signin_endpoint,
    sqs_endpoint,
    sts_endpoint,
    validate_region,
)
from sagemaker_stop.errors import ConfigurationError

from ..reference import needs_reference_botocore

FIXTURE = os.path.join(
    os.path.dirname(__file__),
    os.pardir,
    os.pardir,
    "fixtures",
    "endpoints",
    "sagemaker.json",
)

with open(FIXTURE, encoding="utf-8") as _handle:
    RECORDED: dict[str, Any] = json.load(_handle)

CASES = RECORDED["cases"]


def _ours(case: dict[str, Any]) -> dict[str, Any]:
    try:
        url = resolve_endpoint(
            case["region"], use_fips=case["fips"], use_dualstack=case["dualstack"]
        )
    except ConfigurationError as exc:
        return {"url": None, "error": str(exc)}
    return {"url": url, "error": None}


def _id(case: dict[str, Any]) -> str:
    return f"{case['region'] or '<empty>'}-fips{int(case['fips'])}-ds{int(case['dualstack'])}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_matches_recorded_botocore(case: dict[str, Any]) -> None:
    ours = _ours(case)
    assert ours["url"] == case["url"]
    assert (ours["error"] is None) == (case["error"] is None)


def test_fixture_covers_every_partition() -> None:
    partitions = {partition_for_region(c["region"]).name for c in CASES if c["url"] is not None}
    assert partitions >= {
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-eusc",
    }


def test_live_botocore_agrees() -> None:
    """Recompute with the installed botocore (the fixture may be older)."""
    make = pytest.importorskip("tests.config.make_endpoint_fixture")
    provider = make.make_provider()
    regions = [*sorted({c["region"] for c in CASES}), "ap-south-9", "il-central-1"]
    for region in regions:
        for fips in (False, True):
            for dualstack in (False, True):
                case = {"region": region, "fips": fips, "dualstack": dualstack}
                expected = make.botocore_answer(provider, region, fips, dualstack)
                ours = _ours(case)
                assert ours["url"] == expected["url"], case
                assert (ours["error"] is None) == (expected["error"] is None), case


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-7", "aws"),
        ("cn-north-9", "aws-cn"),
        ("us-gov-south-2", "aws-us-gov"),
        ("us-iso-north-4", "aws-iso"),
        ("us-isob-south-1", "aws-iso-b"),
        ("eu-isoe-south-3", "aws-iso-e"),
        ("us-isof-north-2", "aws-iso-f"),
        ("eusc-de-north-1", "aws-eusc"),
        ("aws-global", "aws"),
        ("totally-new", "aws"),
    ],
)
def test_partition_for_region(region: str, partition: str) -> None:
    assert partition_for_region(region).name == partition


def test_sagemaker_fips_quirks() -> None:
    assert (
        resolve_endpoint("us-gov-east-1", use_fips=True)
        == "https://api-fips.sagemaker.us-gov-east-1.amazonaws.com"
    )
    assert (
        resolve_endpoint("us-west-2", use_fips=True, use_dualstack=True)
        == "https://api.sagemaker-fips.us-west-2.api.aws"
    )
    assert (
        resolve_endpoint("cn-north-1", use_fips=True)
        == "https://api.sagemaker-fips.cn-north-1.amazonaws.com.cn"
    )


_NONE = Partition("aws-test", "example.com", "dual.example.com", False, False, "x-1")
_FIPS_ONLY = Partition("aws-t2", "example.com", "dual.example.com", True, False, "x-1")


@pytest.mark.parametrize(
    ("partition", "fips", "dualstack", "message"),
    [
        (_NONE, True, False, "does not support FIPS"),
        (_NONE, False, True, "does not support DualStack"),
        (_FIPS_ONLY, True, True, "does not support one or both"),
    ],
)
def test_unsupported_variants_raise(
    partition: Partition, fips: bool, dualstack: bool, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        endpoint_in_partition("x-east-1", partition, use_fips=fips, use_dualstack=dualstack)
    assert issubclass(ConfigurationError, ValueError)


def test_supported_variants_of_a_fips_only_partition() -> None:
    assert (
        endpoint_in_partition("x-east-1", _FIPS_ONLY, use_fips=True, use_dualstack=False)
        == "https://api.sagemaker-fips.x-east-1.example.com"
    )


@pytest.mark.parametrize(
    "region", ["", "us_east_1", "-x", "x-", "123", "a" * 64, "us east 1", "ü-1"]
)
def test_invalid_regions(region: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid region"):
        validate_region(region)
    with pytest.raises(ConfigurationError):
        resolve_endpoint(region)


def test_invalid_region_type() -> None:
    with pytest.raises(ConfigurationError):
        validate_region(None)  # type: ignore[arg-type]


def test_sts_endpoints() -> None:
    assert sts_endpoint(None) == "https://sts.amazonaws.com"
    assert sts_endpoint("eu-west-1") == "https://sts.eu-west-1.amazonaws.com"
    assert sts_endpoint("cn-north-1") == "https://sts.cn-north-1.amazonaws.com.cn"
    assert sts_endpoint("us-isob-east-1") == "https://sts.us-isob-east-1.sc2s.sgov.gov"


@pytest.mark.parametrize(
    ("service", "ours", "params"),
    [("sts", sts_endpoint, {"UseGlobalEndpoint": False}), ("sqs", sqs_endpoint, {})],
)
def test_regional_endpoints_agree_with_botocore_rules(
    service: str, ours: Any, params: dict[str, Any]
) -> None:
    from botocore.endpoint_provider import EndpointProvider
    from botocore.loaders import create_loader

    loader = create_loader()
    partitions = loader.load_data("partitions")
    rules = EndpointProvider(loader.load_service_model(service, "endpoint-rule-set-1"), partitions)
    regions = [r for p in partitions["partitions"] for r in p["regions"]]
    regions += ["us-foo-1", "us-gov-foo-1", "cn-foo-1", "us-isob-foo-1", "mars"]
    for region in regions:
        for fips in (False, True):
            for dualstack in (False, True):
                try:
                    expected: Any = rules.resolve_endpoint(
                        Region=region,
                        UseFIPS=fips,
                        UseDualStack=dualstack,
                        **params,
                    ).url
                except Exception:
                    expected = ConfigurationError
                if expected is ConfigurationError:
                    with pytest.raises(ConfigurationError):
                        ours(region, use_fips=fips, use_dualstack=dualstack)
                else:
                    got = ours(region, use_fips=fips, use_dualstack=dualstack)
                    assert got == expected, (region, fips, dualstack)


@pytest.mark.parametrize(
    ("service", "ours"),
    [
        ("sso", lambda r, f, d: regional_endpoint("portal.sso", r, use_fips=f, use_dualstack=d)),
        ("sso-oidc", lambda r, f, d: regional_endpoint("oidc", r, use_fips=f, use_dualstack=d)),
        pytest.param(
            "signin",
            lambda r, f, d: signin_endpoint(r, use_fips=f, use_dualstack=d),
            marks=needs_reference_botocore,
        ),
    ],
)
def test_identity_center_and_sign_in_endpoints_agree_with_botocore_rules(
    service: str, ours: Any
) -> None:
    """The portal, SSO-OIDC and Sign-In (``CreateOAuth2Token``: IsControlPlane false)
    endpoints, for every known region and variant, as botocore's own rule sets say."""
    from botocore.endpoint_provider import EndpointProvider
    from botocore.loaders import create_loader

    loader = create_loader()
    partitions = loader.load_data("partitions")
    rules = EndpointProvider(loader.load_service_model(service, "endpoint-rule-set-1"), partitions)
    regions = [r for p in partitions["partitions"] for r in p["regions"]]
    regions += ["us-foo-1", "us-gov-foo-1", "cn-foo-1", "us-isob-foo-1", "eusc-de-east-1"]
    extra = {"IsControlPlane": False} if service == "signin" else {}
    for region in regions:
        for fips in (False, True):
            for dualstack in (False, True):
                try:
                    expected: Any = rules.resolve_endpoint(
                        Region=region, UseFIPS=fips, UseDualStack=dualstack, **extra
                    ).url
                except Exception:
                    expected = ConfigurationError
                if expected is ConfigurationError:
                    with pytest.raises(ConfigurationError):
                        ours(region, fips, dualstack)
                else:
                    assert ours(region, fips, dualstack) == expected, (region, fips, dualstack)


def test_credential_sts_calls_honour_fips_and_dualstack(tmp_path: Any) -> None:
    from sagemaker_stop._config import resolve_config
    from sagemaker_stop._effects import Send

    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/R\n"
        "source_profile = base\n[profile base]\naws_access_key_id = A\n"
        "aws_secret_access_key = S\n"
    )
    base: dict[str, str] = {}
    cases = [
        ({"AWS_USE_FIPS_ENDPOINT": "true"}, "https://sts-fips.us-east-1.amazonaws.com"),
        ({"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "https://sts.us-east-1.api.aws"),
        (
            {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"},
            "https://sts-fips.us-east-1.api.aws",
        ),
        (  # an explicit STS endpoint still wins
            {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"},
            "http://127.0.0.1:9",
        ),
    ]
    for extra, url in cases:
        config = resolve_config(environ={**base, **extra}, home=str(tmp_path))
        # Drive the chain only up to its first request: nothing is sent anywhere.
        flow = config.credential_source._chain()  # type: ignore[union-attr]
        effect = next(flow)
        while not isinstance(effect, Send):
            effect = flow.send(None)
        flow.close()
        assert effect.request.url == url
