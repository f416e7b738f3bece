"""The "provider not configured here" answer: the chain then tries the next one."""

from __future__ import annotations

from typing import Union

from .._value import Value
from ._types import Credentials


class Miss(Value):
    """Nothing configured (``detail`` says what was checked; never secrets)."""

    __slots__ = ("detail",)

    def __init__(self, detail: str = "") -> None:
        self.detail = detail


Found = Union[Credentials, Miss]
