"""The internal value types (``_value.Value``): equality, hashing, repr, replace."""

from __future__ import annotations

import pytest

from sagemaker_stop._effects import HttpResponse, RunProcess, Sleep, TransportFailure


def test_values_compare_by_their_fields_and_only_with_their_own_type() -> None:
    assert Sleep(1.5) == Sleep(1.5) and Sleep(1.5) != Sleep(2.0)
    assert Sleep(1.5) != 1.5 and hash(Sleep(1.5)) == hash(Sleep(1.5))
    # A field left out of equality (a process's environment may hold secrets).
    assert RunProcess(("a",), env={"K": "1"}) == RunProcess(("a",), env={"K": "2"})
    # Answers and failures compare by identity.
    answer = HttpResponse(200, {}, b"")
    assert answer == answer and answer != HttpResponse(200, {}, b"")


def test_repr_leaves_out_hidden_fields_and_replace_copies() -> None:
    process = RunProcess(("cmd",), env={"AWS_SECRET_ACCESS_KEY": "s3cret"})
    assert "s3cret" not in repr(process) and "argv=('cmd',)" in repr(process)
    failure = TransportFailure("read", "reset", ValueError("inner"))
    assert repr(failure) == "TransportFailure(detail='reset', kind='read')"
    later = process.replace(timeout=5.0)
    assert later.timeout == 5.0 and later.argv == ("cmd",) and process.timeout == 60.0
    with pytest.raises(TypeError, match="no field nope"):
        process.replace(nope=1)
