"""The package's modules import each other without cycles.

Every import statement counts: top level, under ``if TYPE_CHECKING:`` and inside
functions (a function-local import only hides a cycle, it does not remove it). Strings
handed to :func:`importlib.import_module` (the PEP 562 lazy re-exports, the deferred
credential providers) are not import statements and are not edges.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import pytest

import sagemaker_stop

Graph = dict[str, set[str]]


def package_modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``)."""
    modules: dict[str, tuple[Path, bool]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join([package, *parts])] = (path, is_package)
    return modules


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` statement reads from, made absolute."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _deepest(name: str, modules: dict[str, tuple[Path, bool]]) -> Optional[str]:
    """``import a.b.c``: the deepest of a.b.c, a.b, a that is one of ours."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph(root: Path, package: str) -> Graph:
    """module -> the modules of the package it imports (anywhere in its file)."""
    modules = package_modules(root, package)
    graph: Graph = {name: set() for name in modules}
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[Optional[str]] = []
            if isinstance(node, ast.Import):
                targets = [_deepest(alias.name, modules) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, is_package, node)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    # ``from . import x`` with x a submodule is an edge to x; any other
                    # name comes from the module (a package: its ``__init__``).
                    targets.append(submodule if submodule in modules else _deepest(source, modules))
            graph[module].update(t for t in targets if t is not None and t != module)
    return graph


def components(graph: Graph) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan): each is a
    set of modules that all import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def cycles(graph: Graph) -> list[list[str]]:
    """A shortest cycle (``[a, b, ..., a]``) through each component, sorted."""
    return sorted(_cycle_in(graph, component) for component in components(graph))


def _cycle_in(graph: Graph, component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first)."""
    start = min(component)
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    for node in queue:
        for succ in sorted(graph[node] & component):
            if succ == start:
                return [*paths[node], start]
            if succ not in paths:
                paths[succ] = [*paths[node], succ]
                queue.append(succ)
    raise AssertionError("a strongly connected component without a cycle")  # pragma: no cover


def test_the_package_has_no_import_cycles() -> None:
    root = Path(sagemaker_stop.__file__).parent
    graph = import_graph(root, "sagemaker_stop")
    assert "sagemaker_stop._credentials" in graph  # the walk saw the subpackages
    report = [
        " -> ".join(_cycle_in(graph, component))
        + f"  (all of: {', '.join(sorted(component))})"
        for component in components(graph)
    ]
    assert not report, "import cycles:\n" + "\n".join(sorted(report))


# --- the checker itself, on a made-up package ----------------------------------------


MakePackage = Callable[[dict[str, str]], Graph]


@pytest.fixture
def make_package(tmp_path: Path) -> MakePackage:
    def make(files: dict[str, str]) -> Graph:
        for name, text in files.items():
            path = tmp_path / "pkg" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return import_graph(tmp_path / "pkg", "pkg")

    return make


def test_every_kind_of_import_is_an_edge(make_package: MakePackage) -> None:
    graph = make_package({
        "__init__.py": "import importlib\n"
                       "def __getattr__(n):\n    return importlib.import_module('.a', __name__)\n",
        "a.py": "from . import b\nfrom .sub import thing\nimport pkg.sub.deep\n",
        "b.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .sub.deep import X\n",
        "c.py": "def f():\n    from .sub import deep, name\n    from pkg import a\n",
        "sub/__init__.py": "from .. import c\n",
        "sub/deep.py": "from ..b import y\nimport os, json\n",
    })
    assert graph == {
        "pkg": set(),  # importlib strings are not edges
        "pkg.a": {"pkg.b", "pkg.sub", "pkg.sub.deep"},
        "pkg.b": {"pkg.sub.deep"},
        "pkg.c": {"pkg.sub", "pkg.sub.deep", "pkg.a"},
        "pkg.sub": {"pkg.c"},
        "pkg.sub.deep": {"pkg.b"},
    }
    assert cycles(graph) == [
        ["pkg.a", "pkg.sub", "pkg.c", "pkg.a"],
        ["pkg.b", "pkg.sub.deep", "pkg.b"],
    ]


def test_no_cycle_no_report(make_package: MakePackage) -> None:
    graph = make_package({
        "__init__.py": "",
        "a.py": "from .b import x\n",
        "b.py": "import pkg.c\n",
        "c.py": "",
    })
    assert cycles(graph) == []
