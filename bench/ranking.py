"""How often the evidence ranker's top windows, and the extractive answer, hold the gold facts (prints a table).

For the answerable questions of a split (default dev) of both bundled corpora, with abstention
off: the evidence stage ranks windows for the retrieved passages, overlapping windows and
repeated text are counted once, and the gold facts (`must_include`) are looked for in the
first 1, 2, 3 and 4 windows and in the windows the extractive answer chooses. This isolates
ranking and composition from abstention. Tune on dev only.

Run: `.venv/bin/python bench/ranking.py [--split dev|test]` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.dataset import DATASET_PATH, FICTIONAL_CORPUS, FICTIONAL_PATH, SEEDS_DIR, load_dataset  # noqa: E402
from evals.metrics import must_include_hit  # noqa: E402
from rag import Assistant, load_settings  # noqa: E402
from rag.extractive import _same, choose  # noqa: E402
from rag.indexing import index_paths  # noqa: E402
from rag.windows import Evidence  # noqa: E402

DEPTHS = (1, 2, 3, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    args = parser.parse_args()
    hits = {key: 0 for key in (*DEPTHS, "answer")}
    words = {key: 0 for key in (*DEPTHS, "answer")}
    total = 0
    for dataset, corpus in ((DATASET_PATH, SEEDS_DIR), (FICTIONAL_PATH, FICTIONAL_CORPUS)):
        items = [i for i in load_dataset(dataset, split=args.split) if i.must_include]
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
    print(f"{total} answerable {args.split} questions (both corpora) with a ranking\n")
    print("| evidence | holds the gold facts | words (mean) |\n|---|---|---|")
    for key in (*DEPTHS, "answer"):
        label = f"first {key} window{'s' if key != 1 else ''}" if key != "answer" else "the extractive answer's windows"
        print(f"| {label} | {hits[key] / max(1, total):.3f} | {words[key] / max(1, total):.0f} |")


if __name__ == "__main__":
    main()
