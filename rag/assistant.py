"""The one public entry point for answering: the CLI, the UI and the evals all go through here."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.answer import Answer, Retrieved
from rag.config import LLM_SETTINGS, Settings
from rag.errors import BadInputError, StoreError
from rag.filters import ArticleFilter, allowed_articles, narrowed_to_named
from rag.freshness import INDEX_UPDATED, IndexWatch
from rag.llm_answerer import LLMAnswerer, Token
from rag.llm_backend import ChatBackend, LocalBackend, make_backend, resolve_mode
from rag.outlets import without_outlets
from rag.question import Question
from rag.retrieval import Passage
from rag.rewrite import standalone_question
from rag.words import is_utf8

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.extractive import ExtractiveAnswerer
    from rag.retrieval import HybridRetriever
    from rag.store import DocRecord
    from rag.token_match import TokenMatcher


# Answer again at most this often when an article changes under an answer; then give up and say so.
_ATTEMPTS = 3


class Assistant:
    """Loads the models and the index once, then answers questions with checkable citations.

    Thread-safe: one lock serialises answering, because the embedder and the BM25
    state are shared.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._answering = threading.Lock()
        self._backends: dict[str, ChatBackend] = {}
        self._embedder: BaseEmbedding | None = None
        self._retriever: HybridRetriever | None = None
        self._extractive: ExtractiveAnswerer | None = None
        self._watch: IndexWatch | None = None
        self._tokens: TokenMatcher | None = None
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
            from rag.evidence import EvidenceRanker
            from rag.extractive import ExtractiveAnswerer
            from rag.retrieval import HybridRetriever
            from rag.store import ChunkStore
            from rag.token_match import TokenMatcher

            started = time.perf_counter()
            store = ChunkStore(self.settings, fresh=True)  # not a cached copy older than another process's writes
            self._watch = IndexWatch(store)  # before the chunks are read: a commit meanwhile shows as a change
            # One token matcher for both stages: the question's one pass through the model gives the
            # retriever its query vector and the evidence stage its token vectors. Its cache is keyed by
            # text, so it outlives a reload.
            if self._tokens is None:
                self._tokens = TokenMatcher(self.embedder)
            tokens = self._tokens
            self._retriever = HybridRetriever(
                store, self.embedder, self.settings, self._watch.generation, query_vector=tokens.sentence_vector
            )
            retriever = self._retriever
            evidence = EvidenceRanker(self.embedder, self.settings, retriever.vocabulary, retriever.articles, tokens)
            self._extractive = ExtractiveAnswerer(evidence)
            self.load_seconds = time.perf_counter() - started

    def reload(self) -> None:
        """Pick up a changed index (after `rag index` or an upload); the models stay loaded.

        Waits for the question being answered, so no answer sees the retriever half-replaced.
        """
        with self._answering:
            self._reload()

    def _reload(self) -> None:
        with self._lock:
            self._retriever = None
            self.load()

    def _follow_index(self) -> bool:
        """Reload when another process changed the index since it was loaded; True if it did."""
        assert self._watch is not None
        if not self._watch.changed():
            return False
        self._reload()
        return True

    def check_question(self, question: str) -> str:
        text = (question or "").strip()
        if not text:
            raise BadInputError("The question is empty: ask something about the articles.")
        if not is_utf8(text):
            raise BadInputError("The question is not valid UTF-8 text: type it again, or re-save the file as UTF-8.")
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
        filters: ArticleFilter | None = None,
    ) -> Answer:
        """Answer one question; see `stream` for the arguments."""
        final: Answer | None = None
        for event in self.stream(question, history=history, mode=mode, top_k=top_k, filters=filters):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: Sequence[tuple[str, str]] | None = None,
        mode: str | None = None,
        top_k: int | None = None,
        filters: ArticleFilter | None = None,
    ) -> Iterator[Token | Answer]:
        """Yield the model's draft as `Token`s (LLM modes only), then one verified `Answer`.

        `history` is the conversation so far as (question, answer) pairs; in LLM modes a
        follow-up that refers back to it is rewritten into a standalone question first.
        `mode` ("extractive", "local", "hosted" or "auto") and `top_k` override the
        settings for this question only. `filters` (rag.filters) limits the articles it may be answered
        from; one that admits no article raises `BadInputError` saying so.
        """
        text = self.check_question(question)
        if mode is not None and mode not in LLM_SETTINGS:
            raise BadInputError(f"Unknown mode {mode!r}; choose one of {', '.join(LLM_SETTINGS)}.")
        if top_k is not None and top_k < 1:
            raise BadInputError("top_k must be at least 1.")
        resolved = resolve_mode(self.settings, mode)
        self.load()
        # A plain Lock, not the RLock: a UI may resume this generator on another thread.
        with self._answering:
            updated = self._follow_index()
            t0 = time.perf_counter()
            standalone, rewrite_note = standalone_question(
                lambda: self._backend(resolved), text, history or (), resolved
            )
            rewritten = time.perf_counter()
            for _ in range(_ATTEMPTS):
                assert self._retriever is not None and self._extractive is not None and self._watch is not None
                t1 = time.perf_counter()
                try:
                    passages = self._retrieve(standalone, top_k, filters)
                except StoreError:
                    if not self._watch.changed():
                        raise
                    self._reload()  # another process wrote since the check above; its chunks are not loaded
                    updated = True
                    continue
                t2 = time.perf_counter()
                final: Answer | None = None
                if resolved == "extractive":
                    final = self._extractive.answer(standalone, passages)
                else:
                    answerer = LLMAnswerer(self._backend(resolved), self._extractive, self.settings)
                    for event in answerer.stream(standalone, passages):
                        if isinstance(event, Answer):
                            final = event
                        else:
                            yield event
                assert final is not None
                if self._watch.quotes_hold(final):
                    break
                self._reload()  # an article changed while answering: answer again from the new text
                updated = True
            else:
                raise StoreError("The articles kept changing while this question was answered; ask again.")
            t3 = time.perf_counter()
        retrieved = [Retrieved(p.rank, p.chunk.chunk_id, p.chunk.source, round(p.score, 6)) for p in passages]
        timings = {
            "rewrite": round(rewritten - t0, 4),
            "retrieve": round(t2 - t1, 4),
            "answer": round(t3 - t2, 4),
            "total": round(t3 - t0, 4),
        }
        notices = [note for note in (INDEX_UPDATED if updated else "", rewrite_note) if note] + final.notices
        yield replace(
            final,
            question=text,
            standalone_question=standalone if standalone != text else "",
            retrieved=retrieved,
            timings=timings,
            notices=notices,
        )

    def search(self, query: str, top_k: int | None = None, filters: ArticleFilter | None = None) -> list[Passage]:
        """The fused top passages for `query`, best first, without answering: for callers (an agent through
        `rag mcp`) that read the sources themselves. Follows the index like `stream`."""
        text = self.check_question(query)
        if top_k is not None and top_k < 1:
            raise BadInputError("top_k must be at least 1.")
        self.load()
        with self._answering:
            self._follow_index()
            assert self._retriever is not None
            return self._retriever.retrieve(text, top_k, allowed=self._allowed(filters))

    def articles(self, sources: Iterable[str] | None = None, with_text: bool = True) -> dict[str, DocRecord]:
        """The indexed articles' records (those named in `sources`, when given): provenance and whole text,
        for views that show or export articles."""
        from rag.store import ChunkStore

        chosen = None if sources is None else sorted(set(sources))
        return ChunkStore(self.settings).documents(chosen, with_text=with_text)

    def _retrieve(self, question: str, top_k: int | None, filters: ArticleFilter | None = None) -> list[Passage]:
        """The question's passages, plus those of the articles its date or outlet names and of each
        of its clauses: what the evidence stage will need to answer every part. Only from the articles
        the filters allow and, within them, those the question names as reports ("the NYT report")."""
        assert self._retriever is not None and self._extractive is not None
        parsed = self._extractive.evidence.parse(question)
        asked = self._extractive.evidence.articles_asked_for(parsed)
        allowed = self._allowed(filters, parsed)
        _, groups = self._extractive.evidence.report_targets(parsed)
        return self._retriever.retrieve(
            question,
            top_k,
            within=asked,
            also=parsed.clauses,
            across=parsed.across,
            allowed=allowed,
            groups=groups,
            group_query=without_outlets(question, parsed.outlets),
        )

    def check_filters(self, filters: ArticleFilter | None) -> None:
        """Raise `BadInputError` now when the filters admit no indexed article (a server checks before it
        starts a stream)."""
        self._allowed(filters)

    def _allowed(self, filters: ArticleFilter | None, question: Question | None = None) -> set[str] | None:
        """The articles this question may be answered from (None: all)."""
        # The retriever's catalog when loaded: in memory, where reading every record from Chroma on each
        # question costs seconds at 100,000 chunks; it is of the same index generation as the retriever.
        catalog = self._retriever.articles if self._retriever is not None else None
        if catalog is not None:
            metas = catalog.metadata()
        else:
            metas = {s: r.meta for s, r in self.articles(with_text=False).items()}
        allowed = allowed_articles(metas, filters or ArticleFilter())
        if question is None:
            return allowed
        return narrowed_to_named(allowed, metas, question, catalog.reports_of if catalog is not None else None)

    def _backend(self, mode: str) -> ChatBackend:
        with self._lock:
            if mode not in self._backends:
                self._backends[mode] = make_backend(mode, self.settings)
            return self._backends[mode]

    def warm_up(self, mode: str | None = None) -> None:
        """Load the index and, for the local model, start its server now rather than on the first question."""
        self.load()
        resolved = resolve_mode(self.settings, mode)
        backend = self._backend(resolved) if resolved != "extractive" else None
        if isinstance(backend, LocalBackend):
            backend.start()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop what this assistant started (the local model server)."""
        with self._lock:
            for backend in self._backends.values():
                backend.close()
            self._backends.clear()
