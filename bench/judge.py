"""Does the LLM judge (rag/llm_judge.py) pick better evidence than the evidence ranker? Prints a table.

For every dev question of both bundled corpora (seeds and the fictional one), with abstention
off: the evidence stage ranks windows, `select_sources` numbers the best of them as the LLM
modes would, and the local model judges which source answers. For the answerable questions it
reports how often the gold facts (`must_include`) are in: the ranker's first source, the
judge's first pick, the judge's picks, all sources given, and the extractive answer. For all
questions it prints the judge's P(none) curve: how many answerable and unanswerable questions
each threshold would abstain on.

Run: `.venv/bin/python bench/judge.py [--model-path GGUF] [--out FILE.jsonl]` (about 5 s a
question with the 1.5B model on 2 cores). Measured 2026-11-30 with the 1.5B: see README
"LLM modes, measured".
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.dataset import DATASET_PATH, FICTIONAL_CORPUS, FICTIONAL_PATH, SEEDS_DIR, load_dataset  # noqa: E402
from evals.metrics import must_include_hit  # noqa: E402
from rag import Assistant, load_settings  # noqa: E402
from rag.extractive import choose  # noqa: E402
from rag.indexing import index_paths  # noqa: E402
from rag.llm_backend import LocalBackend  # noqa: E402
from rag.llm_judge import JUDGE_QUESTION, judge_grammar, judgement_from  # noqa: E402
from rag.llm_prompt import build_messages, select_sources  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-path", default="", help="a GGUF file (default: the bundled 1.5B)")
    parser.add_argument("--out", type=Path, default=None, help="also write one JSON line per question")
    args = parser.parse_args()
    rows = []
    for dataset, corpus in ((DATASET_PATH, SEEDS_DIR), (FICTIONAL_PATH, FICTIONAL_CORPUS)):
        rows += _judge_dev(dataset, corpus, args.model_path)
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    _report(rows)


def _judge_dev(dataset: Path, corpus: Path, model_path: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            index_dir=Path(tmp), abstain_threshold=0.0, llm="extractive", llm_model_path=model_path
        )
        index_paths([corpus], settings, progress=False)
        backend = LocalBackend(settings)
        with Assistant(settings) as assistant:
            assistant.load()
            for item in load_dataset(dataset, split="dev"):
                passages = assistant._retrieve(item.question, None)
                ranking = assistant._extractive.evidence.rank(item.question, passages)
                if ranking.abstain_reason or not ranking.ranked:
                    continue  # the evidence gate abstains before any model is asked
                sources = select_sources(ranking.ranked, settings.llm_source_tokens)
                started = time.perf_counter()
                messages = build_messages(item.question, sources, ask=JUDGE_QUESTION)
                said, alternatives = backend.first_token(messages, grammar=judge_grammar(len(sources)))
                judgement = judgement_from(alternatives, said, len(sources))
                picks = judgement.picks() or [1]
                texts = {
                    "ranker's first source": sources[0].text,
                    "judge's first pick": sources[picks[0] - 1].text,
                    "judge's picks": " ".join(sources[n - 1].text for n in picks),
                    "all sources given": " ".join(s.text for s in sources),
                    "extractive answer": " ".join(e.text for e in choose(ranking, settings.max_answer_sentences)),
                }
                rows.append(
                    {
                        "id": item.id,
                        "unanswerable": item.type == "unanswerable",
                        "none": judgement.none,
                        "seconds": time.perf_counter() - started,
                        "hits": {k: must_include_hit(t, item.must_include) for k, t in texts.items()},
                        "words": {k: len(t.split()) for k, t in texts.items()},
                    }
                )
        backend.close()
    return rows


def _report(rows: list[dict]) -> None:
    answerable = [r for r in rows if not r["unanswerable"]]
    print(f"{len(answerable)} answerable dev questions past the evidence gate (both corpora)\n")
    print("| evidence | holds the gold facts | words (mean) |\n|---|---|---|")
    for key in answerable[0]["hits"] if answerable else []:
        share = sum(r["hits"][key] for r in answerable) / len(answerable)
        words = sum(r["words"][key] for r in answerable) / len(answerable)
        print(f"| {key} | {share:.3f} | {words:.0f} |")
    unanswerable = [r for r in rows if r["unanswerable"]]
    print(f"\nP(none) threshold: abstains on answerable (of {len(answerable)}) / unanswerable (of {len(unanswerable)})")
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        wrong = sum(r["none"] >= threshold for r in answerable)
        right = sum(r["none"] >= threshold for r in unanswerable)
        print(f"  {threshold:.2f}: {wrong} / {right}")
    seconds = sorted(r["seconds"] for r in rows)
    print(f"\njudge call p50: {seconds[len(seconds) // 2]:.2f} s" if seconds else "")


if __name__ == "__main__":
    main()
