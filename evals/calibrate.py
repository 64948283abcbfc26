"""Choose the extractive abstention threshold on the dev split only.

Run: `python -m evals.calibrate` (builds a temporary index of seeds/). Every dev question is
answered with abstention off; each candidate threshold is charged a cost per question:
0 for a correct answer or a correct abstention, 1 for abstaining on an answerable question
(users forgive a short answer), 2 for an answer that misses the gold facts or answers an
unanswerable question (they never forgive a wrong one). The cheapest threshold wins; ties go
to the lowest, since an extractive answer is a verbatim quote rather than an invented fact.
The test split is never looked at here.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from evals.dataset import DATASET_PATH, SEEDS_DIR, load_dataset
from evals.metrics import must_include_hit
from rag import Assistant, load_settings
from rag.indexing import index_paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DATASET_PATH)
    args = parser.parse_args()
    items = load_dataset(args.dataset, split="dev")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index_dir=Path(tmp), abstain_threshold=0.0)
        index_paths([SEEDS_DIR], settings, progress=False)
        assistant = Assistant(settings)
        rows = []
        for item in items:
            answer = assistant.ask(item.question)
            hard_abstain = answer.abstained  # name missing from sources: independent of the threshold
            correct = must_include_hit(answer.answer, item.must_include) if item.must_include else False
            rows.append((item, answer.evidence_score, hard_abstain, correct))
    candidates = sorted({round(score, 2) for _, score, _, _ in rows} | {0.0})
    best_t, best_cost = 0.0, float("inf")
    print("threshold  cost  correct  false-abstain  wrong-answer")
    for t in candidates:
        costs = [_cost(item.type == "unanswerable", hard or score < t, correct) for item, score, hard, correct in rows]
        print(f"{t:9.2f}  {sum(costs):4d}  {costs.count(0):7d}  {costs.count(1):13d}  {costs.count(2):12d}")
        if sum(costs) < best_cost:
            best_t, best_cost = t, sum(costs)
    print(f"\nbest threshold on dev: {best_t:.2f} (cost {best_cost} over {len(rows)} questions)")
    for item, score, hard, correct in sorted(rows, key=lambda r: r[1]):
        print(
            f"  {score:.3f} {'HARD' if hard else '    '} {'ok ' if correct else '   '} {item.type:17s} {item.question}"
        )


def _cost(unanswerable: bool, abstained: bool, correct: bool) -> int:
    if unanswerable:
        return 0 if abstained else 2
    if abstained:
        return 1
    return 0 if correct else 2


if __name__ == "__main__":
    main()
