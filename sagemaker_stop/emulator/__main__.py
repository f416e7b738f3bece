"""``python -m sagemaker_stop.emulator``: run the emulator until Ctrl-C (the command line
of ``sagemaker-stop emulator``: ``_command.py``)."""

import sys

from ._command import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
