"""The indexing pipeline's middle: chunk many articles, embed them in full batches, write them in large ones.

Why batches: on main each article was embedded and written on its own (about two chunks, two
Chroma writes and a generation bump per article), which ran at a third of the embedder's speed.
Here articles are chunked into a pending batch; when it holds `Settings.index_batch` chunks they are
embedded in one call and written with one `ChunkStore.put_many`, which keeps the commit point:
every chunk of the batch is written before the first article record names it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rag.chunking import Chunk, chunk_article
from rag.config import Settings
from rag.corpus import Article, Skipped
from rag.embedding import embed_texts, load_embedder
from rag.heap import release_free_memory
from rag.store import ChunkStore

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


@dataclass
class IndexReport:
    """What one indexing run did; the CLI prints it and tests assert on it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_written: int = 0
    chunks_reused: int = 0  # written with the embedding stored for the same text (metadata-only changes)
    orphans_repaired: int = 0
    total_chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def indexed_anything(self) -> bool:
        return bool(self.added or self.updated or self.unchanged)


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    updated: bool


class BatchWriter:
    """Collects chunked articles and writes them a batch at a time; records what it did in `report`."""

    def __init__(
        self, store: ChunkStore, settings: Settings, embedder: BaseEmbedding | None, report: IndexReport
    ) -> None:
        self.store, self.settings, self.embedder, self.report = store, settings, embedder, report
        self.pending: list[_Pending] = []
        self.pending_chunks = 0
        self.chunks_embedded = 0
        self.seconds = {"chunk": 0.0, "embed": 0.0, "store": 0.0}

    @property
    def full(self) -> bool:
        return self.pending_chunks >= self.settings.index_batch

    def add(self, article: Article, updated: bool) -> None:
        """Chunk one article into the pending batch; one that cannot be chunked is skipped, never fatal."""
        t0 = time.perf_counter()
        try:
            chunks = chunk_article(article, self.settings.chunk_size, self.settings.chunk_overlap)
        except Exception as exc:  # one bad file must not stop the others
            self.report.skipped.append(Skipped(article.path or article.source, f"could not be split ({exc})"))
            return
        finally:
            self.seconds["chunk"] += time.perf_counter() - t0
        self.pending.append(_Pending(article, chunks, updated))
        self.pending_chunks += len(chunks)

    def flush(self) -> None:
        """Embed and write every pending article, then commit their records (`ChunkStore.put_many`)."""
        if not self.pending:
            return
        t0 = time.perf_counter()
        texts = [chunk.text for item in self.pending for chunk in item.chunks]
        # An updated article's unchanged chunks keep their stored vectors: the same text, the same model.
        stored = self.store.stored_vectors([item.article.source for item in self.pending if item.updated])
        new = [t for t in dict.fromkeys(texts) if t not in stored]
        if new and self.embedder is None:
            self.embedder = load_embedder(self.settings)
        assert self.embedder is not None or not new
        embedded = (
            dict(zip(new, embed_texts(self.embedder, new, self.settings.embed_batch_size), strict=True)) if new else {}
        )
        vectors = [stored[t] if t in stored else embedded[t] for t in texts]
        self.report.chunks_reused += sum(t in stored for t in texts)
        t1 = time.perf_counter()
        items, at = [], 0
        for item in self.pending:
            items.append((item.article, item.chunks, vectors[at : at + len(item.chunks)]))
            at += len(item.chunks)
        self.store.put_many(items)
        self.seconds["embed"] += t1 - t0
        self.seconds["store"] += time.perf_counter() - t1
        for item in self.pending:
            (self.report.updated if item.updated else self.report.added).append(item.article.source)
        self.report.chunks_written += len(texts)
        self.chunks_embedded += len(texts)
        self.pending, self.pending_chunks = [], 0
        release_free_memory()  # the batch's tensors are freed; without this the process grows with every batch


class IndexProgress:
    """A tqdm bar over articles that shows chunks/s, so a run's speed reads against the embedder's."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.started = time.perf_counter()
        self.bar: Any = None

    def __enter__(self) -> IndexProgress:
        from tqdm import tqdm

        self.bar = tqdm(desc="Indexing", unit="article", total=self.total, disable=not self.enabled)
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.close()

    def article_done(self, chunks: int, count: int = 1) -> None:
        self.bar.update(count)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix_str(f"{chunks} chunks, {chunks / elapsed:.1f} chunks/s")

    def status(self, what: str) -> None:
        self.bar.set_postfix_str(what)
