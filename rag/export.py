"""An answer as Markdown with footnotes: what an analyst pastes into a draft (`rag ask --format markdown`, the
web app's "copy with sources").

Each `[n]` becomes a footnote `[^n]` carrying the quote and where it comes from: title, outlet, date
(marked when inferred), file and character offsets, so a reader can check every sentence without
the app. The footnotes use the CommonMark-extension syntax that GitHub, Obsidian and pandoc render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rag.answer import Answer, Citation
from rag.metadata import ArticleMeta, shown

_MARKER = re.compile(r"\[(\d+)\]")
MODE_NAMES = {"extractive": "extractive (quotes the articles)", "local": "local LLM", "hosted": "hosted LLM"}


def mode_line(answer: Answer) -> str:
    """Which mode wrote the answer and how long it took: "Extractive (quotes the articles) · 0.2 s"."""
    name = MODE_NAMES.get(answer.mode, answer.mode)
    if answer.model and answer.mode != "extractive":
        name += f" {answer.model}"
    if answer.fallback:
        name += " (the LLM's answer was replaced by the extractive one)"
    total = answer.timings.get("total")
    took = "" if total is None else f" · {total:.2f} s" if total < 1 else f" · {total:.1f} s"
    return name[:1].upper() + name[1:] + took


def to_markdown(answer: Answer, articles: Mapping[str, ArticleMeta] | None = None) -> str:
    """The question, the answer with `[^n]` footnote markers, notices, the mode, and one footnote per citation.

    `articles` (source -> metadata) adds the outlet and the inferred marks; without it the
    citation's own title and date are used.
    """
    articles = articles or {}
    lines = [f"**Q:** {answer.question}", "", _MARKER.sub(r"[^\1]", _one_marker_per_claim(answer.answer))]
    lines += [f"> {note}" for note in answer.notices]
    lines += ["", f"*Answered by: {mode_line(answer)}*"]
    if answer.citations:
        lines.append("")
        lines += [footnote(c, articles.get(c.source)) for c in answer.citations]
    return "\n".join(lines) + "\n"


def footnote(citation: Citation, meta: ArticleMeta | None) -> str:
    c = citation
    meta = meta or ArticleMeta(title=c.title, outlet=c.outlet, date=c.date)
    title = shown(meta.title or c.title, "title", meta.inferred, missing="untitled")
    where = [f"*{title}*", shown(meta.outlet, "outlet", meta.inferred, missing="outlet unknown")]
    where.append(shown(meta.date, "date", meta.inferred, missing="date unknown"))
    quote = " ".join(c.quote.split())
    return f"[^{c.n}]: “{quote}” — {', '.join(where)}. `{c.source}`, characters {c.start}–{c.end}."


def _one_marker_per_claim(text: str) -> str:
    """ "… [1] [1]" reads as two sources: a marker repeated right after itself is dropped."""
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", text)
