"""Bulk stop (bounded concurrency, mixed states, throttling) and pagination."""

from __future__ import annotations

import datetime
from typing import Optional

import pytest

from sagemaker_stop import (
    ConflictException,
    ExecutionNotStoppable,
    InvalidResponseError,
    ParamValidationError,
    PipelineExecutionStep,
    PipelineExecutionSummary,
    ResourceNotFound,
    StopResult,
    ThrottlingException,
    ValidationException,
)
from sagemaker_stop._paging import Pages
from sagemaker_stop._pipeline_operations import ListPipelineExecutions
from sagemaker_stop.emulator import Step
from sagemaker_stop.emulator._model import ServiceError

from .conftest import World


def _mixed(world: World) -> dict[str, str]:
    """Executions of pipeline "mix" in every state; returns arn -> status."""
    world.emu.create_pipeline("mix", [Step("Train", "Training", 100)])
    finished = world.emu.start_execution("mix")
    world.time.sleep(150)  # Succeeded
    stopped = world.emu.start_execution("mix")
    world.emu.stop_execution(stopped)
    world.time.sleep(5)  # Stopped (stop_delay 3 s)
    world.emu._model.stop_delay = 3600.0  # from now on stops take an hour
    stopping = world.emu.start_execution("mix")
    world.emu.stop_execution(stopping)  # Stopping
    running = [world.emu.start_execution("mix") for _ in range(5)]
    states = {arn: world.emu.execution_status(arn) for arn in [finished, stopped, stopping]}
    states.update({arn: "Executing" for arn in running})
    assert sorted(set(states.values())) == ["Executing", "Stopped", "Stopping", "Succeeded"]
    return states


def test_bulk_stop_stops_the_executing_ones_only_by_default(world: World) -> None:
    states = _mixed(world)
    sm = world.client()
    results = sm.stop_pipeline_executions("mix")
    executing = {a for a, s in states.items() if s == "Executing"}
    assert {r.pipeline_execution_arn for r in results} == executing
    assert all(isinstance(r, StopResult) and r.ok for r in results)
    assert {r.outcome for r in results} == {"stopped"}
    assert all(r.status_before == "Executing" and r.error is None for r in results)
    assert all(world.emu.execution_status(a) == "Stopping" for a in executing)


def test_bulk_stop_over_a_mix_of_states_with_throttling(world: World) -> None:
    states = _mixed(world)
    # 5 attempts: the stops run side by side and any of them may take the 4 throttling
    # answers, all of them even; each is retried by the retry strategy
    sm = world.client(max_attempts=5)
    world.emu.throttle(4, "StopPipelineExecution")
    world.emu.throttle(1, "ListPipelineExecutions")
    results = sm.stop_pipeline_executions(
        "mix", statuses=("Executing", "Stopping", "Succeeded", "Stopped"), concurrency=3
    )
    by_arn = {r.pipeline_execution_arn: r for r in results}
    assert set(by_arn) == set(states)
    for arn, before in states.items():
        expected = {
            "Executing": "stopped",
            "Stopping": "already-stopping",
            "Succeeded": "already-finished",
            "Stopped": "already-finished",
        }[before]
        assert by_arn[arn].outcome == expected, (before, by_arn[arn])
        assert by_arn[arn].status_before == before
        if before != "Executing":
            assert by_arn[arn].status_after == before
    stops = world.emu.requests_for("StopPipelineExecution")
    assert sum(r.error_code == "ThrottlingException" for r in stops) == 4
    # executions listed Stopping or ended were not even asked to stop: such a stop can
    # only be refused (ExecutionNotStoppable)
    assert {r.json["PipelineExecutionArn"] for r in stops} == {
        a for a, s in states.items() if s == "Executing"
    }


def test_one_failing_stop_never_aborts_the_batch(world: World) -> None:
    states = _mixed(world)
    sm = world.client(max_attempts=1)
    world.emu.throttle(2, "StopPipelineExecution")
    results = sm.stop_pipeline_executions("mix", concurrency=1)
    errors = [r for r in results if r.outcome == "error"]
    assert len(errors) == 2 and len(results) == 5
    assert all(isinstance(r.error, ThrottlingException) and not r.ok for r in errors)
    assert sum(r.outcome == "stopped" for r in results) == 3
    assert sum(s == "Executing" for s in states.values()) == 5


@pytest.mark.parametrize(("fail_reason", "ended"), [(None, "Succeeded"), ("boom", "Failed")])
def test_an_execution_that_ends_between_listing_and_stop_is_already_finished(
    world: World, fail_reason: Optional[str], ended: str
) -> None:
    world.emu.create_pipeline("race", [Step("Train", "Training", 100, fail_reason=fail_reason)])
    arn = world.emu.start_execution("race")
    sm = world.client()
    # The listing sees it Executing; it has finished by the time the stop arrives.
    original = world.emu._api._handlers["StopPipelineExecution"]

    def late(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        world.emu._model.sync(now + 1000)
        return original(body, now + 1000)

    world.emu._api._handlers["StopPipelineExecution"] = late
    (result,) = sm.stop_pipeline_executions("race")
    assert result.pipeline_execution_arn == arn
    assert result.outcome == "already-finished" and result.ok
    assert (result.status_before, result.status_after) == ("Executing", ended)
    assert isinstance(result.error, ExecutionNotStoppable)
    assert result.error.code == "ValidationException"
    assert len(world.emu.requests_for("DescribePipelineExecution")) == 1


def test_an_execution_stopped_by_someone_else_meanwhile_is_already_stopping(
    world: World,
) -> None:
    world.emu.create_pipeline("race", [Step("Train", "Training", 100)])
    world.emu._model.stop_delay = 3600.0
    arn = world.emu.start_execution("race")
    sm = world.client()
    original = world.emu._api._handlers["StopPipelineExecution"]

    def someone_else_first(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        world.emu._model.stop_execution(arn, now)  # another user's stop lands first
        return original(body, now)

    world.emu._api._handlers["StopPipelineExecution"] = someone_else_first
    (result,) = sm.stop_pipeline_executions("race")
    assert (result.outcome, result.ok) == ("already-stopping", True)
    assert (result.status_before, result.status_after) == ("Executing", "Stopping")
    assert isinstance(result.error, ExecutionNotStoppable)


def test_a_stop_refused_for_another_reason_is_an_error(world: World) -> None:
    world.emu.create_pipeline("race", [Step("Train", "Training", 100)])
    world.emu.start_execution("race")
    sm = world.client()

    def denied(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        raise ServiceError("ValidationException", "1 validation error detected: nope")

    world.emu._api._handlers["StopPipelineExecution"] = denied
    (result,) = sm.stop_pipeline_executions("race")
    assert result.outcome == "error" and type(result.error) is ValidationException
    assert world.emu.requests_for("DescribePipelineExecution") == []


def test_a_conflict_that_outlives_its_retries_is_an_error(world: World) -> None:
    world.emu.create_pipeline("race", [Step("Train", "Training", 100)])
    arn = world.emu.start_execution("race")
    sm = world.client()
    world.emu.conflict(5, execution_arn=arn)
    (result,) = sm.stop_pipeline_executions("race")
    assert result.pipeline_execution_arn == arn
    assert result.outcome == "error" and not result.ok and result.status_after is None
    assert type(result.error) is ConflictException
    assert len(world.emu.requests_for("StopPipelineExecution")) == 5
    assert world.emu.execution_status(arn) == "Executing"


def test_a_transient_conflict_is_ridden_out_in_bulk(world: World) -> None:
    world.emu.create_pipeline("race", [Step("Train", "Training", 100)])
    arns = [world.emu.start_execution("race") for _ in range(3)]
    world.emu.conflict(2, execution_arn=arns[1])
    results = world.client().stop_pipeline_executions("race")
    assert {r.outcome for r in results} == {"stopped"}
    assert all(world.emu.execution_status(a) == "Stopping" for a in arns)
    assert world.time.sleeps and all(0.2 <= s <= 0.4 for s in world.time.sleeps)


def test_bulk_stop_of_a_pipeline_without_matches_sends_no_stop(world: World) -> None:
    world.emu.create_pipeline("quiet", [Step("Train", "Training", 10)])
    world.emu.start_execution("quiet")
    world.time.sleep(20)
    sm = world.client()
    assert sm.stop_pipeline_executions("quiet") == []
    assert world.emu.requests_for("StopPipelineExecution") == []
    with pytest.raises(ResourceNotFound):
        sm.stop_pipeline_executions("missing")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"statuses": ()}, "statuses"),
        ({"statuses": ("Running",)}, "statuses"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
    ],
)
def test_bulk_stop_arguments_are_checked(world: World, kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    sm = world.client()
    with pytest.raises(ParamValidationError) as caught:
        sm.stop_pipeline_executions("mix", **kwargs)
    assert caught.value.field == field
    with pytest.raises(ParamValidationError) as bad_name:
        sm.stop_pipeline_executions("bad name!")
    assert bad_name.value.field == "PipelineName"
    assert world.emu.requests == []


def test_a_single_status_string_is_accepted(world: World) -> None:
    states = _mixed(world)
    sm = world.client()
    (result,) = sm.stop_pipeline_executions("mix", statuses="Stopping")
    assert states[result.pipeline_execution_arn] == "Stopping"
    assert result.outcome == "already-stopping"


def _shift_after_the_first_page(world: World, pipeline: str) -> list[str]:
    """Start an execution of ``pipeline`` as soon as the first ListPipelineExecutions page
    has been computed: the newest-first listing shifts by one between pages.  Returns
    the ARNs started that way."""
    original = world.emu._api._handlers["ListPipelineExecutions"]
    late: list[str] = []

    def shifting(body: dict, now: float) -> dict:  # type: ignore[type-arg]
        page = original(body, now)
        if not late:
            late.append(world.emu.start_execution(pipeline))
        return page

    world.emu._api._handlers["ListPipelineExecutions"] = shifting
    return late


def test_an_execution_listed_twice_by_a_shifting_listing_is_stopped_once(world: World) -> None:
    world.emu.create_pipeline("many", [Step("Train", "Training", 1000)])
    arns = [world.emu.start_execution("many") for _ in range(101)]  # pages of 100
    late = _shift_after_the_first_page(world, "many")
    results = world.client().stop_pipeline_executions("many")
    listed = world.emu.requests_for("ListPipelineExecutions")
    assert len(listed) == 2 and len(late) == 1
    # page 2 repeated the last execution of page 1; it is stopped and reported once
    assert [r.pipeline_execution_arn for r in results] == arns[::-1]
    assert {r.outcome for r in results} == {"stopped"}
    stops = world.emu.requests_for("StopPipelineExecution")
    assert sorted(r.json["PipelineExecutionArn"] for r in stops) == sorted(arns)
    assert world.emu.execution_status(late[0]) == "Executing"  # started after the listing


def test_iterating_a_shifting_listing_yields_each_execution_once(world: World) -> None:
    world.emu.create_pipeline("many", [Step("Train", "Training", 1000)])
    arns = [world.emu.start_execution("many") for _ in range(5)]
    _shift_after_the_first_page(world, "many")
    items = world.collect(world.client(), "iter_pipeline_executions", "many", page_size=2)
    assert [i.pipeline_execution_arn for i in items] == arns[::-1]
    assert len(world.emu.requests_for("ListPipelineExecutions")) == 3


# --- paging --------------------------------------------------------------------------


def test_executions_are_paged_through_sync_and_async(world: World) -> None:
    world.emu.create_pipeline("many", [Step("Train", "Training", 1000)])
    arns = []
    for _ in range(7):
        arns.append(world.emu.start_execution("many"))
        world.time.sleep(1)
    sm = world.client()
    items = world.collect(sm, "iter_pipeline_executions", "many", page_size=3)
    assert all(isinstance(i, PipelineExecutionSummary) for i in items)
    assert [i.pipeline_execution_arn for i in items] == arns[::-1]  # newest first
    pages = world.emu.requests_for("ListPipelineExecutions")
    assert len(pages) == 3
    assert "NextToken" not in pages[0].json and all("NextToken" in p.json for p in pages[1:])
    assert all(p.json["MaxResults"] == 3 for p in pages)

    ascending = world.collect(
        sm, "iter_pipeline_executions", "many", sort_order="Ascending", page_size=100
    )
    assert [i.pipeline_execution_arn for i in ascending] == arns

    # filters: created after the 3rd, before the 6th
    created = [i.start_time for i in ascending]
    window = world.collect(
        sm,
        "iter_pipeline_executions",
        "many",
        created_after=created[2],
        created_before=created[5],
        sort_by="CreationTime",
        sort_order="Ascending",
    )
    assert [i.pipeline_execution_arn for i in window] == arns[3:5]

    first = sm.list_pipeline_executions("many", max_results=4)
    assert len(first.items) == 4 and first.next_token
    second = sm.list_pipeline_executions("many", max_results=4, next_token=first.next_token)
    assert len(second.items) == 3 and second.next_token is None


def test_steps_are_paged_through(world: World) -> None:
    world.emu.create_pipeline(
        "long", [Step(f"S{i}", "Processing", 10) for i in range(6)]
    )
    arn = world.emu.start_execution("long")
    world.time.sleep(100)
    sm = world.client()
    steps = world.collect(
        sm, "iter_pipeline_execution_steps", arn, sort_order="Ascending", page_size=4
    )
    assert all(isinstance(s, PipelineExecutionStep) for s in steps)
    assert [s.step_name for s in steps] == [f"S{i}" for i in range(6)]
    assert {s.status for s in steps} == {"Succeeded"}
    assert steps[0].kind == "Processing"
    assert steps[0].metadata.raw["ProcessingJob"]["Arn"].startswith("arn:aws:sagemaker:")
    assert steps[0].start_time is not None and steps[0].end_time is not None
    assert steps[0].end_time - steps[0].start_time == datetime.timedelta(seconds=10)
    assert len(world.emu.requests_for("ListPipelineExecutionSteps")) == 2
    page = sm.list_pipeline_execution_steps(arn, max_results=2)
    assert [s.step_name for s in page.items] == ["S5", "S4"] and page.next_token


def test_iterators_validate_eagerly_and_surface_service_errors(world: World) -> None:
    sm = world.client()
    with pytest.raises(ParamValidationError):
        sm.iter_pipeline_executions("many", page_size=0)
    with pytest.raises(ParamValidationError):
        sm.iter_pipeline_execution_steps("arn:nope")
    with pytest.raises(ResourceNotFound):
        world.collect(sm, "iter_pipeline_executions", "absent")


class _FakeResponse:
    def __init__(self, items: tuple[int, ...], token: str | None) -> None:
        self.items = items
        self.next_token = token


def test_a_cursor_refuses_a_repeated_token_and_ends_on_an_empty_one() -> None:
    pages: Pages[int] = Pages(None, ListPipelineExecutions(pipeline_name="p"))  # type: ignore[arg-type]
    assert pages.accept(_FakeResponse((1, 2), "t1")) == (1, 2)
    with pytest.raises(InvalidResponseError):
        pages.accept(_FakeResponse((3,), "t1"))
    done: Pages[int] = Pages(None, ListPipelineExecutions(pipeline_name="p"))  # type: ignore[arg-type]
    assert done.accept(_FakeResponse((), "")) == ()
    assert done.next_flow() is None
