"""The evaluation tab finds the newest run on disk and reports how a `rag eval` subprocess ended."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import ui.evaluation
from rag import Settings
from ui.evaluation import latest_run, run_eval


def make_run(root: Path, name: str, charts: tuple[str, ...] = ()) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "report.md").write_text(f"# Run {name}", encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps({"recall@6": 0.8}), encoding="utf-8")
    for chart in charts:
        (folder / chart).write_bytes(b"\x89PNG")
    return folder


def test_no_runs_folder_or_an_empty_one_means_no_run(tmp_path: Path) -> None:
    assert latest_run(tmp_path / "missing") is None
    (tmp_path / "runs" / "20240101-000000").mkdir(parents=True)  # unfinished: no report, no metrics
    assert latest_run(tmp_path / "runs") is None


def test_the_newest_timestamped_run_is_shown_with_its_charts(tmp_path: Path) -> None:
    make_run(tmp_path, "20240101-120000")
    newest = make_run(tmp_path, "20240302-080000", charts=("recall.png", "latency.png"))
    run = latest_run(tmp_path)
    assert run is not None
    assert run.folder == newest and run.report == "# Run 20240302-080000"
    assert run.metrics == {"recall@6": 0.8}
    assert [(png.name, caption) for png, caption in run.charts] == [
        ("latency.png", "latency"),
        ("recall.png", "recall"),
    ]


def test_chart_links_leave_the_report_and_caption_the_gallery(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "20240101-120000", charts=("latency.png",))
    (folder / "report.md").write_text("## Charts\n\n![Latency per question](latency.png)\n", encoding="utf-8")
    run = latest_run(tmp_path)
    assert run is not None
    assert run.report == "## Charts\n\n*Latency per question: chart shown above.*\n"
    assert run.charts == [(folder / "latency.png", "Latency per question")]


def test_failed_question_tables_are_split_off_to_be_folded(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "20240101-120000")
    (folder / "report.md").write_text(
        "# Report\n\n## Failed questions: extractive (1 of 6)\n\n| id |\n", encoding="utf-8"
    )
    run = latest_run(tmp_path)
    assert run is not None
    assert (run.report, run.failures) == ("# Report\n\n", "## Failed questions: extractive (1 of 6)\n\n| id |\n")


def test_a_broken_metrics_file_is_reported_not_raised(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "20240101-120000")
    (folder / "metrics.json").write_text("{oops", encoding="utf-8")
    run = latest_run(tmp_path)
    assert run is not None and "not valid JSON" in run.metrics["error"]


def test_the_log_streams_and_a_failed_run_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = "import os; print('index', os.environ['RAG_INDEX_DIR']); raise SystemExit(3)"
    monkeypatch.setattr(ui.evaluation, "eval_command", lambda out, *_: [sys.executable, "-c", script, str(out)])
    logs = list(run_eval(Settings(index_dir=tmp_path, llm="extractive"), tmp_path / "runs"))
    assert logs[0].startswith(f"$ rag eval --out {tmp_path / 'runs'}")
    assert f"index {tmp_path}" in logs[-2]
    assert logs[-1].endswith("`rag eval` failed (exit code 3); see the log above.")
