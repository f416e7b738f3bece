"""What the commands compute and the renderer shows: one value per result, no output.

Below both the command modules and :mod:`.render` (which turns these into text or JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import attrs

from .exits import EXIT_OK, exit_code_for

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .._pipeline_operations import DescribePipelineExecutionResponse, PipelineExecutionStep
    from .._worker import WorkerStats


@attrs.frozen
class StopOutcome:
    """What happened to one execution: its stop and, with ``--wait``, how it ended."""

    arn: str
    #: "requested" | "already stopping" | "already ended" | None (the stop failed)
    stop: Optional[str] = None
    #: The execution's status as last known (None: not known).
    status: Optional[str] = None
    #: The last DescribePipelineExecution answer of a wait.
    description: Optional[DescribePipelineExecutionResponse] = None
    error: Optional[BaseException] = None
    timed_out: bool = False
    code: int = EXIT_OK

    def failed(self, exc: BaseException) -> StopOutcome:
        """This outcome with ``exc`` recorded, and the exit code it maps to."""
        return attrs.evolve(self, error=exc, code=exit_code_for(exc))


@attrs.frozen
class StatusReport:
    """One execution as ``status`` shows it."""

    #: The ARN asked about.
    arn: str
    description: DescribePipelineExecutionResponse
    #: The steps Starting, Executing or Stopping.
    running: tuple[PipelineExecutionStep, ...]
    #: The running steps that hold a Stopping execution (none otherwise).
    holding: tuple[PipelineExecutionStep, ...]
    #: The global options a command shown for a holding step needs (``--region`` ...).
    options: tuple[str, ...] = ()


@attrs.frozen
class StartResult:
    """The execution ``start`` started."""

    pipeline_execution_arn: Optional[str]


@attrs.frozen
class CallbackResult:
    """The answer ``callback`` sent, and the execution whose step it answered."""

    pipeline_execution_arn: Optional[str]
    #: "succeed" or "fail".
    answer: str


@attrs.frozen
class ConfigSetting:
    """One line of ``config``: a setting, its value and where that came from."""

    setting: str
    value: Optional[str]
    source: str


@attrs.frozen
class ConfigReport:
    """What ``config`` shows: the chosen profile, region, endpoint, CA bundle and
    credential source, each with its provenance (never a secret)."""

    settings: tuple[ConfigSetting, ...]
    error: Optional[BaseException] = None


@attrs.frozen
class WorkerResult:
    """What ``worker`` did before it was shut down."""

    queue_url: str
    stats: WorkerStats
