"""``python -m sagemaker_stop.cli``: the ``sagemaker-stop`` command; exits with its code."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
