"""An answer exported as Markdown: footnotes carry quote, title, outlet, date (marked when inferred), file, offsets."""

from __future__ import annotations

from rag.answer import Answer, Citation
from rag.export import mode_line, to_markdown
from rag.metadata import ArticleMeta

QUOTE = "Miller said talks go on."


def _answer(text: str) -> Answer:
    citation = Citation(
        1, "doc.txt", "Talks go on", "2024-08-20", "c1", QUOTE, QUOTE, 40, 40 + len(QUOTE), "The Ledger"
    )
    return Answer("What did Miller say?", text, False, "extractive", [citation], timings={"total": 0.25})


def test_markdown_export_puts_each_source_in_a_footnote_with_its_provenance() -> None:
    meta = ArticleMeta("Talks go on", "The Ledger", "", "2024-08-20", inferred=("date",))
    exported = to_markdown(_answer(f"{QUOTE} [1]"), {"doc.txt": meta})
    assert exported.splitlines()[:3] == ["**Q:** What did Miller say?", "", f"{QUOTE} [^1]"]
    assert "*Answered by: Extractive (quotes the articles) · 0.25 s*" in exported
    assert exported.rstrip().endswith(
        f"[^1]: “{QUOTE}” — *Talks go on*, The Ledger, 2024-08-20 (inferred). `doc.txt`, characters 40–64."
    )


def test_a_marker_repeated_on_one_claim_is_exported_once() -> None:
    assert "on. [^1] And" in to_markdown(_answer(f"{QUOTE} [1] [1] And more [1]"))


def test_the_mode_line_names_the_model_and_a_fallback() -> None:
    answer = _answer("x [1]")
    answer.mode, answer.model, answer.fallback = "local", "qwen2.5-coder-0.5b", "timeout"
    assert mode_line(answer) == (
        "Local LLM qwen2.5-coder-0.5b (the LLM's answer was replaced by the extractive one) · 0.25 s"
    )
