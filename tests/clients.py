"""Run the same test through the sync and the async client.

``Both`` wraps either client behind one blocking interface; the async one runs on its own
event loop, kept for the client's life, so its connection pool stays on one loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sagemaker_stop import AsyncSageMakerClient, SageMakerClient


class Both:
    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        if kind == "sync":
            self.client: Any = SageMakerClient(**kwargs)
            self.loop = None
        else:
            self.loop = asyncio.new_event_loop()
            self.client = self.loop.run_until_complete(self._make_async(kwargs))

    @staticmethod
    async def _make_async(kwargs: dict[str, Any]) -> AsyncSageMakerClient:
        return AsyncSageMakerClient(**kwargs)

    def _run(self, value: Any) -> Any:
        if self.loop is None:
            return value
        return self.loop.run_until_complete(value)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(method(*args, **kwargs))

        return call

    def close(self) -> None:
        if self.loop is None:
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()
