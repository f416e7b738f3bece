"""The worker's decisions, without I/O: events in, actions out (``_worker.WorkerCore``).
The corner cases a consumer must get right, in milliseconds."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from sagemaker_stop import (
    CallbackCommand,
    ConfigurationError,
    ConflictException,
    ParamValidationError,
    QueueDoesNotExist,
    SageMakerConnectionError,
    SQSMessage,
    ThrottlingException,
)
from sagemaker_stop._config import ClientConfig
from sagemaker_stop._effects import ProcessResult
from sagemaker_stop._flow import CallCore
from sagemaker_stop._retry import RetryPolicy, RetryStrategy
from sagemaker_stop._sqs_operations import ReceiveMessageResponse
from sagemaker_stop._worker import (
    Call,
    CallbackJob,
    CallDone,
    Cancelled,
    CancelWork,
    Failed,
    HookDone,
    Log,
    Retry,
    RunHook,
    Shutdown,
    StartWork,
    Succeeded,
    Tick,
    WorkDone,
    WorkerConfig,
    WorkerCore,
    failure_reason,
    mask_secrets,
)

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abcdef123456"


def make(has_hook: bool = False, **config: Any) -> WorkerCore:
    core = CallCore(
        endpoints=ClientConfig("us-east-1", None, False, False), retry=RetryStrategy(RetryPolicy())
    )
    options = {"wait_time": 20, "heartbeat": 20.0, "cancel_grace": 5.0, **config}
    return WorkerCore(core, WorkerConfig(queue_url=QUEUE, **options), has_hook=has_hook)


def sqs(token: str, stopping: bool = False, count: int = 1, mid: str = "") -> SQSMessage:
    body: dict[str, Any] = {"token": token, "pipelineExecutionArn": ARN, "arguments": {"a": 1}}
    if stopping:
        body["status"] = "Stopping"
    mid = mid or f"{token}-{'stop' if stopping else 'start'}"
    return SQSMessage(message_id=mid, receipt_handle=f"rh-{mid}-{count}", body=json.dumps(body),
                      attributes={"ApproximateReceiveCount": str(count)})


def received(*messages: SQSMessage) -> CallDone:
    return CallDone(("receive",), ReceiveMessageResponse(messages=tuple(messages)))


def calls(actions: list[Any], kind: str = "") -> list[Call]:
    return [a for a in actions if isinstance(a, Call) and (not kind or a.key[0] == kind)]


def ok(action: Call, value: Any = None) -> CallDone:
    return CallDone(action.key, value)


def done_all(m: WorkerCore, actions: list[Any], kind: str, now: float) -> list[Any]:
    out: list[Any] = []
    for action in calls(actions, kind):
        out += m.handle(ok(action), now)
    return out


def test_a_start_message_is_worked_answered_then_deleted() -> None:
    m = make()
    (receive,) = calls(m.start(0.0))
    assert receive.request.wait_time_seconds == 20 and receive.request.visibility_timeout == 60
    actions = m.handle(received(sqs("tokenAAAAA")), 1.0)
    (start,) = [a for a in actions if isinstance(a, StartWork)]
    assert start.message.token == "tokenAAAAA" and len(calls(actions, "receive")) == 1
    actions = m.handle(WorkDone("tokenAAAAA", Succeeded({"a": 1, "b": [1]})), 2.0)
    (answer,) = calls(actions, "answer")
    assert [(p.name, p.value) for p in answer.request.output_parameters] == [("a", "1"), ("b", "[1]")]
    assert calls(actions, "delete") == []  # not before the answer was accepted
    actions = m.handle(ok(answer), 3.0)
    (delete,) = calls(actions, "delete")
    assert delete.request.receipt_handle == "rh-tokenAAAAA-start-1"
    assert any("succeeded in 1.0 s (outputs: a, b)" in a.text for a in actions
               if isinstance(a, Log))
    m.handle(ok(delete), 4.0)
    assert m.stats.succeeded == 1 and not m.entries
    # A late duplicate of the same step is deleted, not worked again.
    actions = m.handle(received(sqs("tokenAAAAA", mid="dup")), 5.0)
    assert not [a for a in actions if isinstance(a, StartWork)] and calls(actions, "loose")


def test_a_stopping_message_first_then_its_start_is_answered_once_and_both_deleted() -> None:
    m = make(has_hook=True)
    m.start(0.0)
    actions = m.handle(received(sqs("tokenBBBBB", stopping=True), sqs("tokenBBBBB")), 1.0)
    assert not [a for a in actions if isinstance(a, StartWork)]
    (hook,) = [a for a in actions if isinstance(a, RunHook)]
    assert hook.message.is_stopping
    (answer,) = calls(m.handle(HookDone("tokenBBBBB", RuntimeError("cleanup broke")), 2.0))
    assert answer.request.failure_reason == "stopped"
    deletes = calls(m.handle(CallDone(answer.key, error=ConflictException("answered")), 3.0))
    assert sorted(d.request.receipt_handle for d in deletes) == [
        "rh-tokenBBBBB-start-1", "rh-tokenBBBBB-stop-1",
    ]
    assert m.stats.stopped == 1


def test_an_answer_not_accepted_leaves_the_messages_for_redelivery() -> None:
    m = make()
    m.start(0.0)
    m.handle(received(sqs("tokenCCCCC")), 1.0)
    (answer,) = calls(m.handle(WorkDone("tokenCCCCC", Failed("boom")), 2.0), "answer")
    assert answer.request.failure_reason == "boom"
    actions = m.handle(CallDone(answer.key, error=ThrottlingException("slow down")), 3.0)
    assert calls(actions, "delete") == [] and not m.entries
    assert m.stats.unanswered == 1 and m.stats.failed == 0
    assert any(a.level == logging.ERROR for a in actions if isinstance(a, Log))


def test_work_beyond_the_concurrency_waits_heartbeated_and_stops_are_still_received() -> None:
    m = make(concurrency=1, prefetch=5, heartbeat=10.0)
    m.start(0.0)
    actions = m.handle(received(sqs("tokenDDDDD"), sqs("tokenEEEEE")), 1.0)
    assert [a.message.token for a in actions if isinstance(a, StartWork)] == ["tokenDDDDD"]
    assert calls(actions, "receive")  # the queue is still read: a Stopping may come
    assert m.stats.waiting == 1 and m.deadline() == 11.0
    beats = calls(m.handle(Tick(), 11.0), "beat")
    assert len(beats) == 2 and all(b.request.visibility_timeout == 60 for b in beats)
    assert calls(m.handle(Tick(), 21.0), "beat") == []  # the last beats are still on their way
    for beat in beats:
        m.handle(ok(beat), 21.5)
    # A Stopping message for the waiting one answers it without running it.
    actions = m.handle(received(sqs("tokenEEEEE", stopping=True)), 22.0)
    (answer,) = calls(actions, "answer")
    assert answer.request.callback_token == "tokenEEEEE"
    # When the running one ends, nothing else waits.
    actions = m.handle(WorkDone("tokenDDDDD", Succeeded()), 23.0)
    assert not [a for a in actions if isinstance(a, StartWork)]


def test_cancelled_work_that_does_not_end_is_answered_after_its_grace() -> None:
    m = make(cancel_grace=5.0)
    m.start(0.0)
    m.handle(received(sqs("tokenFFFFF")), 1.0)
    actions = m.handle(received(sqs("tokenFFFFF", stopping=True)), 2.0)
    assert [a.token for a in actions if isinstance(a, CancelWork)] == ["tokenFFFFF"]
    assert m.deadline() == 8.0
    assert calls(m.handle(Tick(), 7.0), "answer") == []
    actions = m.handle(Tick(), 8.0)
    assert [c.request.failure_reason for c in calls(actions, "answer")] == ["stopped"]
    assert calls(m.handle(WorkDone("tokenFFFFF", Succeeded({"late": "x"})), 9.0)) == []


def test_receive_errors_back_off_and_a_missing_queue_stops_the_worker() -> None:
    m = make()
    (receive,) = calls(m.start(0.0))
    actions = m.handle(CallDone(receive.key, error=SageMakerConnectionError("reset")), 1.0)
    assert calls(actions, "receive") == [] and m.deadline() == 2.0
    (receive,) = calls(m.handle(Tick(), 2.0), "receive")
    m.handle(CallDone(receive.key, error=QueueDoesNotExist("gone")), 3.0)
    assert m.done and isinstance(m.error, QueueDoesNotExist)


def test_exit_when_idle_and_shutdowns() -> None:
    m = make(exit_when_idle=True, concurrency=1)
    m.start(0.0)
    actions = m.handle(received(sqs("token11111"), sqs("token22222")), 1.0)
    assert len(calls(actions, "receive")) == 1
    assert len(calls(m.handle(received(), 2.0), "receive")) == 1
    assert not m.shutting_down  # work is running
    # Shut down: the waiting one is released at once; a second request cancels.
    releases = calls(m.handle(Shutdown(), 3.0), "release")
    assert [r.request.visibility_timeout for r in releases] == [0]
    actions = m.handle(Shutdown(), 4.0)
    assert [a.token for a in actions if isinstance(a, CancelWork)] == ["token11111"]
    (release,) = calls(m.handle(WorkDone("token11111", Cancelled()), 5.0), "release")
    assert release.request.receipt_handle == "rh-token11111-start-1"
    for action in [*releases, release]:
        m.handle(ok(action), 6.0)
    assert not m.done  # the receive in flight is waited for
    m.handle(received(), 7.0)
    assert m.done and m.stats.released == 2 and m.stats.succeeded == 0


def test_messages_received_during_shutdown() -> None:
    m = make()
    assert len(calls(m.start(0.0))) == 1
    m.handle(Shutdown(), 1.0)
    assert not m.done  # the receive in flight is waited for
    actions = m.handle(received(sqs("token33333"), sqs("token44444", stopping=True)), 2.0)
    assert [c.request.visibility_timeout for c in calls(actions, "loose")] == [0]  # released
    (answer,) = calls(actions, "answer")  # a stop is still answered
    assert answer.request.callback_token == "token44444"


@pytest.mark.parametrize(
    ("status", "expect"),
    [("Executing", "run"), (None, "run"), ("Succeeded", "delete"), ("Stopping", "stop"),
     (RuntimeError("AccessDenied"), "run")],
)
def test_a_redelivered_start_is_checked_before_it_runs(status: Any, expect: str) -> None:
    m = make()
    m.start(0.0)
    actions = m.handle(received(sqs("token55555", count=2)), 1.0)
    (check,) = calls(actions, "check")
    assert not [a for a in actions if isinstance(a, StartWork)]
    done = CallDone(check.key, error=status) if isinstance(status, Exception) else ok(check, status)
    actions = m.handle(done, 2.0)
    started = [a for a in actions if isinstance(a, StartWork)]
    if expect == "run":
        assert [s.receive_count for s in started] == [2]
    elif expect == "delete":
        assert not started and calls(actions, "delete")
    else:
        assert not started and calls(actions, "answer")[0].request.failure_reason == "stopped"


def test_bad_outputs_fail_the_step_and_retry_releases_with_its_delay() -> None:
    m = make()
    m.start(0.0)
    m.handle(received(sqs("token66666"), sqs("token77777")), 1.0)
    (answer,) = calls(m.handle(WorkDone("token66666", Succeeded(42)), 2.0), "answer")
    assert answer.request.failure_reason.startswith("invalid output parameters")
    (release,) = calls(m.handle(WorkDone("token77777", Retry(30)), 2.0), "release")
    assert release.request.visibility_timeout == 30


@pytest.mark.parametrize(
    "options",
    [{"concurrency": 0}, {"wait_time": 21}, {"visibility_timeout": 0}, {"heartbeat": 60.0},
     {"cancel_grace": -1.0}, {"on_shutdown": "later"}, {"poll_interval": -1.0}],
)
def test_bad_worker_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        WorkerConfig(queue_url=QUEUE, **options)
    with pytest.raises(ParamValidationError):
        WorkerConfig(queue_url="")


# --- the command contract ------------------------------------------------------------

ENV = {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIK7MDENG", "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjE",
       "HOME": "/home/someone"}


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        (ProcessResult(0, b"", b""), Succeeded(None)),
        (ProcessResult(0, b' {"a": "1"}\n', b"log"), Succeeded({"a": "1"})),
        (ProcessResult(0, b"done!", b""), Failed(
            "the command's stdout is not a JSON object of output parameters")),
        (ProcessResult(0, b"[1]", b""), Failed(
            "the command's stdout is not a JSON object of output parameters")),
        (ProcessResult(75, b"", b"busy"), Retry(0)),
        (ProcessResult(3, b"", b"first\n\nkey wJalrXUtnFEMIK7MDENG / AKIAIOSFODNN7EXAMPLE\n"),
         Failed("key *** / ***")),
        (ProcessResult(-9, b"", b""), Failed("the command was killed by signal 9")),
        (ProcessResult(4, b"", b"  \n"), Failed("the command exited with status 4")),
    ],
)
def test_a_commands_result_means(result: ProcessResult, outcome: Any) -> None:
    assert CallbackCommand(["job"]).outcome(result, ENV) == outcome


def test_the_command_gets_its_message_on_stdin_and_in_its_environment() -> None:
    from sagemaker_stop import CallbackMessage

    message = CallbackMessage.parse(sqs("token88888").body)
    effect = CallbackCommand(["job", "--x"], grace=3.0, environ={"PATH": "/bin"}).effect(
        CallbackJob(message, 2)
    )
    assert effect.argv == ("job", "--x") and effect.cancellable and effect.grace == 3.0
    assert json.loads(effect.stdin or b"") == {"a": 1}
    assert effect.env == {
        "PATH": "/bin", "SAGEMAKER_CALLBACK_TOKEN": "token88888",
        "SAGEMAKER_PIPELINE_EXECUTION_ARN": ARN, "SAGEMAKER_CALLBACK_RECEIVE_COUNT": "2",
    }
    assert "PATH" not in repr(effect)  # an environment may hold credentials: never shown
    with pytest.raises(ParamValidationError):
        CallbackCommand([])


def test_failure_reasons_fit_sagemaker() -> None:
    assert failure_reason("a\n  b\tc") == "a b c"
    assert len(failure_reason("x" * 1000)) == 256 and failure_reason("").startswith("failed")
    assert mask_secrets("token IQoJb3JpZ2luX2VjE at /home/someone", ENV) == "token *** at /home/someone"
