"""Waiting for executions to end: callback answers, lambda steps, timeouts, progress,
throttling and backoff — sync and async, in virtual time."""

from __future__ import annotations

import pytest

from sagemaker_stop import (
    CallbackMessage,
    ConflictException,
    ExecutionNotStoppable,
    ParamValidationError,
    ResourceNotFound,
    WaitProgress,
    WaitTimeoutError,
)

from .conftest import FUNCTION, QUEUE, World


def test_stop_held_by_a_callback_ends_stopped_once_the_consumer_answers_failure(
    world: World,
) -> None:
    sm = world.client()
    consumer = world.client("sync")  # runs elsewhere: its own client
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)  # Prepare done, Approve waiting for its callback
    (started,) = world.emu.receive_messages(QUEUE)
    assert CallbackMessage.parse(started).status == "Executing"
    sm.stop_pipeline_execution(arn)

    progress: list[WaitProgress] = []

    def on_progress(report: WaitProgress) -> None:
        progress.append(report)
        if len(progress) == 2:  # the consumer gets to the Stopping message
            (raw,) = world.emu.receive_messages(QUEUE)
            message = CallbackMessage.parse(raw)
            assert message.is_stopping and message.pipeline_execution_arn == arn
            assert message.arguments == {"job": "j-1"}
            # ... clean up the external work, then answer failure:
            consumer.answer_callback_failure(message, "stopped by user")

    final = sm.wait_for_pipeline_execution(arn, timeout=600, poll=5, on_progress=on_progress)
    assert final.status == "Stopped" and final.is_terminal
    assert world.emu.step_status(arn, "Approve") == "Failed"
    assert [p.status for p in progress] == ["Stopping", "Stopping"]
    first = progress[0]
    assert first.holding_step is not None and first.holding_step.step_name == "Approve"
    assert first.queue_url == QUEUE and first.function_arn is None
    assert first.waiting_for is not None
    assert "waiting for SendPipelineExecutionStepSuccess/Failure" in first.waiting_for
    assert QUEUE in first.waiting_for and "Approve" in str(first)
    assert first.elapsed < 1 and progress[1].elapsed >= 5
    (answer,) = world.emu.requests_for("SendPipelineExecutionStepFailure")
    assert answer.json["FailureReason"] == "stopped by user"


def test_lambda_timing_out_after_the_stop_ends_failed(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=900, timeout=120))
    world.time.sleep(30)
    sm.stop_pipeline_execution(arn)
    progress: list[WaitProgress] = []
    final = sm.wait_for_pipeline_execution(arn, timeout=600, poll=10, on_progress=progress.append)
    assert final.status == "Failed"
    assert final.failure_reason is not None and "timed out" in final.failure_reason
    assert progress and all(p.status == "Stopping" for p in progress)
    assert progress[0].function_arn == FUNCTION and progress[0].queue_url is None
    assert progress[0].waiting_for is not None and "Lambda function" in progress[0].waiting_for
    # never waited longer than needed: the lambda ended 90 s after the stop
    assert sum(world.time.sleeps[1:]) < 90 + 60


def test_lambda_finishing_after_the_stop_ends_stopped(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=60, timeout=300))
    world.time.sleep(5)
    final = sm.stop_and_wait(arn, timeout=600, poll=5)
    assert final.status == "Stopped"
    steps = world.collect(sm, "iter_pipeline_execution_steps", arn)
    assert [s.step_name for s in steps] == ["Cleanup"]
    assert steps[0].status == "Stopped"
    assert steps[0].metadata.lambda_ is not None
    assert [(p.name, p.value) for p in steps[0].metadata.lambda_.output_parameters] == [
        ("done", "yes")
    ]


def test_a_wait_that_times_out_carries_the_last_description(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    sm.stop_pipeline_execution(arn)
    with pytest.raises(WaitTimeoutError) as caught:
        sm.wait_for_pipeline_execution(arn, timeout=120, poll=5, max_poll=20)
    error = caught.value
    assert error.code == "WaitTimeout"
    assert error.pipeline_execution_arn == arn and error.timeout == 120
    assert error.last_description is not None and error.last_status == "Stopping"
    assert "Stopping" in str(error) and "120" in str(error)
    # backoff x1.5 up to the cap, and never past the deadline
    polls = world.time.sleeps[1:]
    assert polls[:4] == [5.0, 7.5, 11.25, 16.875]
    assert max(polls) <= 20
    assert sum(polls) == pytest.approx(120, abs=1)


def test_an_executing_execution_is_reported_without_a_holding_step(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=20, timeout=300))
    progress: list[WaitProgress] = []
    final = sm.wait_for_pipeline_execution(arn, timeout=600, poll=5, on_progress=progress.append)
    assert final.status == "Succeeded"  # 20 s lambda + 100 s training
    assert progress and {p.status for p in progress} == {"Executing"}
    assert all(p.holding_step is None and p.waiting_for is None for p in progress)
    # no step listing while nothing is stopping
    assert not world.emu.requests_for("ListPipelineExecutionSteps")


def test_throttling_while_polling_extends_the_wait_instead_of_failing(world: World) -> None:
    sm = world.client(max_attempts=1)
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=200, timeout=300))
    world.emu.throttle(3, "DescribePipelineExecution")
    world.emu.throttle(1, "ListPipelineExecutionSteps")
    sm.stop_pipeline_execution(arn)
    progress: list[WaitProgress] = []
    final = sm.wait_for_pipeline_execution(arn, timeout=900, poll=2, on_progress=progress.append)
    assert final.status == "Stopped"
    described = world.emu.requests_for("DescribePipelineExecution")
    assert [r.error_code for r in described[:3]] == ["ThrottlingException"] * 3
    # a throttled poll doubles the delay (then the usual x1.5 applies): 4, 12, 36
    assert world.time.sleeps[:3] == [4.0, 12.0, 36.0]
    assert progress[0].holding_step is None  # step lookup throttled: best effort
    assert any(p.holding_step is not None for p in progress[1:])


def test_a_wait_throttled_to_the_end_times_out_without_a_description(world: World) -> None:
    sm = world.client(max_attempts=1)
    arn = world.emu.start_execution(world.callback_pipeline())
    world.emu.throttle(100, "DescribePipelineExecution")
    with pytest.raises(WaitTimeoutError) as caught:
        sm.wait_for_pipeline_execution(arn, timeout=30, poll=5)
    assert caught.value.last_description is None
    assert caught.value.last_status is None
    assert isinstance(caught.value.__cause__, Exception)
    assert "throttled" in str(caught.value)


def test_stop_and_wait_on_a_finished_execution_returns_its_description(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=5, timeout=300))
    world.time.sleep(200)
    assert world.emu.execution_status(arn) == "Succeeded"
    final = sm.stop_and_wait(arn, timeout=60)
    assert final.status == "Succeeded"
    stops = world.emu.requests_for("StopPipelineExecution")
    assert [r.error_code for r in stops] == ["ValidationException"]  # ExecutionNotStoppable
    assert len(world.emu.requests_for("DescribePipelineExecution")) == 1
    assert world.time.sleeps == [200]  # no polling at all


def test_stop_and_wait_on_a_stopping_execution_waits_for_the_end(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=60, timeout=300))
    world.time.sleep(1)
    world.emu.stop_execution(arn)  # someone else stopped it: Stopping until the function ends
    final = sm.stop_and_wait(arn, timeout=300, poll=5)
    assert final.status == "Stopped"
    stops = world.emu.requests_for("StopPipelineExecution")
    assert [r.error_code for r in stops] == ["ValidationException"]
    # the description fetched after the refusal is the wait's first poll
    describes = world.emu.requests_for("DescribePipelineExecution")
    assert len(describes) == len(world.time.sleeps[1:]) + 1


def test_stop_and_wait_rides_out_a_transient_conflict(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=30, timeout=300))
    world.time.sleep(1)
    world.emu.conflict(3, execution_arn=arn)
    final = sm.stop_and_wait(arn, timeout=300, poll=5)
    assert final.status == "Stopped"
    stops = world.emu.requests_for("StopPipelineExecution")
    assert [r.error_code for r in stops] == ["ConflictException"] * 3 + [None]
    assert len({r.client_request_token for r in stops}) == 1
    assert all(r.auth.ok for r in stops)  # each attempt signed (and verified) afresh
    assert [r.headers["amz-sdk-request"] for r in stops] == [
        "attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3", "attempt=4; max=4"
    ]
    assert all(0.225 <= s <= 0.375 for s in world.time.sleeps[1:4])


def test_stop_and_wait_with_a_callback_answered_by_the_emulator(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)

    def answer(report: WaitProgress) -> None:
        if report.queue_url is not None:
            for raw in world.emu.receive_messages(report.queue_url):
                message = CallbackMessage.parse(raw)
                if message.is_stopping:
                    world.emu.send_step_success(message.token)

    final = sm.stop_and_wait(arn, timeout=300, poll=3, on_progress=answer)
    assert final.status == "Stopped"
    assert world.emu.step_status(arn, "Approve") == "Stopped"


def test_a_conflict_that_outlives_its_retries_is_raised(world: World) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    world.emu.conflict(5, execution_arn=arn)
    with pytest.raises(ConflictException) as caught:
        sm.stop_and_wait(arn, timeout=60)
    assert type(caught.value) is ConflictException  # never ExecutionNotStoppable
    assert len(world.emu.requests_for("StopPipelineExecution")) == 5
    assert world.emu.requests_for("DescribePipelineExecution") == []


def test_not_executing_yet_executing_is_not_hidden(world: World) -> None:
    """A refusal saying "not Executing" for an execution described as Executing is
    raised, not waited on forever."""
    sm = world.client()
    arn = world.emu.start_execution(world.callback_pipeline())
    world.time.sleep(11)
    from sagemaker_stop.emulator._model import NOT_EXECUTING_MESSAGE, ServiceError

    def refuse(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        raise ServiceError("ValidationException", NOT_EXECUTING_MESSAGE)

    world.emu._api._handlers["StopPipelineExecution"] = refuse
    with pytest.raises(ExecutionNotStoppable):
        sm.stop_and_wait(arn, timeout=60)
    assert world.time.sleeps == [11]


def test_waiting_for_an_unknown_execution_raises_resource_not_found(world: World) -> None:
    sm = world.client()
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nope/execution/nothing"
    with pytest.raises(ResourceNotFound):
        sm.wait_for_pipeline_execution(arn, timeout=10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"poll": 0}, "poll"),
        ({"poll": True}, "poll"),
        ({"max_poll": "5"}, "max_poll"),
    ],
)
def test_wait_arguments_are_checked_before_sending(
    world: World, kwargs: dict, field: str  # type: ignore[type-arg]
) -> None:
    sm = world.client()
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/e"
    with pytest.raises(ParamValidationError) as caught:
        sm.wait_for_pipeline_execution(arn, **kwargs)
    assert caught.value.field == field
    with pytest.raises(ParamValidationError):
        sm.stop_and_wait(arn, **kwargs)
    with pytest.raises(ParamValidationError) as bad_arn:
        sm.wait_for_pipeline_execution("not-an-arn")
    assert bad_arn.value.field == "PipelineExecutionArn"
    assert world.emu.requests == []


def test_a_plain_step_holding_a_stop_is_named_too(world: World) -> None:
    from sagemaker_stop.emulator import Step

    world.emu._model.stop_delay = 30.0
    world.emu.create_pipeline("plain", [Step("Train", "Training", 1000)])
    arn = world.emu.start_execution("plain")
    sm = world.client()
    progress: list[WaitProgress] = []
    final = sm.stop_and_wait(arn, timeout=300, poll=10, on_progress=progress.append)
    assert final.status == "Stopped"
    assert progress[0].waiting_for == "Training step Train is stopping"
    assert progress[0].queue_url is None and progress[0].function_arn is None


def test_wait_timeout_errors_survive_pickling() -> None:
    import pickle

    from sagemaker_stop import DescribePipelineExecutionResponse

    last = DescribePipelineExecutionResponse(pipeline_execution_status="Stopping")
    error = WaitTimeoutError("late", pipeline_execution_arn="a", timeout=5.0, last_description=last)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, WaitTimeoutError) and str(copy) == str(error)
    assert (copy.pipeline_execution_arn, copy.timeout, copy.last_status) == ("a", 5.0, "Stopping")


@pytest.mark.parametrize("fault", ["5xx", "reset"])
def test_a_failing_holding_step_lookup_never_ends_the_wait(world: World, fault: str) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=60, timeout=300))
    world.time.sleep(5)
    sm.stop_pipeline_execution(arn)
    if fault == "5xx":
        world.emu.fail(count=100, operation="ListPipelineExecutionSteps", status=503)
    else:
        world.emu.reset(count=100, operation="ListPipelineExecutionSteps")
    progress: list[WaitProgress] = []
    final = sm.wait_for_pipeline_execution(arn, timeout=600, poll=5, on_progress=progress.append)
    assert final.status == "Stopped"
    assert progress and all(p.status == "Stopping" for p in progress)
    assert all(p.holding_step is None and p.waiting_for is None for p in progress)
    assert world.emu.requests_for("ListPipelineExecutionSteps")  # it was tried


@pytest.mark.parametrize("step", [-30.0, 240.0])  # within the 5 min signatures allow
def test_a_wall_clock_step_neither_stretches_nor_shrinks_the_timeout(
    world: World, step: float
) -> None:
    sm = world.client()
    arn = world.emu.start_execution(world.lambda_pipeline("lam", duration=900, timeout=1200))
    sm.stop_pipeline_execution(arn)
    reads = [0]

    def stepped() -> float:  # the wall clock jumps (NTP, a VM resume) once the wait runs
        reads[0] += 1
        return world.time.clock() + (step if reads[0] > 1 else 0.0)

    sm.client._core.clock = stepped
    with pytest.raises(WaitTimeoutError) as caught:
        sm.wait_for_pipeline_execution(arn, timeout=60, poll=5, max_poll=5)
    assert caught.value.timeout == 60 and caught.value.last_status == "Stopping"
    assert 55 < sum(world.time.sleeps) <= 60  # (real time spent counts too)
