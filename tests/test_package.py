"""The distributions a release would upload: built from a copy of this checkout with
build debris planted in it (a stray wheel, dist/, build/, a venv, caches), by the build
backend itself (hatchling's PEP 517 hooks: no isolated environment, so no download), then
the wheel rebuilt from the unpacked sdist the way pip builds one."""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("hatchling")

_IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis",
    "htmlcov", "dist", "build", "site", "__pycache__", "*.egg-info", ".coverage*",
)
#: Planted in the copy: none of it may reach a distribution.
_DEBRIS = [
    "sagemaker_stop-0.0.1-py3-none-any.whl",
    "dist/sagemaker_stop-0.0.1-py3-none-any.whl",
    "dist/sagemaker_stop-0.0.1.tar.gz",
    "build/lib/sagemaker_stop/__init__.py",
    ".venv/bin/python",
    ".venv-bench/bin/python",
    "venv/pyvenv.cfg",
    "sagemaker_stop/__pycache__/client.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311.pyc",
    "sagemaker_stop.egg-info/PKG-INFO",
    ".pytest_cache/README.md",
    "site/api/index.html",
    "htmlcov/index.html",
    ".coverage",
    "bench/results/run.json",
]
#: The sdist's top level, all of it.
_SDIST_TOP = {
    "PKG-INFO", "pyproject.toml", "README.md", "LICENSE", "ARCHITECTURE.md",
    "CHANGELOG.md", "CONTRIBUTING.md", "Makefile", ".gitignore", ".ci", "sagemaker_stop",
    "tests", "fixtures", "bench", "docs",
}
_PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]


def _build(project: Path, out: Path, *kinds: str) -> list[Path]:
    code = (
        "import sys, hatchling.build as b\n"
        "for kind in sys.argv[2:]:\n"
        "    print(getattr(b, 'build_' + kind)(sys.argv[1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(out), *kinds],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return [out / name for name in done.stdout.split()]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("package")
    project = tmp / "checkout"
    shutil.copytree(ROOT, project, ignore=_IGNORE)
    for name in _DEBRIS:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(b"debris")
    sdist, wheel = _build(project, tmp / "dist", "sdist", "wheel")
    # pip's path: unpack the sdist, build the wheel from it
    unpacked = tmp / "unpacked"
    with tarfile.open(sdist) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(unpacked, **safe)  # type: ignore[arg-type]
    (top,) = unpacked.iterdir()
    (wheel_from_sdist,) = _build(top, tmp / "dist2", "wheel")
    yield {"sdist": sdist, "wheel": wheel, "wheel_from_sdist": wheel_from_sdist}


def _sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    prefix = sdist.name[: -len(".tar.gz")] + "/"
    assert all(n.startswith(prefix) for n in names)
    return [n[len(prefix) :] for n in names]


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(zf.read(name).decode())


def test_sdist_holds_the_project_and_nothing_else(dists: dict[str, Path]) -> None:
    names = _sdist_names(dists["sdist"])
    assert {n.split("/", 1)[0] for n in names} == _SDIST_TOP
    for needed in (
        "LICENSE", "README.md", "pyproject.toml", "docs/pypi.md", "sagemaker_stop/__init__.py",
        "sagemaker_stop/py.typed", "sagemaker_stop/emulator/pytest_plugin.py",
        "tests/conftest.py", "tests/test_package.py", "fixtures/smithy-rs/DEVIATIONS.json",
    ):
        assert needed in names
    debris = re.compile(
        r"(\.whl|\.tar\.gz|\.pyc|\.egg-info/.*|(^|/)__pycache__/.*|^\.venv.*|^venv/.*"
        r"|^dist/.*|^build/.*|^site/.*|^htmlcov/.*|^\.coverage|^bench/results/.*)$"
    )
    assert [n for n in names if debris.search(n)] == []
    # the planted copies are debris; the sdist stays the size of the project
    assert dists["sdist"].stat().st_size < 1_000_000


def test_wheel_holds_the_package_typed_with_its_command(dists: dict[str, Path]) -> None:
    for wheel in (dists["wheel"], dists["wheel_from_sdist"]):
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            (info,) = {n.split("/", 1)[0] for n in names if ".dist-info/" in n}
            entry_points = zf.read(f"{info}/entry_points.txt").decode()
            license_text = zf.read(f"{info}/licenses/LICENSE").decode()
        assert {n.split("/", 1)[0] for n in names} == {"sagemaker_stop", info}
        assert "sagemaker_stop/py.typed" in names
        assert "sagemaker_stop/emulator/pytest_plugin.py" in names
        assert not [n for n in names if n.endswith((".pyc", ".whl"))]
        assert re.search(r"^\[console_scripts\]\nsagemaker-stop = sagemaker_stop\.cli:main$",
                         entry_points, re.M), entry_points
        assert license_text.startswith("MIT License")
    assert _metadata(dists["wheel"]).as_string() == _metadata(dists["wheel_from_sdist"]).as_string()


def test_metadata_is_ready_for_an_index(dists: dict[str, Path]) -> None:
    trove = pytest.importorskip("trove_classifiers")
    meta = _metadata(dists["wheel"])
    classifiers = meta.get_all("Classifier") or []
    assert [c for c in classifiers if c not in trove.classifiers] == []
    for version in _PYTHONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    for needed in ("Operating System :: OS Independent", "Framework :: AsyncIO",
                   "Typing :: Typed"):
        assert needed in classifiers
    assert [c for c in classifiers if c.startswith("Development Status ::")]
    # PEP 639: an SPDX expression, and then no "License ::" classifier
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert meta["Requires-Python"] == ">=3.9"
    assert meta["Author"] == "sagemaker-stop contributors"
    assert "sagemaker" in meta["Keywords"].split(",")
    runtime = sorted(
        re.split(r"[<>=!~ ;]", r, maxsplit=1)[0]
        for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r
    )
    assert runtime == ["attrs", "botocore", "httpx"]
    extras = meta.get_all("Provides-Extra") or []
    assert {"login", "test", "docs"} <= set(extras)


def test_long_description_makes_sense_on_an_index(dists: dict[str, Path]) -> None:
    meta = _metadata(dists["wheel"])
    assert meta["Description-Content-Type"] == "text/markdown"
    body = meta.get_payload()
    assert isinstance(body, str)
    assert body.strip() == (ROOT / "docs" / "pypi.md").read_text(encoding="utf-8").strip()
    first = next(line for line in body.splitlines() if line.strip())
    assert first == "# sagemaker-stop"
    # nothing that only means something in a checkout
    assert "make demo" not in body and "make test" not in body
    targets = re.findall(r"\]\(([^)\s]+)", body) + re.findall(r"src=[\"']([^\"']+)", body)
    assert [t for t in targets if not t.startswith("https://")] == []
    assert "pip install sagemaker-stop" in body
    # its example is Python that compiles and names only public names
    (code,) = re.findall(r"```python\n(.*?)```", body, re.S)
    compile(code, "docs/pypi.md", "exec")
    import sagemaker_stop

    for names in re.findall(r"^from sagemaker_stop import (.+)$", code, re.M):
        assert {n.strip() for n in names.split(",")} <= set(sagemaker_stop.__all__)


def test_build_debris_is_git_ignored() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = ["x.whl", "dist/x.tar.gz", "build/lib/x.py", "site/api/index.html",
             "sagemaker_stop.egg-info/PKG-INFO", ".venv/bin/python", ".venv-bench/bin/python"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert sorted(done.stdout.split()) == sorted(paths)
