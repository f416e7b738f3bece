"""Side-by-side benchmark: sagemaker-stop vs boto3 (sync) and aiobotocore (async).

    python -m bench            # full run (about three minutes on 2 cores)
    python -m bench --quick    # a few calls each, seconds in total (CI smoke test)

Every figure comes from a fresh child process talking to a loopback stub that runs in
its own process (``bench/stub.py``), so neither the stub nor another library's warm-up
shares a process with what is measured.  Prints a table, writes ``bench/results.json``
and a chart (``bench/bench.png``, matplotlib Agg) unless told otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any, Optional

from .workers import COLD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "bench")
PROJECT = "sagemaker-stop"
ONE_POOL = "sagemaker-stop/one-httpx-client"
#: Cold start of importing httpx + botocore.auth + attrs and nothing else.
FLOOR = "required imports only"
CONCURRENCY = (1, 8, 32, 128)
#: (metric, direction, factor): ratio = project / reference must be <= or >= factor.
TARGETS = {
    "cold": ("<=", 0.45),
    "rss": ("<=", 0.60),
    "sync": (">=", 1.25),
    "async@32": (">=", 1.0),
}
_IMPORT_NAME = {"boto3": "boto3", "aiobotocore": "aiobotocore", PROJECT: "sagemaker_stop"}


def installed(lib: str) -> bool:
    return importlib.util.find_spec(_IMPORT_NAME[lib]) is not None


def child_env(url: str) -> dict[str, str]:
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
    )
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class Stub:
    """A loopback server (``bench.stub``, or ``bench.ratelimited`` with its options), in
    its own process."""

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
        with open(port_file) as handle:
            self.url = f"http://127.0.0.1:{handle.read().strip()}"

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


def throughput(lib: str, spec: dict[str, Any], env: dict[str, str]) -> float:
    result = worker(lib, spec, env)
    return float(result["calls"]) / float(result["elapsed"])


def measure(
    libs: Sequence[str], quick: bool, log: Any = sys.stderr
) -> dict[str, dict[str, float]]:
    """{lib: {metric: value}}, metrics: cold (s), rss (MiB), sync, async@N (calls/s)."""
    cold_runs = 1 if quick else 9
    repeats = 1 if quick else 3
    # quick: the machinery only (CI's smoke test), so each child measures for 0.05 s
    spec_base = {"seconds": 0.05, "warmup": 4} if quick else {"seconds": 2.0, "warmup": 200}
    results: dict[str, dict[str, float]] = {lib: {} for lib in libs}
    stub = Stub()
    try:
        env = child_env(stub.url)
        cold_libs = [lib for lib in libs if lib in COLD]
        if PROJECT in libs:
            cold_libs.append(FLOOR)
        samples: dict[str, list[tuple[float, float]]] = {lib: [] for lib in cold_libs}
        cold_once(cold_libs[0], env)  # warm the OS file cache once
        for _ in range(cold_runs):
            for lib in cold_libs:  # interleaved: drift hits every library alike
                samples[lib].append(cold_once(lib, env))
        for lib in cold_libs:
            results.setdefault(lib, {})
            results[lib]["cold"] = statistics.median(s[0] for s in samples[lib])
            results[lib]["rss"] = statistics.median(s[1] for s in samples[lib])
            print(f"  cold start {lib}: {results[lib]['cold'] * 1000:.0f} ms, "
                  f"{results[lib]['rss']:.1f} MiB", file=log)
        jobs: list[tuple[str, str, dict[str, Any]]] = []
        for lib in libs:
            if lib in (PROJECT, "boto3"):
                jobs.append((lib, "sync", {"mode": "sync", **spec_base}))
        for n in CONCURRENCY:
            for lib in libs:
                if lib in (PROJECT, ONE_POOL, "aiobotocore"):
                    jobs.append((lib, f"async@{n}",
                                 {"mode": "async", "concurrency": n, **spec_base}))
        for lib, metric, spec in jobs:
            rates = [throughput(lib, spec, env) for _ in range(repeats)]
            results[lib][metric] = statistics.median(rates)
            print(f"  {metric:>9} {lib}: {results[lib][metric]:.0f} calls/s", file=log)
    finally:
        stub.close()
    return results


def ratios(results: dict[str, dict[str, float]]) -> dict[str, Optional[float]]:
    """project / reference for each targeted metric (None when the reference is absent)."""
    ours = results.get(PROJECT, {})
    out: dict[str, Optional[float]] = {}
    for metric in ("cold", "rss", "sync", *(f"async@{n}" for n in CONCURRENCY)):
        ref_lib = "aiobotocore" if metric.startswith("async") else "boto3"
        ref = results.get(ref_lib, {}).get(metric)
        mine = ours.get(metric)
        out[metric] = mine / ref if mine is not None and ref else None
    return out


def _fmt(metric: str, value: Optional[float]) -> str:
    if value is None:
        return "-"
    if metric == "cold":
        return f"{value * 1000:.0f} ms"
    if metric == "rss":
        return f"{value:.1f} MiB"
    return f"{value:,.0f}/s"


def table(results: dict[str, dict[str, float]]) -> str:
    rs = ratios(results)
    labels = {
        "cold": "cold start (spawn -> 1st response, median)",
        "rss": "peak RSS of that process (median)",
        "sync": "sync calls/s, sequential, warm client",
        **{f"async@{n}": f"async calls/s, concurrency {n}" for n in CONCURRENCY},
    }
    head = ("metric", PROJECT, "one httpx client", "boto3", "aiobotocore", "ratio", "target")
    rows = [head]
    for metric, label in labels.items():
        ratio = rs[metric]
        target = TARGETS.get(metric)
        if target is None:
            target_text = ""
        else:
            ok = ratio is not None and (
                ratio <= target[1] if target[0] == "<=" else ratio >= target[1]
            )
            ref = "aiobotocore" if metric.startswith("async") else "boto3"
            verdict = "n/a" if ratio is None else ("met" if ok else "NOT met")
            target_text = f"{target[0]} {target[1]:.2f} x {ref}: {verdict}"
        rows.append((
            label,
            _fmt(metric, results.get(PROJECT, {}).get(metric)),
            _fmt(metric, results.get(ONE_POOL, {}).get(metric)),
            _fmt(metric, results.get("boto3", {}).get(metric)),
            _fmt(metric, results.get("aiobotocore", {}).get(metric)),
            "-" if ratio is None else f"{ratio:.2f}",
            target_text,
        ))
    return "\n".join(aligned(rows, left=1, ragged_last=True))


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

    colors = {PROJECT: "#1f77b4", ONE_POOL: "#9ecae1", "boto3": "#ff7f0e",
              "aiobotocore": "#d62728"}
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    bars = [
        ("cold", "cold start (ms, lower is better)", 1000.0, (PROJECT, "boto3", "aiobotocore")),
        ("rss", "peak RSS (MiB, lower is better)", 1.0, (PROJECT, "boto3", "aiobotocore")),
        ("sync", "sync calls/s (higher is better)", 1.0, (PROJECT, "boto3")),
    ]
    for ax, (metric, title, scale, libs) in zip(axes, bars):
        shown = [lib for lib in libs if metric in results.get(lib, {})]
        values = [results[lib][metric] * scale for lib in shown]
        ax.bar(range(len(shown)), values, color=[colors[lib] for lib in shown])
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels(shown, fontsize=8)
        ax.set_title(title, fontsize=10)
        for x, value in enumerate(values):
            ax.annotate(f"{value:,.0f}", (x, value), ha="center", va="bottom", fontsize=8)
    ax = axes[3]
    for lib in (PROJECT, ONE_POOL, "aiobotocore"):
        points = [(n, results.get(lib, {}).get(f"async@{n}")) for n in CONCURRENCY]
        points = [(n, v) for n, v in points if v is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    color=colors[lib], label=lib)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(CONCURRENCY))
    ax.set_xticklabels([str(n) for n in CONCURRENCY])
    ax.set_ylim(bottom=0)
    ax.set_title("async calls/s by concurrency (higher is better)", fontsize=10)
    ax.legend(fontsize=8)
    fig.suptitle("StopPipelineExecution against a loopback stub, same machine, same run",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
    parser.add_argument("--libs", default=f"{PROJECT},{ONE_POOL},boto3,aiobotocore",
                        help="comma-separated subset; reference libraries that are not "
                             "installed are skipped")
    parser.add_argument("--part", choices=("all", "throughput", "rate-limited"), default="all",
                        help="throughput: cold start, memory, calls/s; rate-limited: bulk "
                             "stops against an account that throttles (default: both)")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--chart", default=None,
                        help="PNG path (default: bench/bench.png on a full run, none on "
                             "--quick); 'none' to skip")
    args = parser.parse_args(argv)
    libs = []
    for lib in args.libs.split(","):
        base = PROJECT if lib == ONE_POOL else lib
        if installed(base):
            libs.append(lib)
        else:
            print(f"skipping {lib}: not installed (pip install -e '.[bench]')", file=sys.stderr)
    results: dict[str, dict[str, float]] = {}
    floor = None
    if args.part in ("all", "throughput"):
        results = measure(libs, args.quick)
        floor = results.pop(FLOOR, None)
        print(table(results))
        boto3_cold = results.get("boto3", {}).get("cold")
        if floor and boto3_cold:
            print(f"floor: importing httpx + botocore.auth + attrs alone takes "
                  f"{floor['cold'] * 1000:.0f} ms = {floor['cold'] / boto3_cold:.2f} x boto3's "
                  f"cold start ({floor['rss']:.1f} MiB)")
    bulk = None
    if args.part in ("all", "rate-limited"):
        bulk = measure_bulk(libs, args.quick)
        print(bulk_table(bulk))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"results": results, "ratios": ratios(results), "floor": floor,
                       "rate_limited": bulk, "quick": args.quick,
                       "python": sys.version.split()[0], "cpus": os.cpu_count()},
                      handle, indent=2)
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
