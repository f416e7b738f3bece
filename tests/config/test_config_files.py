from __future__ import annotations

import os
from pathlib import Path

import pytest

from sagemaker_stop._settings import (
    SharedConfig,
    active_profile,
    expand_path,
    read_ini,
)
from sagemaker_stop.errors import ConfigurationError

from .conftest import Home

# Files botocore accepts: our parse must agree with botocore.configloader exactly.
AGREED = {
    "comments": (
        "# full line comment\n; another\n[default]\nregion = us-west-2\n"
        "  # indented comment line\noutput=json\n"
    ),
    "no_inline_comments": "[default]\nregion = us-west-2 # not a comment\nx = a;b\n",
    "key_case_and_colon": "[default]\nRegion: eu-west-1\nAWS_Access_Key_ID = K\n",
    "nested": (
        "[default]\ns3 =\n  addressing_style = path\n  max_concurrent_requests=5\n"
        "region = us-east-1\n"
    ),
    "continuation": "[default]\nkey = first\n  second\n",
    "profiles": (
        '[profile dev]\nregion = eu-west-1\n[profile "with space"]\nregion = us-east-2\n'
        "[profile   padded]\nregion = ap-south-1\n[preview]\nx = 1\n"
        "[profile a b]\nregion = nope\n[profilex y]\nregion = quirk\n"
    ),
    "default_both_ways": "[default]\nregion = us-east-1\n[profile other]\nregion = x\n",
    "empty_value": "[default]\nregion =\n",
    "DEFAULT_section": "[DEFAULT]\nregion = us-west-1\n[profile dev]\noutput = json\n",
    "services": (
        "[profile dev]\nservices = mine\n[services mine]\nsagemaker =\n"
        "  endpoint_url = http://localhost:9000\n"
    ),
    "profile_default_then_default": (
        "[profile default]\nregion = eu-west-1\noutput = json\n[default]\noutput = text\n"
    ),
    "default_then_profile_default": (
        "[default]\nregion = eu-west-1\noutput = json\n[profile default]\noutput = text\n"
    ),
    "same_profile_spelled_twice": (
        "[profile dev]\nregion = eu-west-1\n[profile  dev]\noutput = text\n"
        '[services s]\nsts =\n  endpoint_url = http://a\n[services "s"]\nx = 1\n'
    ),
}


def _botocore_view(path: str) -> dict[str, object]:
    from botocore.configloader import build_profile_map, raw_config_parse

    built = build_profile_map(raw_config_parse(path))
    return {"profiles": built["profiles"], "services": built["services"]}


@pytest.mark.parametrize("name", sorted(AGREED))
def test_agrees_with_botocore(home: Home, name: str) -> None:
    path = home.config(AGREED[name])
    shared = home.shared()
    assert {
        "profiles": shared.config_profiles,
        "services": shared.services,
    } == _botocore_view(str(path))
    # The raw section view too.
    from botocore.configloader import raw_config_parse

    assert read_ini(str(path)) == raw_config_parse(str(path))


def test_duplicate_sections_merge(home: Home) -> None:
    home.config(
        "[profile dev]\nregion = eu-west-1\noutput = json\n"
        "[profile dev]\nregion = eu-west-2\n"
        "[default]\nregion = us-east-1\n[profile default]\noutput = text\n"
    )
    shared = home.shared()
    assert shared.config_profiles["dev"] == {"region": "eu-west-2", "output": "json"}
    # [default] and [profile default] are two sections: the later one wins whole.
    assert shared.config_profiles["default"] == {"output": "text"}


def test_credentials_file_wins_key_by_key(home: Home) -> None:
    home.config("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n")
    home.credentials("[dev]\naws_access_key_id = FROMCREDS\n[profile dev]\nx = 1\n")
    profile = home.shared().profile("dev")
    assert profile.get("aws_access_key_id") == "FROMCREDS"
    assert profile.get("region") == "eu-west-1"
    assert profile.credentials_file_keys == {"aws_access_key_id"}
    # In the credentials file "[profile dev]" is a profile literally named so.
    assert home.shared().profile("profile dev").get("x") == "1"


def test_missing_files_are_empty(tmp_path: Path) -> None:
    shared = SharedConfig.load({}, str(tmp_path))
    assert shared.config_profiles == {} and shared.credentials_profiles == {}
    assert not shared.profile("default").exists
    assert shared.config_file == os.path.join(str(tmp_path), ".aws", "config")


def test_env_file_locations_with_expansion(home: Home) -> None:
    home.file("cfg", "[profile x]\nregion = eu-west-3\n")
    home.file("creds", "[x]\naws_access_key_id = A\n")
    env = {
        "AWS_CONFIG_FILE": "~/cfg",
        "AWS_SHARED_CREDENTIALS_FILE": "$MYHOME/creds",
        "MYHOME": str(home.path),
    }
    shared = SharedConfig.load(env, str(home.path))
    assert shared.profile("x").get("region") == "eu-west-3"
    assert shared.profile("x").get("aws_access_key_id") == "A"


def test_expand_path() -> None:
    env = {"A": "/a", "B": "b"}
    assert expand_path("~/x", env, "/h") == "/h/x"
    assert expand_path("~", env, "/h") == "/h"
    assert expand_path("${A}/$B/$C", env, "/h") == "/a/b/$C"
    assert expand_path("~other/x", env, "/h") == "~other/x"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("no section header\n", "MissingSectionHeaderError"),
        ("[default]\njust a line without equals\n", "ParsingError"),
        ("[default]\ns3 =\n  not-a-pair\n", "nested block"),
    ],
)
def test_malformed_files_name_the_file(home: Home, text: str, needle: str) -> None:
    path = home.config(text)
    with pytest.raises(ConfigurationError, match=needle) as info:
        home.shared()
    assert str(path) in str(info.value)


def test_undecodable_file(home: Home) -> None:
    path = home.path / ".aws" / "config"
    path.write_bytes(b"[default]\nregion = \xff\xfe\n")
    with pytest.raises(ConfigurationError, match="cannot read") as info:
        home.shared()
    assert str(path) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(home: Home) -> None:
    path = home.config("[default]\nregion = us-east-1\n")
    path.chmod(0)
    try:
        with pytest.raises(ConfigurationError, match="Permission denied"):
            home.shared()
    finally:
        path.chmod(0o600)


def test_secret_values_not_in_parse_errors(home: Home) -> None:
    home.credentials("[default]\naws_secret_access_key = SUPERSECRET\ngarbage line\n")
    with pytest.raises(ConfigurationError) as info:
        home.shared()
    assert "SUPERSECRET" not in str(info.value)


def test_named_profile_must_exist(home: Home) -> None:
    home.config("[profile dev]\nregion = eu-west-1\n")
    shared = home.shared()
    assert active_profile(shared, None, {}).name == "default"
    assert active_profile(shared, "dev", {}).get("region") == "eu-west-1"
    assert active_profile(shared, None, {"AWS_PROFILE": "dev"}).name == "dev"
    # botocore checks AWS_DEFAULT_PROFILE before AWS_PROFILE.
    both = {"AWS_PROFILE": "nope", "AWS_DEFAULT_PROFILE": "dev"}
    assert active_profile(shared, None, both).name == "dev"
    with pytest.raises(ConfigurationError, match=r"profile \(prod\) could not be found"):
        active_profile(shared, "prod", {})
    with pytest.raises(ConfigurationError, match="could not be found"):
        active_profile(shared, None, {"AWS_PROFILE": "default"})


def test_nested_values_are_not_strings(home: Home) -> None:
    home.config("[default]\ns3 =\n  a = b\n")
    profile = home.shared().profile("default")
    assert profile.get("s3") is None
    assert profile.get_nested("s3") == {"a": "b"}
    assert profile.get_nested("missing") == {}


def test_unparseable_section_names_are_ignored(home: Home) -> None:
    home.config('[profile "unterminated]\nregion = x\n[services]\nregion = y\n')
    shared = home.shared()
    assert shared.config_profiles == {} and shared.services == {}


def test_is_true() -> None:
    from sagemaker_stop._settings import is_true

    assert is_true(True) and not is_true(False)
    assert is_true(" TRUE ") and not is_true("yes") and not is_true(None)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "[default]\naws_access_key_id = AKID\naws_secret_access_key =\n"
            "    wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            r"line 4, section \[default\] key 'aws_secret_access_key'",
        ),
        (
            "[profile a]\ns3 =\n  x = 1\n\n[default]\ns3 =\n  # c\n  ok = 1\n"
            "  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            r"line 9, section \[default\] key 's3'",
        ),
        (
            "[default]\nregion = us-east-1\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            r"ParsingError: line 3 in section \[default\]",
        ),
        (
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[default]\n",
            r"MissingSectionHeaderError: line 1 before any \[section\]",
        ),
    ],
)
def test_parse_errors_locate_the_line_without_quoting_it(home: Home, text: str, where: str) -> None:
    path = home.credentials(text)
    with pytest.raises(ConfigurationError, match=where) as info:
        home.shared()
    message = str(info.value)
    assert str(path) in message
    assert "wJalr" not in message and "EXAMPLEKEY" not in message
