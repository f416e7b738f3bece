"""``python -m sagemaker_stop``: the ``sagemaker-stop`` command; exits with its code."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
