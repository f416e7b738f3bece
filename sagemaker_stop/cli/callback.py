"""``sagemaker-stop callback succeed|fail``: answer a Callback step.  Computes a
:class:`CallbackResult`; the renderer shows it."""

from __future__ import annotations

import argparse

from .connect import make_client
from .exits import EXIT_OK
from .render import Renderer
from .results import CallbackResult


def command(args: argparse.Namespace, renderer: Renderer) -> int:
    with make_client(args) as client:
        if args.answer == "succeed":
            response = client.send_pipeline_execution_step_success(
                args.token, list(args.outputs), args.client_request_token
            )
        else:
            response = client.send_pipeline_execution_step_failure(
                args.token, args.reason, args.client_request_token
            )
    renderer.answered(CallbackResult(response.pipeline_execution_arn, args.answer))
    return EXIT_OK
