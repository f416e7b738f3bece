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


def main(argv: list[str]) -> int:
    import pdoc
    import pdoc.docstrings
    import pdoc.render

    import sagemaker_stop

    output = Path(argv[0] if argv else "site/api")
    # The clients' methods are made from one definition per operation (_adapter.py), so
    # their annotations name types pdoc cannot resolve from the client's module; it shows
    # them as written (unlinked) and would warn about each.
    warnings.filterwarnings("ignore", message="Error parsing type annotation")
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
