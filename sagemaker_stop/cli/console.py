"""Where output goes: results on stdout; notes, the one updating progress line (on a
terminal only) and the bulk-stop confirmation prompt on stderr."""

from __future__ import annotations

from typing import Any, TextIO


class Console:
    """The two output streams of one run, and the progress line drawn on stderr."""

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.live = isatty(stderr)
        self._line = 0

    def out(self, text: str) -> None:
        """A result on stdout."""
        print(text, file=self.stdout)

    def note(self, text: str) -> None:
        """A human note on stderr (never in json mode's stdout)."""
        self.clear()
        print(text, file=self.stderr)

    def progress(self, text: str) -> None:
        """One updating line on a terminal; nothing otherwise."""
        if not self.live:
            return
        pad = max(0, self._line - len(text))
        self.stderr.write("\r" + text + " " * pad)
        self.stderr.flush()
        self._line = len(text)

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


def isatty(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for odd or closed streams)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
