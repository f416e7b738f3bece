"""A local SageMaker Pipelines emulator with the real stop semantics.

Standard library only, so it starts fast and can ship with the package::

    from sagemaker_stop.emulator import SageMakerEmulator, Step, CallbackStep, LambdaStep

    with SageMakerEmulator() as emu:
        emu.create_pipeline("p", steps=[Step("Train", "Training", 600)])
        arn = emu.start_execution("p")
        # point a client at emu.endpoint_url with emu.credentials (a
        # sagemaker_stop.Credentials), or let the emulator make one:
        with emu.client() as sm:               # emu.async_client() for asyncio
            sm.stop_pipeline_execution(arn)
        emu.advance(30)
        for message in emu.receive_messages(queue_url):   # as SQS ReceiveMessage gives them
            CallbackMessage.parse(message["Body"])

From a shell: ``python -m sagemaker_stop.emulator --port 8000 --speed 60``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._emulator import DEFAULT_CREDENTIALS, RecordedRequest, SageMakerEmulator
    from ._faults import Fault
    from ._model import CallbackStep, LambdaStep, Step, step_from_dict
    from ._sigv4 import AuthResult, Credentials

#: Where each public name lives; loaded on first use (PEP 562), so the command line's
#: parser can read the emulator's options (``_command``) without loading the emulator.
_LAZY = {
    "DEFAULT_CREDENTIALS": "._emulator",
    "RecordedRequest": "._emulator",
    "SageMakerEmulator": "._emulator",
    "Fault": "._faults",
    "CallbackStep": "._model",
    "LambdaStep": "._model",
    "Step": "._model",
    "step_from_dict": "._model",
    "AuthResult": "._sigv4",
    "Credentials": "._sigv4",
}


__all__ = [
    "DEFAULT_CREDENTIALS",
    "AuthResult",
    "CallbackStep",
    "Credentials",
    "Fault",
    "LambdaStep",
    "RecordedRequest",
    "SageMakerEmulator",
    "Step",
    "step_from_dict",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY, __all__)
