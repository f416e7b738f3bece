"""The emulator under load: many clients, each opening a connection per request, all get
an answer (with socketserver's listen backlog of 5, connections beyond it waited for SYN
retransmits and some got no answer at all).

``python -m tests.emulator.test_emulator_load [CONNECTIONS] [SECONDS]`` runs the same
load for longer and prints the numbers.
"""

from __future__ import annotations

import sys
import threading
import time

import attrs

from sagemaker_stop.emulator import SageMakerEmulator, Step

from ._helpers import exchange, signed_request

#: A connect that waits for a SYN retransmit takes a second or more.
STALL = 1.0


@attrs.frozen
class Load:
    answered: int
    failed: int
    stalled: int
    slowest: float
    seconds: float

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds


def load(emu: SageMakerEmulator, connections: int, seconds: float, timeout: float) -> Load:
    """``connections`` clients sending signed ListPipelineExecutions requests, each on a
    new connection, for ``seconds``; a request unanswered within ``timeout`` failed."""
    emu.create_pipeline("load", [Step("S")])
    request = signed_request(emu, "ListPipelineExecutions", b'{"PipelineName": "load"}')
    latencies: list[float] = []
    failures: list[BaseException] = []
    go = threading.Event()
    deadline = 0.0

    def client() -> None:
        go.wait()
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status, _ = exchange(emu, request, timeout)
                assert status == 200, status
            except (OSError, AssertionError) as exc:
                failures.append(exc)
            else:
                latencies.append(time.monotonic() - started)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline = started + seconds
    go.set()
    for thread in threads:
        thread.join()
    return Load(
        answered=len(latencies),
        failed=len(failures),
        stalled=sum(latency >= STALL for latency in latencies),
        slowest=max(latencies, default=0.0),
        seconds=time.monotonic() - started,
    )


def test_every_request_of_200_concurrent_clients_is_answered() -> None:
    with SageMakerEmulator() as emu:
        result = load(emu, connections=200, seconds=0.5, timeout=3.0)
    assert result.failed == 0, result
    assert result.answered > 200, result
    assert len(emu.requests) == result.answered


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    duration = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    with SageMakerEmulator() as emulator:
        outcome = load(emulator, count, duration, timeout=60.0)
    print(f"{outcome}, {outcome.per_second:.0f} answers/s")
