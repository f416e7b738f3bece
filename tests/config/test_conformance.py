"""The cross-SDK conformance vectors of smithy-rs (``fixtures/smithy-rs``; source,
commit and every deviation with its reason in ``SOURCE.md`` / ``DEVIATIONS.json``).

Where botocore and a vector disagree, the library follows botocore: the case is listed
in ``DEVIATIONS.json`` with what botocore (and so this library) does instead, and the
test checks exactly that, so a deviation can neither appear nor go away unnoticed."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from sagemaker_stop import errors
from sagemaker_stop._config import resolve_config
from sagemaker_stop._credentials._chain import Provider, default_providers, resolve
from sagemaker_stop._credentials._context import Context
from sagemaker_stop._credentials._profile import AssumeRoleProvider, SharedFilesProvider
from sagemaker_stop._drive import SyncIO
from sagemaker_stop._settings import SharedConfig

from ..loopback import Loopback, Reply, Request
from .conformance import (
    FIXTURES,
    Redirect,
    Replay,
    cases,
    deviations,
    expected,
    lay_out,
    same_uri,
    traffic,
)
from .test_providers import form, sts_ok

DEVIATIONS = deviations()
ERRORS = {
    "NoCredentialsError": errors.NoCredentialsError,
    "CredentialsError": errors.CredentialsError,
    "ConfigurationError": errors.ConfigurationError,
}


def _run_case(case: Path, folder: str, caplog: pytest.LogCaptureFixture) -> None:
    key = f"{folder}/{case.name}"
    deviation = DEVIATIONS["credential-providers"].get(key)
    result = expected(case)
    recorded = traffic(case)
    with tempfile.TemporaryDirectory() as tmp, Replay(recorded) as server:
        env = lay_out(case, Path(tmp))
        home = env.get("HOME", str(Path(tmp) / "home"))
        redirect = Redirect(server.url)
        io = SyncIO(redirect, None, sleep=lambda seconds: None)
        outcome: Any
        with caplog.at_level(logging.DEBUG, logger="sagemaker_stop"):
            try:
                config = resolve_config(environ=env, home=home, credentials=None)
                context = Context(
                    environ=env,
                    home=home,
                    shared=SharedConfig.load(env, home),
                    region=config.region,
                    use_fips=config.use_fips,
                    use_dualstack=config.use_dualstack,
                )
                providers: list[Provider]
                if folder == "profile-provider":  # the profile file provider alone
                    providers = [AssumeRoleProvider(context), SharedFilesProvider(context)]
                else:
                    providers = default_providers(context)
                outcome = io.run(resolve(providers))[1]
            except Exception as exc:
                outcome = exc
            finally:
                redirect.close()
    want = deviation.get("botocore", result) if deviation else result
    if "Ok" in want:
        assert not isinstance(outcome, Exception), f"{key}: {outcome!r}"
        ok = want["Ok"]
        assert outcome.access_key_id == ok["access_key_id"]
        assert outcome.secret_access_key == ok["secret_access_key"]
        assert outcome.session_token == ok.get("session_token")
        if "expiry" in ok:
            assert outcome.expiry_timestamp() == ok["expiry"]
        for secret in (ok["secret_access_key"], ok.get("session_token")):
            if secret and secret.strip():
                assert secret not in caplog.text
    else:
        error = ERRORS[want.get("Error") or _error_class(want["ErrorContains"])]
        assert isinstance(outcome, error), f"{key}: {outcome!r} is not a {error.__name__}"
        if "message" in want:
            assert want["message"] in str(outcome)
    for index, url in enumerate(redirect.urls[: len(recorded)]):
        assert same_uri(url, recorded[index].uri), (index, url, recorded[index].uri)
        assert server.requests[index].method == recorded[index].method
    assert len(redirect.urls) >= min(len(recorded), 1 if "Ok" in want else 0)


def _error_class(text: str) -> str:
    """The error a vector's ``ErrorContains`` text means here (aws-sdk-rust's messages
    are its own; what matters is the kind of failure)."""
    classes: dict[str, str] = DEVIATIONS["error_classes"]
    return next((cls for part, cls in classes.items() if part in text), "CredentialsError")


@pytest.mark.parametrize("case", cases("default-credential-provider-chain"), ids=lambda p: p.name)
def test_default_credential_provider_chain(case: Path, caplog: pytest.LogCaptureFixture) -> None:
    _run_case(case, "default-credential-provider-chain", caplog)


@pytest.mark.parametrize("case", cases("profile-provider"), ids=lambda p: p.name)
def test_profile_provider(case: Path, caplog: pytest.LogCaptureFixture) -> None:
    _run_case(case, "profile-provider", caplog)


# --- assume-role-tests.json: the profile chains ------------------------------------

ASSUME_ROLE = json.loads((FIXTURES / "aws-config" / "assume-role-tests.json").read_text())


def _ini(input: dict[str, Any], token_file: Path) -> str:
    lines = []
    for name, keys in input.get("profiles", {}).items():
        lines.append("[default]" if name == "default" else f"[profile {name}]")
        for key, value in keys.items():
            if key == "web_identity_token_file":
                value = str(token_file)
            lines.append(f"{key} = {value}")
    for name, keys in input.get("sso_sessions", {}).items():
        lines.append(f"[sso-session {name}]")
        lines.extend(f"{key} = {value}" for key, value in keys.items())
    return "\n".join(lines) + "\n"


class ChainDouble:
    """STS (AssumeRole answers ROLE1, ROLE2 ...; AssumeRoleWithWebIdentity WEBKEY), the
    SSO portal (SSOKEY) and instance metadata (IMDSKEY) on one loopback server."""

    def __init__(self) -> None:
        self.assumed = 0

    def answer(self, seen: Request) -> Reply:
        if seen.path == "/federation/credentials":
            return Reply(200, {"roleCredentials": {
                "accessKeyId": "SSOKEY", "secretAccessKey": "s", "sessionToken": "t",
                "expiration": 4102444800000}})
        if seen.path == "/latest/api/token":
            return Reply(200, "imds-token")
        if seen.path == "/latest/meta-data/iam/security-credentials/":
            return Reply(200, "role")
        if seen.path.startswith("/latest/meta-data/iam/security-credentials/"):
            return Reply(200, {"Code": "Success", "AccessKeyId": "IMDSKEY",
                               "SecretAccessKey": "s", "Token": "t"})
        action = form(seen).get("Action", "")
        if action == "AssumeRole":
            self.assumed += 1
            return sts_ok(action, key=f"ROLE{self.assumed}")
        return sts_ok(action, key="WEBKEY")


def _observed_chain(seen: list[Request]) -> list[dict[str, Any]]:
    """The chain as the wire shows it, in the vectors' vocabulary."""
    chain: list[dict[str, Any]] = []
    for request in seen:
        if request.path.startswith("/latest/meta-data/iam/security-credentials/") and (
            request.path != "/latest/meta-data/iam/security-credentials/"
        ):
            chain.append({"NamedSource": "Ec2InstanceMetadata"})
        elif request.path == "/federation/credentials":
            query = dict(urllib.parse.parse_qsl(request.query))
            chain.append({"Sso": {"sso_account_id": query["account_id"],
                                  "sso_role_name": query["role_name"]}})
        elif request.method == "POST":
            sent = form(request)
            if sent["Action"] == "AssumeRoleWithWebIdentity":
                chain.append({"WebIdentityToken": {
                    "role_arn": sent["RoleArn"], "role_session_name": sent["RoleSessionName"]}})
                continue
            signer = request.headers["authorization"].split("Credential=")[1].split("/")[0]
            if not chain:
                chain.append({"AccessKey": {"access_key_id": signer}})
            entry = {"role_arn": sent["RoleArn"], "role_session_name": sent["RoleSessionName"]}
            if "ExternalId" in sent:
                entry["external_id"] = sent["ExternalId"]
            chain.append({"AssumeRole": entry, "signed_by": signer})
    return chain


def _matches(observed: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> bool:
    if len(observed) != len(wanted):
        return False
    for got, want in zip(observed, wanted):
        (kind, value), = want.items()
        if kind not in got:
            return False
        if isinstance(value, dict):
            # What the wire shows: no secrets, files, account ids or SSO session keys.
            hidden = ("secret_access_key", "account_id", "web_identity_token_file",
                      "sso_region", "sso_start_url", "sso_session")
            expected_items = {k: v for k, v in value.items() if k not in hidden}
            if any(got[kind].get(k) != v for k, v in expected_items.items()):
                return False
        elif got[kind] != value:
            return False
    return True


@pytest.mark.parametrize("case", ASSUME_ROLE, ids=lambda c: c["docs"])
def test_assume_role_chains(case: dict[str, Any], tmp_path: Path, drivers: Any) -> None:
    deviation = DEVIATIONS.get("assume-role-tests", {}).get(case["docs"])
    want = deviation["botocore"] if deviation else case["output"]
    token = tmp_path / "token.jwt"
    token.write_text("web-token")
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(_ini(case["input"], token))
    double = ChainDouble()
    with Loopback(double.answer) as server:
        env = {
            "AWS_ENDPOINT_URL_STS": server.url,
            "AWS_ENDPOINT_URL_SSO": server.url,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
        }
        session = case["input"].get("sso_sessions", {})
        for name in [*session, *(p.get("sso_start_url") for p in case["input"]["profiles"].values())]:
            if name:
                cache = tmp_path / ".aws" / "sso" / "cache"
                cache.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha1(name.encode()).hexdigest()
                (cache / f"{digest}.json").write_text(json.dumps(
                    {"accessToken": "a", "expiresAt": "2099-01-01T00:00:00Z"}))
        context = Context(
            environ=env,
            home=str(tmp_path),
            shared=SharedConfig.load(env, str(tmp_path)),
            explicit_profile=case["input"]["selected_profile"],
            region="us-east-1",
        )
        try:  # the profile providers: the vectors are of the profile chain alone
            drivers.run(resolve([AssumeRoleProvider(context), SharedFilesProvider(context)]))
            outcome: Any = None
        except Exception as exc:
            outcome = exc
        observed = _observed_chain(server.seen)
    if "Error" in want:
        assert isinstance(outcome, (errors.SageMakerError, errors.ConfigurationError)), outcome
        cls = want.get("class")
        if cls:
            assert type(outcome).__name__ == cls, outcome
        else:
            assert not isinstance(outcome, errors.NoCredentialsError), outcome
    else:
        assert outcome is None, outcome
        assert _matches(observed, want["ProfileChain"]), (observed, want["ProfileChain"])
        # Each role is assumed with the credentials the step before it produced.
        produced: list[str] = []
        for step in observed:
            if "signed_by" in step:
                assert step["signed_by"] == produced[-1], observed
            produced.append(_key_of(step, produced))


def _key_of(step: dict[str, Any], before: list[str]) -> str:
    """The access key a step of the chain produced (see :class:`ChainDouble`)."""
    if "AccessKey" in step:
        return str(step["AccessKey"]["access_key_id"])
    if "AssumeRole" in step:
        return f"ROLE{sum(key.startswith('ROLE') for key in before) + 1}"
    return {"NamedSource": "IMDSKEY", "Sso": "SSOKEY", "WebIdentityToken": "WEBKEY"}[next(iter(step))]


# --- imds-config/imds-endpoint-tests.json ------------------------------------------

IMDS = json.loads((FIXTURES / "aws-config" / "imds-config" / "imds-endpoint-tests.json").read_text())


@pytest.mark.parametrize("case", IMDS["tests"], ids=lambda c: c["docs"])
def test_imds_endpoints(case: dict[str, Any], tmp_path: Path) -> None:
    from sagemaker_stop._credentials._imds import TOKEN_PATH, InstanceMetadataProvider

    if "endpoint_override" in case or "mode_override" in case:
        pytest.skip("an aws-sdk-rust builder override; this library has no such argument")
    env = dict(case["env"])
    for name, text in case["fs"].items():
        (tmp_path / name).write_text(text)
    if "AWS_CONFIG_FILE" in env:
        env["AWS_CONFIG_FILE"] = str(tmp_path / env["AWS_CONFIG_FILE"])
    context = Context(environ=env, home=str(tmp_path), shared=SharedConfig.load(env, str(tmp_path)))
    if "Err" in case["result"]:
        with pytest.raises(errors.ConfigurationError):
            InstanceMetadataProvider(context)._settings()
    else:
        settings = InstanceMetadataProvider(context)._settings()
        assert settings.endpoint + TOKEN_PATH == case["result"]["Ok"]


# --- aws-runtime/test-data/profile-parser-tests.json -------------------------------

PARSER = json.loads((FIXTURES / "aws-runtime" / "profile-parser-tests.json").read_text())


def _parse(files: dict[str, str], folder: Path, ours: bool) -> Any:
    """The profiles of a config / credentials file pair: by this library, or by
    botocore's own parser (``configloader.raw_config_parse`` + ``build_profile_map``,
    the credentials file's sections laid over the config's as botocore's session
    does); ``"error"`` when the files are refused."""
    import botocore.configloader

    env = {}
    for key, variable in (("configFile", "AWS_CONFIG_FILE"), ("credentialsFile", "AWS_SHARED_CREDENTIALS_FILE")):
        path = folder / variable
        if key in files:
            path.write_text(files[key])
        env[variable] = str(path)
    try:
        if ours:
            shared = SharedConfig.load(env, str(folder))
            names = set(shared.config_profiles) | set(shared.credentials_profiles)
            return {name: dict(shared.profile(name).values) for name in names}
        profiles: dict[str, Any] = {}
        if "configFile" in files:
            config = botocore.configloader.raw_config_parse(env["AWS_CONFIG_FILE"])
            profiles = botocore.configloader.build_profile_map(config)["profiles"]
        if "credentialsFile" in files:
            credentials = botocore.configloader.raw_config_parse(env["AWS_SHARED_CREDENTIALS_FILE"])
            for name, values in credentials.items():
                profiles.setdefault(name, {}).update(values)
        return profiles
    except Exception:
        return "error"


@pytest.mark.parametrize("case", PARSER["tests"], ids=lambda c: c["name"])
def test_profile_parser(case: dict[str, Any], tmp_path: Path) -> None:
    """Ours agrees with the vector, except where listed: there it agrees with botocore
    (or, where botocore refuses a file the vectors accept, with the vector)."""
    deviation = DEVIATIONS["profile-parser-tests"]["botocore"].get(case["name"])
    ours = _parse(case["input"], tmp_path, ours=True)
    if deviation is not None:
        assert ours == _parse(case["input"], tmp_path, ours=False), deviation
        return
    output = case["output"]
    wanted = "error" if "errorContaining" in output else output["config"]["profiles"]
    assert ours == wanted
    if case["name"] in DEVIATIONS["profile-parser-tests"]["botocore_refuses"]:
        assert _parse(case["input"], tmp_path, ours=False) == "error"
