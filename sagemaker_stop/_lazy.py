"""PEP 562 lazy exports, for the package and the emulator package: a name is imported
from its module on first use, then kept in the package's namespace."""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_exports(
    package: str, namespace: dict[str, Any], modules: dict[str, str], names: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose globals are ``namespace``:
    ``modules`` maps a lazy name to the module (relative to ``package``) defining it;
    ``names`` is its ``__all__``."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
