"""The new requests: every field validated before sending; responses parsed strictly."""

from __future__ import annotations

import datetime

import pytest

from sagemaker_stop import (
    DescribePipelineExecution,
    DescribePipelineExecutionResponse,
    InvalidResponseError,
    ListPipelineExecutions,
    ListPipelineExecutionSteps,
    ListPipelineExecutionStepsResponse,
    OutputParameter,
    ParamValidationError,
    SendPipelineExecutionStepFailure,
    SendPipelineExecutionStepSuccess,
)

from .conftest import World

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p/execution/abc123"
UTC = datetime.timezone.utc
TOKEN = "Ab3dEf7hIj"


def _parse(op: object, body: dict) -> object:  # type: ignore[type-arg]
    return op.parse_response(body, http_status=200, request_id="r")  # type: ignore[attr-defined]


def test_describe_request_and_response() -> None:
    req = DescribePipelineExecution(ARN)
    assert req.target == "SageMaker.DescribePipelineExecution"
    assert req.to_json() == {"PipelineExecutionArn": ARN}
    assert req.region_hint == "eu-west-1"
    resp = _parse(
        req,
        {
            "PipelineArn": "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p",
            "PipelineExecutionArn": ARN,
            "PipelineExecutionDisplayName": "run-1",
            "PipelineExecutionStatus": "CompletedWithFailures",
            "PipelineExecutionDescription": "d",
            "FailureReason": "f",
            "CreationTime": 1700000000.5,
            "LastModifiedTime": "2023-11-14T22:13:20Z",
            "ParallelismConfiguration": {"MaxParallelExecutionSteps": 4},
            "SomethingNew": {"x": 1},
        },
    )
    assert isinstance(resp, DescribePipelineExecutionResponse)
    assert resp.status == "CompletedWithFailures" and resp.is_terminal
    assert resp.creation_time == datetime.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)
    assert resp.last_modified_time is not None and resp.last_modified_time.tzinfo is not None
    assert resp.parallelism_configuration is not None
    assert resp.parallelism_configuration.max_parallel_execution_steps == 4
    assert not DescribePipelineExecutionResponse(pipeline_execution_status="Stopping").is_terminal


@pytest.mark.parametrize(
    "body",
    [
        {"PipelineExecutionStatus": 3},
        {"CreationTime": "yesterday"},
        {"ParallelismConfiguration": []},
        {"ParallelismConfiguration": {"MaxParallelExecutionSteps": "4"}},
    ],
)
def test_describe_responses_with_wrong_types_are_invalid(body: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidResponseError):
        _parse(DescribePipelineExecution(ARN), body)


def test_list_executions_request() -> None:
    after = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    req = ListPipelineExecutions(
        pipeline_name="p",
        created_after=after,
        created_before=after + datetime.timedelta(days=1),
        sort_by="PipelineExecutionArn",
        sort_order="Ascending",
        next_token="t",
        max_results=100,
    )
    assert req.to_json() == {
        "PipelineName": "p",
        "CreatedAfter": after.timestamp(),
        "CreatedBefore": after.timestamp() + 86400,
        "SortBy": "PipelineExecutionArn",
        "SortOrder": "Ascending",
        "NextToken": "t",
        "MaxResults": 100,
    }
    assert req.region_hint is None
    by_arn = ListPipelineExecutions(
        pipeline_name="arn:aws:sagemaker:ap-south-1:123456789012:pipeline/p"
    )
    assert by_arn.region_hint == "ap-south-1"


NOW = datetime.datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pipeline_name": ""}, "PipelineName"),
        ({"pipeline_name": "bad name"}, "PipelineName"),
        ({"pipeline_name": "-p"}, "PipelineName"),
        ({"pipeline_name": "p" * 2049}, "PipelineName"),
        ({"created_after": datetime.datetime(2024, 1, 1)}, "CreatedAfter"),
        ({"created_after": "2024-01-01"}, "CreatedAfter"),
        ({"created_before": 1700000000}, "CreatedBefore"),
        ({"sort_by": "Name"}, "SortBy"),
        ({"sort_order": "ascending"}, "SortOrder"),
        ({"max_results": 0}, "MaxResults"),
        ({"max_results": 101}, "MaxResults"),
        ({"max_results": True}, "MaxResults"),
        ({"max_results": "5"}, "MaxResults"),
        ({"next_token": "t" * 8193}, "NextToken"),
    ],
)
def test_list_executions_fields_are_validated(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    kwargs.setdefault("pipeline_name", "p")
    with pytest.raises(ParamValidationError) as caught:
        ListPipelineExecutions(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pipeline_execution_arn": "arn:nope"}, "PipelineExecutionArn"),
        ({"max_results": 0}, "MaxResults"),
        ({"sort_order": "Up"}, "SortOrder"),
        ({"next_token": "t" * 8193}, "NextToken"),
    ],
)
def test_list_steps_fields_are_validated(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    kwargs.setdefault("pipeline_execution_arn", ARN)
    with pytest.raises(ParamValidationError) as caught:
        ListPipelineExecutionSteps(**kwargs)
    assert caught.value.field == field


def test_list_steps_response_with_callback_and_lambda_metadata() -> None:
    req = ListPipelineExecutionSteps(pipeline_execution_arn=ARN, max_results=5)
    assert req.to_json() == {"PipelineExecutionArn": ARN, "MaxResults": 5}
    assert req.region_hint == "eu-west-1"
    resp = _parse(
        req,
        {
            "PipelineExecutionSteps": [
                {
                    "StepName": "Approve",
                    "StepDisplayName": "Approve it",
                    "StepDescription": "asks a human",
                    "StepStatus": "Stopping",
                    "StartTime": 1700000000,
                    "AttemptCount": 1,
                    "Metadata": {
                        "Callback": {
                            "CallbackToken": TOKEN,
                            "SqsQueueUrl": "https://sqs/q",
                            "OutputParameters": [{"Name": "a", "Value": "b"}],
                        }
                    },
                },
                {
                    "StepName": "Fn",
                    "StepStatus": "Succeeded",
                    "EndTime": 1700000100,
                    "FailureReason": "",
                    "Metadata": {"Lambda": {"Arn": "arn:aws:lambda:x"}},
                },
                {"StepName": "Bare"},
            ],
            "NextToken": "n",
        },
    )
    assert isinstance(resp, ListPipelineExecutionStepsResponse)
    approve, fn, bare = resp.items
    assert resp.next_token == "n"
    assert approve.kind == "Callback" and approve.status == "Stopping"
    assert approve.step_display_name == "Approve it" and approve.attempt_count == 1
    assert approve.metadata.callback is not None
    assert approve.metadata.callback.output_parameters == (OutputParameter("a", "b"),)
    assert fn.kind == "Lambda" and fn.metadata.lambda_ is not None
    assert fn.metadata.lambda_.arn == "arn:aws:lambda:x" and fn.metadata.callback is None
    assert bare.kind is None and bare.metadata.raw == {}


@pytest.mark.parametrize(
    "step",
    [
        {"Metadata": []},
        {"Metadata": {"Callback": {"OutputParameters": [{"Name": 1, "Value": "x"}]}}},
        {"Metadata": {"Lambda": {"OutputParameters": {"a": "b"}}}},
        {"AttemptCount": "1"},
    ],
)
def test_steps_with_wrong_types_are_invalid(step: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidResponseError):
        _parse(
            ListPipelineExecutionSteps(pipeline_execution_arn=ARN),
            {"PipelineExecutionSteps": [step]},
        )


def test_send_success_request_forms() -> None:
    plain = SendPipelineExecutionStepSuccess(callback_token=TOKEN)
    assert plain.target == "SageMaker.SendPipelineExecutionStepSuccess"
    assert plain.region_hint is None
    assert list(plain.to_json()) == ["CallbackToken", "ClientRequestToken"]
    assert len(plain.client_request_token) == 36
    expected = (OutputParameter("a", "1"), OutputParameter("b", ""))
    for given in (
        {"a": "1", "b": ""},
        [("a", "1"), ("b", "")],
        [OutputParameter("a", "1"), ("b", "")],
        [{"Name": "a", "Value": "1"}, {"Name": "b", "Value": ""}],  # boto3's form
        [["a", "1"], {"Value": "", "Name": "b"}],
        expected,
    ):
        req = SendPipelineExecutionStepSuccess(callback_token=TOKEN, output_parameters=given)
        assert req.output_parameters == expected
    full = SendPipelineExecutionStepSuccess(
        callback_token=TOKEN, output_parameters={"n" * 256: "v" * 1024}
    )
    assert full.to_json()["OutputParameters"] == [{"Name": "n" * 256, "Value": "v" * 1024}]
    fifty = SendPipelineExecutionStepSuccess(
        callback_token=TOKEN, output_parameters={str(i): "v" for i in range(50)}
    )
    assert len(fifty.output_parameters) == 50


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"callback_token": "short"}, "CallbackToken"),
        ({"callback_token": "Ab3dEf7hIjK"}, "CallbackToken"),
        ({"callback_token": "Ab3dEf7h_j"}, "CallbackToken"),
        ({"callback_token": "Ab3dEf7hİj"}, "CallbackToken"),
        ({"callback_token": None}, "CallbackToken"),
        ({"output_parameters": {str(i): "v" for i in range(51)}}, "OutputParameters"),
        ({"output_parameters": {"n" * 257: "v"}}, "OutputParameters.Name"),
        ({"output_parameters": {"n": "v" * 1025}}, "OutputParameters.Value"),
        ({"output_parameters": {1: "v"}}, "OutputParameters.Name"),
        ({"output_parameters": {"n": 2}}, "OutputParameters.Value"),
        ({"output_parameters": "a=b"}, "OutputParameters"),
        ({"output_parameters": [("a", "b", "c")]}, "OutputParameters"),
        ({"output_parameters": [{"Name": "a"}]}, "OutputParameters"),
        ({"output_parameters": [{"Name": "a", "Value": "b", "X": "c"}]}, "OutputParameters"),
        ({"output_parameters": [{"a": "b"}]}, "OutputParameters"),
        ({"output_parameters": [{"Name": "a", "Value": 1}]}, "OutputParameters.Value"),
        ({"output_parameters": ["ab"]}, "OutputParameters"),
        ({"output_parameters": [("a",)]}, "OutputParameters"),
        ({"output_parameters": 5}, "OutputParameters"),
        ({"client_request_token": "short"}, "ClientRequestToken"),
        ({"client_request_token": "x" * 129}, "ClientRequestToken"),
    ],
)
def test_send_success_fields_are_validated(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    kwargs.setdefault("callback_token", TOKEN)
    with pytest.raises(ParamValidationError) as caught:
        SendPipelineExecutionStepSuccess(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"callback_token": "short"}, "CallbackToken"),
        ({"failure_reason": "r" * 257}, "FailureReason"),
        ({"failure_reason": 5}, "FailureReason"),
        ({"client_request_token": "short"}, "ClientRequestToken"),
    ],
)
def test_send_failure_fields_are_validated(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    kwargs.setdefault("callback_token", TOKEN)
    with pytest.raises(ParamValidationError) as caught:
        SendPipelineExecutionStepFailure(**kwargs)
    assert caught.value.field == field


def test_send_failure_request() -> None:
    req = SendPipelineExecutionStepFailure(
        callback_token=TOKEN, failure_reason="r" * 256, client_request_token="c" * 128
    )
    assert req.target == "SageMaker.SendPipelineExecutionStepFailure"
    assert req.to_json() == {
        "CallbackToken": TOKEN,
        "FailureReason": "r" * 256,
        "ClientRequestToken": "c" * 128,
    }
    bare = SendPipelineExecutionStepFailure(callback_token=TOKEN)
    assert "FailureReason" not in bare.to_json()


def test_required_members_cannot_be_none() -> None:
    for make, field in (
        (lambda: DescribePipelineExecution(None), "PipelineExecutionArn"),  # type: ignore[arg-type]
        (lambda: ListPipelineExecutionSteps(pipeline_execution_arn=None), "PipelineExecutionArn"),  # type: ignore[arg-type]
        (lambda: ListPipelineExecutions(pipeline_name=None), "PipelineName"),  # type: ignore[arg-type]
        (lambda: SendPipelineExecutionStepFailure(callback_token=None), "CallbackToken"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ParamValidationError) as caught:
            make()
        assert caught.value.field == field
        assert "required" in str(caught.value)


def test_required_members_refuse_none_before_anything_is_sent(world: World) -> None:
    sm = world.client()
    for method in (
        "stop_pipeline_execution",
        "describe_pipeline_execution",
        "send_pipeline_execution_step_success",
    ):
        with pytest.raises(ParamValidationError, match="is required"):
            getattr(sm, method)(None)
    with pytest.raises(ParamValidationError, match="is required"):
        sm.stop_and_wait(None)
    assert world.emu.requests == []


# --- every modeled member --------------------------------------------------------------


def test_describe_reads_every_modeled_member() -> None:
    from sagemaker_stop import IamIdentity, SelectedStep, UserContext

    resp = _parse(
        DescribePipelineExecution(ARN),
        {
            "PipelineExperimentConfig": {"ExperimentName": "e", "TrialName": "t"},
            "CreatedBy": {
                "UserProfileArn": "up-arn", "UserProfileName": "me", "DomainId": "d-1",
                "IamIdentity": {"Arn": "arn:aws:iam::123456789012:role/r",
                                "PrincipalId": "AID", "SourceIdentity": "src"},
            },
            "LastModifiedBy": {"UserProfileName": "you"},
            "SelectiveExecutionConfig": {
                "SourcePipelineExecutionArn": ARN, "SelectedSteps": [{"StepName": "Train"}]
            },
            "PipelineVersionId": 7,
            "MLflowConfig": {"MlflowResourceArn": "ml-arn", "MlflowExperimentName": "x"},
            "PipelineVersionAliases": ["prod", "v7"],
            "RoleArn": "arn:aws:iam::123456789012:role/pipelines",
        },
    )
    assert isinstance(resp, DescribePipelineExecutionResponse)
    assert resp.pipeline_experiment_config is not None
    assert resp.pipeline_experiment_config.trial_name == "t"
    assert resp.created_by == UserContext(
        user_profile_arn="up-arn", user_profile_name="me", domain_id="d-1",
        iam_identity=IamIdentity(arn="arn:aws:iam::123456789012:role/r", principal_id="AID",
                                 source_identity="src"),
    )
    assert resp.last_modified_by is not None and resp.last_modified_by.user_profile_name == "you"
    assert resp.selective_execution_config is not None
    assert resp.selective_execution_config.selected_steps == (SelectedStep("Train"),)
    assert resp.pipeline_version_id == 7 and resp.pipeline_version_aliases == ("prod", "v7")
    assert resp.mlflow_config is not None and resp.mlflow_config.mlflow_experiment_name == "x"
    assert resp.role_arn == "arn:aws:iam::123456789012:role/pipelines"


def test_steps_read_every_modeled_member() -> None:
    resp = _parse(
        ListPipelineExecutionSteps(pipeline_execution_arn=ARN),
        {
            "PipelineExecutionSteps": [
                {
                    "StepName": "Train",
                    "Metadata": {"TrainingJob": {"Arn": "arn:aws:sagemaker:::training-job/x"}},
                    "CacheHitResult": {"SourcePipelineExecutionArn": ARN},
                    "SelectiveExecutionResult": {"SourcePipelineExecutionArn": ARN},
                    "IterationContext": {"ParentStepName": "Loop", "Index": 2, "Item": "a"},
                },
                {"StepName": "Emr", "Metadata": {"EMR": {"ClusterId": "j-1", "StepId": "s"}}},
                {"StepName": "Stop", "Metadata": {"Fail": {"ErrorMessage": "bad"}}},
            ]
        },
    )
    assert isinstance(resp, ListPipelineExecutionStepsResponse)
    train, emr, fail = resp.items
    assert train.kind == "Training" and train.metadata.training_job is not None
    assert train.metadata.training_job.arn == "arn:aws:sagemaker:::training-job/x"
    assert train.cache_hit_result is not None
    assert train.cache_hit_result.source_pipeline_execution_arn == ARN
    assert train.selective_execution_result is not None
    assert train.iteration_context is not None and train.iteration_context.index == 2
    assert emr.kind == "EMR" and emr.metadata.emr == {"ClusterId": "j-1", "StepId": "s"}
    assert fail.metadata.fail is not None and fail.metadata.fail.error_message == "bad"
    assert not hasattr(train, "step_type")  # not a member of the model


def test_a_mistyped_nested_member_is_an_invalid_response() -> None:
    with pytest.raises(InvalidResponseError, match="IterationContext"):
        _parse(
            ListPipelineExecutionSteps(pipeline_execution_arn=ARN),
            {"PipelineExecutionSteps": [{"IterationContext": ["not", "an", "object"]}]},
        )


# --- StartPipelineExecution ----------------------------------------------------------


def test_start_request_validates_and_serialises() -> None:
    from sagemaker_stop import (
        ParallelismConfiguration,
        PipelineParameter,
        SelectedStep,
        SelectiveExecutionConfig,
        StartPipelineExecution,
    )

    req = StartPipelineExecution(
        pipeline_name="p",
        pipeline_parameters=[{"Name": "a", "Value": "1"}, ("b", "2")],
        parallelism_configuration=ParallelismConfiguration(max_parallel_execution_steps=2),
        selective_execution_config=SelectiveExecutionConfig(
            source_pipeline_execution_arn=ARN, selected_steps=(SelectedStep("Train"),)
        ),
        pipeline_version_id=3,
        role_arn="arn:aws:iam::123456789012:role/run",
        client_request_token="c" * 32,
    )
    assert req.pipeline_parameters == (PipelineParameter("a", "1"), PipelineParameter("b", "2"))
    assert req.to_json() == {
        "PipelineName": "p",
        "PipelineParameters": [{"Name": "a", "Value": "1"}, {"Name": "b", "Value": "2"}],
        "ClientRequestToken": "c" * 32,
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": 2},
        "SelectiveExecutionConfig": {
            "SourcePipelineExecutionArn": ARN, "SelectedSteps": [{"StepName": "Train"}]
        },
        "PipelineVersionId": 3,
        "RoleArn": "arn:aws:iam::123456789012:role/run",
    }
    assert "PipelineParameters" not in StartPipelineExecution(pipeline_name="p").to_json()
    assert len(StartPipelineExecution(pipeline_name="p").client_request_token) == 36
    assert StartPipelineExecution(
        pipeline_name="arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p"
    ).region_hint == "eu-west-1"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pipeline_name": "no spaces"}, "PipelineName"),
        ({"pipeline_name": None}, "PipelineName"),
        ({"pipeline_execution_display_name": "x" * 83}, "PipelineExecutionDisplayName"),
        ({"pipeline_parameters": [("", "v")]}, "PipelineParameters.Name"),
        ({"pipeline_parameters": [("a b", "v")]}, "PipelineParameters.Name"),
        ({"pipeline_parameters": [("a", "v" * 1025)]}, "PipelineParameters.Value"),
        ({"pipeline_parameters": {f"p{i}": "v" for i in range(201)}}, "PipelineParameters"),
        ({"pipeline_parameters": "a=b"}, "PipelineParameters"),
        ({"pipeline_execution_description": "d" * 3073}, "PipelineExecutionDescription"),
        ({"client_request_token": "short"}, "ClientRequestToken"),
        ({"pipeline_version_id": 0}, "PipelineVersionId"),
        ({"role_arn": "not-a-role"}, "RoleArn"),
        ({"pipeline_version_alias": "bad alias"}, "PipelineVersionAlias"),
        ({"mlflow_experiment_name": ""}, "MlflowExperimentName"),
        ({"parallelism_configuration": {"MaxParallelExecutionSteps": 2}},
         "ParallelismConfiguration"),
    ],
)
def test_start_request_refuses_bad_input(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    from sagemaker_stop import StartPipelineExecution

    kwargs = {"pipeline_name": "p", **kwargs}
    with pytest.raises(ParamValidationError, match=field):
        StartPipelineExecution(**kwargs)


def test_start_pipeline_execution_on_both_clients(world: World) -> None:
    world.emu.create_pipeline("p", [])
    sm = world.client()
    resp = sm.start_pipeline_execution(
        "p", display_name="run-1", description="d", parameters={"Epochs": "3"},
        client_request_token="k" * 40,
    )
    arn = resp.pipeline_execution_arn
    assert arn is not None and arn.startswith(world.emu.pipeline_arn("p") + "/execution/")
    assert resp.http_status == 200 and resp.request_id
    assert world.emu.describe_execution(arn)["PipelineExecutionDisplayName"] == "run-1"
    (sent,) = world.emu.requests_for("StartPipelineExecution")
    assert sent.json["PipelineParameters"] == [{"Name": "Epochs", "Value": "3"}]
    again = sm.start_pipeline_execution("p", client_request_token="k" * 40)
    assert again.pipeline_execution_arn == arn  # idempotent
