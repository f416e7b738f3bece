from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_stop.emulator import CallbackStep, LambdaStep, SageMakerEmulator, Step

from ._helpers import FUNCTION, QUEUE, TOKEN_A, TOKEN_B, bodies

ARN_RE = re.compile(
    r"arn:aws:sagemaker:us-east-1:123456789012:pipeline/([^/]+)/execution/[a-z0-9]{12}"
)


NOT_EXECUTING = "Only pipelines with 'Executing' status can be stopped"


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def steps_by_name(client: Any, arn: str) -> dict[str, dict[str, Any]]:
    steps = client.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    return {s["StepName"]: s for s in steps}


def status(client: Any, arn: str) -> str:
    return str(
        client.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
    )


@pytest.fixture
def callback_arn(emu: SageMakerEmulator, client: Any) -> str:
    emu.create_pipeline(
        "cb",
        steps=[
            Step("Prep", "Processing", 10),
            CallbackStep("Wait", QUEUE, {"job": 7}),
            Step("After", "Training", 5),
        ],
    )
    arn = str(client.start_pipeline_execution(PipelineName="cb")["PipelineExecutionArn"])
    emu.advance(10)
    return arn


# ---------------------------------------------------------------- start/describe


def test_start_and_describe(emu: SageMakerEmulator, client: Any) -> None:
    pipeline_arn = emu.create_pipeline(
        "My-Pipeline", steps=[Step("Train", "Training", 100)], description="d"
    )
    assert pipeline_arn == "arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipeline"
    out = client.start_pipeline_execution(
        PipelineName="My-Pipeline",
        PipelineExecutionDisplayName="run-1",
        PipelineExecutionDescription="first run",
        PipelineParameters=[{"Name": "a", "Value": "1"}],
    )
    arn = out["PipelineExecutionArn"]
    assert ARN_RE.fullmatch(arn) and ARN_RE.fullmatch(arn).group(1) == "my-pipeline"  # type: ignore[union-attr]
    d = client.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert d["PipelineArn"] == pipeline_arn
    assert d["PipelineExecutionArn"] == arn
    assert d["PipelineExecutionDisplayName"] == "run-1"
    assert d["PipelineExecutionDescription"] == "first run"
    assert d["PipelineExecutionStatus"] == "Executing"
    assert abs(d["CreationTime"].timestamp() - emu.now) < 1
    assert "FailureReason" not in d
    # the raw JSON carries epoch-second numbers
    raw = emu.requests_for("DescribePipelineExecution")
    assert raw and raw[-1].status == 200
    emu.advance(100)
    d = client.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert d["PipelineExecutionStatus"] == "Succeeded"
    assert d["LastModifiedTime"] > d["CreationTime"]
    # by ARN too
    arn2 = client.start_pipeline_execution(PipelineName=pipeline_arn)["PipelineExecutionArn"]
    assert arn2 != arn and emu.describe_execution(arn2)["PipelineExecutionDisplayName"].startswith(
        "execution-"
    )


def test_steps_run_sequentially_and_succeed(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline(
        "seq",
        steps=[
            Step("Prep", "Processing", 10),
            Step("Check", "Condition", 0, display_name="Check it", description="cond"),
            Step("Train", "Training", 20),
            Step("Other", "Model", 1),
        ],
    )
    arn = emu.start_execution("seq")
    assert [s["StepName"] for s in emu.list_steps(arn)] == ["Prep"]
    assert emu.step_status(arn, "Prep") == "Executing"
    emu.advance(15)
    steps = steps_by_name(client, arn)
    assert steps["Prep"]["StepStatus"] == "Succeeded"
    assert steps["Prep"]["Metadata"]["ProcessingJob"]["Arn"].startswith(
        "arn:aws:sagemaker:us-east-1:123456789012:processing-job/"
    )
    assert steps["Check"]["StepStatus"] == "Succeeded"
    assert steps["Check"]["StepDisplayName"] == "Check it"
    assert steps["Check"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert steps["Train"]["StepStatus"] == "Executing"
    assert "EndTime" not in steps["Train"]
    assert steps["Prep"]["EndTime"] == steps["Train"]["StartTime"]
    emu.advance(30)
    assert status(client, arn) == "Succeeded"
    assert steps_by_name(client, arn)["Other"]["Metadata"] == {}
    assert emu.step_status(arn, "Nope") is None


def test_failing_step_fails_execution(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline(
        "f", steps=[Step("Bad", "Processing", 5, fail_reason="boom"), Step("Never")]
    )
    arn = emu.start_execution("f")
    emu.advance(5)
    d = client.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert d["PipelineExecutionStatus"] == "Failed"
    assert "boom" in d["FailureReason"]
    assert list(steps_by_name(client, arn)) == ["Bad"]


def test_empty_pipeline_succeeds_at_once(emu: SageMakerEmulator) -> None:
    emu.create_pipeline("empty", steps=[])
    assert emu.execution_status(emu.start_execution("empty")) == "Succeeded"


# ---------------------------------------------------------------- stop semantics


def test_stop_callback_then_failure_is_stopped(
    emu: SageMakerEmulator, client: Any, callback_arn: str
) -> None:
    arn = callback_arn
    messages = bodies(emu.queue_messages(QUEUE))
    assert len(messages) == 1
    token = messages[0]["token"]
    assert re.fullmatch(r"[A-Za-z0-9]{10}", token)
    assert messages[0] == {  # the Developer Guide's example: no status on a start
        "token": token,
        "pipelineExecutionArn": arn,
        "arguments": {"job": 7},
    }
    step = steps_by_name(client, arn)["Wait"]
    assert "StepType" not in emu.list_steps(arn)[1]  # not in botocore's model: never sent
    assert step["Metadata"] == {"Callback": {"CallbackToken": token, "SqsQueueUrl": QUEUE}}

    assert client.stop_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionArn"] == arn
    assert status(client, arn) == "Stopping"
    assert steps_by_name(client, arn)["Wait"]["StepStatus"] == "Stopping"
    messages = bodies(emu.queue_messages(QUEUE))
    assert [m.get("status") for m in messages] == [None, "Stopping"]
    assert messages[1]["token"] == token and messages[1]["pipelineExecutionArn"] == arn
    emu.advance(3600)  # stays Stopping until the callback arrives
    assert status(client, arn) == "Stopping"
    # a second stop while Stopping: refused as the live service does, no second message
    with pytest.raises(ClientError) as refused:
        client.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert code_of(refused) == "ValidationException"
    assert refused.value.response["Error"]["Message"] == NOT_EXECUTING
    assert len(emu.queue_messages(QUEUE)) == 2

    out = client.send_pipeline_execution_step_failure(
        CallbackToken=token, FailureReason="stopped by request"
    )
    assert out["PipelineExecutionArn"] == arn
    assert status(client, arn) == "Stopped"
    step = steps_by_name(client, arn)["Wait"]
    assert step["StepStatus"] == "Failed" and step["FailureReason"] == "stopped by request"
    assert "After" not in steps_by_name(client, arn)
    # the token is spent
    with pytest.raises(ClientError) as exc:
        client.send_pipeline_execution_step_success(CallbackToken=token)
    assert code_of(exc) == "ConflictException"


def test_stop_callback_then_success_is_stopped(
    emu: SageMakerEmulator, client: Any, callback_arn: str
) -> None:
    token = emu.callback_token(callback_arn, "Wait")
    client.stop_pipeline_execution(PipelineExecutionArn=callback_arn)
    client.send_pipeline_execution_step_success(
        CallbackToken=token, OutputParameters=[{"Name": "o", "Value": "v"}]
    )
    assert status(client, callback_arn) == "Stopped"
    step = steps_by_name(client, callback_arn)["Wait"]
    assert step["StepStatus"] == "Stopped"
    assert step["Metadata"]["Callback"]["OutputParameters"] == [{"Name": "o", "Value": "v"}]


def test_callback_success_continues(emu: SageMakerEmulator, client: Any, callback_arn: str) -> None:
    token = bodies(emu.receive_messages(QUEUE))[0]["token"]
    assert emu.queue_messages(QUEUE) == []
    client.send_pipeline_execution_step_success(
        CallbackToken=token, OutputParameters=[{"Name": "o", "Value": "v"}]
    )
    steps = steps_by_name(client, callback_arn)
    assert steps["Wait"]["StepStatus"] == "Succeeded"
    assert steps["After"]["StepStatus"] == "Executing"
    emu.advance(5)
    assert status(client, callback_arn) == "Succeeded"


def test_callback_failure_fails(emu: SageMakerEmulator, client: Any, callback_arn: str) -> None:
    token = emu.callback_token(callback_arn)
    client.send_pipeline_execution_step_failure(CallbackToken=token, FailureReason="nope")
    d = client.describe_pipeline_execution(PipelineExecutionArn=callback_arn)
    assert d["PipelineExecutionStatus"] == "Failed"
    assert "nope" in d["FailureReason"]
    assert steps_by_name(client, callback_arn)["Wait"]["StepStatus"] == "Failed"


def test_python_callback_helpers(emu: SageMakerEmulator, callback_arn: str) -> None:
    token = emu.callback_token(callback_arn)
    assert emu.send_step_success(token, {"k": "v"}) == callback_arn
    emu.create_pipeline("cb2", steps=[CallbackStep("W", QUEUE)])
    arn = emu.start_execution("cb2")
    emu.stop_execution(arn)
    assert emu.send_step_failure(emu.callback_token(arn)) == arn
    assert emu.execution_status(arn) == "Stopped"
    assert emu.list_steps(arn)[0]["FailureReason"] == "Callback failure"
    with pytest.raises(LookupError):
        emu.callback_token(callback_arn, "Prep")


def test_stop_lambda_waits_for_function(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline(
        "lam",
        steps=[
            LambdaStep("Fn", FUNCTION, duration=120, timeout=600, output_parameters={"r": "1"}),
            Step("Next"),
        ],
    )
    arn = client.start_pipeline_execution(PipelineName="lam")["PipelineExecutionArn"]
    emu.advance(20)
    client.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert status(client, arn) == "Stopping"
    assert steps_by_name(client, arn)["Fn"]["StepStatus"] == "Stopping"
    emu.advance(99)
    assert status(client, arn) == "Stopping"
    emu.advance(1)
    assert status(client, arn) == "Stopped"
    step = steps_by_name(client, arn)["Fn"]
    assert step["StepStatus"] == "Stopped"
    assert step["Metadata"] == {
        "Lambda": {"Arn": FUNCTION, "OutputParameters": [{"Name": "r", "Value": "1"}]}
    }
    assert "Next" not in steps_by_name(client, arn)


def test_stop_lambda_hits_timeout_fails(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("lamto", steps=[LambdaStep("Fn", FUNCTION, duration=1000, timeout=300)])
    arn = client.start_pipeline_execution(PipelineName="lamto")["PipelineExecutionArn"]
    emu.advance(10)
    client.stop_pipeline_execution(PipelineExecutionArn=arn)
    emu.advance(289)
    assert status(client, arn) == "Stopping"
    emu.advance(1)
    d = client.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert d["PipelineExecutionStatus"] == "Failed"
    assert "timeout" in d["FailureReason"].lower()
    step = steps_by_name(client, arn)["Fn"]
    assert step["StepStatus"] == "Failed" and "timeout" in step["FailureReason"].lower()


def test_lambda_without_stop(emu: SageMakerEmulator) -> None:
    emu.create_pipeline("l1", steps=[LambdaStep("Fn", FUNCTION, duration=10)])
    emu.create_pipeline("l2", steps=[LambdaStep("Fn", FUNCTION, duration=700)])
    ok, bad = emu.start_execution("l1"), emu.start_execution("l2")
    emu.advance(600)
    assert emu.execution_status(ok) == "Succeeded"
    assert emu.execution_status(bad) == "Failed"


def test_stop_plain_step_is_briefly_stopping(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("plain", steps=[Step("Train", "Training", 3600)])
    arn = client.start_pipeline_execution(PipelineName="plain")["PipelineExecutionArn"]
    emu.advance(60)
    client.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert status(client, arn) == "Stopping"
    emu.advance(2.9)
    assert status(client, arn) == "Stopping"
    emu.advance(0.1)
    assert status(client, arn) == "Stopped"
    assert steps_by_name(client, arn)["Train"]["StepStatus"] == "Stopped"
    # python helper on a finished execution
    with pytest.raises(Exception, match="Only pipelines with 'Executing' status can be stopped"):
        emu.stop_execution(arn)


def test_stop_finished_is_a_validation_error_as_live(emu: SageMakerEmulator, client: Any) -> None:
    # The live service: 400 ValidationException "Only pipelines with 'Executing' status can
    # be stopped" (apache/airflow SageMakerHook.stop_pipeline, PRs #29077 and #36337).
    emu.create_pipeline("quick", steps=[Step("S", duration=1)])
    arn = client.start_pipeline_execution(PipelineName="quick")["PipelineExecutionArn"]
    emu.advance(1)
    with pytest.raises(ClientError) as exc:
        client.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert code_of(exc) == "ValidationException"
    assert exc.value.response["Error"]["Message"] == NOT_EXECUTING
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert json.loads(emu.requests[-1].body or b"{}")["PipelineExecutionArn"] == arn
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert (
        headers["x-amzn-errortype"]
        == "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/"
    )


def test_injected_conflict_is_transient_and_not_replayed(
    emu: SageMakerEmulator, client: Any, callback_arn: str
) -> None:
    other = emu.start_execution("cb")
    emu.conflict(1, execution_arn=callback_arn)
    client.stop_pipeline_execution(PipelineExecutionArn=other)  # another execution: no fault
    with pytest.raises(ClientError) as exc:
        client.stop_pipeline_execution(PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_A)
    assert code_of(exc) == "ConflictException"
    assert status(client, callback_arn) == "Executing"  # the stop was not applied
    # the same token again is not answered from the conflict: the stop goes through
    client.stop_pipeline_execution(PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_A)
    assert status(client, callback_arn) == "Stopping"
    assert emu.pending_faults == []


def test_unknown_resources(emu: SageMakerEmulator, client: Any) -> None:
    missing = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nope/execution/abcdefabcdef"
    for call in (
        lambda: client.describe_pipeline_execution(PipelineExecutionArn=missing),
        lambda: client.stop_pipeline_execution(PipelineExecutionArn=missing),
        lambda: client.list_pipeline_execution_steps(PipelineExecutionArn=missing),
        lambda: client.start_pipeline_execution(PipelineName="nope"),
        lambda: client.start_pipeline_execution(
            PipelineName="arn:aws:sagemaker:us-east-1:123456789012:pipeline/nope"
        ),
        lambda: client.list_pipeline_executions(PipelineName="nope"),
        lambda: client.send_pipeline_execution_step_success(CallbackToken="abcdeABCDE"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert code_of(exc) == "ResourceNotFound"
    body = emu.requests[-1].status
    assert body == 400


# ---------------------------------------------------------------- idempotency


def test_idempotent_stop(emu: SageMakerEmulator, client: Any, callback_arn: str) -> None:
    client.stop_pipeline_execution(PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_A)
    emu.send_step_failure(emu.callback_token(callback_arn))
    assert status(client, callback_arn) == "Stopped"
    again = client.stop_pipeline_execution(
        PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_A
    )
    assert again["PipelineExecutionArn"] == callback_arn
    assert [m.get("status") for m in bodies(emu.queue_messages(QUEUE))] == [None, "Stopping"]
    with pytest.raises(ClientError) as exc:
        client.stop_pipeline_execution(
            PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_B
        )
    assert code_of(exc) == "ValidationException"  # a new token: not Executing any more
    # the error outcome is replayed too
    with pytest.raises(ClientError):
        client.stop_pipeline_execution(
            PipelineExecutionArn=callback_arn, ClientRequestToken=TOKEN_B
        )
    tokens = [r.client_request_token for r in emu.requests_for("StopPipelineExecution")]
    assert tokens == [TOKEN_A, TOKEN_A, TOKEN_B, TOKEN_B]


def test_idempotent_start(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("p", steps=[Step("S")])
    a = client.start_pipeline_execution(PipelineName="p", ClientRequestToken=TOKEN_A)[
        "PipelineExecutionArn"
    ]
    b = client.start_pipeline_execution(PipelineName="p", ClientRequestToken=TOKEN_A)[
        "PipelineExecutionArn"
    ]
    assert a == b
    assert len(client.list_pipeline_executions(PipelineName="p")["PipelineExecutionSummaries"]) == 1


def test_idempotent_send_step(emu: SageMakerEmulator, client: Any, callback_arn: str) -> None:
    token = emu.callback_token(callback_arn)
    client.send_pipeline_execution_step_success(CallbackToken=token, ClientRequestToken=TOKEN_A)
    emu.advance(5)
    assert status(client, callback_arn) == "Succeeded"
    out = client.send_pipeline_execution_step_success(
        CallbackToken=token, ClientRequestToken=TOKEN_A
    )
    assert out["PipelineExecutionArn"] == callback_arn
    with pytest.raises(ClientError) as exc:
        client.send_pipeline_execution_step_failure(CallbackToken=token, ClientRequestToken=TOKEN_A)
    assert code_of(exc) == "ConflictException"  # a different operation is not a replay


# ---------------------------------------------------------------- listing


def test_list_executions_pagination_and_sorting(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("many", steps=[Step("S", duration=1000)])
    emu.create_pipeline("other", steps=[Step("S")])
    emu.start_execution("other")
    arns = []
    for _ in range(5):
        arns.append(emu.start_execution("many", description="d"))
        emu.advance(10)
    emu.stop_execution(arns[0])
    pages, token = [], None
    while True:
        kwargs: dict[str, Any] = {"PipelineName": "many", "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        out = client.list_pipeline_executions(**kwargs)
        pages.append([s["PipelineExecutionArn"] for s in out["PipelineExecutionSummaries"]])
        token = out.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a for p in pages for a in p] == arns[::-1]  # newest first by default
    asc = client.list_pipeline_executions(PipelineName="many", SortOrder="Ascending")[
        "PipelineExecutionSummaries"
    ]
    assert [s["PipelineExecutionArn"] for s in asc] == arns
    assert asc[0]["PipelineExecutionStatus"] == "Stopping"
    assert asc[0]["PipelineExecutionDescription"] == "d"
    by_arn = client.list_pipeline_executions(
        PipelineName="many", SortBy="PipelineExecutionArn", SortOrder="Ascending"
    )
    assert [s["PipelineExecutionArn"] for s in by_arn["PipelineExecutionSummaries"]] == sorted(arns)
    created = [emu.describe_execution(a)["CreationTime"] for a in arns]
    window = client.list_pipeline_executions(
        PipelineName="many", CreatedAfter=created[0] + 1, CreatedBefore=created[4] - 1
    )["PipelineExecutionSummaries"]
    assert sorted(s["PipelineExecutionArn"] for s in window) == sorted(arns[1:4])
    paginator = client.get_paginator("list_pipeline_executions")
    assert (
        sum(
            len(p["PipelineExecutionSummaries"])
            for p in paginator.paginate(PipelineName="many", PaginationConfig={"PageSize": 3})
        )
        == 5
    )


def test_list_executions_failure_reason(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("f", steps=[Step("Bad", duration=1, fail_reason="x")])
    emu.start_execution("f")
    emu.advance(1)
    s = client.list_pipeline_executions(PipelineName="f")["PipelineExecutionSummaries"][0]
    assert s["PipelineExecutionStatus"] == "Failed" and "x" in s["PipelineExecutionFailureReason"]


def test_list_steps_pagination(emu: SageMakerEmulator, client: Any) -> None:
    emu.create_pipeline("five", steps=[Step(f"S{i}", duration=1) for i in range(5)])
    arn = emu.start_execution("five")
    emu.advance(10)
    first = client.list_pipeline_execution_steps(
        PipelineExecutionArn=arn, MaxResults=3, SortOrder="Ascending"
    )
    assert [s["StepName"] for s in first["PipelineExecutionSteps"]] == ["S0", "S1", "S2"]
    second = client.list_pipeline_execution_steps(
        PipelineExecutionArn=arn, MaxResults=3, SortOrder="Ascending", NextToken=first["NextToken"]
    )
    assert [s["StepName"] for s in second["PipelineExecutionSteps"]] == ["S3", "S4"]
    assert "NextToken" not in second
    desc = client.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    assert [s["StepName"] for s in desc] == ["S4", "S3", "S2", "S1", "S0"]
    with pytest.raises(ClientError) as exc:
        client.list_pipeline_executions(PipelineName="five", NextToken=first["NextToken"])
    assert code_of(exc) == "ValidationException"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("operation", "params", "fragment"),
    [
        (
            "stop_pipeline_execution",
            {"PipelineExecutionArn": "not-an-arn", "ClientRequestToken": "a" * 32},
            "regular expression",
        ),
        (
            "stop_pipeline_execution",
            {
                "PipelineExecutionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x",
                "ClientRequestToken": "short",
            },
            "greater than or equal to 32",
        ),
        (
            "stop_pipeline_execution",
            {
                "PipelineExecutionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x",
                "ClientRequestToken": "a" * 129,
            },
            "less than or equal to 128",
        ),
        ("stop_pipeline_execution", {"ClientRequestToken": "a" * 32}, "must not be null"),
        ("describe_pipeline_execution", {}, "Value null at 'pipelineExecutionArn'"),
        (
            "send_pipeline_execution_step_success",
            {"CallbackToken": "abc"},
            "greater than or equal to 10",
        ),
        (
            "send_pipeline_execution_step_success",
            {"CallbackToken": "abcde-ABCD"},
            "regular expression",
        ),
        (
            "send_pipeline_execution_step_success",
            {"CallbackToken": "abcdeABCDE", "OutputParameters": [{"Name": "n"}]},
            "outputParameters.1.member.value",
        ),
        (
            "send_pipeline_execution_step_failure",
            {"CallbackToken": "abcdeABCDEF"},
            "less than or equal to 10",
        ),
        (
            "send_pipeline_execution_step_failure",
            {"CallbackToken": "abcdeABCDE", "FailureReason": "x" * 257},
            "less than or equal to 256",
        ),
        (
            "list_pipeline_executions",
            {"PipelineName": "p", "MaxResults": 101},
            "less than or equal to 100",
        ),
        (
            "list_pipeline_executions",
            {"PipelineName": "p", "MaxResults": 0},
            "greater than or equal to 1",
        ),
        ("list_pipeline_executions", {"PipelineName": "p", "SortOrder": "Up"}, "enum value set"),
        ("list_pipeline_execution_steps", {}, "must not be null"),
        (
            "start_pipeline_execution",
            {
                "PipelineName": "p",
                "ClientRequestToken": "a" * 32,
                "PipelineExecutionDisplayName": "-bad",
            },
            "regular expression",
        ),
        (
            "start_pipeline_execution",
            {
                "PipelineName": "p",
                "ClientRequestToken": "a" * 32,
                "PipelineParameters": [{"Name": "n", "Value": "v"}] * 201,
            },
            "less than or equal to 200",
        ),
    ],
)
def test_validation_errors(
    raw_client: Any, operation: str, params: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(raw_client, operation)(**params)
    assert code_of(exc) == "ValidationException"
    assert fragment in exc.value.response["Error"]["Message"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_two_validation_errors_are_counted(raw_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw_client.stop_pipeline_execution(PipelineExecutionArn="x", ClientRequestToken="y")
    assert exc.value.response["Error"]["Message"].startswith("2 validation errors detected: ")


@pytest.mark.parametrize(
    "params",
    [
        {"PipelineName": 5, "ClientRequestToken": "a" * 32},
        {"PipelineName": "p", "ClientRequestToken": "a" * 32, "PipelineParameters": "x"},
        {"PipelineName": "p", "ClientRequestToken": "a" * 32, "PipelineParameters": ["x"]},
    ],
)
def test_serialization_errors(emu: SageMakerEmulator, http: Any, params: dict[str, Any]) -> None:
    from ._helpers import sign

    url, headers, body = sign(emu, "StartPipelineExecution", params)
    r = http.post(url, headers=headers, content=body)
    assert r.status_code == 400
    assert r.json()["__type"] == "com.amazon.coral.service#SerializationException"


def test_bad_list_params_are_serialization_errors(emu: SageMakerEmulator, http: Any) -> None:
    from ._helpers import sign

    for params in (
        {"PipelineName": "p", "MaxResults": "x"},
        {"PipelineName": "p", "CreatedAfter": "never"},
        {"PipelineName": "p", "CreatedAfter": True},
    ):
        url, headers, body = sign(emu, "ListPipelineExecutions", params)
        assert (
            http.post(url, headers=headers, content=body)
            .json()["__type"]
            .endswith("#SerializationException")
        )


def test_iso_timestamps_accepted(emu: SageMakerEmulator, http: Any) -> None:
    from ._helpers import sign

    emu.create_pipeline("p", steps=[Step("S")])
    emu.start_execution("p")
    for after in ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00"):
        url, headers, body = sign(
            emu, "ListPipelineExecutions", {"PipelineName": "p", "CreatedAfter": after}
        )
        assert (
            len(http.post(url, headers=headers, content=body).json()["PipelineExecutionSummaries"])
            == 1
        )


def test_bad_next_token(raw_client: Any, emu: SageMakerEmulator) -> None:
    emu.create_pipeline("p", steps=[Step("S")])
    for token in ("garbage!!", "eyJrIjogImV4ZWN1dGlvbnMiLCAibyI6IC0xfQ"):
        with pytest.raises(ClientError) as exc:
            raw_client.list_pipeline_executions(PipelineName="p", NextToken=token)
        assert code_of(exc) == "ValidationException"


def test_unknown_operation(client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        client.list_pipelines()
    assert code_of(exc) == "UnknownOperationException"


# ---------------------------------------------------------------- python API


def test_python_api_errors(emu: SageMakerEmulator) -> None:
    emu.create_pipeline("dup", steps=[])
    with pytest.raises(ValueError, match="exists"):
        emu.create_pipeline("DUP", steps=[])
    with pytest.raises(ValueError, match="invalid pipeline name"):
        emu.create_pipeline("bad name", steps=[])
    with pytest.raises(ValueError, match="unique"):
        emu.create_pipeline("twice", steps=[Step("A"), Step("A")])
    with pytest.raises(ValueError, match="invalid step name"):
        Step("bad name")
    with pytest.raises(ValueError):
        Step("a", duration=-1)
    with pytest.raises(ValueError):
        LambdaStep("a", FUNCTION, timeout=0)
    with pytest.raises(ValueError):
        emu.advance(-1)
    with pytest.raises(ValueError):
        emu.speed = -1
    with pytest.raises(ValueError):
        SageMakerEmulator(speed=-1)
    assert (
        "Step('a'" in repr(Step("a"))
        and "CallbackStep" in repr(CallbackStep("c", QUEUE))
        and "LambdaStep" in repr(LambdaStep("l", FUNCTION))
    )


def test_create_pipeline_from_dict(emu: SageMakerEmulator) -> None:
    emu.create_pipeline_from_dict(
        {
            "name": "fromdict",
            "steps": [
                {"name": "P", "type": "Processing", "duration": 5},
                {
                    "name": "L",
                    "type": "Lambda",
                    "function_arn": FUNCTION,
                    "duration": 5,
                    "timeout": 10,
                },
                {"name": "C", "type": "Callback", "sqs_queue_url": QUEUE, "arguments": {"a": 1}},
            ],
        }
    )
    arn = emu.start_execution("fromdict")
    emu.advance(10)
    assert [next(iter(s["Metadata"]), None) for s in emu.list_steps(arn)] == [
        "ProcessingJob", "Lambda", "Callback"
    ]
    assert bodies(emu.queue_messages(QUEUE))[0]["arguments"] == {"a": 1}


def test_speed_factor(client: Any) -> None:
    with SageMakerEmulator(speed=2000.0) as emu:
        emu.create_pipeline("fast", steps=[Step("S", duration=100)])
        arn = emu.start_execution("fast")
        time.sleep(0.1)
        assert emu.execution_status(arn) == "Succeeded"
        assert emu.speed == 2000.0
        emu.speed = 0.0
        before = emu.now
        time.sleep(0.01)
        assert emu.now == before
