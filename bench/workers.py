"""What runs inside each measured child process (``python -m bench.workers SPEC``).

``SPEC`` is JSON ``{"lib": ..., "mode": ..., "seconds": s, ...}``; the worker builds one
client with default settings against ``$BENCH_URL``, warms it up, then calls
``StopPipelineExecution`` for ``seconds`` and prints JSON ``{"calls": n, "elapsed": s,
"cpu": s}`` (``cpu``: the process's CPU time over those seconds).
Modes: ``sync`` (sequential calls), ``threads`` (``"threads": n`` threads sharing one
sync client), ``async`` (``"concurrency": n`` tasks sharing one client), ``lambda`` (a
module-level async client, one ``asyncio.run()`` per call, as a Lambda handler does)
and ``loop`` (that client awaited in one loop), ``batch`` (``"runs": [spec, ...]`` in
this one process, for ``--quick``: ``{"results": [...]}``) and ``bulk`` (with
``"retry_mode"``: one bulk stop against the rate-limited double, :func:`run_bulk`).
Cold start is measured with the small scripts in ``COLD`` instead (run with
``python -c``: nothing else is imported).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any, Callable

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/bench/execution/0123456789ab"
REGION = "us-east-1"

#: Whole-process cold start: import, build a client, one call; prints the monotonic
#: time of the first response (CLOCK_MONOTONIC is system-wide on Linux).
COLD = {
    "sagemaker-stop": (
        "import os, time\n"
        "from sagemaker_stop import SageMakerClient\n"
        "c = SageMakerClient(region='us-east-1', endpoint_url=os.environ['BENCH_URL'])\n"
        f"c.stop_pipeline_execution({ARN!r})\n"
        "print(time.monotonic())\n"
    ),
    # Not a library: what sagemaker-stop must load anyway, the floor under its cold
    # start: its three required dependencies, and httpcore / h11 with one request over
    # them (httpx loads h11 only when a connection first speaks HTTP/1.1).
    "floor": (
        "import os, time\n"
        "import httpx, httpcore, h11, attrs, botocore.auth\n"
        "with httpcore.ConnectionPool() as pool:\n"
        "    pool.request('POST', os.environ['BENCH_URL'] + '/', content=b'{}')\n"
        "print(time.monotonic())\n"
    ),
    "boto3": (
        "import os, time\n"
        "import boto3\n"
        "c = boto3.client('sagemaker', region_name='us-east-1', "
        "endpoint_url=os.environ['BENCH_URL'])\n"
        f"c.stop_pipeline_execution(PipelineExecutionArn={ARN!r})\n"
        "print(time.monotonic())\n"
    ),
    "aiobotocore": (
        "import asyncio, os, time\n"
        "from aiobotocore.session import get_session\n"
        "async def main():\n"
        "    async with get_session().create_client('sagemaker', region_name='us-east-1', "
        "endpoint_url=os.environ['BENCH_URL']) as c:\n"
        f"        await c.stop_pipeline_execution(PipelineExecutionArn={ARN!r})\n"
        "        print(time.monotonic())\n"
        "asyncio.run(main())\n"
    ),
}


def _timed_sync(call: Callable[[], Any], seconds: float, warmup: int) -> dict[str, float]:
    for _ in range(warmup):
        call()
    calls = 0
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        for _ in range(10):
            call()
        calls += 10
        now = time.perf_counter()
    return {"calls": calls, "elapsed": now - start, "cpu": time.process_time() - cpu}


async def _timed_async(
    call: Callable[[], Any], seconds: float, concurrency: int, warmup: int
) -> dict[str, float]:
    # Warm up at full concurrency so every connection of the pool is open.
    for _ in range(max(1, warmup // concurrency)):
        await asyncio.gather(*(call() for _ in range(concurrency)))
    calls = 0
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        nonlocal calls
        while time.perf_counter() < deadline:
            await call()
            calls += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"calls": calls, "elapsed": time.perf_counter() - start,
            "cpu": time.process_time() - cpu}


def _timed_threads(
    call: Callable[[], Any], seconds: float, threads: int, warmup: int
) -> dict[str, float]:
    """``threads`` threads calling for ``seconds`` (after a warm-up round in each)."""
    import threading

    counts = [0] * threads
    warm, go = threading.Barrier(threads + 1), threading.Barrier(threads + 1)
    deadline = [0.0]

    def work(index: int) -> None:
        for _ in range(max(1, warmup // threads)):
            call()
        warm.wait()
        go.wait()
        end = deadline[0]
        while time.perf_counter() < end:
            call()
            counts[index] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    warm.wait()  # every thread warm (its connection open)
    cpu = time.process_time()
    start = time.perf_counter()
    deadline[0] = start + seconds
    go.wait()
    for thread in pool:
        thread.join()
    return {"calls": sum(counts), "elapsed": time.perf_counter() - start,
            "cpu": time.process_time() - cpu}


def _sync_call(lib: str, url: str) -> Callable[[], Any]:
    if lib == "sagemaker-stop":
        from sagemaker_stop import SageMakerClient

        sm = SageMakerClient(region=REGION, endpoint_url=url)
        return lambda: sm.stop_pipeline_execution(ARN)
    if lib == "boto3":
        import boto3

        client = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
        return lambda: client.stop_pipeline_execution(PipelineExecutionArn=ARN)
    raise ValueError(f"no sync benchmark for {lib}")


def run_sync(lib: str, url: str, seconds: float, warmup: int) -> dict[str, float]:
    return _timed_sync(_sync_call(lib, url), seconds, warmup)


def run_threads(
    lib: str, url: str, seconds: float, threads: int, warmup: int
) -> dict[str, float]:
    return _timed_threads(_sync_call(lib, url), seconds, threads, warmup)


def run_lambda(
    lib: str, url: str, seconds: float, warmup: int, per_invocation: bool
) -> dict[str, float]:
    """The Lambda pattern: an ``AsyncSageMakerClient`` made once (at module level in a
    handler) and each invocation one ``asyncio.run()``; or (``per_invocation`` False)
    the same client awaited in one loop, the figure it is compared with."""
    if lib != "sagemaker-stop":
        raise ValueError(f"no Lambda-pattern benchmark for {lib}")
    from sagemaker_stop import AsyncSageMakerClient

    sm = AsyncSageMakerClient(region=REGION, endpoint_url=url)

    async def invocation() -> None:
        await sm.stop_pipeline_execution(ARN)

    if per_invocation:
        return _timed_sync(lambda: asyncio.run(invocation()), seconds, max(1, warmup // 10))

    async def one_loop() -> dict[str, float]:
        try:
            return await _timed_async(invocation, seconds, 1, warmup)
        finally:
            await sm.aclose()

    return asyncio.run(one_loop())


async def run_async(
    lib: str, url: str, seconds: float, concurrency: int, warmup: int
) -> dict[str, float]:
    if lib == "sagemaker-stop":
        from sagemaker_stop import AsyncSageMakerClient

        async with AsyncSageMakerClient(region=REGION, endpoint_url=url) as sm:
            return await _timed_async(
                lambda: sm.stop_pipeline_execution(ARN), seconds, concurrency, warmup
            )
    if lib == "sagemaker-stop/aiohttp":
        from sagemaker_stop import AsyncSageMakerClient

        async with AsyncSageMakerClient(region=REGION, endpoint_url=url, transport="aiohttp") as sm:
            return await _timed_async(
                lambda: sm.stop_pipeline_execution(ARN), seconds, concurrency, warmup
            )
    if lib == "sagemaker-stop/one-httpx-client":
        # The same client handed one caller-owned httpx.AsyncClient with the default
        # pool size: what a single pool does as concurrency rises (encode/httpx#3215).
        import httpx

        from sagemaker_stop import AsyncSageMakerClient

        async with httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
        ) as http, AsyncSageMakerClient(
            region=REGION, endpoint_url=url, http_client=http
        ) as sm:
            return await _timed_async(
                lambda: sm.stop_pipeline_execution(ARN), seconds, concurrency, warmup
            )
    if lib == "aiobotocore":
        from aiobotocore.session import get_session

        async with get_session().create_client(
            "sagemaker", region_name=REGION, endpoint_url=url
        ) as client:
            return await _timed_async(
                lambda: client.stop_pipeline_execution(PipelineExecutionArn=ARN),
                seconds,
                concurrency,
                warmup,
            )
    raise ValueError(f"no async benchmark for {lib}")


def run_bulk(lib: str, url: str, retry_mode: str, concurrency: int) -> dict[str, float]:
    """Stop every Executing execution of the rate-limited double's pipeline, ``concurrency``
    at a time, with one client in ``retry_mode``: ``{"errors": n, "stopped": n,
    "elapsed": s}``.  sagemaker-stop uses its bulk stop; boto3, which has none, the same
    listing and a thread pool of ``stop_pipeline_execution`` calls."""
    from bench.ratelimited import PIPELINE

    start = time.perf_counter()
    if lib in ("sagemaker-stop", "sagemaker-stop/async"):
        from sagemaker_stop import AsyncSageMakerClient, SageMakerClient

        options: dict[str, Any] = {"region": REGION, "endpoint_url": url, "retry_mode": retry_mode}
        if lib == "sagemaker-stop":
            with SageMakerClient(**options) as sm:
                results = sm.stop_pipeline_executions(PIPELINE, concurrency=concurrency)
        else:
            async def bulk() -> Any:
                async with AsyncSageMakerClient(**options) as sm:
                    return await sm.stop_pipeline_executions(PIPELINE, concurrency=concurrency)

            results = asyncio.run(bulk())
        errors = sum(1 for r in results if not r.ok)
        stopped = len(results) - errors
    elif lib == "boto3":
        from concurrent.futures import ThreadPoolExecutor

        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError

        client = boto3.client(
            "sagemaker", region_name=REGION, endpoint_url=url,
            config=Config(retries={"mode": retry_mode}, max_pool_connections=concurrency),
        )
        pages = client.get_paginator("list_pipeline_executions").paginate(
            PipelineName=PIPELINE, PaginationConfig={"PageSize": 100}
        )
        arns = [s["PipelineExecutionArn"] for page in pages
                for s in page["PipelineExecutionSummaries"]
                if s["PipelineExecutionStatus"] == "Executing"]

        def stop(arn: str) -> bool:
            try:
                client.stop_pipeline_execution(PipelineExecutionArn=arn)
            except ClientError:
                return False
            return True

        with ThreadPoolExecutor(concurrency) as pool:
            done = list(pool.map(stop, arns))
        errors, stopped = done.count(False), done.count(True)
    else:
        raise ValueError(f"no bulk-stop benchmark for {lib}")
    return {"errors": errors, "stopped": stopped, "elapsed": time.perf_counter() - start}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    url = spec.get("url") or os.environ["BENCH_URL"]
    warmup = int(spec.get("warmup", 50))
    mode = spec["mode"]
    if mode == "batch":
        return {"results": [run({"lib": spec["lib"], **each}) for each in spec["runs"]]}
    if mode == "bulk":
        return run_bulk(spec["lib"], url, spec["retry_mode"], spec["concurrency"])
    if mode == "sync":
        return run_sync(spec["lib"], url, spec["seconds"], warmup)
    if mode == "threads":
        return run_threads(spec["lib"], url, spec["seconds"], spec["threads"], warmup)
    if mode in ("lambda", "loop"):
        return run_lambda(spec["lib"], url, spec["seconds"], warmup, mode == "lambda")
    return asyncio.run(run_async(spec["lib"], url, spec["seconds"], spec["concurrency"], warmup))


def main(argv: list[str]) -> None:
    print(json.dumps(run(json.loads(argv[0]))))


if __name__ == "__main__":
    main(sys.argv[1:])
