"""Answers are data: the CLI, the UI and the evals render or score this, never a pre-formatted string.

`Answer.to_dict()` is the JSON schema documented in the README (`rag ask --json`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.chunking import Chunk

ABSTAIN_TEXT = "The sources don't say."
_MARKER = re.compile(r"\[(\s*\d+(?:\s*,\s*\d+)*\s*)\]")


def as_quoted_text(text: str) -> str:
    """Source text as it appears inside an answer or a prompt: whitespace collapsed, and any
    "[2]" the article itself contains written "(2)", so document text can never become a
    citation marker (the citation's `quote` keeps the exact text)."""
    return _MARKER.sub(r"(\1)", " ".join(text.split()))


@dataclass(frozen=True)
class Citation:
    """One cited sentence: `quote == source_text[start:end]` and it lies inside `text` (the chunk)."""

    n: int
    source: str
    title: str
    date: str
    chunk_id: str
    text: str
    quote: str
    start: int
    end: int
    outlet: str = ""


def cite(n: int, chunk: Chunk, start: int, end: int) -> Citation:
    """Citation `n` of the article span [start, end), which must lie inside `chunk`."""
    return Citation(
        n=n,
        source=chunk.source,
        title=chunk.title,
        date=chunk.date,
        chunk_id=chunk.chunk_id,
        text=chunk.text,
        quote=chunk.text[start - chunk.start : end - chunk.start],
        start=start,
        end=end,
        outlet=chunk.outlet,
    )


@dataclass(frozen=True)
class Retrieved:
    """A passage the retriever returned, in rank order."""

    rank: int
    chunk_id: str
    source: str
    score: float


@dataclass(frozen=True)
class SentenceCheck:
    """What verification found for one sentence the model wrote.

    `status`: supported (as cited), repointed (a wrong or missing citation replaced by
    the source that supports it), dropped (nothing given supports it; not shown).
    `model_cited` uses the prompt's source numbers; `cited` the final answer's.
    """

    sentence: str
    status: str
    cited: list[int]
    model_cited: list[int]
    reason: str = ""


@dataclass
class Answer:
    """A grounded answer: every answer sentence ends with the [n] of a citation below."""

    question: str
    answer: str
    abstained: bool
    mode: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Retrieved] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    evidence_score: float = 0.0
    # LLM modes only: the model's raw text, what verification did to each sentence, the
    # question actually retrieved for (follow-ups are rewritten), and token usage.
    draft: str = ""
    checks: list[SentenceCheck] = field(default_factory=list)
    standalone_question: str = ""
    model: str = ""
    usage: dict[str, float] = field(default_factory=dict)
    fallback: str = ""  # why an LLM answer was replaced by the extractive one, "" if it was not

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
