"""Build the API reference from the docstrings: ``make docs`` (needs pdoc: the ``docs``
or ``test`` extra; never a runtime dependency).

``python docs/build_api.py [OUTPUT_DIR]`` writes HTML to OUTPUT_DIR (default
``site/api``, git-ignored): the package's public names (``sagemaker_stop.__all__``),
the emulator (``sagemaker_stop.emulator``) and its pytest plugin.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Any, Optional

#: The modules documented; their submodules are private (``_name``) or applications
#: (the CLI, the demo) documented in the README.
MODULES = [
    "sagemaker_stop",
    "sagemaker_stop.emulator",
    "sagemaker_stop.emulator.pytest_plugin",
]


#: Sphinx cross-reference roles (``:class:`Name```) the docstrings use; pdoc renders a
#: name in backticks as a link when it can resolve it.
_ROLE = re.compile(r":(?:class|meth|func|attr|exc|mod|data|obj):`~?([^`]+)`")


def _with_plain_roles(rst: Any) -> Any:
    def convert(contents: str, source_file: Optional[Path]) -> str:
        return str(rst(_ROLE.sub(r"`\1`", contents), source_file))

    return convert


def _name_annotation_types() -> None:
    """The clients' methods are made from one definition per operation (``_calls.py``,
    through ``_adapter.py``), so their string annotations name types that
    ``sagemaker_stop.client`` never imports (``_calls`` imports them for type checkers
    only).  Give that module's namespace those names, in this process only, so pdoc can
    resolve and link them."""
    import ast
    import collections.abc
    import importlib

    from sagemaker_stop import _calls

    names: dict[str, Any] = {
        "Iterator": collections.abc.Iterator,
        "AsyncIterator": collections.abc.AsyncIterator,
    }
    tree = ast.parse(Path(_calls.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    module = importlib.import_module("." * stmt.level + (stmt.module or ""),
                                                     "sagemaker_stop")
                    for alias in stmt.names:
                        names[alias.asname or alias.name] = getattr(module, alias.name)
    names.update((k, v) for k, v in vars(_calls).items() if not k.startswith("__"))
    client = importlib.import_module("sagemaker_stop.client")
    for name, value in names.items():
        vars(client).setdefault(name, value)


def main(argv: list[str]) -> int:
    import pdoc
    import pdoc.docstrings
    import pdoc.render

    import sagemaker_stop

    output = Path(argv[0] if argv else "site/api")
    _name_annotation_types()
    # A NamedTuple's generated __init__ evaluates its annotations in a namespace of its own
    # (typing's), where pdoc cannot resolve them; it shows them as written.
    warnings.filterwarnings(
        "ignore",
        message=r"Error parsing type annotation .* for sagemaker_stop\.emulator\.Credentials\.",
    )
    pdoc.docstrings.rst = _with_plain_roles(pdoc.docstrings.rst)
    pdoc.render.configure(
        docformat="restructuredtext",
        footer_text=f"sagemaker-stop {sagemaker_stop.__version__}",
        search=True,
        # the clients' methods would all show the adapter's one generic body
        show_source=False,
    )
    pdoc.pdoc(*MODULES, output_directory=output)
    print(f"API reference: {output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
