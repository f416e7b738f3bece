"""The botocore the differential tests compare against.

The library follows botocore 1.44 (the 2026 standard retry mode always on, the SageMaker
model with its newest members, the Sign-In endpoint rules).  botocore 1.44 needs Python
3.10, so on Python 3.9 pip installs an older botocore, whose retry code, service model and
endpoint rules predate those; the tests that compare against it are skipped there, and
say why, rather than failing on botocore's history.
"""

from __future__ import annotations

import botocore
import pytest

REFERENCE = (1, 44)
INSTALLED = tuple(int(part) for part in botocore.__version__.split(".")[:2])

needs_reference_botocore = pytest.mark.skipif(
    INSTALLED < REFERENCE,
    reason=f"compares against botocore >= {'.'.join(map(str, REFERENCE))} "
    f"(installed: {botocore.__version__}; botocore 1.44 needs Python >= 3.10)",
)
