"""Local-LLM answering speed, memory and correctness, ours vs llama-index's plain pipeline (prints a table).

For each model (one llama.cpp server per model, started through `Assistant(llm="local")`) and the
N questions spread evenly over one split of the seeds questions (every len/N-th, in file order;
--split dev by default: tune on dev, measure test once):

  ours        `Assistant.stream()`: hybrid retrieval, evidence gate, numbered-sentence prompt, GBNF
              citation grammar, verification. Questions the gate abstains on never reach the model;
              the "model called" row covers only the others, "overall" covers every question.
  llama-index `VectorStoreIndex.from_vector_store` over the same Chroma collection (our chunks) and embedder,
              `as_query_engine(similarity_top_k=2, streaming=True)`, its default prompt, `OpenAILike`
              on the same server with the same max_tokens. Counted as abstaining on an unanswerable
              question only when its text has a negation (not/no/cannot/n't) and one of context,
              information, sources.

Time to first token (TTFT) and total are measured from the call (`stream()` / `query()`), so they
include retrieval; total ends at the final verified Answer / the end of the stream. For "overall",
a question with no streamed token counts its time to the Answer as its TTFT. Prompt tokens come
from the server (its tokenizer, usage of the streamed reply; chat template included); `cl100k` counts
the message texts with tiktoken; "cached" is how many the server reused from its prompt cache (the
`timings` it appends to the stream, read through llama-index's instrumentation). tokens/s = completion
tokens / (end of stream - first token) as the client sees it; "(server)" is the server's own decode
speed. Each pipeline first answers one unmeasured warm-up question from the dev split, one not measured
(the first that gets past the evidence gate; no measured question finds its own prompt in the cache); ours runs
all questions, then llama-index, so each keeps the server's prompt cache of its fixed system prompt
as a user would. Peak memory: the server's VmHWM, this process's max RSS.

Writes --out (JSON, per question and summary) and markdown tables next to it (.md): timings and
prompt sizes (bench/llm_report.py), then accuracy by question type, abstention, fallbacks and what
verification did with the model's sentences. The pipelines themselves: bench/llm_pipelines.py.
Run: `.venv/bin/python bench/llm.py [--split dev|test] [--limit N] [--models M ...] [--index-dir DIR] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.llm_pipelines import LLMCallCatcher, llama_index_engine, run_llama_index, run_ours  # noqa: E402
from bench.llm_report import by_type, checks_of, machine, markdown, notes, summarise, table, type_table  # noqa: E402

MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
METHOD = "\n\n".join((__doc__ or "").split("\n\n")[1:4])


def bench_model(
    model: str, items: list[Any], warm_ups: list[Any], index_dir: Path, catcher: LLMCallCatcher
) -> dict[str, Any]:
    from rag import Assistant, load_settings

    settings = load_settings(llm="local", llm_model=model, index_dir=index_dir)
    assistant = Assistant(settings)
    try:
        t0 = time.perf_counter()
        assistant.warm_up()
        warm_up_s = time.perf_counter() - t0
        server = assistant._backend("local").server  # no public accessor yet
        print(f"[{model}] server up in {server.started_seconds:.1f} s; ours...", file=sys.stderr, flush=True)
        # The first warm-up question that gets past the evidence gate, so the model and its prompt cache are warm.
        warm_up = next((item for item in warm_ups if assistant.ask(item.question).usage), warm_ups[-1])
        ours = [run_ours(assistant, catcher, item) for item in items]
        print(f"[{model}] llama-index...", file=sys.stderr, flush=True)
        engine = llama_index_engine(assistant, settings, server, model)
        run_llama_index(engine, catcher, warm_up)
        prompt_example = [{"role": str(m.role.value), "content": m.content} for m in catcher.messages]
        plain = [run_llama_index(engine, catcher, item) for item in items]
        server_peak = server.peak_rss_mib()
        started_s = server.started_seconds
    finally:
        assistant.close()
    called = [r for r in ours if r["model_called"]]
    return {
        "model": model,
        "warm_up_question": warm_up.id,
        "server_start_s": started_s,
        "warm_up_s": warm_up_s,
        "server_peak_rss_mib": server_peak,
        "bench_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "settings": {k: getattr(settings, k) for k in ("llm_max_tokens", "llm_threads", "llm_context", "top_k")},
        "ours_model_called": summarise(called),
        "ours_overall": summarise(ours, ttft_key="first_output_s"),
        "ours_by_type": by_type(ours),
        "ours_gate_abstained": sum(r["gate_abstained"] for r in ours),
        "ours_fallbacks": sum(bool(r["fallback"]) for r in ours),
        "ours_checks": checks_of(ours),
        "llama_index": summarise(plain),
        "llama_index_by_type": by_type(plain),
        "llama_index_says_cannot_answer": sum(r["says_cannot_answer"] for r in plain),
        "llama_index_errors": sum(bool(r["error"]) for r in plain),
        "llama_index_prompt_example": prompt_example,  # the warm-up question's messages
        "questions": {"ours": ours, "llama_index": plain},
    }


def ensure_index(index_dir: Path) -> None:
    if (index_dir / "chroma.sqlite3").is_file():
        return
    print(f"No index at {index_dir}: building it from seeds/ with `rag index`...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "rag.cli", "index", "--index-dir", str(index_dir)], cwd=REPO, check=True)


def spread(items: list[Any], limit: int) -> list[Any]:
    """Every len/limit-th question, not the first `limit`: a split's unanswerable questions sit together."""
    step = max(1, len(items) / limit) if limit else 1
    return [items[int(i * step)] for i in range(min(limit or len(items), len(items)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev", help="seeds split (default: dev)")
    parser.add_argument("--limit", type=int, default=20, help="questions, spread over the split (default: 20)")
    parser.add_argument(
        "--models",
        nargs="+",
        choices=MODELS,
        default=list(MODELS),
        metavar="MODEL",
        help=f"{' or '.join(MODELS)} (default: both)",
    )
    parser.add_argument("--index-dir", type=Path, default=REPO / "index", help="default: the project's index/")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "results" / "llm.json",
        help="JSON results; the markdown tables go next to it with .md (default: %(default)s)",
    )
    args = parser.parse_args()

    import rag  # noqa: F401  (sets the offline flags before llama-index is imported)
    from evals.dataset import load_dataset

    index_dir = args.index_dir.resolve()
    ensure_index(index_dir)
    items = spread(load_dataset(split=args.split), args.limit)
    measured = {item.id for item in items}
    warm_ups = [item for item in load_dataset(split="dev") if item.answerable and item.id not in measured][:5]
    unanswerable = sum(not item.answerable for item in items)
    print(f"{len(items)} {args.split} questions, {unanswerable} unanswerable.", file=sys.stderr)
    catcher = LLMCallCatcher()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
    report: dict[str, Any] = {
        "command": shlex.join([os.path.relpath(sys.executable, REPO), os.path.relpath(__file__, REPO), *sys.argv[1:]]),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit.stdout.strip() or "unknown",
        "machine": machine(),
        "questions": {
            "split": args.split,
            "n": len(items),
            "unanswerable": unanswerable,
            "ids": [item.id for item in items],
            "warm_up_candidates": [item.id for item in warm_ups],
        },
        "runs": [bench_model(model, items, warm_ups, index_dir, catcher) for model in args.models],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(report, METHOD), encoding="utf-8")
    print("\n".join([*table(report), "", *type_table(report), "", *notes(report)]))
    print(f"Wrote {args.out} and {args.out.with_suffix('.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
