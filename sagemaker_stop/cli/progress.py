"""What ``stop --wait`` shows on a terminal while it waits.

* One status line, ``[  12s] Stopping: held by Callback step Ext``, redrawn in place: it
  is cut to the terminal's width (:meth:`Console.progress`), so it never wraps.
* Its elapsed counter ticks every second, also between polls: the wait's sleeps (the
  ``Sleep`` effects of the flow, performed by the client's driver) are cut at each whole
  second of elapsed time and the line redrawn.  The sleeps add up to what the flow asked
  for, so the calls are neither delayed nor repeated.
* What holds the stop, in full, on lines of its own, once each time it changes; for a
  Callback step also its callback token and the command that answers it (as ``status``
  shows them), once per token.

The clock and the sleep are parameters (tests pass virtual ones).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional

from .console import Console

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .._waiter import WaitProgress
    from ..client import SageMakerClient


class WaitDisplay:
    """The live display of one ``stop --wait`` run (its executions one after another)."""

    def __init__(
        self,
        console: Console,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        options: Sequence[str] = (),
    ) -> None:
        self.console = console
        self.clock = clock
        self._sleep = sleep
        #: The global options a shown command needs (``--region`` ...), see ``connect``.
        self.options = tuple(options)
        self.started = clock()
        self._text = ""
        self._explained: dict[str, Optional[str]] = {}  # per label: the last explanation
        self._tokens: set[str] = set()

    def report(self, label: str, report: WaitProgress) -> None:
        """A poll's result: explain a new hold once, then redraw the status line."""
        from .render import holding_lines

        step = report.holding_step
        explanation = report.waiting_for
        if step is not None and explanation and explanation != self._explained.get(label):
            lines = holding_lines(step, self.options)
            callback = step.metadata.callback
            token = None if callback is None else callback.callback_token
            if token in self._tokens:
                lines = lines[:1]  # the token and the command were shown already
            elif token is not None:
                self._tokens.add(token)
            for line in lines:
                self.console.note(label + line if line is lines[0] else line)
        self._explained[label] = explanation
        self._text = label + _short(report)
        self.draw()

    def draw(self) -> None:
        """The status line, with the whole seconds elapsed since the wait began."""
        if self._text:
            elapsed = int(max(0.0, self.clock() - self.started))
            self.console.progress(f"[{elapsed:5d}s] {self._text}")

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` in all, redrawing the line at each whole second elapsed."""
        end = self.clock() + seconds
        while True:
            now = self.clock()
            left = end - now
            if left <= 0:
                return
            to_tick = 1.0 - (now - self.started) % 1.0
            self._sleep(min(left, to_tick))
            self.draw()


def _short(report: WaitProgress) -> str:
    """The status, and what holds it in a few words (the full text is on its own lines)."""
    text = str(report.status)
    step = report.holding_step
    if step is not None:
        callback, lam = step.metadata.callback, step.metadata.lambda_
        kind = "Callback" if callback is not None else "Lambda" if lam is not None else (
            step.kind or "running"
        )
        text += f": held by {kind} step {step.step_name or '?'}"
    return text


@contextlib.contextmanager
def ticking(client: SageMakerClient, display: WaitDisplay) -> Iterator[None]:
    """While inside: the client's sleeps are the display's (ticking every second)."""
    io: Any = client._io
    sleep = io.sleep
    io.sleep = display.sleep
    try:
        yield
    finally:
        io.sleep = sleep
