"""Answers are data: the CLI, the UI and the evals render or score this, never a pre-formatted string.

`Answer.to_dict()` is the JSON schema documented in the README (`rag ask --json`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ABSTAIN_TEXT = "The sources don't say."


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


@dataclass(frozen=True)
class Retrieved:
    """A passage the retriever returned, in rank order."""

    rank: int
    chunk_id: str
    source: str
    score: float


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
