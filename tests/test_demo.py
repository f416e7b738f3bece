"""`make demo` must tell the true story: Callback hold -> Stopped, Lambda timeout -> Failed,
a worker's answer -> Succeeded and a stop cancelling its work -> Stopped."""

from __future__ import annotations

import io

from sagemaker_stop.demo import main


def test_demo_narrates_both_stops_and_exits_zero() -> None:
    out = io.StringIO()
    assert main(["--speed", "120"], out=out) == 0
    text = out.getvalue()
    lines = text.splitlines()

    def index(fragment: str) -> int:
        return next(i for i, line in enumerate(lines) if fragment in line)

    # The callback story, in order.
    assert index("stop_pipeline_execution -> HTTP 200") < index("execution status: Stopping")
    assert index("consumer: got status='Stopping'") < index(
        "consumer: answered SendPipelineExecutionStepFailure"
    )
    assert "waiting for SendPipelineExecutionStepSuccess/Failure" in text
    assert index("consumer: answered") < index("execution status: Stopped")
    # The lambda story.
    assert "Lambda step ExportModel is waiting for Lambda function" in text
    assert "execution status: Failed" in text and "timeout of 120 seconds" in text
    # The worker story, in order.
    story = lines[index("3. A Callback-step worker"):]
    text3 = "\n".join(story)
    assert "succeeded in" in text3 and "execution status: Succeeded" in text3
    order = ["stop_pipeline_execution while the worker trains", "cancelling the running work",
             "on_stop: releasing", "stopped: work cancelled, answered failure",
             "execution status: Stopped"]
    positions = [next(i for i, line in enumerate(story) if fragment in line) for fragment in order]
    assert positions == sorted(positions)
