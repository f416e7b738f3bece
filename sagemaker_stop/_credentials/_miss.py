"""The "provider not configured here" answer: the chain then tries the next one."""

from __future__ import annotations

from typing import Union

import attrs

from ._types import Credentials


@attrs.frozen
class Miss:
    """Nothing configured (``detail`` says what was checked; never secrets)."""

    detail: str = ""


Found = Union[Credentials, Miss]
