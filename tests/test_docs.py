"""`make docs`: the API reference pdoc builds from the docstrings covers every public
name, each with a docstring of its own."""

from __future__ import annotations

import html
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("pdoc")

#: module -> the page pdoc writes for it
PAGES = {
    "sagemaker_stop": "sagemaker_stop.html",
    "sagemaker_stop.emulator": "sagemaker_stop/emulator.html",
}


def _first_line(doc: str) -> str:
    return inspect.cleandoc(doc).split("\n", 1)[0].strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # -W error: any warning (an annotation pdoc cannot resolve, ...) fails the build
    done = subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "docs" / "build_api.py"), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("module_name", sorted(PAGES))
def test_every_public_name_has_its_own_docstring(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = []
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isclass(value):
            doc = vars(value).get("__doc__")  # not inherited from a base
        elif callable(value):
            doc = getattr(value, "__doc__", None)
        else:
            continue  # a value (__version__, DEFAULT_CREDENTIALS): its page entry is enough
        if not (doc and doc.strip()):
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize("module_name", sorted(PAGES))
def test_the_reference_documents_every_public_name(site: Path, module_name: str) -> None:
    module = importlib.import_module(module_name)
    page = (site / PAGES[module_name]).read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for name in module.__all__:
        assert f'id="{name}"' in page, name
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert _first_line(value.__doc__ or "").replace("``", "").split(":")[0] in text
    # the Sphinx roles the docstrings use became links, not literal text
    assert ":class:`" not in page and ":meth:`" not in page
    # no docstring line is taken for a Markdown heading (a line starting with "#")
    docstrings = re.findall(r'<div class="docstring">(.*?)</div>', page, re.S)
    assert not [d for d in docstrings if re.search(r"<h[1-6]\b", d)]
    if module_name == "sagemaker_stop":
        assert '<a href="#AsyncSageMakerClient">' in page
        # the clients' return types are links too (the methods are made by _adapter.py)
        i = page.index('id="SageMakerClient.stop_and_wait"')
        assert '<a href="#DescribePipelineExecutionResponse">' in page[i : i + 5000]


def test_the_reference_has_an_index_and_the_pytest_plugin(site: Path) -> None:
    assert (site / "index.html").is_file()
    plugin = (site / "sagemaker_stop" / "emulator" / "pytest_plugin.html").read_text()
    assert 'id="sagemaker_emulator"' in plugin


def _own_or_inherited_doc(cls: type, name: str) -> bool:
    for klass in cls.__mro__:
        value = vars(klass).get(name)
        if value is not None and (getattr(value, "__doc__", None) or "").strip():
            return True
    return False


def test_every_public_method_of_the_public_classes_has_a_docstring() -> None:
    import sagemaker_stop

    missing = []
    for name in sagemaker_stop.__all__:
        cls = getattr(sagemaker_stop, name)
        if not inspect.isclass(cls):
            continue
        for attr, value in vars(cls).items():
            routine = isinstance(value, (property, classmethod, staticmethod))
            if attr.startswith("_") or not (routine or inspect.isfunction(value)):
                continue
            if not _own_or_inherited_doc(cls, attr):
                missing.append(f"{name}.{attr}")
    assert missing == []
