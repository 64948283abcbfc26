"""bench/llm.py's numbers as tables: latency and prompt size per pipeline, then accuracy by question type.

Cells are p50 / p95 per question; "correct" uses evals.metrics.answer_correct, so an unanswerable
question is right only when abstained on.
"""

from __future__ import annotations

import os
import platform
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

# The targets (p50 seconds on 2 cores, ours with the model called): time to first token, total.
TARGETS = {"qwen2.5-coder-1.5b": (3.0, 6.0), "qwen2.5-coder-0.5b": (1.5, 3.0)}
PACKAGES = ("xllamacpp", "llama-index-core", "llama-index-llms-openai-like", "chromadb")
STATS = (
    "prompt_tokens",
    "prompt_tokens_cl100k",
    "cached_prompt_tokens",
    "ttft_s",
    "total_s",
    "tokens_per_second",
    "server_tokens_per_second",
)
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


def summarise(rows: list[dict[str, Any]], ttft_key: str = "ttft_s") -> dict[str, Any]:
    """Count correct answers and take p50/p95 of every timing and size."""
    from evals.metrics import percentile

    out: dict[str, Any] = {"n": len(rows), "correct": sum(r["correct"] for r in rows)}
    for stat in STATS:
        values = [r[ttft_key if stat == "ttft_s" else stat] for r in rows]
        present = [float(v) for v in values if v is not None]
        out[stat] = {"p50": percentile(present, 50), "p95": percentile(present, 95), "n": len(present)}
    return out


def by_type(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Correct per question type, abstentions on unanswerable ones, false abstentions on the others."""
    types: dict[str, list[int]] = {}
    for r in rows:
        cell = types.setdefault(r["type"], [0, 0])
        cell[0] += bool(r["correct"])
        cell[1] += 1
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    return {
        "types": {t: f"{c}/{n}" for t, (c, n) in sorted(types.items())},
        "answerable_correct": f"{sum(bool(r['correct']) for r in answerable)}/{len(answerable)}",
        "abstained_unanswerable": f"{sum(bool(r['abstained']) for r in unanswerable)}/{len(unanswerable)}",
        "abstained_answerable": f"{sum(bool(r['abstained']) for r in answerable)}/{len(answerable)}",
    }


def checks_of(rows: list[dict[str, Any]]) -> dict[str, int]:
    return dict(sum((Counter(r["checks"]) for r in rows), Counter()))


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


def type_table(report: dict[str, Any]) -> list[str]:
    """Accuracy by question type, abstention, and (ours) fallbacks and what verification did."""
    types = sorted(
        {t for run in report["runs"] for key in ("ours_by_type", "llama_index_by_type") for t in run[key]["types"]}
    )
    headers = [
        "model",
        "pipeline",
        *types,
        "answerable",
        "abstained (unanswerable)",
        "false abstentions",
        "fell back",
        "sentences kept / re-pointed / dropped",
    ]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for run in report["runs"]:
        for label, key in (("ours", "ours_by_type"), ("llama-index plain", "llama_index_by_type")):
            b = run[key]
            cells = [run["model"], label, *(b["types"].get(t, "–") for t in types)]
            cells += [b["answerable_correct"], b["abstained_unanswerable"], b["abstained_answerable"]]
            if label == "ours":
                c = run["ours_checks"]
                answered = run["ours_model_called"]["n"]
                cells += [
                    f"{run['ours_fallbacks']}/{answered}",
                    f"{c.get('supported', 0)} / {c.get('repointed', 0)} / {c.get('dropped', 0)}",
                ]
            else:
                cells += ["–", "–"]
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


def markdown(report: dict[str, Any], method: str) -> str:
    m, q = report["machine"], report["questions"]
    head = [
        "# Local LLM benchmark (bench/llm.py)",
        "",
        f"Command: `{report['command']}`  ",
        f"Date: {report['date']} (commit {report['commit']})  ",
        f"Machine: {m['nproc']} cores ({m['cpu']}), load average at start {m['load_average_at_start']}, "
        f"Python {m['python']}  ",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + "  ",
        f"Questions: {q['n']} spread evenly over the {q['split']} split ({q['unanswerable']} unanswerable): "
        + ", ".join(q["ids"]),
        "",
        "Warm-up question (unmeasured): "
        + ", ".join(f"{run['warm_up_question']} ({run['model']})" for run in report["runs"])
        + ". Cells are p50 / p95 per question.",
        "",
    ]
    method_lines = ["## How it was measured (from bench/llm.py)", "", "```text", method, "```", ""]
    body = [*table(report), "", *type_table(report), "", *notes(report), ""]
    return "\n".join([*head, *body, *method_lines])
