"""``make demo``: two real stops against the bundled emulator, narrated.

Everything goes over loopback HTTP with real SigV4 signing (the emulator verifies every
signature with its own code).  Simulated time runs 30 times faster than the wall clock.

1. An execution reaches a Callback step.  The first stop lands while the execution
   moves between steps and is answered with a transient ``ConflictException``, which
   the client rides out by itself.  ``stop_pipeline_execution`` leaves it
   ``Stopping``; SageMaker puts a ``"status": "Stopping"`` message on the step's queue;
   a consumer cleans up and answers ``SendPipelineExecutionStepFailure``; only then is
   the execution ``Stopped``.  Stopping it again is answered ``ExecutionNotStoppable``.
2. An execution is in a Lambda step whose function runs past its timeout.  The stop
   cannot interrupt the function: the execution stays ``Stopping`` until the timeout is
   hit, and ends ``Failed``.
3. A :class:`~sagemaker_stop.CallbackWorker` consumes a Callback step's queue over SQS:
   it runs the work for a start message and answers the step with its outputs; for a
   second execution, stopped while the work runs, the Stopping message cancels the work,
   the ``on_stop`` hook cleans up, the step is answered Failure and the execution ends
   ``Stopped``.

Run it with ``python -m sagemaker_stop.demo`` or ``sagemaker-stop demo``; exits 0 when the
stories end as SageMaker says they must.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any, Callable, Optional, TextIO

SPEED = 30.0  # simulated seconds per real second
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/model-approvals"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:export-model"
TRAINING_QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/external-training"


class Narrator:
    def __init__(self, out: TextIO, sim_now: Callable[[], float]) -> None:
        self.out = out
        self.start = time.monotonic()
        self.sim_start = sim_now()
        self.sim_now = sim_now

    def say(self, text: str) -> None:
        real = time.monotonic() - self.start
        sim = self.sim_now() - self.sim_start
        self.out.write(f"  [{real:5.1f} s | sim {sim:6.0f} s]  {text}\n")
        self.out.flush()


def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("the emulator did not reach the expected state in time")
        time.sleep(0.05)


def main(argv: Optional[list[str]] = None, out: TextIO = sys.stdout) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="sagemaker-stop demo", description="Real stops against the emulator."
    )
    parser.add_argument(
        "--speed", type=float, default=SPEED, help="simulated seconds per real second"
    )
    speed = parser.parse_args(argv).speed
    from . import (
        Attempt,
        CallbackMessage,
        ExecutionNotStoppable,
        WaitProgress,
    )
    from .emulator import CallbackStep, LambdaStep, SageMakerEmulator, Step

    with SageMakerEmulator(speed=speed, stop_delay=3.0) as emu:
        n = Narrator(out, lambda: emu.now)

        def on_attempt(attempt: Attempt) -> None:
            if attempt.error is not None and attempt.retry_in is not None:
                n.say(
                    f"{attempt.operation} attempt {attempt.attempt}: "
                    f"{attempt.error.code} (a transient race between two steps); "
                    f"retrying in {attempt.retry_in:.2f} s with the same token"
                )

        client = emu.client(on_attempt=on_attempt)
        out.write(
            f"SageMaker Pipelines emulator at {emu.endpoint_url} "
            f"(simulated time x{speed:g}; every request SigV4-verified)\n\n"
        )

        last: list[str] = []

        def progress(p: WaitProgress) -> None:
            text = f"{p.status}: {p.waiting_for}" if p.waiting_for else str(p.status)
            if not last or last[-1] != text:  # report changes, not every poll
                last.append(text)
                n.say(f"waiting ... {text}")

        with client as sm:
            # --- 1. a Callback step holds the stop -------------------------------
            out.write("1. Stopping an execution that is in a Callback step\n")
            emu.create_pipeline(
                "train-and-approve",
                steps=[
                    Step("Preprocess", "Processing", duration=30),
                    CallbackStep("ApproveModel", QUEUE, arguments={"model": "churn-v7"}),
                    Step("Deploy", "Training", duration=60),
                ],
            )
            arn = emu.start_execution("train-and-approve")
            n.say(f"started {arn}")
            _wait_until(lambda: bool(emu.queue_messages(QUEUE)))
            started = CallbackMessage.parse(emu.receive_messages(QUEUE)[0])
            n.say(
                f"Callback step ApproveModel is running: its queue got the "
                f"{started.status!r} message (token {started.token})"
            )
            emu.conflict(1, execution_arn=arn)  # the stop lands between two steps
            resp = sm.stop_pipeline_execution(arn)
            n.say(
                f"stop_pipeline_execution -> HTTP {resp.http_status} "
                f"(request id {resp.request_id})"
            )
            status = sm.describe_pipeline_execution(arn).status
            n.say(f"execution status: {status}")

            def consumer() -> None:  # what an SQS consumer of the step's queue does
                _wait_until(lambda: bool(emu.queue_messages(QUEUE)))
                message = CallbackMessage.parse(emu.receive_messages(QUEUE)[0])
                n.say(f"consumer: got status={message.status!r} token={message.token}")
                n.say("consumer: cleaning up the approval request ...")
                time.sleep(45 / speed)
                sm.answer_callback_failure(message, "Stopped by user; approval withdrawn")
                n.say("consumer: answered SendPipelineExecutionStepFailure")

            worker = threading.Thread(target=consumer)
            worker.start()
            try:
                final = sm.wait_for_pipeline_execution(
                    arn, timeout=30, poll=0.2, max_poll=0.5, on_progress=progress
                )
            finally:
                worker.join()
            n.say(f"execution status: {final.status}")
            try:
                sm.stop_pipeline_execution(arn)
            except ExecutionNotStoppable as exc:
                n.say(f"stopping it again -> ExecutionNotStoppable: {exc.message}")
            first_ok = final.status == "Stopped"

            # --- 2. a Lambda step cannot be stopped ------------------------------
            out.write("\n2. Stopping an execution that is in a Lambda step\n")
            emu.create_pipeline(
                "export",
                steps=[LambdaStep("ExportModel", FUNCTION, duration=900, timeout=120)],
            )
            arn = emu.start_execution("export")
            n.say(f"started {arn}: the function runs 900 s, its timeout is 120 s")
            _wait_until(lambda: emu.step_status(arn, "ExportModel") == "Executing")
            n.say("stop_and_wait(arn): stop, then wait for a final status")
            final = sm.stop_and_wait(
                arn, timeout=60, poll=0.2, max_poll=1.0, on_progress=progress
            )
            n.say(f"execution status: {final.status}: {final.failure_reason}")
            second_ok = final.status == "Failed"

            # --- 3. a worker answers the Callback step; a stop cancels its work ---
            out.write("\n3. A Callback-step worker: it answers the step; a stop cancels it\n")
            third_ok = _worker_story(emu, sm, n, speed)

    out.write(
        "\nSummary: a Callback step holds a stop until its Stopping message is answered;\n"
        "a Lambda step holds it until the function ends (finished: Stopped; timed out: "
        "Failed);\na CallbackWorker answers the step, and turns a stop into a cancellation.\n"
    )
    return 0 if first_ok and second_ok and third_ok else 1


class _Say(logging.Handler):
    """The worker's one line per message, narrated."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        self.say(f"worker: {record.getMessage()}")


def _worker_story(emu: Any, sm: Any, n: Narrator, speed: float) -> bool:
    from . import CallbackJob, CallbackMessage, CallbackWorker
    from .emulator import CallbackStep, Step

    emu.create_pipeline(
        "train-elsewhere",
        steps=[
            Step("Prepare", "Processing", duration=10),
            CallbackStep("ExternalTraining", TRAINING_QUEUE, arguments={"model": "churn-v8"}),
            Step("Register", "Training", duration=10),
        ],
    )
    training = threading.Event()

    def train(job: CallbackJob) -> Optional[dict[str, str]]:
        training.set()
        for epoch in (1, 2, 3):  # 10 simulated seconds an epoch
            if job.wait(10 / speed):
                n.say(f"worker: training interrupted in epoch {epoch}")
                return None
        return {"ModelUri": f"s3://models/{job.arguments['model']}.tar.gz"}

    def cleanup(message: CallbackMessage) -> None:
        n.say("worker: on_stop: releasing the training cluster")

    # Short polls keep the demo quick; on a real queue keep the 20 s long poll.
    worker = CallbackWorker(
        TRAINING_QUEUE, train, client=sm, on_stop=cleanup, wait_time=0, poll_interval=0.05
    )
    logger = logging.getLogger("sagemaker_stop.worker")
    handler, level = _Say(n.say), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        first = emu.start_execution("train-elsewhere")
        n.say("started an execution; a CallbackWorker consumes the step's queue")
        done = sm.wait_for_pipeline_execution(first, timeout=30, poll=0.1, max_poll=0.2)
        n.say(f"execution status: {done.status} (the worker's outputs went on to Register)")
        training.clear()
        second = emu.start_execution("train-elsewhere")
        n.say("started another one")
        _wait_until(training.is_set)
        # Said first: the worker may see the Stopping message before this thread goes on.
        n.say("stop_pipeline_execution while the worker trains")
        response = sm.stop_pipeline_execution(second)
        n.say(f"-> HTTP {response.http_status}: the execution is Stopping")
        stopped = sm.wait_for_pipeline_execution(second, timeout=30, poll=0.1, max_poll=0.2)
        n.say(f"execution status: {stopped.status}")
    finally:
        worker.shutdown()
        thread.join(10)
        logger.removeHandler(handler)
        logger.setLevel(level)
    return bool(done.status == "Succeeded" and stopped.status == "Stopped")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
