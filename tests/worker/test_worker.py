"""The Callback-step worker against the emulator, sync (threads) and async (tasks):
what a user relies on — a start message is answered, a stop cancels the running work
and releases the execution, a crash does not answer twice, a long job stays invisible,
a shutdown does not lose work."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Callable

import pytest

from sagemaker_stop import (
    CallbackJob,
    CallbackMessage,
    QueueDoesNotExist,
    RetryLater,
)
from sagemaker_stop.emulator import SageMakerEmulator

from .conftest import QUEUE, Runner, wait_until


def answers(emu: SageMakerEmulator, kind: str = "Success") -> list[Any]:
    return [r for r in emu.requests_for(f"SendPipelineExecutionStep{kind}") if r.status == 200]


def test_a_start_message_runs_the_handler_and_its_outputs_answer_the_step(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    seen: list[CallbackJob] = []

    def handler(job: CallbackJob) -> dict[str, Any]:
        seen.append(job)
        return {"model": f"s3://models/{job.arguments['n']}", "accuracy": 0.93}

    worker = run_worker(handler)
    arn = start()
    wait_until(lambda: emu.step_status(arn, "Work") == "Succeeded")
    step = next(s for s in emu.list_steps(arn) if s["StepName"] == "Work")
    assert step["Metadata"]["Callback"]["OutputParameters"] == [
        {"Name": "model", "Value": "s3://models/1"}, {"Name": "accuracy", "Value": "0.93"},
    ]
    assert emu.execution_status(arn) == "Executing"  # on to the next step
    wait_until(lambda: emu.queue_messages(QUEUE) == [])  # deleted once answered
    (job,) = seen
    assert job.pipeline_execution_arn == arn and job.receive_count == 1 and not job.cancelled
    stats = worker.stop()
    assert (stats.succeeded, stats.failed, stats.stopped) == (1, 0, 0)


@pytest.mark.parametrize("client_kind", ["sync"])  # the machine decides: one shell will do
def test_a_failing_handler_fails_the_step_with_its_error(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    def handler(job: CallbackJob) -> None:
        raise ValueError("no GPU left in " + "x" * 300)

    worker = run_worker(handler)
    arn = start()
    wait_until(lambda: emu.execution_status(arn) == "Failed")
    reason = emu.describe_execution(arn)["FailureReason"]
    assert "ValueError: no GPU left in xxx" in reason
    (answer,) = answers(emu, "Failure")
    assert len(answer.json["FailureReason"]) == 256
    wait_until(lambda: emu.queue_messages(QUEUE) == [])
    assert worker.stop().failed == 1


def test_a_stop_cancels_the_running_work_and_the_execution_ends_stopped(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    running = threading.Event()
    cleaned: list[CallbackMessage] = []

    def handler(job: CallbackJob) -> dict[str, str]:
        running.set()
        cancelled = job.wait(30)  # a long job that looks at its cancellation flag
        assert cancelled
        return {"ignored": "yes"}  # what a cancelled handler returns is ignored

    worker = run_worker(handler, on_stop=cleaned.append)
    arn = start()
    assert running.wait(5)
    emu.stop_execution(arn)
    assert emu.execution_status(arn) == "Stopping"
    wait_until(lambda: emu.execution_status(arn) == "Stopped")
    (stop,) = cleaned
    assert stop.is_stopping and stop.pipeline_execution_arn == arn
    (answer,) = answers(emu, "Failure")
    assert answer.json["FailureReason"] == "stopped"
    assert answers(emu) == []
    wait_until(lambda: emu.queue_messages(QUEUE) == [])  # both messages deleted
    stats = worker.stop()
    assert (stats.stopped, stats.succeeded, stats.received) == (1, 0, 2)


def test_an_async_handler_is_cancelled_as_a_task(
    emu: SageMakerEmulator, start: Callable[[], str]
) -> None:
    events: list[str] = []

    async def handler(job: CallbackJob) -> None:
        events.append("started")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    worker = Runner("async", emu, handler)
    arn = start()
    wait_until(lambda: events == ["started"])
    emu.stop_execution(arn)
    wait_until(lambda: emu.execution_status(arn) == "Stopped")
    assert events == ["started", "cancelled"]
    assert worker.stop().stopped == 1


@pytest.mark.parametrize("client_kind", ["async"])  # the machine decides: one shell will do
def test_a_stop_for_work_this_worker_never_saw_is_answered_once(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    arn = start()
    emu.receive_messages(QUEUE)  # another consumer took the start message
    emu.stop_execution(arn)
    cleaned: list[str] = []
    worker = run_worker(lambda job: pytest.fail("no work to run"),
                        on_stop=lambda m: cleaned.append(m.token))
    wait_until(lambda: emu.execution_status(arn) == "Stopped")
    wait_until(lambda: emu.queue_messages(QUEUE) == [])
    assert len(answers(emu, "Failure")) == 1 and len(cleaned) == 1
    assert worker.stop().stopped == 1


def test_a_redelivery_after_a_crash_does_not_answer_twice(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner],
    client_kind: str,
) -> None:
    first, second = start(), start()
    with emu.client() as sm:
        # A worker took both, answered the first, and died before deleting either.
        taken = sm.receive_message(QUEUE, max_number_of_messages=10, visibility_timeout=60)
        assert len(taken.messages) == 2
        by_arn = {CallbackMessage.parse(m.body).pipeline_execution_arn: m for m in taken.messages}
        sm.answer_callback_success(by_arn[first].body, {"by": "the crashed worker"})
    emu.advance(61)  # their visibility timeout ran out: SQS delivers them again

    ran: list[CallbackJob] = []

    def handler(job: CallbackJob) -> dict[str, str]:
        ran.append(job)
        return {"by": "the new worker"}

    worker = run_worker(handler)
    wait_until(lambda: emu.step_status(second, "Work") == "Succeeded")
    wait_until(lambda: emu.queue_messages(QUEUE) == [])
    # The answered step was not run again; the other one ran once, on delivery 2.
    assert [(job.pipeline_execution_arn, job.receive_count) for job in ran] == [(second, 2)]
    assert len(answers(emu)) == 2  # one per step
    outputs = {s["StepName"]: s for s in emu.list_steps(first)}["Work"]["Metadata"]
    assert outputs["Callback"]["OutputParameters"] == [{"Name": "by", "Value": "the crashed worker"}]
    assert worker.stop().succeeded == 1


@pytest.mark.parametrize("client_kind", ["sync"])  # the machine decides: one shell will do
def test_heartbeats_keep_a_long_job_invisible(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    running, finish = threading.Event(), threading.Event()

    def handler(job: CallbackJob) -> None:
        running.set()
        finish.wait(10)

    worker = run_worker(handler, visibility_timeout=2, heartbeat=0.03)
    arn = start()
    assert running.wait(5)
    with emu.client() as thief:
        for _ in range(6):  # 4.8 simulated seconds: more than twice the visibility timeout
            emu.advance(0.8)
            wait_until(lambda: worker.stats.running == 1)
            threading.Event().wait(0.06)
            assert thief.receive_message(QUEUE).messages == ()
    finish.set()
    wait_until(lambda: emu.step_status(arn, "Work") == "Succeeded")
    wait_until(lambda: emu.queue_messages(QUEUE) == [])
    assert worker.stop().succeeded == 1


def test_shutdown_lets_running_work_finish_and_answers_it(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    running, finish = threading.Event(), threading.Event()

    def handler(job: CallbackJob) -> dict[str, str]:
        running.set()
        finish.wait(10)
        return {"done": "yes"}

    worker = run_worker(handler)
    arn = start()
    assert running.wait(5)
    worker.shutdown()  # "finish": stop receiving, let the job end, answer it
    threading.Timer(0.05, finish.set).start()
    stats = worker.join()
    assert stats.succeeded == 1 and emu.step_status(arn, "Work") == "Succeeded"
    assert emu.queue_messages(QUEUE) == []


def test_shutdown_with_cancel_releases_the_running_work_unanswered(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    running = threading.Event()

    def handler(job: CallbackJob) -> None:
        running.set()
        job.wait(30)

    worker = run_worker(handler)
    arn = start()
    assert running.wait(5)
    stats = worker.stop(cancel=True)
    assert stats.released == 1 and stats.succeeded == stats.failed == 0
    assert answers(emu) == answers(emu, "Failure") == []
    assert emu.step_status(arn, "Work") == "Executing"
    # Visible again at once, for the next worker; not on its way to a dead-letter queue.
    with emu.client() as sm:
        (message,) = sm.receive_message(QUEUE).messages
        assert message.receive_count == 2


@pytest.mark.parametrize("client_kind", ["sync"])  # the machine decides: one shell will do
def test_a_message_that_is_not_a_callback_message_is_left_for_the_redrive_policy(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner],
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu._model.queues.send(QUEUE, "not a callback message", emu.now)
    arn = start()
    caplog.set_level("INFO", logger="sagemaker_stop.worker")
    worker = run_worker(lambda job: {"ok": "1"})
    wait_until(lambda: emu.step_status(arn, "Work") == "Succeeded")
    wait_until(lambda: worker.stats.skipped == 1)
    stats = worker.stop()
    assert stats.skipped == 1 and stats.succeeded == 1
    assert [m for m in emu._model.queues.by_url[QUEUE].messages] != []  # not deleted
    assert any("left for the queue's redrive policy" in r.getMessage() for r in caplog.records)
    assert any("succeeded in" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("client_kind", ["async"])  # the machine decides: one shell will do
def test_retry_later_leaves_the_message_for_redelivery(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner]
) -> None:
    tries: list[int] = []

    def handler(job: CallbackJob) -> dict[str, str]:
        tries.append(job.receive_count)
        if len(tries) == 1:
            raise RetryLater("the cluster is busy")
        return {"ok": "1"}

    worker = run_worker(handler)
    arn = start()
    wait_until(lambda: emu.step_status(arn, "Work") == "Succeeded")
    assert tries == [1, 2]
    assert worker.stop().succeeded == 1


def test_a_missing_queue_stops_the_worker_with_the_error(
    emu: SageMakerEmulator, client_kind: str
) -> None:
    runner = Runner(client_kind, emu, lambda job: None, queue=QUEUE + "-missing")
    runner.join()
    assert isinstance(runner.error, QueueDoesNotExist)
    assert runner.error.code == "AWS.SimpleQueueService.NonExistentQueue"


def test_the_message_the_handler_gets(emu: SageMakerEmulator, start: Callable[[], str]) -> None:
    arn = start()
    (message,) = emu.queue_messages(QUEUE)
    body = json.loads(message["Body"])
    job = CallbackJob(CallbackMessage.parse(message["Body"]), 3)
    assert (job.token, job.pipeline_execution_arn, dict(job.arguments)) == (
        body["token"], arn, {"n": 1}
    )
    assert not job.wait(0) and not job.cancelled
    job.cancel()
    assert job.wait(5) and job.cancelled and "cancelled" in repr(job)


def test_a_stop_terminates_a_running_command_and_the_execution_ends_stopped(
    emu: SageMakerEmulator, start: Callable[[], str], run_worker: Callable[..., Runner],
    tmp_path: Any, client_kind: str,
) -> None:
    import sys

    from sagemaker_stop import CallbackCommand

    marker = tmp_path / "job"
    script = (
        "import signal, sys, time, pathlib\n"
        f"p = pathlib.Path({str(marker)!r})\n"
        "signal.signal(signal.SIGTERM, lambda *a: (p.write_text('SIGTERM'), sys.exit(1)))\n"
        "p.with_suffix('.ready').write_text('')\n"
        "time.sleep(30)\n"
    )
    stops: list[str] = []

    async def async_on_stop(message: CallbackMessage) -> None:
        stops.append(message.token)

    hook = async_on_stop if client_kind == "async" else (lambda m: stops.append(m.token))
    worker = run_worker(CallbackCommand([sys.executable, "-c", script], grace=5), on_stop=hook)
    arn = start()
    wait_until(lambda: marker.with_suffix(".ready").exists())
    emu.stop_execution(arn)
    wait_until(lambda: emu.execution_status(arn) == "Stopped")
    assert marker.read_text() == "SIGTERM" and len(stops) == 1
    assert worker.stop().stopped == 1
