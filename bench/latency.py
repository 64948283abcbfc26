"""Indexing and answering speed, chunk sizes and peak memory on this machine (prints numbers).

Run: `make bench` or `.venv/bin/python bench/latency.py [--questions N]`. Uses a temporary
index of seeds/ so it never touches ./index.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh `rag` process."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=cwd, check=True, capture_output=True)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return time.perf_counter() - started, peak


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    from evals.dataset import load_dataset
    from rag import Assistant, load_settings
    from rag.store import ChunkStore

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index_dir = work / "index"
        seeds = str(REPO / "seeds")
        cold, cold_rss = _run(["index", seeds, "--quiet", "--index-dir", str(index_dir)], work)
        noop, _ = _run(["index", seeds, "--quiet", "--index-dir", str(index_dir)], work)
        rebuild, _ = _run(["index", seeds, "--quiet", "--rebuild", "--index-dir", str(index_dir)], work)
        one_ask, ask_rss = _run(["ask", "Who led the Doha meeting?", "--index-dir", str(index_dir)], work)

        settings = load_settings(index_dir=index_dir)
        tokens = [int(n.metadata["tokens"]) for n in ChunkStore(settings).committed_nodes()]
        assistant = Assistant(settings)
        t0 = time.perf_counter()
        assistant.load()
        load_s = time.perf_counter() - t0
        questions = [item.question for item in load_dataset()][: args.questions]
        assistant.ask(questions[0])  # warm caches once; the measured runs are all warm
        timings = [assistant.ask(q).timings for q in questions]
    totals = [t["total"] for t in timings]
    report = {
        "machine": f"{_cpus()} cores, Python {sys.version.split()[0]}",
        "index_cold_new_process_s": round(cold, 2),
        "index_rebuild_new_process_s": round(rebuild, 2),
        "index_noop_reindex_new_process_s": round(noop, 2),
        "index_peak_rss_mib": round(cold_rss),
        "chunks": len(tokens),
        "chunk_tokens_min_median_max": [min(tokens), statistics.median(tokens), max(tokens)],
        "ask_one_question_new_process_s": round(one_ask, 2),
        "ask_new_process_peak_rss_mib": round(ask_rss),
        "assistant_load_s": round(load_s, 2),
        "warm_ask_questions": len(totals),
        "warm_ask_p50_s": round(statistics.median(totals), 4),
        "warm_ask_p95_s": round(_pct(totals, 0.95), 4),
        "warm_retrieve_p50_s": round(statistics.median(t["retrieve"] for t in timings), 4),
        "warm_answer_p50_s": round(statistics.median(t["answer"] for t in timings), 4),
        "bench_process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(report, indent=2))


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
