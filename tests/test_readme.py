"""The README runs as written: every ```python block is a complete program, run in a
fresh interpreter against a started emulator, the way the README says to try them
(its variables exported, the execution's ARN as the argument); the ```sh blocks run
under bash against the emulator.  A block that cannot run here says why, in a
``<!-- not-run: reason -->`` line just before it, and only a few may."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from sagemaker_stop import CallbackMessage
from sagemaker_stop.emulator import SageMakerEmulator

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: The pipelines the README's examples use (README "Try the examples").
PIPELINES = ROOT / "docs" / "emulator-pipelines.json"
#: Blocks that may be marked not-run (an install, placeholders for your own values).
MAX_NOT_RUN = 3
#: A block that starts with this comment is a test file: saved under that name and run
#: with pytest, as the README says.
_TEST_FILE = re.compile(r"^# (test_\w+\.py)\b")

_FENCE = re.compile(r"^```([\w-]*)\s*$")
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(.+?)\s*-->$")


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence
    not_run: Optional[str]

    @property
    def id(self) -> str:
        return f"{self.lang}@{self.line}"


def _blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        before = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        reason = _NOT_RUN.match(before.strip())
        blocks.append(
            Block(m.group(1), "\n".join(body) + "\n", start + 1, reason.group(1) if reason else None)
        )
    return blocks


BLOCKS = _blocks(README.read_text(encoding="utf-8"))
#: The first block is `make demo` / `make test`: what runs this test (and test_demo.py
#: runs the demo).
PYTHON = [b for b in BLOCKS if b.lang == "python" and b.not_run is None]
SHELL = [b for b in BLOCKS[1:] if b.lang in ("sh", "bash") and b.not_run is None]


def test_blocks_are_python_or_shell_and_few_are_not_run() -> None:
    assert {b.lang for b in BLOCKS} <= {"python", "sh", "json", ""}  # "": output, a tree
    not_run = [b for b in BLOCKS if b.not_run]
    assert len(not_run) <= MAX_NOT_RUN, [(b.id, b.not_run) for b in not_run]
    assert len(PYTHON) >= 10 and len(SHELL) >= 1
    # a marker belongs to the block right after it
    text = README.read_text(encoding="utf-8").splitlines()
    markers = [n for n, ln in enumerate(text, 1) if _NOT_RUN.match(ln.strip())]
    assert len(markers) == len(not_run)


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.lang == "json"], ids=lambda b: b.id
)
def test_json_block_is_json(block: Block) -> None:
    """A document, or one per line (the Callback message bodies)."""
    try:
        json.loads(block.code)
    except ValueError:
        bodies = [json.loads(line) for line in block.code.splitlines()]
        # the Callback messages shown are what CallbackMessage reads
        messages = [CallbackMessage.parse(body) for body in bodies]
        assert [m.is_stopping for m in messages] == [False, True]


def test_readme_starts_with_make_demo_and_make_test() -> None:
    first = BLOCKS[0]
    assert first.line == 3 and first.code == "make demo\nmake test\n"


@pytest.fixture
def emulator() -> Iterator[SageMakerEmulator]:
    """What the README's examples expect to find (README "Try the examples"); a minute
    of simulated time per real second, so long polls and waits end soon."""
    with SageMakerEmulator(speed=60, stop_delay=0) as emu:
        for pipeline in json.loads(PIPELINES.read_text(encoding="utf-8")):
            emu.create_pipeline_from_dict(pipeline)
        yield emu


def _env(extra: dict[str, str], home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(extra)
    env["HOME"] = str(home)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_block_runs_as_written(
    block: Block, emulator: SageMakerEmulator, tmp_path: Path
) -> None:
    arn = emulator.start_execution("train")
    for _ in range(2):
        emulator.start_execution("nightly-train")
    emulator.start_execution("approve")  # a start message on QUEUE_URL
    test_file = _TEST_FILE.match(block.code)
    script = tmp_path / (test_file.group(1) if test_file else "example.py")
    script.write_text(block.code, encoding="utf-8")
    run = ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)] if test_file else [
        str(script), arn]
    done = subprocess.run(
        [sys.executable, *run],
        cwd=tmp_path, env=_env(emulator.env, tmp_path), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert done.returncode == 0, f"README.md line {block.line}:\n{done.stdout}\n{done.stderr}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("block", SHELL, ids=[b.id for b in SHELL])
def test_shell_block_runs_as_written(
    block: Block, emulator: SageMakerEmulator, tmp_path: Path
) -> None:
    # The one change: port 8000 may be taken on a shared machine; a free one stands in.
    code = block.code.replace("8000", str(_free_port()))
    code = code.replace("docs/emulator-pipelines.json", str(PIPELINES))
    env = _env(emulator.env, tmp_path)  # as after "Try the examples"
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", code], cwd=tmp_path, env=env,
            stdout=stdout, stderr=stderr, start_new_session=True,
        )
        try:
            proc.wait(timeout=120)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # what the block left in the background
            except ProcessLookupError:
                pass
            proc.wait()
    stdout = out.read_text()
    assert proc.returncode == 0, f"README.md line {block.line}:\n{stdout}\n{err.read_text()}"
    # what a command's "# -> ..." comment says it prints, it prints (ARN: any execution's)
    for said in re.findall(r"# -> (.+)$", block.code, re.M):
        line = r"\s+".join(re.escape(word) for word in said.split())
        line = line.replace("ARN", r"arn:aws:sagemaker:\S+/execution/\w+")
        assert re.search(rf"^{line}\s*$", stdout, re.M), (said, stdout)


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def _options(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text)) - {"--help"}


@pytest.mark.parametrize(
    "command", [["-m", "sagemaker_stop.emulator"], ["-m", "sagemaker_stop", "emulator"]],
    ids=["python -m sagemaker_stop.emulator", "sagemaker-stop emulator"],
)
def test_the_emulator_options_the_readme_lists_are_its_options(
    command: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, *command, "--help"], capture_output=True, text=True, timeout=60,
        env=_env({}, tmp_path), check=True,
    )
    shell = _section("The emulator").split("**From a shell**", 1)[1].split("| field |", 1)[0]
    assert _options(shell) == _options(done.stdout)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@pytest.mark.parametrize("doc", ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "ARCHITECTURE.md"])
def test_links_lead_somewhere(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", prose, re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if target.startswith(("https://", "http://")):
            continue
        path, _, anchor = target.partition("#")
        if path:
            assert (ROOT / path).exists(), target
        elif anchor:
            assert anchor in anchors, target


def test_the_pipelines_file_fields_the_readme_lists_are_the_emulators() -> None:
    from sagemaker_stop.emulator import _model

    table = _section("The emulator").split("| field | meaning |", 1)[1].split("\n\n", 1)[0]
    listed = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        while re.search(r"\([^()]*\)", first):  # defaults and rules in parentheses
            first = re.sub(r"\([^()]*\)", "", first)
        listed |= set(re.findall(r"`([^`]+)`", first))
    known = set(_model.PIPELINE_FIELDS) | set(_model._COMMON_FIELDS)
    for fields in _model.STEP_FIELDS.values():
        known |= set(fields)
    assert listed == known


def test_the_methods_the_readme_names_exist() -> None:
    from sagemaker_stop import AsyncSageMakerClient, SageMakerClient

    text = README.read_text(encoding="utf-8")
    for name in set(re.findall(r"\bemu\.(\w+)", text)):
        assert hasattr(SageMakerEmulator, name) or name in ("region", "host"), f"emu.{name}"
    for name in set(re.findall(r"\bsm\.(\w+)", text)):
        assert hasattr(SageMakerClient, name), f"sm.{name}"
        assert hasattr(AsyncSageMakerClient, name), f"sm.{name} (async)"
