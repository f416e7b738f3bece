"""The Callback-step worker's decisions, written once: a state machine without I/O.

Events go in (a receive's messages, a call's result, a handler's outcome, the clock, a
shutdown request) and actions come out (run this flow, start this work, cancel it, run
the ``on_stop`` hook, log a line).  The two shells in ``worker.py`` — threads for the
sync worker, tasks for the async one — only perform the actions and feed back what
happened; every decision is here:

* a start message runs the handler (at most ``concurrency`` at a time; more wait,
  heartbeated, while the queue keeps being read so a Stopping message is always seen);
  a redelivered one (``ApproximateReceiveCount`` > 1: a worker crashed or timed out)
  first asks ListPipelineExecutionSteps whether its step still waits, so finished work
  is not done twice;
* its outcome answers the step (SendPipelineExecutionStepSuccess with the output
  parameters, or ...Failure with the error text) with the deterministic request token
  of :mod:`.callback`; only an accepted answer (or ``ConflictException``: the step was
  answered already) deletes the message;
* a Stopping message for running work cancels it, runs ``on_stop``, answers Failure
  ("stopped"), then deletes both messages; one for work not running here (another
  worker has it, or it ended) runs ``on_stop`` and is answered and deleted the same way;
* every message held is kept invisible (ChangeMessageVisibility every ``heartbeat``
  seconds) until it is deleted or released; a message that is not a Callback message
  is logged and left alone, for the queue's redrive policy (no crash, no loop here);
* shutdown stops receiving and either lets running work finish or cancels it; work
  cancelled by a shutdown (not by a Stopping message) is not answered but released
  (visibility 0), so another worker picks it up.
"""

from __future__ import annotations

import collections
import json
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any, Optional, Union

import attrs

from ._effects import Flow, ProcessResult, RunProcess
from ._flow import CallCore, call
from ._pipeline_operations import SendPipelineExecutionStepSuccess
from .callback import CallbackMessage
from .errors import (
    ConfigurationError,
    ConflictException,
    CredentialsError,
    NoCredentialsError,
    ParamValidationError,
    QueueDoesNotExist,
    SageMakerError,
)

#: The failure reason of a step whose execution was stopped.
STOPPED_REASON = "stopped"
#: SendPipelineExecutionStepFailure's FailureReason: at most 256 characters.
MAX_REASON = 256
#: Tokens answered here, remembered to drop late duplicates without work.
_REMEMBERED = 1024
_WAITING_STEP = ("Executing", "Starting")


def failure_reason(text: str) -> str:
    """``text`` on one line, cut to what FailureReason takes."""
    line = " ".join(str(text).split()) or "failed"
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 3] + "..."


def reason_of(error: BaseException) -> str:
    """The failure reason a handler's exception gives its step."""
    text = str(error)
    return failure_reason(f"{type(error).__name__}: {text}" if text else type(error).__name__)


class RetryLater(Exception):
    """Raise from a handler to leave its message for redelivery (after ``delay``
    seconds) instead of answering the step: the work could not be done now."""

    def __init__(self, message: str = "", *, delay: int = 0) -> None:
        super().__init__(message)
        self.delay = max(0, min(int(delay), 43200))


# --- what work ends with -------------------------------------------------------------


@attrs.frozen
class Succeeded:
    outputs: Any = None


@attrs.frozen
class Failed:
    reason: str


@attrs.frozen
class Cancelled:
    pass


@attrs.frozen
class Retry:
    delay: int = 0


Outcome = Union[Succeeded, Failed, Cancelled, Retry]


def outcome_of_error(error: BaseException) -> Outcome:
    """What a handler's exception means."""
    if isinstance(error, RetryLater):
        return Retry(error.delay)
    return Failed(reason_of(error))


def answer_for(message: CallbackMessage, outcome: Union[Succeeded, Failed]) -> Any:
    """The (idempotent) answer to ``message`` that ``outcome`` calls for: success with the
    output parameters, or failure with the reason (also when the outputs are invalid)."""
    if isinstance(outcome, Failed):
        return message.failure(outcome.reason)
    try:
        return message.success(outputs_of(outcome.outputs))
    except ParamValidationError as exc:
        return message.failure(failure_reason(f"invalid output parameters: {exc}"))


def outputs_of(value: Any) -> Any:
    """A handler's return value as output parameters: None, a mapping (values that are
    not strings become JSON text) or (name, value) pairs."""
    if isinstance(value, Mapping):
        return {
            str(k): v if isinstance(v, str) else _as_text(v) for k, v in value.items()
        }
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value)


class CallbackJob:
    """What a handler gets: the Callback message, and a flag that goes up when its
    step's execution is being stopped (or the worker shuts down with ``cancel``).

    A sync handler polls :attr:`cancelled` (or sleeps with :meth:`wait`, which wakes
    up on cancellation) and returns soon after; what it returns then is ignored.  An
    async handler is cancelled as a task (``asyncio.CancelledError``)."""

    def __init__(self, message: CallbackMessage, receive_count: int = 1) -> None:
        self.message = message
        #: 1 on the first delivery; more after a crash or an expired visibility timeout.
        self.receive_count = receive_count
        self._cancelled = threading.Event()

    @property
    def token(self) -> str:
        """The step's callback token."""
        return self.message.token

    @property
    def pipeline_execution_arn(self) -> str:
        """The execution the step belongs to."""
        return self.message.pipeline_execution_arn

    @property
    def arguments(self) -> Mapping[str, Any]:
        """The step's inputs (the message's ``arguments``)."""
        return self.message.arguments

    @property
    def cancelled(self) -> bool:
        """True once the execution is being stopped (or the worker shuts down with
        ``cancel=True``): return soon; what the handler returns then is ignored."""
        return self._cancelled.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True (at once) if the job was cancelled."""
        return self._cancelled.wait(seconds)

    def cancel(self) -> None:
        """Raise :attr:`cancelled` (the worker does, on a Stopping message or a cancelling
        shutdown)."""
        self._cancelled.set()

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<CallbackJob token={self.token!r}{state}>"


# --- a command as the handler (the CLI worker) ------------------------------------

#: Exit status of a command asking for redelivery (sysexits.h EX_TEMPFAIL).
EXIT_RETRY = 75
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|_KEY", re.I)
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")


@attrs.frozen
class CallbackCommand:
    """Run a command for each start message (what ``sagemaker-stop worker -- COMMAND``
    does).  The contract:

    * in: the message's ``arguments`` as a JSON object on stdin; in its environment
      ``SAGEMAKER_CALLBACK_TOKEN``, ``SAGEMAKER_PIPELINE_EXECUTION_ARN`` and
      ``SAGEMAKER_CALLBACK_RECEIVE_COUNT`` (on top of the worker's own);
    * success: exit 0, with stdout empty or one JSON object of output parameters;
    * failure: any other exit status; the step's failure reason is the last line of
      stderr (secrets masked, at most 256 characters), else the exit status;
      exit 75 (EX_TEMPFAIL) leaves the message for redelivery instead;
    * stop: when its execution is stopped it gets SIGTERM (its whole process group),
      then SIGKILL after ``grace`` seconds.
    """

    argv: tuple[str, ...] = attrs.field(converter=tuple)
    grace: float = 10.0
    environ: Optional[Mapping[str, str]] = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.argv or not all(isinstance(a, str) and a for a in self.argv):
            raise ParamValidationError("command", "must be a non-empty list of arguments")

    def effect(self, job: CallbackJob) -> RunProcess:
        """The process to run for ``job`` (its arguments on stdin, the token and ARN in its
        environment): what the worker's shell starts."""
        import os

        env = dict(os.environ if self.environ is None else self.environ)
        env.update(
            SAGEMAKER_CALLBACK_TOKEN=job.token,
            SAGEMAKER_PIPELINE_EXECUTION_ARN=job.pipeline_execution_arn,
            SAGEMAKER_CALLBACK_RECEIVE_COUNT=str(job.receive_count),
        )
        stdin = json.dumps(dict(job.arguments)).encode("utf-8")
        return RunProcess(
            self.argv, timeout=None, stdin=stdin, env=env, cancellable=True, grace=self.grace
        )

    def outcome(self, result: ProcessResult, env: Mapping[str, str]) -> Outcome:
        """What the finished process means (``env``: its environment, whose secrets
        never reach a failure reason)."""
        if result.returncode == 0:
            text = result.stdout.decode("utf-8", "replace").strip()
            if not text:
                return Succeeded(None)
            try:
                outputs = json.loads(text)
            except ValueError:
                outputs = None
            if isinstance(outputs, dict):
                return Succeeded(outputs)
            return Failed("the command's stdout is not a JSON object of output parameters")
        if result.returncode == EXIT_RETRY:
            return Retry(0)
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        if lines:
            return Failed(failure_reason(mask_secrets(lines[-1], env)))
        if result.returncode < 0:
            return Failed(f"the command was killed by signal {-result.returncode}")
        return Failed(f"the command exited with status {result.returncode}")


def mask_secrets(text: str, env: Mapping[str, str]) -> str:
    """``text`` with the values of secret-looking variables of ``env`` (and anything
    shaped like an AWS access key id) replaced by ``***``."""
    for name, value in env.items():
        if len(value) >= 6 and _SECRET_NAME.search(name) and not name.startswith("SAGEMAKER_"):
            text = text.replace(value, "***")
    return _ACCESS_KEY_ID.sub("***", text)


# --- configuration -------------------------------------------------------------------


@attrs.frozen
class WorkerConfig:
    queue_url: str
    #: Handlers running at once.
    concurrency: int = 4
    #: Start messages held (heartbeated) beyond ``concurrency``, waiting for a slot.
    prefetch: int = 10
    #: ReceiveMessage's long poll (0-20 s).
    wait_time: int = 20
    #: Without a long poll (``wait_time`` 0): the pause after a receive found nothing.
    poll_interval: float = 1.0
    #: Seconds a received message stays hidden; renewed every ``heartbeat`` seconds.
    visibility_timeout: int = 60
    heartbeat: float = 20.0
    #: Seconds cancelled work gets to end before the stop is answered anyway.
    cancel_grace: float = 10.0
    #: On shutdown: "finish" running work, or "cancel" it (and release its messages).
    on_shutdown: str = "finish"
    #: Shut down once a receive finds the queue empty and nothing is running.
    exit_when_idle: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.queue_url, str) or not self.queue_url:
            raise ParamValidationError("queue_url", "must be an SQS queue URL")
        for name, low, high in (
            ("concurrency", 1, 1000),
            ("prefetch", 0, 10000),
            ("wait_time", 0, 20),
            ("visibility_timeout", 1, 43200),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigurationError(f"{name} must be an integer from {low} to {high}")
        if not 0 < self.heartbeat < self.visibility_timeout:
            raise ConfigurationError("heartbeat must be > 0 and < visibility_timeout")
        if not self.cancel_grace >= 0:
            raise ConfigurationError("cancel_grace must be >= 0")
        if not self.poll_interval >= 0:
            raise ConfigurationError("poll_interval must be >= 0")
        if self.on_shutdown not in ("finish", "cancel"):
            raise ConfigurationError("on_shutdown must be 'finish' or 'cancel'")


# --- events (in) and actions (out) ---------------------------------------------------

Key = tuple[Any, ...]


@attrs.frozen
class CallDone:
    key: Key
    value: Any = None
    error: Optional[BaseException] = None


@attrs.frozen
class WorkDone:
    token: str
    outcome: Outcome


@attrs.frozen
class HookDone:
    token: str
    error: Optional[BaseException] = None


@attrs.frozen
class Shutdown:
    """Stop receiving; with ``cancel`` (or when asked a second time) cancel work too."""

    cancel: bool = False


@attrs.frozen
class Tick:
    """Time passed (a timer is due)."""


Event = Union[CallDone, WorkDone, HookDone, Shutdown, Tick]


@attrs.frozen(eq=False)
class Call:
    """Run ``flow`` (an API call); feed back ``CallDone(key, value or error)``.
    ``request`` is the operation it sends (None for a flow of several calls)."""

    key: Key
    flow: Flow[Any] = attrs.field(repr=False)
    request: Any = None


@attrs.frozen
class StartWork:
    """Run the handler for ``message``; feed back ``WorkDone``."""

    message: CallbackMessage
    receive_count: int


@attrs.frozen
class CancelWork:
    token: str


@attrs.frozen
class RunHook:
    """Run ``on_stop(message)``; feed back ``HookDone``."""

    message: CallbackMessage


@attrs.frozen
class Log:
    level: int
    text: str


Action = Union[Call, StartWork, CancelWork, RunHook, Log]


@attrs.define
class WorkerStats:
    """What the worker has done so far."""

    received: int = 0
    succeeded: int = 0
    failed: int = 0
    stopped: int = 0
    released: int = 0
    #: Answers SageMaker did not accept (the message stays for redelivery).
    unanswered: int = 0
    #: Messages that are not Callback messages (left for the redrive policy).
    skipped: int = 0
    running: int = 0
    waiting: int = 0


# --- the machine ---------------------------------------------------------------------

PENDING, CHECKING, RUNNING, CLEANUP, ANSWERING, FINISHING = (
    "pending", "checking", "running", "cleanup", "answering", "finishing",
)


@attrs.define(eq=False)
class _Entry:
    """Everything held for one callback token: its messages and where its work is."""

    token: str
    message: CallbackMessage
    receive_count: int = 1
    #: message id -> latest receipt handle, of every message held for the token.
    receipts: dict[str, str] = attrs.Factory(dict)
    phase: str = PENDING
    #: The Stopping message, once one arrived (or the step was found Stopping).
    stop: Optional[CallbackMessage] = None
    #: Work was cancelled by a shutdown: release the messages, do not answer.
    release: bool = False
    work_alive: bool = False
    #: The handler ran (or runs) here for this token.
    ran: bool = False
    #: The step is answered (or was found answered): its token is remembered.
    answered: bool = False
    started_at: Optional[float] = None
    cancel_deadline: Optional[float] = None
    next_beat: float = 0.0
    #: Calls in flight for this entry (heartbeats, deletes, releases).
    calls: int = 0
    #: What the answer says: "succeeded", "failed" or "stopped" (a WorkerStats counter).
    kind: str = ""
    #: What the log line at the end says.
    result: str = ""


class WorkerCore:
    """The worker's state and decisions.  Feed it events with the time (monotonic
    seconds); perform the actions it returns; stop when :attr:`done`."""

    def __init__(self, core: CallCore, config: WorkerConfig, *, has_hook: bool) -> None:
        self.core = core
        self.config = config
        self.has_hook = has_hook
        self.entries: dict[str, _Entry] = {}
        self.finished: collections.OrderedDict[str, str] = collections.OrderedDict()
        self.stats = WorkerStats()
        self.receiving = False
        self.receive_after = 0.0
        self.receive_failures = 0
        self.loose_calls = 0  # deletes / releases of messages no entry holds
        self.shutting_down = False
        self.cancelling = False
        self.error: Optional[BaseException] = None
        self._out: list[Action] = []

    # ---------------------------------------------------------------- interface

    @property
    def done(self) -> bool:
        """Shut down and nothing left.  A receive in flight is waited for (at most
        ``wait_time``), and what it brings released: left alone, it would hide messages
        for their visibility timeout."""
        return (
            self.shutting_down
            and not self.entries
            and not self.loose_calls
            and not self.receiving
        )

    def start(self, now: float) -> list[Action]:
        return self._after(now)

    def handle(self, event: Event, now: float) -> list[Action]:
        if isinstance(event, CallDone):
            self._call_done(event, now)
        elif isinstance(event, WorkDone):
            self._work_done(event.token, event.outcome, now)
        elif isinstance(event, HookDone):
            self._hook_done(event, now)
        elif isinstance(event, Shutdown):
            self._shutdown(event.cancel or self.shutting_down, now)
        return self._after(now)

    def deadline(self) -> Optional[float]:
        """When the next timer is due (None: nothing to wait for but events)."""
        times = [e.next_beat for e in self.entries.values() if e.phase != FINISHING]
        times += [e.cancel_deadline for e in self.entries.values() if e.cancel_deadline]
        if self._may_receive() and self.receive_after:
            times.append(self.receive_after)
        return min(times) if times else None

    # ---------------------------------------------------------------- helpers

    def _emit(self, action: Action) -> None:
        self._out.append(action)

    def _log(self, level: int, text: str) -> None:
        self._emit(Log(level, text))

    def _call(self, key: Key, request: Any) -> None:
        self._emit(Call(key, call(self.core, request), request))

    def _visibility(self, key: Key, receipt: str, seconds: int) -> None:
        self._call(key, _change_visibility(self.config.queue_url, receipt, seconds))

    def _delete(self, key: Key, receipt: str) -> None:
        self._call(key, _delete_message(self.config.queue_url, receipt))

    def _running(self) -> int:
        return sum(1 for e in self.entries.values() if e.work_alive)

    def _may_receive(self) -> bool:
        waiting = sum(1 for e in self.entries.values() if e.phase == PENDING)
        return not self.shutting_down and not self.receiving and waiting < max(
            1, self.config.prefetch
        )

    def _after(self, now: float) -> list[Action]:
        """Everything due now: receive, start waiting work, heartbeats, overdue cancels."""
        for entry in list(self.entries.values()):
            if entry.cancel_deadline is not None and now >= entry.cancel_deadline:
                self._log(
                    logging.WARNING,
                    f"{entry.token}: the cancelled work did not end within "
                    f"{self.config.cancel_grace:g} s; going on without it",
                )
                self._work_done(entry.token, Cancelled(), now)
        for entry in sorted(self.entries.values(), key=lambda e: e.started_at or 0.0):
            if entry.phase == PENDING and self._running() < self.config.concurrency:
                self._begin(entry, now)
        for entry in self.entries.values():
            if entry.phase == FINISHING or now < entry.next_beat:
                continue
            entry.next_beat = now + self.config.heartbeat
            if not entry.calls:  # else the last beat is still on its way: skip this one
                for receipt in entry.receipts.values():
                    entry.calls += 1
                    self._visibility(
                        ("beat", entry.token), receipt, self.config.visibility_timeout
                    )
        if self._may_receive() and now >= self.receive_after:
            self.receiving = True
            waiting = sum(1 for e in self.entries.values() if e.phase == PENDING)
            room = max(1, min(10, self.config.prefetch - waiting))
            self._call(("receive",), self._receive_request(room))
        self.stats.running = self._running()
        self.stats.waiting = sum(1 for e in self.entries.values() if e.phase == PENDING)
        out, self._out = self._out, []
        return out

    def _receive_request(self, room: int) -> Any:
        from ._sqs_operations import ReceiveMessage

        return ReceiveMessage(
            queue_url=self.config.queue_url,
            message_system_attribute_names=("ApproximateReceiveCount",),
            message_attribute_names=("All",),
            max_number_of_messages=room,
            visibility_timeout=self.config.visibility_timeout,
            wait_time_seconds=self.config.wait_time,
        )

    # ---------------------------------------------------------------- receiving

    def _call_done(self, done: CallDone, now: float) -> None:
        kind = done.key[0]
        if kind == "receive":
            self.receiving = False
            if done.error is not None:
                self._receive_failed(done.error, now)
            else:
                self.receive_failures = 0
                messages = done.value.messages
                idle = not messages and not self.config.wait_time
                self.receive_after = now + self.config.poll_interval if idle else 0.0
                for message in messages:
                    self._received(message, now)
                if self.config.exit_when_idle and not messages and not self.entries:
                    self._log(logging.INFO, "the queue is empty and nothing runs: exiting")
                    self._shutdown(False, now)
            return
        if kind == "loose":
            self.loose_calls -= 1
            if done.error is not None:
                self._log(logging.WARNING, f"{done.key[1]}: {done.error}")
            return
        entry = self.entries.get(done.key[1])
        if entry is None:  # pragma: no cover - every entry call is counted until it ends
            return
        if kind == "check":
            self._checked(entry, done, now)
        elif kind == "answer":
            self._answered(entry, done, now)
        else:  # beat, delete, release
            entry.calls -= 1
            if done.error is not None:
                self._log(logging.WARNING, f"{entry.token}: {kind}: {done.error}")
            if entry.phase == FINISHING and not entry.calls:
                self._forget(entry)

    def _receive_failed(self, error: BaseException, now: float) -> None:
        if _is_fatal(error):
            self._log(logging.ERROR, f"cannot receive from {self.config.queue_url}: {error}")
            self.error = self.error or error
            self._shutdown(False, now)
            return
        self.receive_failures += 1
        delay = min(30.0, 0.5 * 2 ** min(self.receive_failures, 10))
        self.receive_after = now + delay
        self._log(logging.WARNING, f"receive failed ({error}); trying again in {delay:g} s")

    def _received(self, raw: Any, now: float) -> None:
        self.stats.received += 1
        try:
            message = CallbackMessage.parse(raw.body)
        except ParamValidationError as exc:
            self.stats.skipped += 1
            self._log(
                logging.WARNING,
                f"message {raw.message_id} is not a Callback step message ({exc}); "
                "left for the queue's redrive policy",
            )
            return
        token = message.token
        receipt = raw.receipt_handle or ""
        entry = self.entries.get(token)
        if entry is None and token in self.finished:
            self._loose(("loose", f"{token}: late duplicate"), receipt, delete=True)
            return
        if entry is None and not message.is_stopping and self.shutting_down:
            self._loose(("loose", f"{token}: released at shutdown"), receipt, delete=False)
            return
        if entry is None:
            entry = self.entries[token] = _Entry(
                token, message, raw.receive_count or 1, started_at=now,
                next_beat=now + self.config.heartbeat,
            )
            entry.receipts[raw.message_id or receipt] = receipt
            if message.is_stopping:
                self._stopping(entry, message, now)
            elif entry.receive_count > 1:
                entry.phase = CHECKING
                self._emit(Call(("check", token), _step_status(self.core, message)))
            return
        if entry.phase == FINISHING:  # its deletes (or releases) are on their way already
            answered = entry.answered
            self._loose(("loose", f"{token}: duplicate"), receipt, delete=answered)
            return
        entry.receipts[raw.message_id or receipt] = receipt
        if message.is_stopping:
            self._stopping(entry, message, now)

    def _loose(self, key: Key, receipt: str, *, delete: bool) -> None:
        self.loose_calls += 1
        if delete:
            self._delete(key, receipt)
        else:
            self._visibility(key, receipt, 0)

    # ---------------------------------------------------------------- work

    def _begin(self, entry: _Entry, now: float) -> None:
        entry.phase = RUNNING
        entry.work_alive = entry.ran = True
        entry.started_at = now
        self._log(
            logging.INFO,
            f"{entry.token}: started ({entry.message.pipeline_execution_arn}"
            + (f", delivery {entry.receive_count}" if entry.receive_count > 1 else "")
            + ")",
        )
        self._emit(StartWork(entry.message, entry.receive_count))

    def _checked(self, entry: _Entry, done: CallDone, now: float) -> None:
        """A redelivered start message: does its step still wait for an answer?"""
        status = None if done.error is not None else done.value
        if done.error is not None:
            self._log(logging.INFO, f"{entry.token}: cannot tell ({done.error}); running it")
        if status == "Stopping" and entry.stop is None:
            entry.stop = entry.message  # its execution is being stopped: do not run it
        if entry.stop is not None:
            self._cleanup(entry)
        elif status is None or status in _WAITING_STEP:
            entry.phase = PENDING
            if self.shutting_down:
                self._release(entry)
        else:
            entry.result = f"already answered (step {status}): deleted, not run again"
            self._finish(entry)

    def _stopping(self, entry: _Entry, message: CallbackMessage, now: float) -> None:
        """A Stopping message (or a step found Stopping) for ``entry``'s token."""
        if entry.stop is not None:
            return  # already stopping (a duplicate Stopping message)
        entry.stop = message
        if entry.phase == RUNNING:
            self._log(logging.INFO, f"{entry.token}: Stopping: cancelling the running work")
            entry.cancel_deadline = now + self.config.cancel_grace + 1.0
            self._emit(CancelWork(entry.token))
        elif entry.phase == PENDING:
            self._cleanup(entry)
        # CHECKING: decided when the check returns; later phases: answering already.

    def _work_done(self, token: str, outcome: Outcome, now: float) -> None:
        entry = self.entries.get(token)
        if entry is None or not entry.work_alive:
            return  # work given up on after its cancel grace
        entry.work_alive = False
        entry.cancel_deadline = None
        elapsed = now - (entry.started_at or now)
        if entry.stop is not None:
            self._cleanup(entry)
        elif entry.release or isinstance(outcome, Cancelled):
            self._release(entry)
        elif isinstance(outcome, Retry):
            entry.result = f"left for redelivery in {outcome.delay} s"
            self._release(entry, outcome.delay)
        else:
            request = answer_for(entry.message, outcome)
            if isinstance(request, SendPipelineExecutionStepSuccess):
                names = ", ".join(p.name for p in request.output_parameters) or "none"
                entry.result = f"succeeded in {elapsed:.1f} s (outputs: {names})"
                self._answer(entry, "succeeded", request)
            else:
                entry.result = f"failed in {elapsed:.1f} s: {request.failure_reason}"
                self._answer(entry, "failed", request)

    def _cleanup(self, entry: _Entry) -> None:
        """The step is being stopped: run ``on_stop``, then answer Failure."""
        entry.phase = CLEANUP
        stop = entry.stop or entry.message
        if self.has_hook:
            self._emit(RunHook(stop))
        else:
            self._stopped(entry)

    def _hook_done(self, done: HookDone, now: float) -> None:
        entry = self.entries.get(done.token)
        if entry is None or entry.phase != CLEANUP:
            return
        if done.error is not None:
            self._log(logging.WARNING, f"{entry.token}: on_stop raised {reason_of(done.error)}")
        self._stopped(entry)

    def _stopped(self, entry: _Entry) -> None:
        entry.result = (
            "stopped: work cancelled, answered failure"
            if entry.ran
            else "stopped (no work running here): answered failure"
        )
        self._answer(entry, "stopped", (entry.stop or entry.message).failure(STOPPED_REASON))

    def _answer(self, entry: _Entry, kind: str, request: Any) -> None:
        entry.phase = ANSWERING
        entry.kind = kind
        self._call(("answer", entry.token), request)

    def _answered(self, entry: _Entry, done: CallDone, now: float) -> None:
        if isinstance(done.error, ConflictException):
            entry.result += " (already answered)"
        elif done.error is not None:
            self._log(
                logging.ERROR,
                f"{entry.token}: the answer was not accepted ({done.error}); the message "
                "stays on the queue for redelivery",
            )
            self.stats.unanswered += 1
            entry.phase = FINISHING
            if not entry.calls:
                self._forget(entry)
            return
        setattr(self.stats, entry.kind, getattr(self.stats, entry.kind) + 1)
        self._finish(entry)

    def _finish(self, entry: _Entry) -> None:
        """The step is answered: say so, and delete every message held for it."""
        entry.phase = FINISHING
        entry.answered = True
        self._log(logging.INFO, f"{entry.token}: {entry.result}")
        for receipt in entry.receipts.values():
            entry.calls += 1
            self._delete(("delete", entry.token), receipt)
        if not entry.calls:  # pragma: no cover - an entry always holds a message
            self._forget(entry)

    def _release(self, entry: _Entry, delay: int = 0) -> None:
        """Give the messages back to the queue (visible after ``delay`` s), unanswered."""
        entry.phase = FINISHING
        self._log(logging.INFO, f"{entry.token}: {entry.result or 'released for another worker'}")
        self.stats.released += 1
        for receipt in entry.receipts.values():
            entry.calls += 1
            self._visibility(("release", entry.token), receipt, delay)

    def _forget(self, entry: _Entry) -> None:
        del self.entries[entry.token]
        if not self.config.wait_time:
            self.receive_after = 0.0  # a short poller looks for more work at once
        if entry.answered:
            self.finished[entry.token] = entry.result
            while len(self.finished) > _REMEMBERED:
                self.finished.popitem(last=False)

    # ---------------------------------------------------------------- shutdown

    def _shutdown(self, cancel: bool, now: float) -> None:
        if not self.shutting_down:
            self._log(logging.INFO, "shutting down: no new messages")
        self.shutting_down = True
        cancel = cancel or self.config.on_shutdown == "cancel"
        for entry in list(self.entries.values()):
            if entry.phase == PENDING:
                self._release(entry)
            elif cancel and entry.phase == RUNNING and entry.stop is None and not entry.release:
                entry.release = True
                entry.cancel_deadline = now + self.config.cancel_grace + 1.0
                self._emit(CancelWork(entry.token))
        if cancel and not self.cancelling:
            self.cancelling = True
            if any(e.release for e in self.entries.values()):
                self._log(logging.INFO, "cancelling running work; its messages are released")


def _is_fatal(error: BaseException) -> bool:
    """Receive errors no retry will cure: the worker stops and reports them."""
    if isinstance(error, (QueueDoesNotExist, NoCredentialsError, CredentialsError)):
        return True
    if isinstance(error, (ConfigurationError, ParamValidationError)):
        return True
    code = getattr(error, "code", "") or ""
    return isinstance(error, SageMakerError) and (
        "AccessDenied" in code
        or code in ("UnrecognizedClientException", "InvalidClientTokenId", "InvalidSecurity")
    )


def _delete_message(queue_url: str, receipt: str) -> Any:
    from ._sqs_operations import DeleteMessage

    return DeleteMessage(queue_url=queue_url, receipt_handle=receipt)


def _change_visibility(queue_url: str, receipt: str, seconds: int) -> Any:
    from ._sqs_operations import ChangeMessageVisibility

    return ChangeMessageVisibility(
        queue_url=queue_url, receipt_handle=receipt, visibility_timeout=seconds
    )


def _step_status(core: CallCore, message: CallbackMessage) -> Flow[Optional[str]]:
    """The status of the Callback step waiting on ``message``'s token (None: not found)."""
    from ._paging import all_items
    from ._pipeline_operations import ListPipelineExecutionSteps

    steps = yield from all_items(
        core, ListPipelineExecutionSteps(pipeline_execution_arn=message.pipeline_execution_arn)
    )
    for step in steps:
        callback = step.metadata.callback
        if callback is not None and callback.callback_token == message.token:
            status: Optional[str] = step.status
            return status
    return None

