"""Sentence spans with exact offsets, so an answer can cite one sentence and point at it.

llama-index's punkt tokenizer (bundled NLTK data, no download) finds sentence ends, but
it joins a headline or sub-heading with the next paragraph when there is no full stop;
news text uses line breaks as hard boundaries, so we split lines first, then run punkt
within each line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@cache
def _punkt() -> Any:
    from llama_index.core.utils import globals_helper

    return globals_helper.punkt_tokenizer


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of the sentences in `text[start:end]`, as offsets into `text`, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    line_start = start
    for line in text[start:end].split("\n"):
        for s, e in _punkt().span_tokenize(line):
            piece = line[s:e]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if e - s - lead - trail > 0:
                spans.append(Span(line_start + s + lead, line_start + e - trail))
        line_start += len(line) + 1
    return spans
