"""What the model sees: a few numbered source passages, the question, and short rules.

Small CPU models slow down and drift with long contexts, so the sources are the best
sentences (with the sentence before each, which usually names who is speaking), not
whole chunks, cut to a token budget. The rules sit in a fixed system message, which the
llama.cpp server keeps in its prompt cache between questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer import ABSTAIN_TEXT
from rag.chunking import Chunk, count_tokens
from rag.extractive import Candidate
from rag.sentences import sentence_spans

MAX_SOURCES = 6
RELATIVE_FLOOR = 0.6  # a source sentence must score at least this share of the best one

# Measured on the dev split (both models): naming an exact abstention phrase made them
# answer it to most answerable questions (1.5B: 8 of 27 correct); asking them to
# "say so" keeps abstention possible without inviting it (19 of 27).
SYSTEM_PROMPT = (
    "Answer the question in one to three short sentences, using only facts from the numbered sources. "
    "End each sentence with the number of the source it comes from, like [1]. "
    "Keep who said what exactly as in the sources. If the sources do not contain the answer, say so."
)


@dataclass(frozen=True)
class Source:
    """A numbered passage: a contiguous span of one chunk, `text == chunk.text[local_start:local_end]`."""

    n: int
    chunk: Chunk
    local_start: int
    local_end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.local_start : self.local_end]

    @property
    def start(self) -> int:
        return self.chunk.start + self.local_start

    @property
    def end(self) -> int:
        return self.chunk.start + self.local_end


def select_sources(ranked: list[Candidate], budget_tokens: int, max_sources: int = MAX_SOURCES) -> list[Source]:
    """The best sentences, each with its predecessor, merged when they touch, within the budget."""
    if not ranked:
        return []
    floor = RELATIVE_FLOOR * ranked[0].score
    windows: list[tuple[Chunk, int, int]] = []
    used = 0
    for cand in ranked:
        if len(windows) >= max_sources or (windows and cand.score < floor):
            break
        chunk = cand.passage.chunk
        local = cand.start - chunk.start
        spans = sentence_spans(chunk.text)
        index = next((i for i, s in enumerate(spans) if s.start <= local < s.end), None)
        if index is None:
            continue
        first = spans[index - 1] if index > 0 else spans[index]
        window = (chunk, first.start, spans[index].end)
        merged = _merge(windows, window)
        if merged is None:
            continue  # already inside a chosen window
        cost = sum(count_tokens(c.text[s:e]) for c, s, e in merged)
        if windows and cost > budget_tokens:
            # Try the bare sentence without its predecessor before giving up on it.
            bare = _merge(windows, (chunk, spans[index].start, spans[index].end))
            if bare is None or sum(count_tokens(c.text[s:e]) for c, s, e in bare) > budget_tokens:
                continue
            merged = bare
        windows = merged
        used = sum(count_tokens(c.text[s:e]) for c, s, e in windows)
        if used >= budget_tokens:
            break
    return [Source(i, chunk, s, e) for i, (chunk, s, e) in enumerate(windows, start=1)]


def _merge(windows: list[tuple[Chunk, int, int]], new: tuple[Chunk, int, int]) -> list[tuple[Chunk, int, int]] | None:
    """`windows` plus `new`, joined with every window of the same chunk it overlaps; None if nothing new."""
    chunk, start, end = new
    hits = [i for i, (c, s, e) in enumerate(windows) if c.chunk_id == chunk.chunk_id and start <= e and end >= s]
    if not hits:
        return [*windows, new]
    if any(windows[i][1] <= start and end <= windows[i][2] for i in hits):
        return None
    joined = (chunk, min(start, *(windows[i][1] for i in hits)), max(end, *(windows[i][2] for i in hits)))
    out = [w for i, w in enumerate(windows) if i not in hits[1:]]
    out[hits[0]] = joined
    return out


def build_messages(question: str, sources: list[Source]) -> list[tuple[str, str]]:
    lines = []
    for source in sources:
        dated = f"({source.chunk.date}) " if source.chunk.date else ""
        lines.append(f"[{source.n}] {dated}{' '.join(source.text.split())}")
    user = "Sources:\n" + "\n".join(lines) + f"\n\nQuestion: {question}"
    return [("system", SYSTEM_PROMPT), ("user", user)]


def prompt_tokens(messages: list[tuple[str, str]]) -> int:
    """cl100k count of the message texts: a model-independent size, comparable across backends."""
    return sum(count_tokens(content) for _, content in messages)


def citation_grammar(n_sources: int, max_sentences: int) -> str:
    """GBNF: either the abstention, or 1..max_sentences sentences each ending in valid [n] markers."""
    numbers = " | ".join(f'"{n}"' for n in range(1, n_sources + 1))
    more = max(0, max_sentences - 1)
    abstain = ABSTAIN_TEXT.replace('"', '\\"')
    return (
        f'root ::= "{abstain}" | sentence (" " sentence){{0,{more}}}\n'
        'sentence ::= [A-Z0-9"] [^\\[\\]\\n]{3,400} cite{1,3} "."?\n'
        'cite ::= " [" num "]"\n'
        f"num ::= {numbers}\n"
    )
