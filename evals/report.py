"""The report people look at: report.md, a self-contained report.html (charts inlined), and the terminal summary.

Both files are rendered from the same tables so they can never disagree.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.charts import draw_charts
from evals.metrics import must_include_hit
from evals.scoring import RETRIEVAL_KS, Row

SUMMARY_METRICS: tuple[tuple[str, str], ...] = (
    ("answer accuracy (answerable)", "answer_accuracy"),
    ("token F1 vs gold (answerable)", "token_f1"),
    ("correct incl. abstentions", "correct_overall"),
    ("abstention precision", "abstention_precision"),
    ("abstention recall", "abstention_recall"),
    ("false-abstention rate", "false_abstention_rate"),
    ("citation recall", "citation_recall"),
    ("citation precision", "citation_precision"),
    ("evidence hit", "evidence_hit"),
    *((f"retrieval hit@{k}", f"hit@{k}") for k in RETRIEVAL_KS),
    ("retrieval MRR", "mrr"),
    ("answer length (words)", "answer_words"),
)
LLM_METRICS = (
    ("questions sent to the LLM", "llm_questions"),
    ("prompt tokens p50 (model)", "prompt_tokens_p50"),
    ("prompt tokens p95 (model)", "prompt_tokens_p95"),
    ("prompt tokens p50 (cl100k)", "prompt_tokens_cl100k_p50"),
    ("first token p50 (s)", "first_token_p50"),
    ("fallback to extractive (rate)", "fallback_rate"),
    ("sentences written by the model", "sentences_written"),
    ("... supported as cited", "sentences_supported"),
    ("... re-pointed", "sentences_repointed"),
    ("... dropped", "sentences_dropped"),
)
READING_NOTES = (
    "Answer accuracy: every must_include fact present (normalised); unanswerable questions count as "
    "correct only when abstained ('correct incl. abstentions').",
    "Citation recall/precision follow ALCE with a cheap support proxy: numbers and names must appear "
    "in the cited text, then word overlap >= 0.6 or embedding cosine >= 0.7 (evals/metrics.py).",
    "Retrieval hit@k/MRR: a hit is a retrieved chunk containing a gold evidence sentence verbatim.",
    "Long answers game must_include accuracy: compare answer length and token F1 as well.",
)
Table = tuple[list[str], list[list[str]]]


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _columns(metrics: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, summary) for each system's dev, test and all, so splits always sit side by side."""
    columns = []
    for name, m in metrics["systems"].items():
        columns += [(f"{name} {split}", summary) for split, summary in m["by_split"].items()]
        columns.append((f"{name} all", m["overall"]))
    return columns


def summary(metrics: Mapping[str, Any]) -> Table:
    columns = _columns(metrics)
    rows = [["questions", *[str(s["questions"]) for _, s in columns]]]
    for label, key in SUMMARY_METRICS:
        digits = 0 if key == "answer_words" else 2
        rows.append([label, *[fmt(s[key], digits) for _, s in columns]])
    for label, key in LLM_METRICS:
        values = [s.get(key) for _, s in columns]
        if any(v is not None for v in values):
            rows.append([label, *[fmt(v, 2 if isinstance(v, float) and v < 10 else 0) for v in values]])
    for stage in ("rewrite", "retrieve", "answer", "total"):
        if not any(stage in s["latency"] for _, s in columns):
            continue
        for q in ("p50", "p95"):
            rows.append([f"latency {stage} {q} (ms)", *[_ms(s["latency"], stage, q) for _, s in columns]])
    return ["metric", *[label for label, _ in columns]], rows


def _ms(latency: Mapping[str, Any], stage: str, q: str) -> str:
    value = latency.get(stage, {}).get(q)
    return "n/a" if value is None else f"{value * 1000:.0f}"


def by_type(metrics: Mapping[str, Any]) -> Table:
    systems = metrics["systems"]
    types = list(next(iter(systems.values()))["by_type"])
    headers = ["type", "n", *[f"{name} correct" for name in systems], *[f"{name} F1" for name in systems]]
    rows = []
    for t in types:
        first = next(iter(systems.values()))["by_type"][t]
        rows.append(
            [
                t,
                str(first["questions"]),
                *[fmt(m["by_type"][t]["correct_overall"]) for m in systems.values()],
                *[fmt(m["by_type"][t]["token_f1"]) for m in systems.values()],
            ]
        )
    return headers, rows


def failures(rows: Sequence[Row]) -> Table:
    """Every question answered wrongly: what was expected and what came back."""
    table = []
    for r in rows:
        if r["scores"]["correct"]:
            continue
        if r["type"] == "unanswerable":
            expected = "abstain (the articles do not say)"
        else:
            expected = f"{r['gold_answer']} — must include: {_facts(r['must_include'])}"
        got = "(abstained) " + "; ".join(r["notices"]) if r["abstained"] else _clip(r["answer"], 320)
        missing = [f for f in r["must_include"] if not r["abstained"] and not must_include_hit(r["answer"], [f])]
        table.append([r["id"], r["split"], r["type"], r["question"], expected, got, _facts(missing)])
    return ["id", "split", "type", "question", "expected", "got", "missing facts"], table


def _facts(must_include: Sequence[Any]) -> str:
    return ", ".join(f if isinstance(f, str) else " / ".join(f) for f in must_include)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_table(metrics: Mapping[str, Any]) -> str:
    """Fixed-width text for the terminal."""
    headers, rows = summary(metrics)
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])
        for row in [headers, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    notes = [f"{split}: {note}" for split, note in metrics["splits"].items()]
    return "\n".join([*lines, "", *notes])


def _md_table(table: Table) -> str:
    headers, rows = table

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(table: Table) -> str:
    headers, rows = table
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


Charts = dict[str, Path]
Section = tuple[str, Table | str | Charts]


def _sections(metrics: Mapping[str, Any], rows: Mapping[str, Sequence[Row]], charts: Charts) -> list[Section]:
    run = metrics["run"]
    intro = (
        f"Dataset {run['dataset']}, {run['questions']} questions (split: {run['split']}), "
        f"corpus {run['corpus'] or 'the index at ' + str(run['settings']['index_dir'])}, mode {run['mode']}, "
        f"run started {run['started']}. " + " ".join(f"{split}: {note}." for split, note in metrics["splits"].items())
    )
    sections: list[Section] = [
        ("", intro),
        ("Summary", summary(metrics)),
        ("How to read it", " ".join(READING_NOTES)),
        ("Charts", charts),
        ("Correct answers by question type (all splits)", by_type(metrics)),
    ]
    for name, system_rows in rows.items():
        table = failures(system_rows)
        sections.append((f"Failed questions: {name} ({len(table[1])} of {len(system_rows)})", table))
    return sections


def _markdown(content: Table | str | Charts) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return "\n\n".join(f"![{title}]({path.name})" for title, path in content.items())
    return _md_table(content)


def _html(content: Table | str | Charts) -> str:
    if isinstance(content, str):
        return f"<p>{html.escape(content)}</p>"
    if isinstance(content, dict):
        return "\n".join(
            f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{_b64(path)}"></figure>'
            for title, path in content.items()
        )
    return _html_table(content)


def write_report(out_dir: Path, metrics: Mapping[str, Any], rows: Mapping[str, Sequence[Row]]) -> list[Path]:
    """Charts as PNG files, report.md linking them, report.html embedding them as base64."""
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = draw_charts(out_dir, metrics, rows)
    md = ["# Evaluation report", ""]
    page = ["<h1>Evaluation report</h1>"]
    for title, content in _sections(metrics, rows, charts):
        if title:
            md += [f"## {title}", ""]
            page.append(f"<h2>{html.escape(title)}</h2>")
        md += [_markdown(content), ""]
        page.append(_html(content))
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")
    (out_dir / "report.html").write_text(_HTML.format(body="\n".join(page)), encoding="utf-8")
    return [out_dir / "report.md", out_dir / "report.html", *charts.values()]


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 75rem; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }}
th {{ background: #f3f3f3; }}
tbody tr:nth-child(even) {{ background: #fafafa; }}
img {{ max-width: 100%; }}
</style></head>
<body>
{body}
</body></html>
"""
