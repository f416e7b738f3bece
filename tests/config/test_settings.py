from __future__ import annotations

from typing import Optional

import pytest

from sagemaker_stop._config import ClientConfig, resolve_config
from sagemaker_stop._credentials import (
    Credentials,
    CredentialSource,
    StaticCredentialSource,
)
from sagemaker_stop.errors import ConfigurationError

from .conftest import Home


def cfg(home: Home, env: Optional[dict[str, str]] = None, **kwargs: object) -> ClientConfig:
    return resolve_config(environ=env or {}, home=str(home.path), **kwargs)  # type: ignore[arg-type]


def test_defaults(home: Home) -> None:
    c = cfg(home)
    assert c.region is None and c.endpoint_url is None
    assert (c.use_fips, c.use_dualstack, c.max_attempts, c.retry_mode) == (
        False,
        False,
        3,
        "standard",
    )
    assert c.profile == "default"
    assert isinstance(c.credential_source, CredentialSource)


def test_region_precedence(home: Home) -> None:
    home.config("[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-2\n")
    env = {"AWS_REGION": "us-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert cfg(home, env, region="ap-south-1").region == "ap-south-1"
    assert cfg(home, env).region == "us-west-1"
    assert cfg(home, {"AWS_DEFAULT_REGION": "us-west-2"}).region == "us-west-2"
    assert cfg(home, {"AWS_REGION": ""}).region == "eu-west-1"
    assert cfg(home, profile="dev").region == "eu-west-2"
    assert cfg(home, {"AWS_PROFILE": "dev"}).region == "eu-west-2"


def test_region_from_credentials_file_counts(home: Home) -> None:
    home.credentials("[default]\nregion = sa-east-1\n")
    assert cfg(home).region == "sa-east-1"


def test_invalid_region_is_configuration_error(home: Home) -> None:
    with pytest.raises(ConfigurationError, match="invalid region"):
        cfg(home, region="us_east_1")


def test_endpoint_for_uses_hint_only_without_region(home: Home) -> None:
    c = cfg(home)
    assert c.endpoint_for("eu-central-1") == (
        "https://api.sagemaker.eu-central-1.amazonaws.com",
        "eu-central-1",
    )
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        c.endpoint_for(None)
    c2 = cfg(home, region="us-east-1")
    assert c2.endpoint_for("eu-central-1") == (
        "https://api.sagemaker.us-east-1.amazonaws.com",
        "us-east-1",
    )


def test_fips_dualstack_settings(home: Home) -> None:
    home.config("[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n")
    c = cfg(home, region="us-east-1")
    assert c.use_fips and c.use_dualstack
    assert c.endpoint_for(None)[0] == "https://api.sagemaker-fips.us-east-1.api.aws"
    c = cfg(home, {"AWS_USE_FIPS_ENDPOINT": "false"}, region="us-east-1")
    assert not c.use_fips and c.use_dualstack
    c = cfg(home, {"AWS_USE_DUALSTACK_ENDPOINT": "1"}, region="us-east-1")
    assert not c.use_dualstack  # botocore: only "true" is true
    c = cfg(home, region="us-east-1", use_fips=False, use_dualstack=False)
    assert c.endpoint_for(None)[0] == "https://api.sagemaker.us-east-1.amazonaws.com"


def test_endpoint_url_precedence(home: Home) -> None:
    home.config(
        "[default]\nendpoint_url = http://profile-global\nservices = local\n"
        "[services local]\nsagemaker =\n  endpoint_url = http://profile-sagemaker\n"
        "sts =\n  endpoint_url = http://profile-sts\n"
    )
    env = {
        "AWS_ENDPOINT_URL_SAGEMAKER": "http://env-sagemaker",
        "AWS_ENDPOINT_URL": "http://env-global",
    }
    assert cfg(home, env, endpoint_url="http://arg").endpoint_url == "http://arg"
    assert cfg(home, env).endpoint_url == "http://env-sagemaker"
    assert cfg(home, {"AWS_ENDPOINT_URL": "http://env-global"}).endpoint_url == (
        "http://env-global"
    )
    assert cfg(home).endpoint_url == "http://profile-sagemaker"
    ignore = {**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert cfg(home, ignore).endpoint_url is None
    assert cfg(home, ignore, endpoint_url="http://arg").endpoint_url == "http://arg"
    c = cfg(home, region="eu-west-1")
    assert c.endpoint_for(None) == ("http://profile-sagemaker", "eu-west-1")


def test_endpoint_url_profile_global_and_ignore_in_profile(home: Home) -> None:
    home.config(
        "[default]\nendpoint_url = http://profile-global\n"
        "[profile quiet]\nendpoint_url = http://x\nignore_configured_endpoint_urls = true\n"
        "[profile dangling]\nservices = nowhere\n"
    )
    assert cfg(home).endpoint_url == "http://profile-global"
    assert cfg(home, profile="quiet").endpoint_url is None
    # A services section that does not exist is an error (botocore's
    # InvalidConfigError), not a silent fall back to the real AWS endpoint.
    with pytest.raises(ConfigurationError, match=r"\[services nowhere\]"):
        cfg(home, profile="dangling")


def test_custom_endpoint_with_fips_or_dualstack_is_refused(home: Home) -> None:
    c = cfg(home, region="us-east-1", endpoint_url="http://x", use_fips=True)
    with pytest.raises(ConfigurationError, match="FIPS"):
        c.endpoint_for(None)
    c = cfg(home, region="us-east-1", endpoint_url="http://x", use_dualstack=True)
    with pytest.raises(ConfigurationError, match="dual-stack"):
        c.endpoint_for(None)


def test_retry_settings(home: Home) -> None:
    home.config("[default]\nmax_attempts = 7\nretry_mode = adaptive\n")
    c = cfg(home)
    assert (c.max_attempts, c.retry_mode) == (7, "adaptive")
    c = cfg(home, {"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "legacy"})
    assert (c.max_attempts, c.retry_mode) == (2, "legacy")
    assert cfg(home, {"AWS_MAX_ATTEMPTS": "2"}, max_attempts=9).max_attempts == 9
    for bad in ({"AWS_MAX_ATTEMPTS": "many"}, {"AWS_MAX_ATTEMPTS": "0"}):
        with pytest.raises(ConfigurationError, match="max_attempts"):
            cfg(home, bad)
    with pytest.raises(ConfigurationError, match="retry_mode"):
        cfg(home, {"AWS_RETRY_MODE": "fancy"})


def test_retry_mode_argument_beats_environment_beats_profile(home: Home) -> None:
    home.config("[default]\nretry_mode = legacy\n")
    env = {"AWS_RETRY_MODE": "standard"}
    assert cfg(home, env, retry_mode="adaptive").retry_mode == "adaptive"
    assert cfg(home, env).retry_mode == "standard"
    assert cfg(home).retry_mode == "legacy"
    for bad in ("Adaptive", "fancy", 3):  # compared as botocore compares them
        with pytest.raises(ConfigurationError, match="retry_mode must be one of"):
            cfg(home, retry_mode=bad)


def test_legacy_mode_defaults_to_5_attempts_unless_told(home: Home) -> None:
    assert cfg(home, retry_mode="legacy").max_attempts == 5
    assert cfg(home, {"AWS_MAX_ATTEMPTS": "2"}, retry_mode="legacy").max_attempts == 2
    assert cfg(home, retry_mode="legacy", max_attempts=4).max_attempts == 4
    assert cfg(home, retry_mode="adaptive").max_attempts == 3


def test_the_retired_2026_switch_is_accepted_and_changes_nothing() -> None:
    from sagemaker_stop import SageMakerClient
    from sagemaker_stop._retry import RetryPolicy

    for value in ("true", "false", "junk"):
        with SageMakerClient(region="us-east-1", environ={"AWS_NEW_RETRIES_2026": value}) as sm:
            assert sm._core.retry.policy == RetryPolicy.standard()


def test_explicit_credentials_give_static_source(home: Home) -> None:
    creds = Credentials("AKID", "SECRET")
    c = cfg(home, credentials=creds)
    assert isinstance(c.credential_source, StaticCredentialSource)
    assert c.credential_source.get_sync(lambda flow: None) is creds


def test_missing_named_profile_fails_at_construction(home: Home) -> None:
    with pytest.raises(ConfigurationError, match="could not be found"):
        cfg(home, profile="ghost")


def test_reads_os_environ_by_default(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    monkeypatch.setenv("HOME", str(home.path))
    assert resolve_config().region == "eu-north-1"


async def test_static_source_async() -> None:
    creds = Credentials("AKID", "SECRET")
    source = StaticCredentialSource(creds)

    async def never(flow: object) -> None:
        raise AssertionError("no flow is run")

    assert await source.get_async(never) is creds


@pytest.mark.parametrize("url", ["localhost:4566", "ftp://x", "http://", "http://[::1", ""])
def test_invalid_endpoint_urls(home: Home, url: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid endpoint_url"):
        cfg(home, endpoint_url=url)


@pytest.mark.parametrize(
    ("config", "env"),
    [
        (
            "[default]\nservices = local-stack\n[services localstack]\n"
            "sagemaker =\n  endpoint_url = http://127.0.0.1:4566\n",
            {},
        ),
        ("[default]\nservices = empty\n[services empty]\n", {}),
        ("[default]\nservices =\n", {}),
        ("[default]\nservices = gone\n", {"AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:1"}),
        ("[default]\nservices = gone\n", {"AWS_ENDPOINT_URL": "http://127.0.0.1:2"}),
        ("[default]\nservices = gone\n", {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}),
        ("[default]\nservices = ok\n[services ok]\nsts =\n  endpoint_url = http://l\n", {}),
    ],
)
def test_missing_services_section_agrees_with_botocore(
    home: Home, config: str, env: dict[str, str]
) -> None:
    from botocore.configloader import build_profile_map, raw_config_parse
    from botocore.configprovider import ConfiguredEndpointProvider
    from botocore.exceptions import InvalidConfigError

    path = home.config(config)
    full = build_profile_map(raw_config_parse(str(path)))
    expected: object
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        expected = None  # botocore skips the provider altogether then
    else:
        provider = ConfiguredEndpointProvider(
            full, full["profiles"]["default"], "sagemaker", environ=env
        )
        try:
            expected = provider.provide()
        except InvalidConfigError:
            expected = InvalidConfigError
    if expected is InvalidConfigError:
        with pytest.raises(ConfigurationError, match="services"):
            cfg(home, env)
    else:
        assert cfg(home, env).endpoint_url == expected
