"""The evaluation tab's work: find the latest `rag eval` run on disk, or start one in a subprocess.

A subprocess, not an import: an eval run takes minutes and loads its own models, and the
app must stay responsive (and keep its memory) while it runs. Runs are folders named by
timestamp under `evals/runs/`, holding `report.md`, `metrics.json` and charts (`*.png`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rag import Settings

NO_RUN = "No evaluation run yet: press **Run evaluation** or run `rag eval` in a terminal."
LOG_TAIL_LINES = 40
FAILURES_HEADING = "## Failed questions"
_PROGRESS = re.compile(r"\|\s*(\d+)/(\d+)\s*\[")
_IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class EvalRun:
    """One finished run, as the tab shows it."""

    folder: Path
    report: str
    failures: str  # the report's per-question failure tables, long enough to fold away
    metrics: dict[str, Any]
    charts: list[tuple[Path, str]]  # (png, caption)


def latest_run(runs_dir: Path) -> EvalRun | None:
    """The newest run folder (timestamps sort by name) that has a report or metrics; None if none."""
    if not runs_dir.is_dir():
        return None
    runs = [d for d in runs_dir.iterdir() if (d / "report.md").is_file() or (d / "metrics.json").is_file()]
    if not runs:
        return None
    folder = max(runs, key=lambda d: d.name)
    report = _read(folder / "report.md") or "This run has no report.md."
    try:
        metrics = json.loads(_read(folder / "metrics.json") or "{}")
    except json.JSONDecodeError:
        metrics = {"error": "metrics.json is not valid JSON"}
    if not isinstance(metrics, dict):
        metrics = {"metrics": metrics}
    text, captions = split_charts(report)
    charts = [(png, captions.get(png.name, png.stem.replace("_", " "))) for png in sorted(folder.glob("*.png"))]
    summary, heading, failures = text.partition(FAILURES_HEADING)
    return EvalRun(folder, summary, heading + failures, metrics, charts)


def split_charts(report: str) -> tuple[str, dict[str, str]]:
    """Take the `![title](chart.png)` links out of the report (they would not resolve in the page).

    The tab shows the PNGs in a gallery instead, captioned with these titles, above the report.
    """
    captions = {Path(m.group(2)).name: m.group(1) for m in _IMAGE_LINK.finditer(report)}
    return _IMAGE_LINK.sub(lambda m: f"*{m.group(1)}: chart shown above.*", report), captions


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def eval_command(out_dir: Path, mode: str = "extractive", limit: int | None = None) -> list[str]:
    """`rag eval` with the interpreter running the app, so it uses the same install. Its progress bar stays
    on: it is how the tab counts answered questions (`progress_of`)."""
    command = [sys.executable, "-m", "rag.cli", "eval", "--mode", mode]
    if limit is not None:
        command += ["--limit", str(limit)]
    return [*command, "--out", str(out_dir)]


def progress_of(line: str) -> tuple[int, int] | None:
    """(done, total) from a line of `rag eval`'s progress bar ("Evaluating extractive:  45%|…| 9/20 […]")."""
    match = _PROGRESS.search(line)
    return (int(match.group(1)), int(match.group(2))) if match else None


def run_eval(settings: Settings, runs_dir: Path, mode: str = "extractive", limit: int | None = None) -> Iterator[str]:
    """Run `rag eval` on the app's index into a new run folder, yielding the log so far.

    The last line says how it ended. Settings go by environment, as for any `rag` command.
    Closing the generator (the tab's Cancel) stops the run.
    """
    env = {**os.environ, "RAG_INDEX_DIR": str(settings.index_dir), "RAG_CHROMA_URL": settings.chroma_url}
    command = eval_command(runs_dir / datetime.now().strftime("%Y%m%d-%H%M%S"), mode, limit)
    log: list[str] = [f"$ rag eval --out {command[-1]}  (index: {settings.index_dir})"]
    yield log[0]
    try:
        # Text mode reads tqdm's carriage returns as line ends: each redraw of the bar is a line.
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
    except OSError as exc:
        yield f"Could not start `rag eval`: {exc}"
        return
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if log and progress_of(log[-1]) and progress_of(line):
                log[-1] = line.rstrip()  # one line for the bar, not one per redraw
            else:
                log.append(line.rstrip())
            yield "\n".join(log[-LOG_TAIL_LINES:])
        code = process.wait()
    finally:
        if process.poll() is None:  # cancelled: the generator was closed mid-run
            process.terminate()
            process.wait(timeout=10)
    log.append("Finished." if code == 0 else f"`rag eval` failed (exit code {code}); see the log above.")
    yield "\n".join(log[-LOG_TAIL_LINES:])
