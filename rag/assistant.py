"""The one public entry point for answering: the CLI, the UI and the evals all go through here."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.answer import Answer, Retrieved
from rag.config import ANSWER_MODES, Settings
from rag.errors import BadInputError

if TYPE_CHECKING:
    from rag.extractive import ExtractiveAnswerer
    from rag.retrieval import HybridRetriever


class Assistant:
    """Loads the models and the index once, then answers questions with checkable citations.

    Thread-safe: one lock serialises answering, because the embedder and the BM25
    state are shared.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._retriever: HybridRetriever | None = None
        self._extractive: ExtractiveAnswerer | None = None
        self.load_seconds = 0.0

    def load(self) -> None:
        """Open the store and load the embedder (idempotent; `ask` calls it)."""
        if self._retriever is not None:
            return
        from rag.embedding import load_embedder
        from rag.extractive import ExtractiveAnswerer
        from rag.retrieval import HybridRetriever
        from rag.store import ChunkStore

        started = time.perf_counter()
        store = ChunkStore(self.settings)
        embedder = load_embedder(self.settings)
        self._retriever = HybridRetriever(store, embedder, self.settings)
        self._extractive = ExtractiveAnswerer(embedder, self.settings, self._retriever.vocabulary)
        self.load_seconds = time.perf_counter() - started

    def reload(self) -> None:
        """Pick up a changed index (after `rag index` or an upload)."""
        with self._lock:
            self._retriever = None
            self.load()

    def check_question(self, question: str) -> str:
        text = (question or "").strip()
        if not text:
            raise BadInputError("The question is empty: ask something about the articles.")
        if len(text) > self.settings.max_question_chars:
            raise BadInputError(
                f"The question is {len(text):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,} (RAG_MAX_QUESTION_CHARS). Shorten it."
            )
        return text

    def ask(self, question: str, mode: str | None = None) -> Answer:
        """Answer one question; `mode` overrides RAG_LLM for this question."""
        text = self.check_question(question)
        mode = mode or self.settings.llm
        if mode not in ANSWER_MODES:
            raise BadInputError(f"Unknown mode {mode!r}; choose one of {', '.join(ANSWER_MODES)}.")
        with self._lock:
            self.load()
            assert self._retriever is not None and self._extractive is not None
            t0 = time.perf_counter()
            passages = self._retriever.retrieve(text)
            t1 = time.perf_counter()
            answer = self._extractive.answer(text, passages)
            t2 = time.perf_counter()
        retrieved = [Retrieved(p.rank, p.chunk.chunk_id, p.chunk.source, round(p.score, 6)) for p in passages]
        timings = {"retrieve": round(t1 - t0, 4), "answer": round(t2 - t1, 4), "total": round(t2 - t0, 4)}
        return replace(answer, retrieved=retrieved, timings=timings)
