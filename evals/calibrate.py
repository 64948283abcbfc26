"""Choose the extractive abstention threshold on the dev split only, over the four corpora.

Run: `python -m evals.calibrate` (builds temporary indexes of seeds/ and of the invented corpora
evals/corpora/fictional/, serial/ and across/, so no threshold is fitted to five articles). Every dev
question is answered with abstention off; each candidate threshold is charged a cost per
question (see `_cost`): answering an unanswerable question costs twice a false abstention.
The cheapest threshold wins; ties go to the lowest, since an extractive answer is a
verbatim quote rather than an invented fact. The test split is never looked at here.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from evals.dataset import (
    ACROSS_CORPUS,
    ACROSS_PATH,
    DATASET_PATH,
    FICTIONAL_CORPUS,
    FICTIONAL_PATH,
    SEEDS_DIR,
    SERIAL_CORPUS,
    SERIAL_PATH,
    QAItem,
    load_dataset,
)
from evals.metrics import must_include_hit
from rag import Assistant, load_settings
from rag.indexing import index_paths


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m evals.calibrate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", type=float, default=0.025, help="spacing of the thresholds in the curve")
    parser.add_argument("--list", action="store_true", help="also list every dev question with its score")
    args = parser.parse_args()
    rows = []
    corpora = (
        (DATASET_PATH, SEEDS_DIR),
        (FICTIONAL_PATH, FICTIONAL_CORPUS),
        (SERIAL_PATH, SERIAL_CORPUS),
        (ACROSS_PATH, ACROSS_CORPUS),
    )
    for dataset, corpus in corpora:
        rows += _answer_dev(dataset, corpus)
    steps = int(0.8 / args.step) + 1
    best_t, best_cost = 0.0, float("inf")
    print("threshold  cost  correct  abstained-answerable  incomplete  answered-unanswerable")
    for t in (round(i * args.step, 3) for i in range(steps)):
        outcomes = [(item.type == "unanswerable", hard or score < t, correct) for item, score, hard, correct in rows]
        cost = sum(_cost(*o) for o in outcomes)
        right = sum(_cost(*o) == 0 for o in outcomes)
        false_abstain = sum(not u and a for u, a, _ in outcomes)
        incomplete = sum(not u and not a and not c for u, a, c in outcomes)
        answered_unanswerable = sum(u and not a for u, a, _ in outcomes)
        print(f"{t:9.3f}  {cost:4d}  {right:7d}  {false_abstain:20d}  {incomplete:10d}  {answered_unanswerable:21d}")
        if cost < best_cost:
            best_t, best_cost = t, cost
    print(f"\nbest threshold on dev: {best_t:.3f} (cost {best_cost} over {len(rows)} questions)")
    if args.list:
        for item, score, hard, correct in sorted(rows, key=lambda r: r[1]):
            flags = f"{'HARD' if hard else '    '} {'ok ' if correct else '   '}"
            print(f"  {score:.3f} {flags} {item.type:17s} {item.question}")


def _answer_dev(dataset: Path, corpus: Path) -> list[tuple[QAItem, float, bool, bool]]:
    """Every dev question answered with abstention off: (item, evidence score, hard abstention, correct)."""
    items = load_dataset(dataset, split="dev")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index_dir=Path(tmp), abstain_threshold=0.0, llm="extractive")
        index_paths([corpus], settings, progress=False)
        with Assistant(settings) as assistant:
            for item in items:
                answer = assistant.ask(item.question)
                hard_abstain = answer.abstained  # nothing fills the asked slot: independent of the threshold
                correct = must_include_hit(answer.answer, item.must_include) if item.must_include else False
                rows.append((item, answer.evidence_score, hard_abstain, correct))
    return rows


def _cost(unanswerable: bool, abstained: bool, correct: bool) -> int:
    """2 for answering an unanswerable question (the reader is told something the sources do not
    say), 1 for abstaining on an answerable one or for an answer that misses a gold fact (its
    quotes are verbatim and cited, so it is incomplete rather than false), 0 when right."""
    if unanswerable:
        return 0 if abstained else 2
    return 0 if correct and not abstained else 1


if __name__ == "__main__":
    main()
