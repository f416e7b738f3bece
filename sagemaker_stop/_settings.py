"""The shared settings layer: the environment and the shared AWS config files.

Everything here is read where boto3 and the AWS CLI read it:

* the profile: ``profile=`` -> ``AWS_DEFAULT_PROFILE`` -> ``AWS_PROFILE`` -> ``default``
  (botocore checks ``AWS_DEFAULT_PROFILE`` first); a profile that was asked for by name
  must exist (like botocore's ``ProfileNotFound``);
* the files: ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` or
  ``~/.aws/config`` / ``~/.aws/credentials``, parsed with :mod:`configparser` exactly
  as botocore's ``raw_config_parse`` does (full-line ``#``/``;`` comments, no inline
  comments, lower-cased keys, indented sub-sections). Sections repeated with the
  identical name in one file are merged (botocore refuses such files; the cross-SDK
  profile-parser vectors merge them); of two differently spelled sections naming one
  profile (``[default]`` and ``[profile default]``) the one whose last header comes
  later wins whole, as in botocore. ``[profile NAME]`` and ``[default]`` name profiles
  in the config file, ``[NAME]`` in the credentials file; the credentials file wins key
  by key; ``[sso-session NAME]`` sections name IAM Identity Center sessions;
* a service's configured endpoint URL (``AWS_ENDPOINT_URL_<ID>``, ``[services]``
  blocks, the profile's ``endpoint_url``).

The files are small and local: they are read synchronously once, when the client is
built. This module sits below both the client configuration (:mod:`._config`) and the
credential chain (:mod:`._credentials`), which read it; it imports neither.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Optional, Union

from ._redact import redact_url
from ._urls import url_problem
from ._value import Value as _Value
from .errors import ConfigurationError

if TYPE_CHECKING:
    import configparser

#: A profile value: a plain string, or a nested block (``s3 =`` + indented lines).
Value = Union[str, dict[str, str]]

#: Compiled on first use (re's cache), not at import.
_ENV_VAR_RE = r"\$(\w+|\{[^}]*\})"


def env_get(environ: Mapping[str, str], *names: str) -> Optional[str]:
    """The first of ``names`` set to a non-empty value."""
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None


def is_true(value: object) -> bool:
    """botocore's ``ensure_boolean``: only ``true`` (any case) is true."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def expand_path(path: str, environ: Mapping[str, str], home: str) -> str:
    """``os.path.expandvars`` + ``expanduser`` against the injected environment/home."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("{"):
            name = name[1:-1]
        return environ.get(name, match.group(0))

    if "$" in path:
        path = re.sub(_ENV_VAR_RE, replace, path)
    if path == "~" or path.startswith("~/") or path.startswith("~" + os.sep):
        path = home + path[1:]
    return path


def check_endpoint_url(url: str, name: str = "endpoint_url") -> str:
    """botocore's ``is_valid_endpoint_url`` (see ``_urls.py``): an http(s) URL with a
    host, a port in range, nothing httpx would refuse mid-call (a password in the URL
    is not quoted)."""
    problem = url_problem(url)
    if problem is not None:
        raise ConfigurationError(
            f"invalid {name} {redact_url(url)!r}: {problem}; "
            "expected http(s)://host[:port][/path]"
        )
    return url


def default_home(environ: Mapping[str, str]) -> str:
    home = environ.get("HOME")
    return home if home else os.path.expanduser("~")


# --- the INI files ------------------------------------------------------------------


class _NestedLineError(ValueError):
    """A line of a nested block without ``=``; ``line`` is for locating it only and is
    never put in a message (it may be a secret)."""

    def __init__(self, line: str) -> None:
        super().__init__("expected 'key = value' in a nested block")
        self.line = line


def _parse_nested(value: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, rest = line.partition("=")
        if not sep:
            raise _NestedLineError(line)
        parsed[key.strip()] = rest.strip()
    return parsed


def _header(line: str) -> Optional[str]:
    """The section name if ``line`` is an (unindented) section header."""
    if line[:1].isspace():
        return None
    import configparser

    match = configparser.RawConfigParser.SECTCRE.match(line.strip())
    return match.group("header") if match else None


def _section_at(lines: list[str], lineno: int) -> Optional[str]:
    """The section that line ``lineno`` (1-based) belongs to."""
    for line in reversed(lines[: max(lineno - 1, 0)]):
        name = _header(line)
        if name is not None:
            return name
    return None


def _nested_line_number(lines: list[str], section: str, option: str, bad: str) -> Optional[int]:
    """Where the bad nested line is: the first line equal to it after ``option``'s key
    line in ``section``."""
    current: Optional[str] = None
    seen_key = False
    for number, line in enumerate(lines, start=1):
        name = _header(line)
        if name is not None:
            current, seen_key = name, False
            continue
        if current != section:
            continue
        if line.strip() and not line[:1].isspace():
            key = re.split(r"[=:]", line, maxsplit=1)[0].strip().lower()
            seen_key = key == option
        elif seen_key and line.strip() == bad:
            return number
    return None


def _parse_problem(path: str, text: str, exc: configparser.Error) -> str:
    """File, section and line number of a configparser error; never the line's text."""
    import configparser

    lineno: Optional[int] = None
    if isinstance(exc, configparser.MissingSectionHeaderError):
        lineno = exc.lineno
    elif isinstance(exc, configparser.ParsingError) and getattr(exc, "errors", None):
        lineno = exc.errors[0][0]
    where = f"cannot parse AWS config file {path}: {type(exc).__name__}"
    if lineno is None:
        return where
    section = _section_at(text.splitlines(), lineno)
    inside = f" in section [{section}]" if section is not None else " before any [section]"
    return f"{where}: line {lineno}{inside} is neither 'key = value' nor a [section] header"


def _by_last_header(sections: list[str], text: str) -> list[str]:
    """``sections`` in the order of each one's *last* header in ``text``: configparser
    merges a repeated section at its first place, but for "the later one wins" between
    ``[profile default]`` and ``[default]`` the later occurrence is what counts."""
    last: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()):
        name = _header(line)
        if name is not None:
            last[name] = number
    return sorted(sections, key=lambda name: last.get(name, -1))


def read_ini(path: str) -> dict[str, dict[str, Value]]:
    """Parse one shared config/credentials file; a missing file is empty."""
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"cannot read AWS config file {path}: {type(exc).__name__}: "
            f"{getattr(exc, 'strerror', None) or exc}"
        ) from None
    import configparser  # only when there is a file: most Lambda functions have none

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        # Never the offending line's text: it may hold a secret.
        raise ConfigurationError(_parse_problem(path, text, exc)) from None
    result: dict[str, dict[str, Value]] = {}
    for section in _by_last_header(parser.sections(), text):
        values: dict[str, Value] = {}
        for option in parser.options(section):
            raw = parser.get(section, option)
            if raw.startswith("\n"):
                try:
                    values[option] = _parse_nested(raw)
                except _NestedLineError as exc:
                    number = _nested_line_number(text.splitlines(), section, option, exc.line)
                    at = f" line {number}," if number is not None else ""
                    raise ConfigurationError(
                        f"cannot parse AWS config file {path}:{at} section [{section}] "
                        f"key {option!r}: {exc}"
                    ) from None
            else:
                values[option] = raw
        result[section] = values
    return result


def _section_name(key: str) -> Optional[str]:
    """botocore's ``_parse_section``: ``[profile NAME]`` -> NAME (shlex-split; like
    botocore, any two-word header starting with the prefix counts)."""
    try:
        parts = shlex.split(key)
    except ValueError:
        return None
    if len(parts) == 2:
        return parts[1]
    return None


class Profile(_Value):
    """One profile's keys. ``values`` merges config then credentials file (the latter
    wins; never shown: they may be keys); ``credentials_file_keys`` says which keys
    came from the credentials file; ``exists``, whether any file has a section for this
    profile."""

    __slots__ = ("credentials_file_keys", "exists", "name", "values")
    _hidden = frozenset({"values"})

    def __init__(
        self,
        name: str,
        values: Optional[Mapping[str, Value]] = None,
        credentials_file_keys: frozenset[str] = frozenset(),
        exists: bool = False,
    ) -> None:
        self.name = name
        self.values = {} if values is None else values
        self.credentials_file_keys = credentials_file_keys
        self.exists = exists

    def get(self, key: str) -> Optional[str]:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def get_nested(self, key: str) -> dict[str, str]:
        value = self.values.get(key)
        return dict(value) if isinstance(value, dict) else {}


class SharedConfig(_Value):
    """The parsed shared config and credentials files: profile name -> keys from each
    file, the ``[services NAME]`` and ``[sso-session NAME]`` sections (botocore's
    ``sso_sessions``); only the file names are shown."""

    __slots__ = (
        "config_file", "config_profiles", "credentials_file", "credentials_profiles",
        "services", "sso_sessions",
    )
    _hidden = frozenset({"config_profiles", "credentials_profiles", "services", "sso_sessions"})

    def __init__(
        self,
        config_file: str,
        credentials_file: str,
        config_profiles: Optional[Mapping[str, Mapping[str, Value]]] = None,
        credentials_profiles: Optional[Mapping[str, Mapping[str, Value]]] = None,
        services: Optional[Mapping[str, Mapping[str, Value]]] = None,
        sso_sessions: Optional[Mapping[str, Mapping[str, Value]]] = None,
    ) -> None:
        self.config_file = config_file
        self.credentials_file = credentials_file
        self.config_profiles = {} if config_profiles is None else config_profiles
        self.credentials_profiles = {} if credentials_profiles is None else credentials_profiles
        self.services = {} if services is None else services
        self.sso_sessions = {} if sso_sessions is None else sso_sessions

    @classmethod
    def load(cls, environ: Mapping[str, str], home: Optional[str] = None) -> SharedConfig:
        home = home if home is not None else default_home(environ)
        config_file = expand_path(
            env_get(environ, "AWS_CONFIG_FILE") or "~/.aws/config", environ, home
        )
        credentials_file = expand_path(
            env_get(environ, "AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials",
            environ,
            home,
        )
        profiles: dict[str, dict[str, Value]] = {}
        services: dict[str, dict[str, Value]] = {}
        sso_sessions: dict[str, dict[str, Value]] = {}
        for key, values in read_ini(config_file).items():
            name: Optional[str]
            if key.startswith("profile"):
                name = _section_name(key)
                target = profiles
            elif key.startswith("sso-session"):
                name = _section_name(key)
                target = sso_sessions
            elif key.startswith("services"):
                name = _section_name(key)
                target = services
            elif key == "default":
                name, target = key, profiles
            else:
                continue
            if name is not None:
                # Like botocore's build_profile_map: of two sections naming the same
                # profile ([default] / [profile default], [profile a] / [profile  a])
                # the later one replaces the earlier. (Repeats of one identical
                # section name were already merged by the parser.)
                target[name] = values
        return cls(
            config_file=config_file,
            credentials_file=credentials_file,
            config_profiles=profiles,
            credentials_profiles=read_ini(credentials_file),
            services=services,
            sso_sessions=sso_sessions,
        )

    def profile(self, name: str) -> Profile:
        from_config = self.config_profiles.get(name, {})
        from_credentials = self.credentials_profiles.get(name, {})
        merged: dict[str, Value] = dict(from_config)
        merged.update(from_credentials)
        return Profile(
            name=name,
            values=merged,
            credentials_file_keys=frozenset(from_credentials),
            exists=name in self.config_profiles or name in self.credentials_profiles,
        )

    def service_settings(self, profile: Profile, service: str) -> dict[str, str]:
        """The ``[services NAME]`` block named by the profile's ``services`` key."""
        if "services" not in profile.values:
            return {}
        section = profile.values["services"]
        block = self.services.get(section) if isinstance(section, str) else None
        if not block:  # botocore's InvalidConfigError, not the real AWS endpoint
            name = section if isinstance(section, str) else "(a nested block)"
            raise ConfigurationError(
                f"profile {profile.name!r} uses services = {name}, but there is no "
                f"non-empty [services {name}] section in {self.config_file}"
            )
        value = block.get(service)
        return dict(value) if isinstance(value, dict) else {}

    def where(self) -> str:
        return f"{self.credentials_file} and {self.config_file}"

    def location(self, profile: Profile, key: str) -> str:
        """Where the profile's ``key`` is set, for provenance messages."""
        if key in profile.credentials_file_keys:
            return f"{self.credentials_file} [{profile.name}] {key}"
        section = "default" if profile.name == "default" else f"profile {profile.name}"
        return f"{self.config_file} [{section}] {key}"


def profile_name(profile: Optional[str], environ: Mapping[str, str]) -> Optional[str]:
    """The explicitly chosen profile, or None for the implicit ``default``."""
    if profile:
        return profile
    return env_get(environ, "AWS_DEFAULT_PROFILE", "AWS_PROFILE")


def active_profile(
    shared: SharedConfig, profile: Optional[str], environ: Mapping[str, str]
) -> Profile:
    """The profile in use; a profile asked for by name must exist."""
    name = profile_name(profile, environ)
    if name is None:
        return shared.profile("default")
    found = shared.profile(name)
    if not found.exists:
        raise ConfigurationError(
            f"the config profile ({name}) could not be found in {shared.where()}"
        )
    return found


# --- configured endpoint URLs ------------------------------------------------------


def ignore_configured_endpoints(environ: Mapping[str, str], profile: Profile) -> bool:
    value = env_get(environ, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    if value is None:
        value = profile.get("ignore_configured_endpoint_urls")
    return is_true(value)


def configured_endpoint_url(
    service: str,
    environ: Mapping[str, str],
    shared: SharedConfig,
    profile: Profile,
) -> Optional[str]:
    """botocore's configured endpoint URL for ``service`` (service id as in the
    ``AWS_ENDPOINT_URL_<ID>`` variable, e.g. ``sagemaker``, ``sts``)."""
    return endpoint_url_and_source(service, environ, shared, profile)[0]


def endpoint_url_and_source(
    service: str,
    environ: Mapping[str, str],
    shared: SharedConfig,
    profile: Profile,
) -> tuple[Optional[str], str]:
    """:func:`configured_endpoint_url` and where it came from (botocore's
    ``ConfiguredEndpointProvider`` order: the service's variable, ``AWS_ENDPOINT_URL``,
    the ``[services]`` block, the profile's ``endpoint_url``)."""
    if ignore_configured_endpoints(environ, profile):
        return None, "configured endpoint URLs ignored (ignore_configured_endpoint_urls)"
    env_name = "AWS_ENDPOINT_URL_" + service.upper().replace(" ", "_").replace("-", "_")
    for name in (env_name, "AWS_ENDPOINT_URL"):
        found = env_get(environ, name)
        if found:
            return found, f"environment variable {name}"
    found = shared.service_settings(profile, service).get("endpoint_url")
    if found:
        block = profile.get("services")
        return found, f"{shared.config_file} [services {block}] {service}.endpoint_url"
    found = profile.get("endpoint_url")
    if found:
        return found, shared.location(profile, "endpoint_url")
    return None, "not configured"
