"""Local-LLM answering speed, memory and correctness, ours vs llama-index's plain pipeline (prints a table).

For each model (one llama.cpp server per model, started through `Assistant(llm="local")`) and the
N questions spread evenly over the held-out test split (every len/N-th, in file order):

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
speed. Each pipeline first answers one unmeasured warm-up question from the dev split (the first
that gets past the evidence gate; no measured question finds its own prompt in the cache); ours runs
all questions, then llama-index, so each keeps the server's prompt cache of its fixed system prompt
as a user would. Peak memory: the server's VmHWM, this process's max RSS.

Writes --out (JSON, per question and summary) and a markdown table next to it (.md).
Run: `.venv/bin/python bench/llm.py [--limit N] [--models M ...] [--index-dir DIR] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
# The targets (p50 seconds on 2 cores): 1.5B TTFT < 6, full answer < 15; 0.5B half that.
TARGETS = {"qwen2.5-coder-1.5b": (6.0, 15.0), "qwen2.5-coder-0.5b": (3.0, 7.5)}
PACKAGES = ("xllamacpp", "llama-index-core", "llama-index-llms-openai-like", "chromadb")
_NEGATION = re.compile(r"\b(not|no|cannot)\b|n't\b")
_NO_ANSWER_WORDS = ("context", "information", "sources")
STATS = (
    "prompt_tokens",
    "prompt_tokens_cl100k",
    "cached_prompt_tokens",
    "ttft_s",
    "total_s",
    "tokens_per_second",
    "server_tokens_per_second",
)


def says_cannot_answer(text: str) -> bool:
    """The documented rule for when llama-index's free text counts as an abstention."""
    low = text.lower().replace("’", "'")
    return bool(_NEGATION.search(low)) and any(word in low for word in _NO_ANSWER_WORDS)


def run_ours(assistant: Any, catcher: LLMCallCatcher, item: Any) -> dict[str, Any]:
    from evals.metrics import answer_correct
    from rag.answer import Answer

    catcher.reset()
    started = time.perf_counter()
    first = last = None
    final: Answer | None = None
    for event in assistant.stream(item.question):
        now = time.perf_counter()
        if isinstance(event, Answer):
            final = event
        elif event.text:
            first = first if first is not None else now - started
            last = now - started
    total = time.perf_counter() - started
    assert final is not None
    usage = final.usage
    model_called = bool(usage) or bool(final.fallback)
    return {
        "id": item.id,
        "answerable": item.answerable,
        "model_called": model_called,
        "gate_abstained": final.abstained and not model_called,
        "abstained": final.abstained,
        "fallback": final.fallback,
        "correct": answer_correct(final.to_dict(), item),
        "ttft_s": first,
        "first_output_s": first if first is not None else total,
        "last_token_s": last,
        "total_s": total,
        "prompt_tokens": usage.get("prompt_tokens") or None,
        "prompt_tokens_cl100k": usage.get("prompt_tokens_cl100k") or None,
        "completion_tokens": usage.get("completion_tokens"),
        "tokens_per_second": usage.get("tokens_per_second") or None,
        "checks": dict(Counter(c.status for c in final.checks)),
        **catcher.server_stats(),
        "timings": final.timings,
        "answer": final.answer,
        "draft": final.draft,
    }


class LLMCallCatcher:
    """The messages, usage and server timings of the last LLM call, via llama-index's instrumentation.

    Both pipelines call the server through `OpenAILike.stream_chat`, so one handler sees both. The
    llama.cpp server appends a `timings` object to its last streamed chunk (prompt tokens evaluated
    vs reused from its prompt cache, decode speed measured inside the server).
    """

    def __init__(self) -> None:
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index.core.instrumentation.event_handlers import BaseEventHandler
        from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMChatStartEvent

        catcher = self
        self.messages: list[Any] = []
        self.usage: dict[str, Any] = {}
        self.timings: dict[str, Any] = {}

        class Handler(BaseEventHandler):
            def handle(self, event: Any, **kwargs: Any) -> None:
                if isinstance(event, LLMChatStartEvent):
                    catcher.messages = list(event.messages)
                elif isinstance(event, LLMChatEndEvent) and event.response is not None:
                    catcher.usage = dict(event.response.additional_kwargs or {})
                    extra = getattr(event.response.raw, "model_extra", None) or {}
                    catcher.timings = dict(extra.get("timings") or {})

        get_dispatcher().add_event_handler(Handler())

    def reset(self) -> None:
        self.messages, self.usage, self.timings = [], {}, {}

    def server_stats(self) -> dict[str, Any]:
        t = self.timings
        return {
            "cached_prompt_tokens": t.get("cache_n"),
            "server_tokens_per_second": t.get("predicted_per_second") if (t.get("predicted_n") or 0) > 1 else None,
            "server_timings": t,
        }


def llama_index_engine(assistant: Any, settings: Any, server: Any, model: str) -> Any:
    from llama_index.core import VectorStoreIndex
    from llama_index.llms.openai_like import OpenAILike

    from rag.store import ChunkStore

    index = VectorStoreIndex.from_vector_store(ChunkStore(settings).vector_store(), embed_model=assistant.embedder)
    llm = OpenAILike(
        api_base=server.base_url,
        model=model,
        api_key="x",
        is_chat_model=True,
        temperature=0,
        max_tokens=settings.llm_max_tokens,
        context_window=4096,
        # Only so the server reports token usage in the stream; the request is otherwise llama-index's.
        additional_kwargs={"stream_options": {"include_usage": True}},
    )
    return index.as_query_engine(llm=llm, similarity_top_k=2, streaming=True)


def run_llama_index(engine: Any, catcher: LLMCallCatcher, item: Any) -> dict[str, Any]:
    from evals.metrics import answer_correct
    from rag.chunking import count_tokens

    catcher.reset()
    started = time.perf_counter()
    first, text, error = None, "", ""
    try:
        for piece in engine.query(item.question).response_gen:
            if piece and first is None:
                first = time.perf_counter() - started
            text += piece
    except Exception as exc:  # a failed question is recorded, the run goes on
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    total = time.perf_counter() - started
    completion = int(catcher.usage.get("completion_tokens") or 0)
    generating = total - first if first is not None else 0.0
    cannot = says_cannot_answer(text)
    abstained = cannot and not item.answerable
    return {
        "id": item.id,
        "answerable": item.answerable,
        "says_cannot_answer": cannot,
        "abstained": abstained,
        "correct": not error and answer_correct({"answer": text, "abstained": abstained, "citations": []}, item),
        "ttft_s": first,
        "total_s": total,
        "prompt_tokens": catcher.usage.get("prompt_tokens") or None,
        "prompt_tokens_cl100k": sum(count_tokens(m.content or "") for m in catcher.messages) or None,
        "completion_tokens": completion,
        "tokens_per_second": completion / generating if generating > 0 and completion > 1 else None,
        **catcher.server_stats(),
        "answer": text,
        "error": error,
    }


def summarise(rows: list[dict[str, Any]], ttft_key: str = "ttft_s") -> dict[str, Any]:
    from evals.metrics import percentile

    out: dict[str, Any] = {"n": len(rows), "correct": sum(r["correct"] for r in rows)}
    for stat in STATS:
        values = [r[ttft_key if stat == "ttft_s" else stat] for r in rows]
        present = [float(v) for v in values if v is not None]
        out[stat] = {"p50": percentile(present, 50), "p95": percentile(present, 95), "n": len(present)}
    return out


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
        server = assistant._backend("local").server  # no public accessor yet (see the report)
        print(f"[{model}] server up in {server.started_seconds:.1f} s; ours...", file=sys.stderr, flush=True)
        # The first dev question that gets past the evidence gate, so the model and its prompt cache are warm.
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
        "ours_gate_abstained": sum(r["gate_abstained"] for r in ours),
        "ours_fallbacks": sum(bool(r["fallback"]) for r in ours),
        "ours_checks": dict(sum((Counter(r["checks"]) for r in ours), Counter())),
        "llama_index": summarise(plain),
        "llama_index_says_cannot_answer": sum(r["says_cannot_answer"] for r in plain),
        "llama_index_errors": sum(bool(r["error"]) for r in plain),
        "llama_index_prompt_example": prompt_example,  # the warm-up question's messages
        "questions": {"ours": ours, "llama_index": plain},
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "packages": {name: version(name) for name in PACKAGES},
    }


def _fmt(cell: dict[str, Any], digits: int) -> str:
    p50, p95 = cell["p50"], cell["p95"]
    return "–" if p50 is None else f"{p50:.{digits}f} / {p95:.{digits}f}"


COLUMNS = (  # (header, summary key, decimals)
    ("prompt tok (model)", "prompt_tokens", 0),
    ("prompt tok (cl100k)", "prompt_tokens_cl100k", 0),
    ("of which cached", "cached_prompt_tokens", 0),
    ("TTFT s", "ttft_s", 2),
    ("total s", "total_s", 2),
    ("tokens/s", "tokens_per_second", 1),
    ("tokens/s (server)", "server_tokens_per_second", 1),
)
ROWS = (
    ("ours, model called", "ours_model_called"),
    ("ours, overall", "ours_overall"),
    ("llama-index plain", "llama_index"),
)


def table(report: dict[str, Any]) -> list[str]:
    headers = ["model", "pipeline", "questions", "correct", *(h for h, _, _ in COLUMNS)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for run in report["runs"]:
        for label, key in ROWS:
            s = run[key]
            cells = [run["model"], label, str(s["n"]), f"{s['correct']}/{s['n']}"]
            cells += [_fmt(s[stat], digits) for _, stat, digits in COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def notes(report: dict[str, Any]) -> list[str]:
    lines = []
    for run in report["runs"]:
        ttft_target, total_target = TARGETS[run["model"]]
        s = run["ours_model_called"]
        ttft, total = s["ttft_s"]["p50"], s["total_s"]["p50"]
        met = ttft is not None and total is not None and ttft < ttft_target and total < total_target
        lines.append(
            f"- **{run['model']}** ({', '.join(f'{k} {v}' for k, v in run['settings'].items())}): "
            f"server start {run['server_start_s']:.1f} s, server peak RSS "
            f"{run['server_peak_rss_mib']:.0f} MiB, bench process peak RSS so far {run['bench_peak_rss_mib']:.0f} MiB. "
            f"Ours: {run['ours_gate_abstained']} abstained at the evidence gate (model not called), "
            f"{run['ours_fallbacks']} fell back to extractive, verification {run['ours_checks'] or '{}'}. "
            f"Target p50 TTFT < {ttft_target:g} s and total < {total_target:g} s (ours, model called): "
            f"{'met' if met else 'NOT met'}. llama-index: {run['llama_index_says_cannot_answer']} answers say "
            f"they cannot answer, {run['llama_index_errors']} errors."
        )
    return lines


def markdown(report: dict[str, Any]) -> str:
    m, q = report["machine"], report["questions"]
    head = [
        "# Local LLM benchmark (bench/llm.py)",
        "",
        f"Command: `{report['command']}`  ",
        f"Date: {report['date']} (commit {report['commit']})  ",
        f"Machine: {m['nproc']} cores ({m['cpu']}), load average at start {m['load_average_at_start']}, "
        f"Python {m['python']}  ",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + "  ",
        f"Questions: {q['n']} spread evenly over the test split ({q['unanswerable']} unanswerable): "
        + ", ".join(q["ids"]),
        "",
        "Warm-up question (unmeasured): "
        + ", ".join(f"{run['warm_up_question']} ({run['model']})" for run in report["runs"])
        + ". Cells are p50 / p95 per question.",
        "",
    ]
    method = ["## How it was measured (from bench/llm.py)", "", "```text", METHOD, "```", ""]
    return "\n".join([*head, *table(report), "", *notes(report), "", *method])


METHOD = "\n\n".join((__doc__ or "").split("\n\n")[1:4])


def ensure_index(index_dir: Path) -> None:
    if (index_dir / "chroma.sqlite3").is_file():
        return
    print(f"No index at {index_dir}: building it from seeds/ with `rag index`...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "rag.cli", "index", "--index-dir", str(index_dir)], cwd=REPO, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=20, help="test questions, spread over the split (default: 20)")
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
        help="JSON results; the markdown table goes next to it with .md (default: %(default)s)",
    )
    args = parser.parse_args()

    import rag  # noqa: F401  (sets the offline flags before llama-index is imported)
    from evals.dataset import load_dataset

    index_dir = args.index_dir.resolve()
    ensure_index(index_dir)
    test = load_dataset(split="test")
    # Spread over the whole held-out split (not its first N): its unanswerable questions sit together near the end.
    step = max(1, len(test) / args.limit) if args.limit else 1
    items = [test[int(i * step)] for i in range(min(args.limit, len(test)))]
    warm_ups = [item for item in load_dataset(split="dev") if item.answerable][:5]
    unanswerable = sum(not item.answerable for item in items)
    print(f"{len(items)} test questions, {unanswerable} unanswerable.", file=sys.stderr)
    catcher = LLMCallCatcher()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
    report: dict[str, Any] = {
        "command": shlex.join([os.path.relpath(sys.executable, REPO), os.path.relpath(__file__, REPO), *sys.argv[1:]]),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit.stdout.strip() or "unknown",
        "machine": machine(),
        "questions": {
            "n": len(items),
            "unanswerable": unanswerable,
            "ids": [item.id for item in items],
            "warm_up_candidates": [item.id for item in warm_ups],
        },
        "runs": [bench_model(model, items, warm_ups, index_dir, catcher) for model in args.models],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print("\n".join([*table(report), "", *notes(report)]))
    print(f"Wrote {args.out} and {args.out.with_suffix('.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
