"""The one public entry point for answering: the CLI, the UI and the evals all go through here."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.answer import Answer, Retrieved
from rag.config import ANSWER_MODES, Settings
from rag.errors import BadInputError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.extractive import ExtractiveAnswerer
    from rag.retrieval import HybridRetriever


class Assistant:
    """Loads the models and the index once, then answers questions with checkable citations.

    Thread-safe: one lock serialises answering, because the embedder and the BM25
    state are shared.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._embedder: BaseEmbedding | None = None
        self._retriever: HybridRetriever | None = None
        self._extractive: ExtractiveAnswerer | None = None
        self.load_seconds = 0.0

    @property
    def embedder(self) -> BaseEmbedding:
        """The loaded embedding model, for callers that index (the UI's uploads) without a second copy."""
        with self._lock:
            if self._embedder is None:
                from rag.embedding import load_embedder

                self._embedder = load_embedder(self.settings)
            return self._embedder

    def load(self) -> None:
        """Open the store and load the models once (idempotent; `ask` calls it)."""
        with self._lock:
            if self._retriever is not None:
                return
            from rag.extractive import ExtractiveAnswerer
            from rag.retrieval import HybridRetriever
            from rag.store import ChunkStore

            started = time.perf_counter()
            store = ChunkStore(self.settings)
            self._retriever = HybridRetriever(store, self.embedder, self.settings)
            self._extractive = ExtractiveAnswerer(self.embedder, self.settings, self._retriever.vocabulary)
            self.load_seconds = time.perf_counter() - started

    def reload(self) -> None:
        """Pick up a changed index (after `rag index` or an upload); the models stay loaded."""
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

    def ask(
        self,
        question: str,
        history: Sequence[tuple[str, str]] | None = None,
        mode: str | None = None,
        top_k: int | None = None,
    ) -> Answer:
        """Answer one question.

        `history` is the conversation so far as (question, answer) pairs; the extractive mode
        answers each question on its own and ignores it (follow-up rewriting needs an LLM).
        `mode` and `top_k` override the settings for this question only.
        """
        text = self.check_question(question)
        mode = mode or self.settings.llm
        if mode not in ANSWER_MODES:
            raise BadInputError(f"Unknown mode {mode!r}; choose one of {', '.join(ANSWER_MODES)}.")
        if top_k is not None and top_k < 1:
            raise BadInputError("top_k must be at least 1.")
        with self._lock:
            self.load()
            assert self._retriever is not None and self._extractive is not None
            t0 = time.perf_counter()
            passages = self._retriever.retrieve(text, top_k)
            t1 = time.perf_counter()
            answer = self._extractive.answer(text, passages)
            t2 = time.perf_counter()
        retrieved = [Retrieved(p.rank, p.chunk.chunk_id, p.chunk.source, round(p.score, 6)) for p in passages]
        timings = {"retrieve": round(t1 - t0, 4), "answer": round(t2 - t1, 4), "total": round(t2 - t0, 4)}
        return replace(answer, retrieved=retrieved, timings=timings)
