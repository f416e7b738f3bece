"""Side-by-side benchmark: sagemaker-stop vs boto3 (sync) and aiobotocore (async).

    python -m bench            # full run (about eight minutes on 2 cores)
    python -m bench --quick    # a few calls each, seconds in total (CI smoke test)

Every figure comes from a fresh child process talking to a loopback stub that runs in
its own process (``bench/stub.py``; over https with a certificate made at run time for
the Lambda pattern), so neither the stub nor another library's warm-up shares a process
with what is measured.  The libraries' runs are interleaved (each round runs every
library once per metric), and every measured package runs from compiled bytecode
(``compileall`` first: an editable install under ``PYTHONDONTWRITEBYTECODE`` would
otherwise recompile on every start, while wheels ship compiled).  Prints a table,
writes ``bench/results.json``, a chart (``bench/bench.png``, matplotlib Agg) and, with
``--readme``, the table into the README's Performance section.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from typing import Any, Optional

from .workers import COLD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "bench")
PROJECT = "sagemaker-stop"
ONE_POOL = "sagemaker-stop/one-httpx-client"
#: The async client with transport="aiohttp" (the aiohttp extra: httpx-aiohttp).
AIOHTTP = "sagemaker-stop/aiohttp"
#: What sagemaker-stop must load anyway (httpx, httpcore, h11, attrs, botocore.auth)
#: and one request over httpcore: the floor under its cold start.
FLOOR = "floor"
CONCURRENCY = (1, 8, 32, 128, 512)
THREADS = (8, 32)
#: (metric, label, reference, target): ratio = project / reference (a library, the
#: floor, or for the Lambda pattern the same client awaited in one loop); target
#: (direction, factor) or None.
METRICS: list[tuple[str, str, str, Optional[tuple[str, float]]]] = [
    ("cold", "cold start (spawn -> 1st response, median)", "boto3", None),
    ("cold/floor", "cold start / floor", FLOOR, ("<=", 1.10)),
    ("rss", "peak RSS of that process (median)", "boto3", ("<=", 0.60)),
    ("sync", "sync calls/s, sequential, warm client", "boto3", (">=", 1.6)),
    *[(f"threads@{n}", f"sync calls/s, {n} threads on one client", "boto3", None)
      for n in THREADS],
    *[(f"async@{n}", f"async calls/s, {n} in flight", "aiobotocore", (">=", 1.0))
      for n in CONCURRENCY],
    ("lambda", "https Lambda pattern: asyncio.run() per call", "loop", (">=", 0.5)),
]
LIB_COLUMNS = (PROJECT, ONE_POOL, AIOHTTP, "boto3", "aiobotocore")
_IMPORT_NAME = {"boto3": "boto3", "aiobotocore": "aiobotocore", PROJECT: "sagemaker_stop",
                ONE_POOL: "sagemaker_stop", AIOHTTP: "httpx_aiohttp"}


def installed(lib: str) -> bool:
    return importlib.util.find_spec(_IMPORT_NAME[lib]) is not None


def compile_bytecode(quick: bool) -> None:
    """Compile the project (and, on a full run, the environment's site-packages) so no
    measured process compiles anything: timestamps are checked, so this is quick once
    done."""
    paths = [os.path.join(ROOT, "sagemaker_stop"), HERE]
    if not quick:
        paths += sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *paths],
                   stdout=subprocess.DEVNULL, check=False)


def child_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of every measured process: fixed fake credentials, no shared
    files, no instance metadata; nothing else from the caller's AWS settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    missing = os.path.join(tempfile.gettempdir(), "sagemaker-stop-bench-no-such-file")
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE000000000",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        AWS_CONFIG_FILE=missing,
        AWS_SHARED_CREDENTIALS_FILE=missing,
        AWS_EC2_METADATA_DISABLED="true",
        BENCH_URL=url,
        **extra,
    )
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class Stub:
    """A loopback server (``bench.stub``, or ``bench.ratelimited`` with its options), in
    its own process; ``--tls CERT KEY`` makes ``bench.stub`` serve https."""

    def __init__(self, module: str = "bench.stub", *options: str) -> None:
        self._dir = tempfile.TemporaryDirectory()
        port_file = os.path.join(self._dir.name, "port")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, port_file, *options], cwd=ROOT
        )
        deadline = time.monotonic() + 20
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the benchmark stub did not start")
            time.sleep(0.02)
        scheme = "https" if "--tls" in options else "http"
        with open(port_file) as handle:
            self.url = f"{scheme}://127.0.0.1:{handle.read().strip()}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()


def cold_once(lib: str, env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawn to first response, peak RSS in MiB) of one fresh process."""
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", COLD[lib]], stdout=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert process.stdout is not None
    out = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"cold start of {lib} failed (exit {process.returncode})")
    return float(out.strip().splitlines()[-1]) - start, usage.ru_maxrss / 1024.0


def worker(lib: str, spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """What one ``bench.workers`` child process reports."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.workers", json.dumps({"lib": lib, **spec})],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{lib} {spec} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rate(result: dict[str, Any]) -> float:
    return float(result["calls"]) / float(result["elapsed"])


def _record(samples: dict[str, dict[str, list[float]]], lib: str, metric: str,
            result: dict[str, Any]) -> float:
    """Keep a worker's calls/s (and its CPU microseconds per call, ``METRIC cpu``: less
    swayed by other load on the machine than wall time)."""
    rate = _rate(result)
    samples.setdefault(lib, {}).setdefault(metric, []).append(rate)
    if result.get("cpu") is not None and result["calls"]:
        samples[lib].setdefault(f"{metric} cpu", []).append(
            float(result["cpu"]) / float(result["calls"]) * 1e6)
    return rate


def plan(libs: Sequence[str], quick: bool = False) -> list[tuple[str, str, dict[str, Any], bool]]:
    """Every throughput job as (metric, lib, spec, over https), grouped by metric.
    ``quick`` (the machinery only) runs every sagemaker-stop metric but the reference
    libraries at one point each (sequential / 8 threads / 32 in flight)."""
    def wanted(lib: str, among: Sequence[str], metric: str) -> bool:
        return lib in libs and lib in among and not (
            quick and lib != PROJECT and metric not in ("sync", "threads@8", "async@32"))

    jobs: list[tuple[str, str, dict[str, Any], bool]] = []
    sync_libs, async_libs = (PROJECT, "boto3"), (PROJECT, ONE_POOL, AIOHTTP, "aiobotocore")
    jobs += [("sync", lib, {"mode": "sync"}, False)
             for lib in sync_libs if wanted(lib, sync_libs, "sync")]
    for n in THREADS:
        jobs += [(f"threads@{n}", lib, {"mode": "threads", "threads": n}, False)
                 for lib in sync_libs if wanted(lib, sync_libs, f"threads@{n}")]
    for n in CONCURRENCY:
        jobs += [(f"async@{n}", lib, {"mode": "async", "concurrency": n}, False)
                 for lib in async_libs if wanted(lib, async_libs, f"async@{n}")]
    if PROJECT in libs:
        jobs += [("lambda", PROJECT, {"mode": "lambda"}, True),
                 ("loop", PROJECT, {"mode": "loop"}, True)]
    return jobs


def measure(
    libs: Sequence[str], quick: bool, log: Any = sys.stderr
) -> dict[str, dict[str, float]]:
    """{lib: {metric: median}}: cold (s), rss (MiB), and calls/s for sync, threads@N,
    async@N, lambda and loop (the last two over https, sagemaker-stop only)."""
    cold_runs = 1 if quick else 9
    repeats = 1 if quick else 3
    base = {"seconds": 0.05, "warmup": 4} if quick else {"seconds": 2.0, "warmup": 200}
    samples: dict[str, dict[str, list[float]]] = {}
    compile_bytecode(quick)
    with tempfile.TemporaryDirectory() as tmp:
        # In a child process: importing cryptography here would grow this process, and
        # a child's peak RSS (os.wait4) counts the parent's pages it starts from.
        subprocess.run([sys.executable, "-m", "bench.tls", tmp], cwd=ROOT, check=True)
        ca_bundle, cert, key = (os.path.join(tmp, name)
                                for name in ("ca.pem", "server.pem", "server.key"))
        stub = Stub()
        tls_stub = Stub("bench.stub", "--tls", cert, key)
        try:
            env = child_env(stub.url)
            tls_env = child_env(tls_stub.url, AWS_CA_BUNDLE=ca_bundle)
            cold_libs = [lib for lib in libs if lib in COLD]
            if PROJECT in libs:
                cold_libs.append(FLOOR)
            if not quick:
                cold_once(cold_libs[0], env)  # warm the OS file cache once
            for _ in range(cold_runs):
                for lib in cold_libs:  # interleaved: drift hits every library alike
                    took, rss = cold_once(lib, env)
                    samples.setdefault(lib, {}).setdefault("cold", []).append(took)
                    samples[lib].setdefault("rss", []).append(rss)
            for lib in cold_libs:
                print(f"  cold start {lib}: {statistics.median(samples[lib]['cold']) * 1000:.0f}"
                      f" ms, {statistics.median(samples[lib]['rss']):.1f} MiB", file=log)
            jobs = plan(libs, quick)
            if quick:  # one process per library and scheme, every metric in it
                batches: dict[tuple[str, bool], list[tuple[str, dict[str, Any]]]] = {}
                for metric, lib, spec, https in jobs:
                    batches.setdefault((lib, https), []).append((metric, {**spec, **base}))
                for (lib, https), runs in batches.items():
                    result = worker(lib, {"mode": "batch", "runs": [s for _, s in runs]},
                                    tls_env if https else env)
                    for (metric, _), each in zip(runs, result["results"]):
                        _record(samples, lib, metric, each)
            else:
                for _ in range(repeats):  # interleaved rounds
                    for metric, lib, spec, https in jobs:
                        result = worker(lib, {**spec, **base}, tls_env if https else env)
                        rate = _record(samples, lib, metric, result)
                        print(f"  {metric:>10} {lib}: {rate:.0f} calls/s", file=log)
        finally:
            stub.close()
            tls_stub.close()
    return {lib: {metric: statistics.median(values) for metric, values in by_metric.items()}
            for lib, by_metric in samples.items()}


def _value(results: dict[str, dict[str, float]], lib: str, metric: str) -> Optional[float]:
    if metric == "cold/floor":
        metric = "cold"
    return results.get(lib, {}).get(metric)


def _reference(results: dict[str, dict[str, float]], metric: str, ref: str) -> Optional[float]:
    if ref == FLOOR:
        return results.get(FLOOR, {}).get("cold")
    if ref == "loop":
        return results.get(PROJECT, {}).get("loop")
    return results.get(ref, {}).get(metric)


def ratios(results: dict[str, dict[str, float]]) -> dict[str, Optional[float]]:
    """project / reference for each metric (None when either is absent)."""
    out: dict[str, Optional[float]] = {}
    for metric, _, ref, _ in METRICS:
        mine = _value(results, PROJECT, metric)
        other = _reference(results, metric, ref)
        out[metric] = mine / other if mine is not None and other else None
    return out


def verdicts(results: dict[str, dict[str, float]]) -> dict[str, Optional[bool]]:
    """Whether each targeted metric meets its target (None: not measured)."""
    out: dict[str, Optional[bool]] = {}
    rs = ratios(results)
    for metric, _, _, target in METRICS:
        ratio = rs[metric]
        if target is not None:
            out[metric] = None if ratio is None else (
                ratio <= target[1] if target[0] == "<=" else ratio >= target[1])
    return out


def _fmt(metric: str, value: Optional[float]) -> str:
    if value is None:
        return "-"
    if metric.startswith("cold"):
        return f"{value * 1000:.0f} ms"
    if metric == "rss":
        return f"{value:.1f} MiB"
    return f"{value:,.0f}/s"


def table(results: dict[str, dict[str, float]]) -> str:
    rs, ok = ratios(results), verdicts(results)
    columns = [lib for lib in LIB_COLUMNS if lib == PROJECT or lib in results]
    names = {ONE_POOL: "one httpx client", AIOHTTP: "aiohttp transport"}
    rows = [("metric", *(names.get(lib, lib) for lib in columns), "ratio", "target")]
    for metric, label, ref, target in METRICS:
        reference = _reference(results, metric, ref)
        if ref == FLOOR:
            label += f" ({_fmt('cold', reference)})"
        elif ref == "loop":
            label += f" / one loop ({_fmt(metric, reference)})"
        ratio = rs[metric]
        target_text = ""
        if target is not None:
            verdict = {None: "n/a", True: "met", False: "NOT met"}[ok[metric]]
            what = {FLOOR: "floor", "loop": "one loop"}.get(ref, ref)
            target_text = f"{target[0]} {target[1]:.2f} x {what}: {verdict}"
        shown = [_fmt(metric, _value(results, lib, metric)) if metric != "cold/floor"
                 or lib == PROJECT else "-" for lib in columns]
        rows.append((label, *shown, "-" if ratio is None else f"{ratio:.2f}", target_text))
    return "\n".join(aligned(rows, left=1, ragged_last=True))


def cpu_table(results: dict[str, dict[str, float]]) -> str:
    """CPU microseconds per call of each measured process (lower is better)."""
    columns = [lib for lib in (PROJECT, AIOHTTP, "boto3", "aiobotocore") if lib in results]
    metrics = ["sync", *(f"threads@{n}" for n in THREADS), *(f"async@{n}" for n in CONCURRENCY),
               "lambda", "loop"]
    names = {AIOHTTP: "aiohttp transport"}
    rows = [("CPU us per call (lower is better)", *(names.get(lib, lib) for lib in columns))]
    for metric in metrics:
        cells = [results.get(lib, {}).get(f"{metric} cpu") for lib in columns]
        if any(cell is not None for cell in cells):
            rows.append((metric, *("-" if c is None else f"{c:,.0f}" for c in cells)))
    return "\n".join(aligned(rows, left=1))


def floor_line(results: dict[str, dict[str, float]]) -> str:
    floor = results.get(FLOOR, {})
    if "cold" not in floor:
        return ""
    text = (f"floor: importing httpx, httpcore, h11, attrs and botocore.auth and one request "
            f"takes {floor['cold'] * 1000:.0f} ms ({floor['rss']:.1f} MiB)")
    boto3_cold = results.get("boto3", {}).get("cold")
    if boto3_cold:
        text += f" = {floor['cold'] / boto3_cold:.2f} x boto3's cold start"
    return text


def aligned(
    rows: Sequence[Sequence[str]], left: int, ragged_last: bool = False
) -> list[str]:
    """Text columns under a dashed header row: the first ``left`` columns left-aligned,
    the others right-aligned (the last one as it is, if ``ragged_last``)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        cells = [
            cell if ragged_last and n == len(row) - 1
            else cell.ljust(width) if n < left else cell.rjust(width)
            for n, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def chart(results: dict[str, dict[str, float]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {PROJECT: "#1f77b4", ONE_POOL: "#9ecae1", AIOHTTP: "#2ca02c", "boto3": "#ff7f0e",
              "aiobotocore": "#d62728", FLOOR: "#7f7f7f"}
    fig, axes = plt.subplots(1, 5, figsize=(20, 4))

    def bars(ax: Any, title: str, items: list[tuple[str, str, Optional[float]]]) -> None:
        shown = [(name, color, v) for name, color, v in items if v is not None]
        ax.bar(range(len(shown)), [v for _, _, v in shown], color=[c for _, c, _ in shown])
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels([name for name, _, _ in shown], fontsize=7)
        ax.set_title(title, fontsize=10)
        for x, (_, _, value) in enumerate(shown):
            ax.annotate(f"{value:,.0f}", (x, value), ha="center", va="bottom", fontsize=8)

    def get(lib: str, metric: str, scale: float = 1.0) -> Optional[float]:
        value = results.get(lib, {}).get(metric)
        return None if value is None else value * scale

    bars(axes[0], "cold start (ms, lower is better)",
         [(lib, colors[lib], get(lib, "cold", 1000.0))
          for lib in (PROJECT, FLOOR, "boto3", "aiobotocore")])
    bars(axes[1], "peak RSS (MiB, lower is better)",
         [(lib, colors[lib], get(lib, "rss")) for lib in (PROJECT, "boto3", "aiobotocore")])
    ax = axes[2]
    sync_points = [("sync", 1), *((f"threads@{n}", n) for n in THREADS)]
    for lib in (PROJECT, "boto3"):
        points = [(n, get(lib, metric)) for metric, n in sync_points]
        points = [(n, v) for n, v in points if v is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    color=colors[lib], label=lib)
    ax.set_xscale("log", base=2)
    ax.set_xticks([n for _, n in sync_points])
    ax.set_xticklabels([str(n) for _, n in sync_points])
    ax.set_ylim(bottom=0)
    ax.set_title("sync calls/s by threads, one client", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[3]
    for lib in (PROJECT, ONE_POOL, AIOHTTP, "aiobotocore"):
        points = [(n, get(lib, f"async@{n}")) for n in CONCURRENCY]
        points = [(n, v) for n, v in points if v is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    color=colors[lib], label=lib)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(CONCURRENCY))
    ax.set_xticklabels([str(n) for n in CONCURRENCY])
    ax.set_ylim(bottom=0)
    ax.set_title("async calls/s by calls in flight", fontsize=10)
    ax.legend(fontsize=8)
    bars(axes[4], "https, one AsyncSageMakerClient (calls/s)",
         [("asyncio.run() per call", colors[PROJECT], get(PROJECT, "lambda")),
          ("one loop", colors[ONE_POOL], get(PROJECT, "loop"))])
    fig.suptitle("StopPipelineExecution against a loopback stub, same machine, same run "
                 "(higher is better unless noted)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _markers(name: str) -> tuple[str, str]:
    return (f"<!-- bench:{name}:start (written by python -m bench --readme) -->",
            f"<!-- bench:{name}:end -->")


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("httpx", "httpcore", "botocore", "boto3", "aiobotocore", "aiohttp"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name} {version(name)}")
    return ", ".join(found)


def write_readme(path: str, blocks: dict[str, str]) -> None:
    """Replace what lies between each ``bench:NAME`` marker pair of the README with
    ``blocks[NAME]``."""
    with open(path) as handle:
        readme = handle.read()
    for name, text in blocks.items():
        start_mark, end_mark = _markers(name)
        start, end = readme.index(start_mark), readme.index(end_mark)
        readme = readme[: start + len(start_mark)] + "\n" + text + "\n" + readme[end:]
    with open(path, "w") as handle:
        handle.write(readme)


def readme_block(results: dict[str, dict[str, float]]) -> str:
    import textwrap

    return "\n".join([
        textwrap.fill(
        f"Measured with `make bench` on a {os.cpu_count()}-core Linux machine, Python "
        f"{sys.version.split()[0]}, {versions()}, in one run against a loopback stub in "
        "its own process (ratio = sagemaker-stop / boto3 for cold start, memory and sync; "
        "/ aiobotocore for async; cold start / the floor; the Lambda pattern / the same "
        "client awaited in one loop, both over https). Libraries interleaved, medians; "
        "every package compiled to bytecode first.", width=90),
        "",
        "![sagemaker-stop vs boto3 and aiobotocore](bench/bench.png)",
        "",
        "```",
        table(results),
        floor_line(results),
        "```",
        "",
        "```",
        cpu_table(results),
        "```",
    ])


# --- rate-limited bulk stop -----------------------------------------------------------

ASYNC = "sagemaker-stop/async"
#: (client, retry mode) rows of the rate-limited comparison.
BULK_RUNS = [(lib, mode) for lib in (PROJECT, ASYNC, "boto3") for mode in ("standard", "adaptive")]
#: The issue's scenario; quick mode only checks the machinery (sagemaker-stop in adaptive
#: mode, sync and async, against a double that throttles nothing).
BULK_SCENARIO = {"executions": 90, "concurrency": 16, "rate": 15.0}
BULK_QUICK = {"executions": 12, "concurrency": 4, "rate": 100.0}


def bulk_once(lib: str, mode: str, scenario: dict[str, Any]) -> dict[str, float]:
    """One bulk stop against a fresh rate-limited double in its own process: the
    client's errors and stops, the double's counts, and the wall time."""
    from urllib.request import urlopen

    double = Stub("bench.ratelimited", "--rate", str(scenario["rate"]),
                  "--executions", str(scenario["executions"]))
    try:
        spec = {"mode": "bulk", "retry_mode": mode, "concurrency": scenario["concurrency"]}
        result = worker(lib, spec, child_env(double.url))
        with urlopen(double.url + "/stats", timeout=10) as answer:
            stats = json.loads(answer.read())
    finally:
        double.close()
    return {"errors": result["errors"], "stopped": stats["stopped"],
            "throttled": stats["throttled"], "requests": stats["requests"],
            "elapsed": result["elapsed"]}


def measure_bulk(libs: Sequence[str], quick: bool, log: Any = sys.stderr) -> dict[str, Any]:
    """{"scenario": ..., "runs": {"lib mode": [run, ...]}}, runs interleaved."""
    scenario = BULK_QUICK if quick else BULK_SCENARIO
    rows = [(lib, mode) for lib, mode in BULK_RUNS
            if (lib in libs or (lib == ASYNC and PROJECT in libs))
            and not (quick and (lib == "boto3" or mode == "standard"))]
    runs: dict[str, list[dict[str, float]]] = {f"{lib} {mode}": [] for lib, mode in rows}
    for _ in range(1 if quick else 5):
        for lib, mode in rows:
            run = bulk_once(lib, mode, scenario)
            runs[f"{lib} {mode}"].append(run)
            print(f"  bulk stop {lib} {mode}: {run['errors']:.0f} errors, "
                  f"{run['throttled']:.0f} throttled, {run['elapsed']:.1f} s", file=log)
    return {"scenario": scenario, "runs": runs}


def bulk_table(bulk: dict[str, Any]) -> str:
    scenario, runs = bulk["scenario"], bulk["runs"]
    some = next(iter(runs.values()), [])
    lines = [
        f"rate-limited bulk stop: {scenario['executions']} executions, "
        f"{scenario['concurrency']} in flight, an account that admits "
        f"{scenario['rate']:g} requests/s (median of {len(some)} run(s), [min-max])",
    ]
    head = ("client", "retry mode", "errors", "throttled answers", "stopped", "time")
    rows = [head]
    for key, samples in runs.items():
        lib, mode = key.rsplit(" ", 1)

        def cell(metric: str, fmt: str = "{:.0f}", samples: list[dict[str, float]] = samples) -> str:
            values = sorted(s[metric] for s in samples)
            text = fmt.format(statistics.median(values))
            if len(values) > 1:
                text += f" [{fmt.format(values[0])}-{fmt.format(values[-1])}]"
            return text

        name = {PROJECT: "sagemaker-stop (sync)", ASYNC: "sagemaker-stop (async)"}.get(lib, lib)
        rows.append((name, mode, cell("errors"), cell("throttled"), cell("stopped"),
                     cell("elapsed", "{:.1f}") + " s"))
    return "\n".join(lines + aligned(rows, left=2))


def main(argv: Optional[Sequence[str]] = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a few calls each (seconds in total); for CI")
    parser.add_argument("--libs", default=f"{PROJECT},{ONE_POOL},{AIOHTTP},boto3,aiobotocore",
                        help="comma-separated subset; reference libraries that are not "
                             "installed are skipped")
    parser.add_argument("--part", choices=("all", "throughput", "rate-limited"), default="all",
                        help="throughput: cold start, memory, calls/s; rate-limited: bulk "
                             "stops against an account that throttles (default: both)")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--chart", default=None,
                        help="PNG path (default: bench/bench.png on a full run, none on "
                             "--quick); 'none' to skip")
    parser.add_argument("--readme", default=None,
                        help="rewrite the tables between this file's bench markers")
    args = parser.parse_args(argv)
    libs = []
    for lib in args.libs.split(","):
        if installed(lib):
            libs.append(lib)
        else:
            print(f"skipping {lib}: not installed (pip install -e '.[bench]')", file=sys.stderr)
    results: dict[str, dict[str, float]] = {}
    blocks: dict[str, str] = {}
    if args.part in ("all", "throughput"):
        results = measure(libs, args.quick)
        print(table(results))
        print(floor_line(results))
        print(cpu_table(results))
        blocks["throughput"] = readme_block(results)
    bulk = None
    if args.part in ("all", "rate-limited"):
        bulk = measure_bulk(libs, args.quick)
        print(bulk_table(bulk))
        blocks["rate-limited"] = "```\n" + bulk_table(bulk) + "\n```"
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"results": results, "ratios": ratios(results),
                       "met": verdicts(results), "rate_limited": bulk, "quick": args.quick,
                       "python": sys.version.split()[0], "versions": versions(),
                       "cpus": os.cpu_count()},
                      handle, indent=2)
    if args.readme:
        write_readme(args.readme, blocks)
        print(f"README tables written to {os.path.relpath(args.readme)}", file=sys.stderr)
    chart_path = args.chart or (None if args.quick else os.path.join(HERE, "bench.png"))
    if args.part == "rate-limited":
        chart_path = None
    if chart_path and chart_path != "none":
        if importlib.util.find_spec("matplotlib") is None:
            print("no chart: matplotlib is not installed", file=sys.stderr)
        else:
            chart(results, chart_path)
            print(f"chart written to {os.path.relpath(chart_path)}", file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
