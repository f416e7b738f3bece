"""Where output goes: results on stdout; notes, the one updating progress line (on a
terminal only) and the bulk-stop confirmation prompt on stderr."""

from __future__ import annotations

import os
import shutil
from typing import Any, Callable, Optional, TextIO


class Console:
    """The two output streams of one run, and the progress line drawn on stderr.

    ``columns()`` is the terminal's width (default: :func:`terminal_columns` of stderr):
    the progress line is cut to it, so a redraw in place never leaves wrapped rows."""

    def __init__(
        self, stdout: TextIO, stderr: TextIO, columns: Optional[Callable[[], int]] = None
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.live = isatty(stderr)
        self.columns = columns or (lambda: terminal_columns(stderr))
        self._line = 0

    def out(self, text: str) -> None:
        """A result on stdout."""
        print(text, file=self.stdout)

    def note(self, text: str) -> None:
        """A human note on stderr (never in json mode's stdout)."""
        self.clear()
        print(text, file=self.stderr)

    def progress(self, text: str) -> None:
        """One updating line on a terminal (cut to its width, an ellipsis at the end of
        a cut line); nothing otherwise."""
        if not self.live:
            return
        # one column short of the width: a line filling the last one wraps on some terminals
        width = max(self.columns() - 1, 10)
        if len(text) > width:
            text = text[: width - len(self._ellipsis)] + self._ellipsis
        pad = max(0, self._line - len(text))
        self.stderr.write("\r" + text + " " * pad)
        self.stderr.flush()
        self._line = len(text)

    @property
    def _ellipsis(self) -> str:
        """``…`` where stderr can encode it, else ``...``."""
        try:
            "\u2026".encode(getattr(self.stderr, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return "..."
        return "\u2026"

    def clear(self) -> None:
        """Erase the progress line, if one is shown."""
        if self._line:
            self.stderr.write("\r" + " " * self._line + "\r")
            self.stderr.flush()
            self._line = 0

    def confirm(self, stdin: TextIO, question: str) -> bool:
        """Ask ``question [y/N]`` on stderr; True for a y or yes read from ``stdin``."""
        self.stderr.write(f"{question} [y/N] ")
        self.stderr.flush()
        answer = stdin.readline()
        return answer.strip().lower() in ("y", "yes")


def terminal_columns(stream: Any) -> int:
    """The width of the terminal ``stream`` writes to: ``COLUMNS`` if set, else the
    terminal's own, else :func:`shutil.get_terminal_size`'s answer (80 by default)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return shutil.get_terminal_size().columns


def isatty(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for odd or closed streams)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
