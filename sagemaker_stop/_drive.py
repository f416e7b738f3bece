"""The two I/O shells: they perform the effects a flow yields, and nothing else.

``SyncIO.run(flow)`` sends with ``_transport.SyncSender`` and uses ``time.sleep``,
threads and ``subprocess``; ``AsyncIO.run(flow)`` sends with ``_transport.AsyncSender``
and uses ``asyncio.sleep``, tasks and asyncio subprocesses, so the async client never
blocks its event loop.  Every decision lives in the flows; what differs here is only how
bytes move and time passes.  (asyncio, threads and subprocess are imported where they
are used: a sync stop in a Lambda function loads none of them.)
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional, TypeVar, Union

from ._credentials._types import Credentials
from ._effects import (
    CallUser,
    Effect,
    Flow,
    Gather,
    GetCredentials,
    HttpResponse,
    ProcessResult,
    RunProcess,
    Send,
    Sleep,
    TransportFailure,
    bounded,
)
from ._transport import AsyncSender, SyncSender

T = TypeVar("T")
R = TypeVar("R")

def _process_failure(exc: BaseException, timed_out: bool = False) -> ProcessResult:
    if timed_out:
        return ProcessResult(-1, b"", b"timed out")
    return ProcessResult(127, b"", str(exc).encode())


def _runner(run: Callable[[Flow[Any]], R], effect: GetCredentials) -> Callable[[Flow[Any]], R]:
    """How a credentials refresh is run: held to the call's deadline when it has one
    (every request, process and sleep of the refresh cut to the time left)."""
    within = effect.within
    if within is None:
        return run
    return lambda flow: run(bounded(flow, within, effect.bound, time.monotonic))


def _popen_options(effect: RunProcess) -> dict[str, Any]:
    """What both shells pass to start ``effect``'s process (besides its pipes)."""
    options: dict[str, Any] = {"env": None if effect.env is None else dict(effect.env)}
    if effect.cancellable:
        options["start_new_session"] = True  # its own process group: see _signal_group
    return options


def _signal_group(process: Any, kill: bool = False) -> None:
    """SIGTERM (``kill``: SIGKILL) a cancellable process and everything it started (its
    process group); where there are no process groups, the process alone."""
    import contextlib
    import os
    import signal

    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        elif kill:  # pragma: no cover - Windows
            process.kill()
        else:  # pragma: no cover - Windows
            process.terminate()


def _advance(flow: Flow[Any], value: Any, error: Optional[Exception]) -> tuple[bool, Any]:
    """Resume ``flow`` with a result (or an exception); (True, its return value) when it
    finished, else (False, the next effect)."""
    try:
        effect = flow.throw(error) if error is not None else flow.send(value)
    except StopIteration as stop:
        return True, stop.value
    return False, effect


def _end_when_cancelled(process: Any, cancel: Any, grace: float) -> None:
    """(A thread of the sync shell) SIGTERM the process group once ``cancel`` is set,
    SIGKILL it after ``grace`` seconds; return when the process has ended."""
    import subprocess

    while process.poll() is None:
        if cancel.wait(0.02):
            _signal_group(process)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, kill=True)
            return


class SyncIO:
    def __init__(
        self,
        sender: SyncSender,
        credentials: Any,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sender = sender
        self.credentials = credentials
        self.sleep = sleep

    def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: Optional[Exception] = None
        try:
            while True:
                done, effect = _advance(flow, value, error)
                if done:
                    return effect  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = self.perform(effect)
                except Exception as exc:  # thrown into the flow: it decides
                    error = exc
        finally:
            flow.close()

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return self.send(effect)
        if isinstance(effect, Sleep):
            self.sleep(effect.seconds)
            return None
        if isinstance(effect, GetCredentials):
            creds: Credentials = self.credentials.get_sync(
                _runner(self.run, effect), effect.force_refresh
            )
            return creds
        if isinstance(effect, Gather):
            return self.gather(effect)
        if isinstance(effect, CallUser):
            return self.call_user(effect)
        return self.run_process(effect)

    @staticmethod
    def call_user(effect: CallUser) -> Any:
        import inspect

        result = effect.function(*effect.args)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()  # never awaited: no "coroutine was never awaited" warning
            raise TypeError(
                "the sync client called a function that returned an awaitable (a "
                "coroutine function?): give it a plain function, or use the async client"
            )
        return result

    def gather(self, effect: Gather) -> list[Any]:
        """Run the flows on ``concurrency`` threads; their outcomes (a value, or what a
        flow raised) in order.

        Interrupted (Ctrl-C: ``KeyboardInterrupt`` in this, the main, thread), no flow
        starts any more and this returns only once the flows already running have ended,
        so a caller that reports what was done sees all of it, and closes nothing under
        a running request.  (A ``ThreadPoolExecutor`` cannot promise that: interrupted
        while it starts a thread, its shutdown does not wait for that thread, which then
        runs queued flows after the caller has moved on.)  The threads take no flow
        until every one of them has started."""
        flows = effect.flows
        if not flows:
            return []
        import itertools
        import threading

        outcomes: list[Any] = [None] * len(flows)
        fatal: list[BaseException] = []
        taking, lock = itertools.count(), threading.Lock()
        go, stop = threading.Event(), threading.Event()

        def work(finished: threading.Event) -> None:
            try:
                go.wait()
                while not stop.is_set():
                    with lock:
                        index = next(taking)
                    if index >= len(flows):
                        return
                    try:
                        outcomes[index] = self.run(flows[index])
                    except Exception as exc:
                        outcomes[index] = exc
                    except BaseException as exc:  # re-raised below, after the others
                        fatal.append(exc)
                        stop.set()
            finally:
                finished.set()

        # Waiting is on events, not Thread.join(): a join interrupted by Ctrl-C can mark
        # a thread that still runs as stopped (CPython 3.11), and a second join returns.
        started: list[threading.Event] = []
        try:
            for n in range(max(1, min(effect.concurrency, len(flows)))):
                finished = threading.Event()
                threading.Thread(
                    target=work, args=(finished,), name=f"sagemaker-stop-{n}", daemon=True
                ).start()
                started.append(finished)
            go.set()
            for finished in started:
                finished.wait()
        except BaseException:
            stop.set()  # before go: a thread let go now takes nothing
            go.set()
            for finished in started:
                finished.wait()
            raise
        if fatal:
            raise fatal[0]
        return outcomes

    def send(self, effect: Send) -> Union[HttpResponse, TransportFailure]:
        return self.sender.send(effect.request, effect.max_body)

    @staticmethod
    def run_process(effect: RunProcess, cancel: Optional[Any] = None) -> ProcessResult:
        """Run the process; ``cancel`` (a ``threading.Event``, for a cancellable one)
        ends it when set: SIGTERM to its group, SIGKILL after the grace period."""
        import subprocess

        stdin = subprocess.PIPE if effect.stdin is not None else None
        try:
            process = subprocess.Popen(
                list(effect.argv),
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                **_popen_options(effect),
            )
        except OSError as exc:
            return _process_failure(exc)
        with process:
            if cancel is not None and effect.cancellable:
                import threading

                threading.Thread(
                    target=_end_when_cancelled,
                    args=(process, cancel, effect.grace),
                    daemon=True,
                ).start()
            try:
                stdout, stderr = process.communicate(effect.stdin, timeout=effect.timeout)
            except subprocess.TimeoutExpired as exc:
                process.kill()
                if effect.cancellable:
                    _signal_group(process, kill=True)
                process.communicate()
                return _process_failure(exc, timed_out=True)
        return ProcessResult(process.returncode, stdout, stderr)


class AsyncIO:
    def __init__(
        self,
        sender: AsyncSender,
        credentials: Any,
        sleep: Optional[Callable[[float], Any]] = None,
    ) -> None:
        import asyncio

        self.sender = sender
        self.credentials = credentials
        self.sleep = sleep or asyncio.sleep

    async def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: Optional[Exception] = None
        try:
            while True:
                done, effect = _advance(flow, value, error)
                if done:
                    return effect  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = await self.perform(effect)
                except Exception as exc:  # thrown into the flow: it decides
                    error = exc
        finally:
            flow.close()

    async def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Send):
            return await self.send(effect)
        if isinstance(effect, Sleep):
            await self.sleep(effect.seconds)
            return None
        if isinstance(effect, GetCredentials):
            creds: Credentials = await self.credentials.get_async(
                _runner(self.run, effect), effect.force_refresh
            )
            return creds
        if isinstance(effect, Gather):
            return await self.gather(effect)
        if isinstance(effect, CallUser):
            return await self.call_user(effect)
        return await self.run_process(effect)

    @staticmethod
    async def call_user(effect: CallUser) -> Any:
        import asyncio
        import functools
        import inspect

        if inspect.iscoroutinefunction(effect.function):
            return await effect.function(*effect.args)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, functools.partial(effect.function, *effect.args))
        if inspect.isawaitable(result):
            result = await result
        return result

    async def gather(self, effect: Gather) -> list[Any]:
        import asyncio

        limit = asyncio.Semaphore(max(1, effect.concurrency))

        async def outcome(flow: Flow[Any]) -> Any:
            async with limit:
                try:
                    return await self.run(flow)
                except Exception as exc:
                    return exc

        return list(await asyncio.gather(*(outcome(f) for f in effect.flows)))

    async def send(self, effect: Send) -> Union[HttpResponse, TransportFailure]:
        return await self.sender.send(effect.request, effect.max_body)

    @staticmethod
    async def run_process(effect: RunProcess) -> ProcessResult:
        """Run the process; cancelling the task ends a cancellable one (SIGTERM to its
        group, SIGKILL after the grace period) before the cancellation goes on."""
        import asyncio

        pipe = asyncio.subprocess.PIPE
        try:
            process = await asyncio.create_subprocess_exec(
                *effect.argv,
                stdin=pipe if effect.stdin is not None else None,
                stdout=pipe,
                stderr=pipe,
                **_popen_options(effect),
            )
        except OSError as exc:
            return _process_failure(exc)
        try:
            stdout, stderr = await asyncio.wait_for(
                process.communicate(effect.stdin), effect.timeout
            )
        except asyncio.TimeoutError as exc:
            process.kill()
            await process.wait()
            return _process_failure(exc, timed_out=True)
        except asyncio.CancelledError:
            if not effect.cancellable:
                raise
            _signal_group(process)
            try:
                await asyncio.wait_for(process.wait(), effect.grace)
            except asyncio.TimeoutError:
                pass
            finally:
                if process.returncode is None:
                    _signal_group(process, kill=True)
                    await process.wait()
            raise
        return ProcessResult(process.returncode or 0, stdout, stderr)


