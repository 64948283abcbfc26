"""The CI quality gate: the extractive run on the bundled questions must not fall below evals/thresholds.json.

Run: `python -m evals.gate` (the same as `rag eval --gate`). The thresholds were set a little
below what was measured; raise them when quality improves, never lower one to get a change through.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.json"


def load_thresholds(path: Path = THRESHOLDS_PATH, section: str = "") -> dict[str, dict[str, float]]:
    """`{"min": {metric: floor}, "max": {metric: ceiling}}`; other keys are notes for people.

    `section` picks another dataset's bounds from the same file ("fictional": the invented
    corpus, gated by tests/test_eval_runner.py so no change can fit the seeds alone).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    data = data[section] if section else data
    return {"min": dict(data.get("min", {})), "max": dict(data.get("max", {}))}


def gate_failures(overall: Mapping[str, Any], thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric outside its bound; a metric that could not be computed fails too."""
    failures = []
    for kind, bounds in thresholds.items():
        for metric, bound in bounds.items():
            value = overall.get(metric)
            if value is None:
                failures.append(f"{metric} could not be computed (needed {kind} {bound:.2f})")
            elif kind == "min" and value < bound:
                failures.append(f"{metric} = {value:.3f}, below the minimum {bound:.2f}")
            elif kind == "max" and value > bound:
                failures.append(f"{metric} = {value:.3f}, above the maximum {bound:.2f}")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    from evals.runner import main as run_main

    return run_main(argv, gate=True, prog="python -m evals.gate")


if __name__ == "__main__":
    sys.exit(main())
