"""Each operation is defined once and both clients expose it: same names, same signatures,
same docstrings; plain methods on the sync client, coroutine methods on the async one."""

from __future__ import annotations

import inspect
import pydoc

import pytest

from sagemaker_stop import AsyncSageMakerClient, SageMakerClient, _calls
from sagemaker_stop._adapter import operation, pages
from sagemaker_stop.client import _Operations

DECLARED = {
    name: value
    for name, value in vars(_Operations).items()
    if isinstance(value, (operation, pages))
}
ITERATORS = {name for name, value in DECLARED.items() if isinstance(value, pages)}


def test_every_public_function_of_calls_is_declared_once() -> None:
    public = {
        name
        for name, value in vars(_calls).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == _calls.__name__
    }
    assert public == set(DECLARED)
    assert all(value.fn is getattr(_calls, name) for name, value in DECLARED.items())


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_both_clients_expose_it_with_its_signature_and_docstring(name: str) -> None:
    fn = getattr(_calls, name)
    sync, asynchronous = getattr(SageMakerClient, name), getattr(AsyncSageMakerClient, name)
    expected = list(inspect.signature(fn).parameters.values())[1:]  # without the core
    for method, cls in ((sync, SageMakerClient), (asynchronous, AsyncSageMakerClient)):
        params = list(inspect.signature(method).parameters.values())
        assert params[0].name == "self" and params[1:] == expected
        assert method.__doc__ == fn.__doc__ and method.__doc__
        assert method.__qualname__ == f"{cls.__name__}.{name}"
        assert method.__module__ == "sagemaker_stop.client"
    assert not inspect.iscoroutinefunction(sync)
    assert inspect.iscoroutinefunction(asynchronous) == (name not in ITERATORS)
    returns = str(inspect.signature(fn).return_annotation)
    inner = returns[returns.index("[") + 1 : -1]
    if name in ITERATORS:
        assert inspect.signature(sync).return_annotation == f"Iterator[{inner}]"
        assert inspect.signature(asynchronous).return_annotation == f"AsyncIterator[{inner}]"
    else:
        assert inspect.signature(sync).return_annotation == inner
        assert inspect.signature(asynchronous).return_annotation == inner


def test_help_shows_the_operations() -> None:
    text = pydoc.render_doc(AsyncSageMakerClient, renderer=pydoc.plaintext)
    assert "async stop_pipeline_execution(self, pipeline_execution_arn: 'str'" in text
    assert "Raises :class:`ExecutionNotStoppable`" in text
    text = pydoc.render_doc(SageMakerClient, renderer=pydoc.plaintext)
    assert "\n |  stop_and_wait(self, pipeline_execution_arn: 'str', *" in text


def test_the_declarations_are_only_for_shells() -> None:
    declared = _Operations.__dict__["stop_pipeline_execution"]
    assert declared.__get__(None, _Operations) is declared
    assert _Operations.__dict__["iter_pipeline_executions"].__get__(None, _Operations) is not None
    for name in ("stop_pipeline_execution", "iter_pipeline_executions"):
        with pytest.raises(TypeError, match="not a client shell"):
            _Operations.__dict__[name].__get__(object(), _Operations)


def test_a_closed_client_refuses_every_operation(creds: object) -> None:
    sm = SageMakerClient(region="us-east-1", credentials=creds)  # type: ignore[arg-type]
    sm.close()
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x"
    with pytest.raises(RuntimeError, match="closed"):
        sm.describe_pipeline_execution(arn)
    with pytest.raises(RuntimeError, match="closed"):
        sm.iter_pipeline_execution_steps(arn)


async def test_a_closed_async_client_refuses_every_operation(creds: object) -> None:
    sm = AsyncSageMakerClient(region="us-east-1", credentials=creds)  # type: ignore[arg-type]
    await sm.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await sm.stop_pipeline_execution("arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x")
    with pytest.raises(RuntimeError, match="closed"):
        sm.iter_pipeline_executions("p")
