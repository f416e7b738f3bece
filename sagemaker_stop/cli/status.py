"""``sagemaker-stop status``: an execution's status, its running steps and, while it is
Stopping, the steps that hold it.  Computes a :class:`StatusReport`; the renderer shows it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .connect import command_options, make_client
from .exits import EXIT_OK
from .render import Renderer
from .results import StatusReport

if TYPE_CHECKING:  # pragma: no cover - typing only
    pass

_RUNNING_STEP = ("Starting", "Executing", "Stopping")


def command(args: argparse.Namespace, renderer: Renderer) -> int:
    from .._pipeline_operations import DescribePipelineExecution

    request = DescribePipelineExecution(args.arn)  # validated before anything is sent
    with make_client(args) as client:
        description = client.send(request)
        steps = list(client.iter_pipeline_execution_steps(args.arn))
        options = command_options(args, client, args.arn)
    running = tuple(s for s in steps if s.status in _RUNNING_STEP)
    holding = running if description.status == "Stopping" else ()
    renderer.status(StatusReport(args.arn, description, running, holding, options))
    return EXIT_OK
