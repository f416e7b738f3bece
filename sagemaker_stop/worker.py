"""The Callback-step worker: consume a Callback step's SQS queue, run the work, answer
the step, and turn a "Stopping" message into a cancellation of the running work.

::

    from sagemaker_stop import CallbackWorker, SageMakerClient

    def train(job):                      # job.arguments, job.token, job.cancelled
        for epoch in range(100):
            if job.cancelled:            # the pipeline execution is being stopped
                return
            step(job.arguments["model"], epoch)
        return {"model_uri": "s3://bucket/model.tar.gz"}   # the output parameters

    with SageMakerClient() as sm:
        CallbackWorker(QUEUE_URL, train, client=sm, on_stop=cleanup).run(handle_signals=True)

Every decision is made by the state machine of ``_worker.py``; this module holds its two
shells, which only run handlers, calls and hooks, sleep, and cancel: the sync
:class:`CallbackWorker` with threads (a cancelled handler sees ``job.cancelled``; a
:class:`CallbackCommand` gets SIGTERM, then SIGKILL), the :class:`AsyncCallbackWorker`
with tasks (a cancelled coroutine handler gets ``CancelledError``).  Both use the
client's credentials, retry strategy and connection pool.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from ._drive import SyncIO
from ._worker import (
    Action,
    Call,
    CallbackCommand,
    CallbackJob,
    CallDone,
    Cancelled,
    CancelWork,
    Event,
    HookDone,
    Log,
    Outcome,
    RunHook,
    Shutdown,
    StartWork,
    Succeeded,
    Tick,
    WorkDone,
    WorkerConfig,
    WorkerCore,
    WorkerStats,
    outcome_of_error,
)

if TYPE_CHECKING:
    from .callback import CallbackMessage
    from .client import AsyncSageMakerClient, SageMakerClient

logger = logging.getLogger("sagemaker_stop.worker")

Handler = Union[Callable[[CallbackJob], Any], CallbackCommand]
_Done = Callable[[Any, Optional[BaseException]], Event]
StopHook = Callable[["CallbackMessage"], Any]
#: With ``handle_signals``: how often the sync shell looks at the signal flag (s).
_SIGNAL_POLL = 0.2


class _Worker:
    """The configuration and the action dispatch both shells share."""

    def __init__(
        self,
        queue_url: str,
        handler: Handler,
        *,
        client: Any,  # the shell's client: SageMakerClient / AsyncSageMakerClient
        on_stop: Optional[StopHook] = None,
        concurrency: int = 4,
        prefetch: int = 10,
        wait_time: int = 20,
        poll_interval: float = 1.0,
        visibility_timeout: int = 60,
        heartbeat: Optional[float] = None,
        cancel_grace: float = 10.0,
        on_shutdown: str = "finish",
        exit_when_idle: bool = False,
    ) -> None:
        if not callable(handler) and not isinstance(handler, CallbackCommand):
            raise TypeError("handler must be a callable or a CallbackCommand")
        self.config = WorkerConfig(
            queue_url=queue_url,
            concurrency=concurrency,
            prefetch=prefetch,
            wait_time=wait_time,
            poll_interval=poll_interval,
            visibility_timeout=visibility_timeout,
            heartbeat=visibility_timeout / 3 if heartbeat is None else heartbeat,
            cancel_grace=cancel_grace,
            on_shutdown=on_shutdown,
            exit_when_idle=exit_when_idle,
        )
        self.handler = handler
        self.on_stop = on_stop
        self.client = client
        self._machine: Optional[WorkerCore] = None
        self._jobs: dict[str, CallbackJob] = {}
        self._setup()

    @property
    def stats(self) -> WorkerStats:
        """Counts of what the worker did (live while it runs)."""
        return self._machine.stats if self._machine is not None else WorkerStats()

    def _new_machine(self) -> WorkerCore:
        self._jobs.clear()
        self._machine = WorkerCore(
            self.client._core, self.config, has_hook=self.on_stop is not None
        )
        return self._machine

    def _steps(self, machine: WorkerCore) -> Generator[Optional[float], Event, None]:
        """The loop both shells drive: perform the machine's actions, then yield how long
        to wait for the next event (None: no timer) and take that event (``Tick`` when
        the wait ran out); return when the machine is done."""
        actions = machine.start(time.monotonic())
        while True:
            for action in actions:
                self._perform(action)
            if machine.done:
                return
            due = machine.deadline()
            event = yield None if due is None else max(0.0, due - time.monotonic())
            actions = machine.handle(event, time.monotonic())

    def _result(self, machine: WorkerCore) -> WorkerStats:
        if machine.error is not None:
            raise machine.error
        return machine.stats

    def _perform(self, action: Action) -> None:
        if isinstance(action, Log):
            logger.log(action.level, action.text)
        elif isinstance(action, Call):
            key, flow = action.key, action.flow
            self._start(key, lambda: self._run_flow(flow), lambda v, e: CallDone(key, v, e))
        elif isinstance(action, StartWork):
            job = CallbackJob(action.message, action.receive_count)
            token = job.token
            self._jobs[token] = job
            self._start(
                ("work", token),
                lambda: self._run_work(job),
                lambda o, e: WorkDone(token, o if e is None else outcome_of_error(e)),
            )
        elif isinstance(action, RunHook):
            message, token = action.message, action.message.token
            self._start(("hook", token), lambda: self._run_hook(message),
                        lambda _, e: HookDone(token, e))
        else:
            assert isinstance(action, CancelWork)
            running = self._jobs.get(action.token)
            if running is not None:
                running.cancel()
            self._cancel(("work", action.token))

    def _finished_work(self, token: str) -> None:
        self._jobs.pop(token, None)

    if TYPE_CHECKING:  # what each shell provides
        # Start ``run()`` (a call; a coroutine call in the async shell) concurrently; post
        # ``done(value, None)`` or ``done(None, exception)`` as the next event.
        def _setup(self) -> None: ...
        def _start(self, key: Any, run: Callable[[], Any], done: _Done) -> None: ...
        def _cancel(self, key: Any) -> None: ...
        def _run_flow(self, flow: Any) -> Any: ...
        def _run_work(self, job: CallbackJob) -> Any: ...
        def _run_hook(self, message: CallbackMessage) -> Any: ...


class CallbackWorker(_Worker):
    """A Callback-step worker on threads, for a :class:`SageMakerClient`.

    ``handler(job)`` runs for each start message (``concurrency`` at a time) and returns
    the output parameters (a mapping, or (name, value) pairs; None for none); raising
    fails the step with the exception's text (:class:`RetryLater`: leave the message for
    redelivery instead).  When the step's execution is stopped, ``job.cancelled`` goes up
    (a :class:`CallbackCommand` gets SIGTERM); the optional ``on_stop(message)`` hook
    runs for every Stopping message — whether or not this worker ran the work — and the
    step is answered Failure ("stopped").  Received messages stay invisible while held
    (``visibility_timeout``, renewed every ``heartbeat`` seconds), and are deleted only
    once their answer was accepted.

    :meth:`run` returns (with the :class:`WorkerStats`) after :meth:`shutdown`, Ctrl-C,
    SIGTERM (with ``handle_signals``) or, with ``exit_when_idle``, an empty queue; it
    raises the error that made it stop, if any (e.g. ``QueueDoesNotExist``).
    ``on_shutdown="finish"`` lets running work end first; ``"cancel"`` (or a second
    request) cancels it and releases its messages for another worker.
    """

    client: SageMakerClient

    def _setup(self) -> None:
        import queue

        self._events: queue.Queue[Event] = queue.Queue()
        self._signals = 0

    def shutdown(self, cancel: bool = False) -> None:
        """Ask :meth:`run` to stop (thread-safe)."""
        self._events.put(Shutdown(cancel))

    def run(self, *, handle_signals: bool = False) -> WorkerStats:
        """Work until shut down; ``handle_signals``: SIGINT and SIGTERM shut down
        gracefully, a second one cancels the running work, a third one is not caught."""
        machine = self._new_machine()
        steps = self._steps(machine)
        restore = self._install_signals() if handle_signals else None
        try:
            wait = next(steps)
            while True:
                wait = steps.send(self._next_event(machine, wait, handle_signals))
                if self._signals:  # SIGINT / SIGTERM noted by the handler
                    cancel = machine.shutting_down or self._signals > 1
                    self._signals = 0
                    if cancel and restore is not None:
                        restore()  # a third signal acts as it would without us
                        restore = None
                    wait = steps.send(Shutdown(cancel))
        except StopIteration:
            pass
        finally:
            if restore is not None:
                restore()
        return self._result(machine)

    def _next_event(
        self, machine: WorkerCore, wait: Optional[float], handle_signals: bool
    ) -> Event:
        import queue

        if handle_signals:  # look at the signal flag now and then
            wait = _SIGNAL_POLL if wait is None else min(wait, _SIGNAL_POLL)
        try:
            return self._events.get(timeout=wait)
        except queue.Empty:
            return Tick()
        except KeyboardInterrupt:
            if machine.cancelling:
                raise  # asked three times: give up at once
            return Shutdown(cancel=machine.shutting_down)

    def _install_signals(self) -> Optional[Callable[[], None]]:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return None

        def note(signum: int, frame: Any) -> None:  # only counts: the loop acts on it
            self._signals += 1

        wanted = [signal.SIGINT, signal.SIGTERM]
        previous = {sig: signal.signal(sig, note) for sig in wanted}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore

    def _start(self, key: Any, run: Callable[[], Any], done: _Done) -> None:
        import threading

        def target() -> None:
            try:
                value = run()
            except Exception as exc:
                self._events.put(done(None, exc))
            else:
                self._events.put(done(value, None))

        threading.Thread(target=target, name=f"sagemaker-stop-worker-{key[0]}", daemon=True).start()

    def _cancel(self, key: Any) -> None:
        pass  # a thread cannot be stopped: the job's flag (or the process's signal) does it

    def _run_flow(self, flow: Any) -> Any:
        return self.client._run(flow)

    def _run_work(self, job: CallbackJob) -> Outcome:
        handler = self.handler
        try:
            if isinstance(handler, CallbackCommand):
                effect = handler.effect(job)
                result = SyncIO.run_process(effect, job._cancelled)
                return handler.outcome(result, effect.env or {})
            return Succeeded(handler(job))
        finally:
            self._finished_work(job.token)

    def _run_hook(self, message: CallbackMessage) -> Any:
        assert self.on_stop is not None
        return self.on_stop(message)


class AsyncCallbackWorker(_Worker):
    """A Callback-step worker on asyncio tasks, for an :class:`AsyncSageMakerClient`;
    the same behaviour and options as :class:`CallbackWorker`.  ``handler`` may be a
    coroutine function (cancelled as a task when its execution is stopped), a plain
    function (run in a thread; it sees ``job.cancelled``) or a :class:`CallbackCommand`.

    ``await worker.run()`` returns after :meth:`shutdown` (or, with ``handle_signals``,
    SIGINT/SIGTERM); cancelling the task running it abandons everything at once (the
    messages held reappear after their visibility timeout)."""

    client: AsyncSageMakerClient

    def _setup(self) -> None:
        self._events: Any = None
        self._tasks: dict[Any, Any] = {}
        self._pending_shutdown: Optional[Shutdown] = None

    def shutdown(self, cancel: bool = False) -> None:
        """Ask :meth:`run` to stop (call it from the worker's event loop)."""
        if self._events is None:
            self._pending_shutdown = Shutdown(cancel)
        else:
            self._events.put_nowait(Shutdown(cancel))

    async def run(self, *, handle_signals: bool = False) -> WorkerStats:
        """Work until shut down (as :meth:`CallbackWorker.run`, on this event loop);
        ``handle_signals``: SIGINT and SIGTERM shut down gracefully, a second one cancels
        the running work."""
        import asyncio

        machine = self._new_machine()
        self._events = asyncio.Queue()
        if self._pending_shutdown is not None:
            self._events.put_nowait(self._pending_shutdown)
        loop = asyncio.get_running_loop()
        signals = self._install_signals(loop) if handle_signals else []
        steps = self._steps(machine)
        try:
            wait = next(steps)
            while True:
                event: Event
                try:
                    event = await asyncio.wait_for(self._events.get(), wait)
                except asyncio.TimeoutError:
                    event = Tick()
                wait = steps.send(event)
        except StopIteration:
            pass
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            for task in list(self._tasks.values()):
                task.cancel()
            self._events = None
            self._pending_shutdown = None
        return self._result(machine)

    def _install_signals(self, loop: Any) -> list[Any]:
        import signal

        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
                continue
            installed.append(sig)
        return installed

    def _on_signal(self) -> None:
        machine = self._machine
        self.shutdown(cancel=machine is not None and machine.shutting_down)

    def _start(self, key: Any, run: Callable[[], Any], done: _Done) -> None:
        import asyncio

        async def target() -> None:
            try:
                value = await run()
            except asyncio.CancelledError:
                if key[0] != "work":
                    raise
                self._events.put_nowait(done(Cancelled(), None))
            except Exception as exc:
                self._events.put_nowait(done(None, exc))
            else:
                self._events.put_nowait(done(value, None))
            finally:
                self._tasks.pop(key, None)

        self._tasks[key] = asyncio.ensure_future(target())

    def _cancel(self, key: Any) -> None:
        task = self._tasks.get(key)
        if task is not None:
            task.cancel()

    async def _run_flow(self, flow: Any) -> Any:
        return await self.client._run(flow)

    async def _run_work(self, job: CallbackJob) -> Outcome:
        import asyncio
        import inspect

        handler = self.handler
        try:
            if isinstance(handler, CallbackCommand):
                effect = handler.effect(job)
                result = await self.client._io.run_process(effect)
                return handler.outcome(result, effect.env or {})
            if inspect.iscoroutinefunction(handler):
                return Succeeded(await handler(job))
            loop = asyncio.get_running_loop()
            return Succeeded(await loop.run_in_executor(None, handler, job))
        finally:
            self._finished_work(job.token)

    async def _run_hook(self, message: CallbackMessage) -> Any:
        import asyncio
        import inspect

        assert self.on_stop is not None
        if inspect.iscoroutinefunction(self.on_stop):
            return await self.on_stop(message)
        return await asyncio.get_running_loop().run_in_executor(None, self.on_stop, message)

