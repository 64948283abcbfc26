"""The report's PNG charts: accuracy by question type, citation quality, latency distribution.

matplotlib with the Agg backend, so charts render on a server or in CI without a display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.scoring import Row

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
CITATION_METRICS = (
    ("citation recall", "citation_recall"),
    ("citation precision", "citation_precision"),
    ("evidence hit", "evidence_hit"),
)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_charts(out_dir: Path, metrics: Mapping[str, Any], rows: Mapping[str, Sequence[Row]]) -> dict[str, Path]:
    """Draw every chart into out_dir; returns title -> PNG path, in report order."""
    systems = metrics["systems"]
    return {
        "Answer accuracy by question type": _accuracy_by_type(out_dir / "accuracy_by_type.png", systems),
        "Citation quality by split": _citation_quality(out_dir / "citation_quality.png", systems),
        "Latency per question": _latency(out_dir / "latency.png", rows),
    }


def _bars(ax: Any, groups: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> None:
    """Grouped bars, each labelled with its value; a missing value is drawn as 'n/a'."""
    width = 0.8 / max(1, len(series))
    for i, (label, values) in enumerate(series.items()):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [v or 0.0 for v in values]
        bars = ax.bar(xs, heights, width, label=label, color=COLOURS[i % len(COLOURS)])
        for bar, value in zip(bars, values, strict=True):
            text = "n/a" if value is None else f"{value:.2f}"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")  # fmt: skip
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.12)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _accuracy_by_type(path: Path, systems: Mapping[str, Any]) -> Path:
    plt = _pyplot()
    first = next(iter(systems.values()))
    types = list(first["by_type"])
    labels = [f"{t}\n(n={first['by_type'][t]['questions']})" for t in types] + [
        f"all\n(n={first['overall']['questions']})"
    ]
    series = {
        name: [m["by_type"][t]["correct_overall"] for t in types] + [m["overall"]["correct_overall"]]
        for name, m in systems.items()
    }
    fig, ax = plt.subplots(figsize=(10, 4.2))
    _bars(ax, labels, series)
    ax.set_ylabel("share correct")
    ax.set_title("Correct answers by question type (unanswerable: correct = abstained)")
    ax.tick_params(axis="x", labelsize=8)
    return _save(fig, path)


def _citation_quality(path: Path, systems: Mapping[str, Any]) -> Path:
    plt = _pyplot()
    series = {
        f"{name} / {split}": [m["by_split"][split][key] for _, key in CITATION_METRICS]
        for name, m in systems.items()
        for split in m["by_split"]
    }
    fig, ax = plt.subplots(figsize=(9, 4))
    _bars(ax, [label for label, _ in CITATION_METRICS], series)
    ax.set_ylabel("share")
    ax.set_title("Citation quality (ALCE-style recall and precision; evidence hit)")
    return _save(fig, path)


def _latency(path: Path, rows: Mapping[str, Sequence[Row]]) -> Path:
    """Box per stage and system: box = p25-p75, line = p50, whiskers = p5-p95, dots beyond."""
    plt = _pyplot()
    stages = list(dict.fromkeys(stage for system_rows in rows.values() for r in system_rows for stage in r["timings"]))
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(rows))
    for i, (name, system_rows) in enumerate(rows.items()):
        data = [[max(r["timings"][s] * 1000, 0.1) for r in system_rows if s in r["timings"]] for s in stages]
        xs = [g + (i - (len(rows) - 1) / 2) * width for g in range(len(stages))]
        box = ax.boxplot(
            data, positions=xs, widths=width * 0.9, whis=(5, 95), patch_artist=True, flierprops={"markersize": 3}
        )
        for patch in box["boxes"]:
            patch.set_facecolor(COLOURS[i % len(COLOURS)])
            patch.set_alpha(0.6)
        ax.plot([], [], color=COLOURS[i % len(COLOURS)], linewidth=8, alpha=0.6, label=name)
    ax.set_xticks(range(len(stages)), stages)
    ax.set_yscale("log")  # stages differ by orders of magnitude; 0 ms is drawn at 0.1 ms
    ax.set_ylabel("milliseconds per question (log scale)")
    ax.set_title("Latency per stage (box p25-p75, line p50, whiskers p5-p95)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path
