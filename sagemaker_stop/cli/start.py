"""``sagemaker-stop start``: start a pipeline execution.  Computes a :class:`StartResult`;
the renderer shows it (the new execution's ARN)."""

from __future__ import annotations

import argparse

from .connect import make_client
from .exits import EXIT_OK
from .render import Renderer
from .results import StartResult


def command(args: argparse.Namespace, renderer: Renderer) -> int:
    from .._pipeline_operations import StartPipelineExecution

    request = StartPipelineExecution(  # validated before anything is sent
        pipeline_name=args.pipeline,
        pipeline_execution_display_name=args.display_name,
        pipeline_execution_description=args.description,
        pipeline_parameters=list(args.parameters),
        client_request_token=args.client_request_token,
    )
    with make_client(args) as client:
        response = client.send(request)
    renderer.started(StartResult(response.pipeline_execution_arn))
    return EXIT_OK
