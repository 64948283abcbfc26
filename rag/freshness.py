"""Readers follow the index: notice another process's commits, and never quote text that has since changed.

Why: a long-lived assistant (the UI) loads the BM25 side of one index generation once
(`rag.lexical`). After `rag index` elsewhere it would answer from articles that no longer exist,
quote old sentences at offsets that now hold other text, and miss new articles. One get by
id per question compares the index generation (`rag.runs`) with the one loaded; after
answering, every quote is checked against the article text committed now, which also
catches a commit that lands while the question is being answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.chroma_client import store_failure

if TYPE_CHECKING:
    from rag.answer import Answer
    from rag.store import ChunkStore

INDEX_UPDATED = "Index updated: the articles changed since the last question; this answer reads them as they are now."


class IndexWatch:
    """The generation a loaded retriever reflects; read it before building the retriever."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.generation = self._read()

    def _read(self) -> str:
        try:
            return self.store.generation()
        except Exception as exc:
            raise store_failure(self.store.settings, exc) from exc

    def changed(self) -> bool:
        """Whether anything was committed or removed since this watch was made."""
        return self._read() != self.generation

    def quotes_hold(self, answer: Answer) -> bool:
        """Whether every citation's quote is still the committed text at its offsets."""
        if not answer.citations:
            return True
        try:
            texts = self.store.texts([c.source for c in answer.citations])
        except Exception as exc:
            raise store_failure(self.store.settings, exc) from exc
        return all(texts.get(c.source, "")[c.start : c.end] == c.quote for c in answer.citations)
