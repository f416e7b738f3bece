"""Injected faults: the next N matching requests are throttled, failed, delayed or reset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

THROTTLE = "throttle"
ERROR = "error"
DELAY = "delay"
RESET = "reset"
CONFLICT = "conflict"
KINDS = (THROTTLE, ERROR, DELAY, RESET, CONFLICT)


@dataclass
class Fault:
    """One armed fault.

    ``kind`` is ``throttle``, ``error`` (``status`` 5xx, JSON or ``html`` body),
    ``delay`` (sleep ``seconds`` then answer normally), ``reset`` (close the
    connection without an answer; with ``mid_body`` after sending the status line,
    headers and half of the body) or ``conflict`` (a transient 400 ConflictException,
    not remembered against the request's ClientRequestToken).  ``process`` means the
    request is applied to the model before the connection is dropped (always true for
    ``mid_body``).  ``operation`` restricts the fault to one operation (``None``: any),
    ``execution_arn`` to requests naming that pipeline execution.
    """

    kind: str
    remaining: int = 1
    operation: Optional[str] = None
    status: int = 500
    html: bool = False
    seconds: float = 0.0
    mid_body: bool = False
    process: bool = False
    execution_arn: Optional[str] = None

    def matches(self, operation: Optional[str], execution_arn: Optional[str] = None) -> bool:
        return (
            self.remaining > 0
            and (self.operation is None or self.operation == operation)
            and (self.execution_arn is None or self.execution_arn == execution_arn)
        )


class FaultQueue:
    """Faults in the order they were armed; the first matching one fires."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        if fault.remaining < 1:
            raise ValueError("count must be >= 1")
        self.faults.append(fault)
        return fault

    def take(
        self, operation: Optional[str], execution_arn: Optional[str] = None
    ) -> Optional[Fault]:
        for fault in self.faults:
            if fault.matches(operation, execution_arn):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()

    def pending(self) -> list[Fault]:
        return list(self.faults)
