"""Running the cross-SDK conformance vectors (``fixtures/smithy-rs``, see its
``SOURCE.md``): a case's files in a temporary root, its recorded HTTP answers replayed
by a loopback server, and every request the library makes sent there instead of to the
recorded AWS host (a sender that rewrites the destination as ``/etc/hosts`` would,
keeping the URL and ``Host`` header the library chose, which the test compares)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import urlsplit, urlunsplit

import attrs

from sagemaker_stop._effects import HttpRequest, HttpResponse, TransportFailure
from sagemaker_stop._transport import SyncSender

from ..loopback import Exchange, LoopbackServer, Request

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "smithy-rs"


@attrs.frozen
class Recorded:
    method: str
    uri: str
    headers: dict[str, list[str]]
    status: int
    response_headers: dict[str, list[str]]
    body: bytes


def traffic(case: Path) -> list[Recorded]:
    """The request/response pairs of an ``http-traffic.json`` (dvr format), in order."""
    events = json.loads((case / "http-traffic.json").read_text())["events"]
    pairs: list[dict[str, Any]] = []
    current: dict[int, dict[str, Any]] = {}  # connection -> its latest exchange
    for event in events:
        connection, action = event["connection_id"], event["action"]
        if "Request" in action:
            current[connection] = {"request": action["Request"]["request"], "body": b""}
            pairs.append(current[connection])
        elif "Response" in action:
            current[connection]["response"] = action["Response"]["response"].get("Ok")
        elif "Data" in action and action["Data"]["direction"] == "Response":
            data = action["Data"]["data"]
            current[connection]["body"] += data["Utf8"].encode() if "Utf8" in data else b""
    recorded = []
    for pair in pairs:
        answer = pair.get("response") or {"status": 599, "headers": {}}
        recorded.append(
            Recorded(
                method=pair["request"]["method"],
                uri=pair["request"]["uri"],
                headers=pair["request"].get("headers", {}),
                status=answer["status"],
                response_headers=answer.get("headers", {}),
                body=pair["body"],
            )
        )
    return recorded


class Replay(LoopbackServer[Request]):
    """Answers the n-th request with the n-th recorded response; past the recording it
    hangs up (as a replaying client fails an unexpected request)."""

    def __init__(self, recorded: list[Recorded]) -> None:
        super().__init__()
        self.recorded = recorded

    def record(self, request: Request) -> Request:
        return request

    def handle(self, exchange: Exchange, record: Request) -> None:
        index = len(self.requests) - 1
        if index >= len(self.recorded):
            exchange.hang_up()
            return
        answer = self.recorded[index]
        headers = [
            (name, value)
            for name, values in answer.response_headers.items()
            for value in values
            if name.lower() not in ("content-length", "connection")
        ]
        exchange.respond(answer.status, answer.body, headers)


class Redirect(SyncSender):
    """Sends every request to the replay server, recording the URL it was meant for (what
    an ``/etc/hosts`` entry would do; the container and instance-metadata requests, which
    never go through a caller's httpx client, are redirected too)."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = urlsplit(target)
        self.urls: list[str] = []

    def send(self, request: HttpRequest, max_body: int) -> Union[HttpResponse, TransportFailure]:
        self.urls.append(request.url)
        meant = urlsplit(request.url)
        url = urlunsplit(("http", self.target.netloc, meant.path, meant.query, ""))
        return super().send(request.replace(url=url), max_body)


def same_uri(sent: str, recorded: str) -> bool:
    """Scheme, host, port and path equal, the query as a set of pairs."""
    a, b = urllib.parse.urlsplit(sent), urllib.parse.urlsplit(recorded)
    return (a.scheme, a.hostname, a.port, a.path or "/") == (
        b.scheme,
        b.hostname,
        b.port,
        b.path or "/",
    ) and sorted(urllib.parse.parse_qsl(a.query)) == sorted(urllib.parse.parse_qsl(b.query))


def lay_out(case: Path, root: Path) -> dict[str, str]:
    """The case's ``fs/`` under ``root`` and its environment with absolute paths
    (``/home``, ``/token.jwt``) moved there too, in the variables and the files."""
    if (case / "fs").is_dir():
        shutil.copytree(case / "fs", root, dirs_exist_ok=True)
    for name in ("config", "credentials"):
        path = root / "home" / ".aws" / name
        if path.is_file():
            text = path.read_text()
            path.write_text(
                re.sub(r"(?m)^(\s*web_identity_token_file\s*=\s*)(/\S+)", rf"\g<1>{root}\2", text)
            )
    env = json.loads((case / "env.json").read_text())
    return {
        name: (str(root) + value if _is_path(name) and value.startswith("/") else value)
        for name, value in env.items()
    }


def _is_path(variable: str) -> bool:
    return variable == "HOME" or variable.endswith("_FILE")


def expected(case: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((case / "test-case.json").read_text())["result"]
    return result


def cases(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / "aws-config" / folder).iterdir() if p.is_dir())


def deviations() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "DEVIATIONS.json").read_text())
    return data


def secrets_of(result: dict[str, Any]) -> list[str]:
    ok: Optional[dict[str, Any]] = result.get("Ok")
    if not ok:
        return []
    return [str(ok[key]) for key in ("secret_access_key", "session_token") if ok.get(key)]
