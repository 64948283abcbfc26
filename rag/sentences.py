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


# Punkt's learned English abbreviations miss these, and news text is full of them:
# without them "the new U.S. proposal" is cut into two "sentences".
_ABBREVIATIONS = {
    "u.s", "u.n", "u.k", "e.u", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sen", "rep", "gov",
    "st", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "no", "vs", "approx",
}  # fmt: skip


@cache
def _punkt() -> Any:
    """A private copy of llama-index's bundled punkt model, taught the abbreviations above."""
    import copy

    from llama_index.core.utils import globals_helper

    tokenizer = copy.deepcopy(globals_helper.punkt_tokenizer)
    tokenizer._params.abbrev_types.update(_ABBREVIATIONS)
    return tokenizer


def split_keeping_whitespace(text: str) -> list[str]:
    """For SentenceSplitter(chunking_tokenizer_fn=...): chunk edges match our sentence edges."""
    from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer_internal

    return split_by_sentence_tokenizer_internal(text, _punkt())


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
