"""How often the evidence ranker's top windows, and the extractive answer, hold the gold facts (prints a table).

For the answerable questions of a split (default dev) of both bundled corpora, with abstention
off: the evidence stage ranks windows for the retrieved passages, overlapping windows and
repeated text are counted once, and the gold facts (`must_include`) are looked for in the
first 1, 2, 3 and 4 windows and in the windows the extractive answer chooses. This isolates
ranking and composition from abstention. Tune on dev only.

With `--across`: only the questions across articles (comparisons, "each", two named reports),
and the answer's windows for every runner-up floor and word budget in ACROSS_GRID, the sweep
that set rag.extractive's ACROSS_RATIO and MAX_ACROSS_WORDS.

Run: `.venv/bin/python bench/ranking.py [--split dev|test] [--across] [--sets seeds,serial,heldout]` (sets:
seeds, fictional, serial, snippets, heldout, across, seeds_across; default seeds,fictional; about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import rag.extractive  # noqa: E402
from evals.dataset import (  # noqa: E402
    ACROSS_CORPUS,
    ACROSS_PATH,
    DATASET_PATH,
    FICTIONAL_CORPUS,
    FICTIONAL_PATH,
    HELDOUT_PATH,
    SEEDS_ACROSS_PATH,
    SEEDS_DIR,
    SERIAL_CORPUS,
    SERIAL_PATH,
    SNIPPETS_CORPUS,
    SNIPPETS_PATH,
    load_dataset,
)
from evals.metrics import must_include_hit  # noqa: E402
from rag import Assistant, load_settings  # noqa: E402
from rag.extractive import _same, choose  # noqa: E402
from rag.indexing import index_paths  # noqa: E402
from rag.windows import Evidence  # noqa: E402

DEPTHS = (1, 2, 3, 4)
# The held-out set has only a test split: its totals may be printed, its questions are not read here.
SETS = {
    "seeds": (DATASET_PATH, SEEDS_DIR),
    "fictional": (FICTIONAL_PATH, FICTIONAL_CORPUS),
    "serial": (SERIAL_PATH, SERIAL_CORPUS),
    "snippets": (SNIPPETS_PATH, SNIPPETS_CORPUS),
    "heldout": (HELDOUT_PATH, SEEDS_DIR),
    "across": (ACROSS_PATH, ACROSS_CORPUS),
    "seeds_across": (SEEDS_ACROSS_PATH, SEEDS_DIR),
}
ACROSS_GRID = [(ratio, words) for ratio in (0.0, 0.5, 0.65) for words in (80, 100, 120, 150, 180)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--across", action="store_true", help="sweep the across-articles answer budget")
    parser.add_argument("--sets", default="seeds,fictional", help=f"comma-separated, from {', '.join(SETS)}")
    args = parser.parse_args()
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}")
    sweep: Counter[tuple[float, int]] = Counter()
    sweep_words: Counter[tuple[float, int]] = Counter()
    hits = {key: 0 for key in (*DEPTHS, "answer")}
    words = {key: 0 for key in (*DEPTHS, "answer")}
    total = 0
    for name in names:
        dataset, corpus = SETS[name]
        split = "test" if name == "heldout" else args.split
        items = [i for i in load_dataset(dataset, split=split) if i.must_include]
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(index_dir=Path(tmp), abstain_threshold=0.0, llm="extractive")
            index_paths([corpus], settings, progress=False)
            with Assistant(settings) as assistant:
                assistant.load()
                for item in items:
                    passages = assistant._retrieve(item.question, None)
                    ranking = assistant._extractive.evidence.rank(item.question, passages)
                    if not ranking.ranked:
                        continue
                    if args.across:
                        question = ranking.question
                        if question.across or ranking.targets:
                            total += 1
                            _sweep(ranking, item.must_include, settings.max_answer_sentences, sweep, sweep_words)
                        continue
                    total += 1
                    unique: list[Evidence] = []
                    for ev in ranking.ranked:
                        if not any(_same(ev, u) for u in unique):
                            unique.append(ev)
                    texts = {k: " ".join(e.text for e in unique[:k]) for k in DEPTHS}
                    texts["answer"] = " ".join(e.text for e in choose(ranking, settings.max_answer_sentences))
                    for key, text in texts.items():
                        hits[key] += must_include_hit(text, item.must_include)
                        words[key] += len(text.split())
    if args.across:
        print(f"{total} answerable {args.split} questions across articles ({args.sets})\n")
        print("| runner-up floor | word budget | answers holding the gold facts | words (mean) |\n|---|---|---|---|")
        for ratio, budget in ACROSS_GRID:
            n, w = sweep[(ratio, budget)], sweep_words[(ratio, budget)]
            print(f"| {ratio:.2f} | {budget} | {n}/{total} | {w / max(1, total):.0f} |")
        return
    print(f"{total} answerable {args.split} questions ({args.sets}) with a ranking\n")
    print("| evidence | holds the gold facts | words (mean) |\n|---|---|---|")
    for key in (*DEPTHS, "answer"):
        label = f"first {key} window{'s' if key != 1 else ''}" if key != "answer" else "the extractive answer's windows"
        print(f"| {label} | {hits[key] / max(1, total):.3f} | {words[key] / max(1, total):.0f} |")


def _sweep(ranking, must_include, limit, hits, words) -> None:  # type: ignore[no-untyped-def]
    """Compose the answer under every grid point (the module constants are set and restored)."""
    saved = rag.extractive.ACROSS_RATIO, rag.extractive.MAX_ACROSS_WORDS
    try:
        for point in ACROSS_GRID:
            rag.extractive.ACROSS_RATIO, rag.extractive.MAX_ACROSS_WORDS = point
            text = " ".join(e.text for e in choose(ranking, limit))
            hits[point] += must_include_hit(text, must_include)
            words[point] += len(text.split())
    finally:
        rag.extractive.ACROSS_RATIO, rag.extractive.MAX_ACROSS_WORDS = saved


if __name__ == "__main__":
    main()
