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
    """Spans of the sentences in `text[start:end]`, as offsets into `text`, whitespace trimmed.

    A line break ends a sentence (headlines and sub-headings carry no full stop), except
    where the line plainly runs on: it ends in a comma, colon, semicolon or dash, or the
    next line starts in lower case. Scraped articles break sentences that way, and a
    sentence cut there would be quoted as half a thought.
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    for block_start, block_end in _logical_lines(text, start, end):
        block = text[block_start:block_end]
        for s, e in _punkt().span_tokenize(block):
            piece = block[s:e]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if e - s - lead - trail > 0:
                spans.append(Span(block_start + s + lead, block_start + e - trail))
    return spans


# A sentence cannot end on these: "had stopped briefly in\nPort Amaro" runs on although the next
# line starts with a capital. Only for a line of some length: a short headline may end anyhow.
_HANGING = {
    "a", "an", "the", "of", "in", "into", "on", "at", "to", "from", "by", "with", "for", "and", "or", "but",
    "nor", "that", "whose", "his", "her", "its", "their", "our", "was", "were", "is", "are", "had", "has",
    "have", "be", "been", "will", "would", "than", "as",
}  # fmt: skip


def _hangs(line: str) -> bool:
    words = line.split()
    return len(words) >= 8 and words[-1].lower() in _HANGING


def _logical_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line, with a line that runs on joined to the next non-blank one."""
    lines: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        if line.strip():
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    blocks: list[tuple[int, int]] = []
    for line_start, line_end in lines:
        if blocks:
            previous = text[blocks[-1][0] : blocks[-1][1]]
            following = text[line_start:line_end].lstrip()
            # A line with no letters ("-----") is a rule, not a sentence that runs on.
            ends_open = previous.rstrip()[-1:] in ",;:\u2014\u2013-" and any(c.isalpha() for c in previous)
            if ends_open or (previous.rstrip()[-1:].isalpha() and (following[:1].islower() or _hangs(previous))):
                blocks[-1] = (blocks[-1][0], line_end)
                continue
        blocks.append((line_start, line_end))
    return blocks
