"""The benchmark's quick mode runs and gives sane numbers (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench import run


def test_quick_mode_measures_the_project_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    libs = [run.PROJECT, run.ONE_POOL]
    libs += [lib for lib in ("boto3", "aiobotocore") if importlib.util.find_spec(lib)]
    out_json = tmp_path / "results.json"
    results = run.main(["--quick", "--libs", ",".join(libs), "--json", str(out_json),
                        "--chart", "none"])

    ours = results[run.PROJECT]
    assert 0 < ours["cold"] < 60
    assert 1 < ours["rss"] < 4096
    metrics = ("sync", *(f"threads@{n}" for n in run.THREADS),
               *(f"async@{n}" for n in run.CONCURRENCY), "lambda", "loop")
    for metric in metrics:
        assert ours[metric] > 0, metric
    assert 0 < results[run.FLOOR]["cold"] < 60
    assert results[run.ONE_POOL]["async@32"] > 0
    printed = capsys.readouterr().out
    assert "cold start" in printed and "async calls/s, 512 in flight" in printed
    assert "https Lambda pattern" in printed and "cold start / floor" in printed
    assert run.PROJECT in printed.splitlines()[0]
    assert out_json.read_text().startswith("{")
    assert "rate-limited bulk stop" in printed and "sagemaker-stop (async)  adaptive" in printed
    bulk = json.loads(out_json.read_text())["rate_limited"]["runs"]
    assert [sample["stopped"] for sample in bulk[f"{run.PROJECT} adaptive"]] == [12]
    for lib in libs[2:]:
        assert results[lib]


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="no matplotlib")
def test_chart_is_written(tmp_path: Path) -> None:
    fake = {
        run.PROJECT: {"cold": 0.2, "rss": 36.0, "sync": 2000.0,
                      **{f"async@{n}": 1000.0 for n in run.CONCURRENCY}},
        "boto3": {"cold": 0.25, "rss": 57.0, "sync": 1800.0},
    }
    path = tmp_path / "bench.png"
    run.chart(fake, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = run.table(fake)
    assert "0.80" in table and "NOT met" in table


def test_readme_blocks_are_replaced(tmp_path: Path) -> None:
    start, end = run._markers("throughput")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{start}\nold table\n{end}\n\nprose\n")
    run.write_readme(str(readme), {"throughput": "new table"})
    assert readme.read_text() == f"# x\n\n{start}\nnew table\n{end}\n\nprose\n"
