"""Bring the store in line with files on disk and pages on the web: add new, replace changed, drop deleted
files, skip unchanged."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rag.chunking import chunk_article
from rag.config import Settings
from rag.corpus import Article, Skipped, find_files, load_article
from rag.embedding import load_embedder
from rag.store import ChunkStore, DocRecord
from rag.web_articles import UnchangedItem, web_articles
from rag.web_fetch import is_url
from rag.writing import index_writer

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
    orphans_repaired: int = 0
    total_chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def indexed_anything(self) -> bool:
        return bool(self.added or self.updated or self.unchanged)


def index_paths(
    paths: Sequence[Path | str],
    settings: Settings,
    rebuild: bool = False,
    progress: bool = True,
    embedder: BaseEmbedding | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index files, folders and http(s) URLs of pages or feeds; one that cannot be used is reported, never fatal.

    The whole run holds the index's write lock (`rag.writing`); `on_wait` hears when it
    has to wait for another run first.
    """
    urls = [str(p) for p in paths if isinstance(p, str) and is_url(p)]
    files = [Path(p) for p in paths if not (isinstance(p, str) and is_url(p))]
    started = time.perf_counter()
    with index_writer(settings, on_wait=on_wait) as store:
        report = _index_into(store, files, urls, settings, rebuild, progress, embedder)
    report.seconds["total"] = round(time.perf_counter() - started, 3)
    return report


def _index_into(
    store: ChunkStore,
    paths: list[Path],
    urls: list[str],
    settings: Settings,
    rebuild: bool,
    progress: bool,
    embedder: BaseEmbedding | None,
) -> IndexReport:
    from tqdm import tqdm

    report = IndexReport()
    if rebuild:
        store.reset()
    report.orphans_repaired = store.repair()
    files, report.skipped = find_files(paths)
    known = store.documents()
    seen: set[str] = set()
    embed_seconds = 0.0
    loaded_all = _load_all(files, urls, settings, known)
    bar = tqdm(loaded_all, desc="Indexing", unit="article", total=None if urls else len(files), disable=not progress)
    for loaded in bar:
        if isinstance(loaded, Skipped):
            report.skipped.append(loaded)
            continue
        if loaded.source in seen:
            file = loaded.path if isinstance(loaded, Article) else None
            what = "file named" if file else "page with the address"
            reason = f"another {what} {loaded.source} was indexed in this run"
            report.skipped.append(Skipped(file or loaded.source, reason))
            continue
        if isinstance(loaded, UnchangedItem):
            seen.add(loaded.source)
            report.unchanged.append(loaded.source)
            continue
        seen.add(loaded.source)
        previous = known.get(loaded.source)
        if previous is not None and previous.doc_hash == loaded.doc_hash and previous.same_metadata(loaded):
            report.unchanged.append(loaded.source)
            continue
        if embedder is None:
            bar.set_postfix_str("loading embedding model")
            embedder = load_embedder(settings)
        t0 = time.perf_counter()
        written = _index_article(store, embedder, loaded, settings)
        embed_seconds += time.perf_counter() - t0
        report.chunks_written += written
        (report.updated if previous is not None else report.added).append(loaded.source)
        bar.set_postfix(chunks=report.chunks_written)
    report.removed = _remove_vanished(store, known, paths, seen)
    report.total_chunks = store.chunk_count()
    report.seconds = {"chunk_embed_store": round(embed_seconds, 3)}
    return report


def _load_all(
    files: list[Path], urls: list[str], settings: Settings, known: dict[str, DocRecord]
) -> Iterator[Article | Skipped | UnchangedItem]:
    """Files first, then web pages and feed items, one at a time (a feed's pages are fetched as they come)."""
    for path in files:
        yield load_article(path, settings.max_article_mb)
    if urls:
        yield from web_articles(urls, settings, {s: r.feed_stamp for s, r in known.items() if r.feed_stamp})


def _index_article(store: ChunkStore, embedder: BaseEmbedding, article: Article, settings: Settings) -> int:
    chunks = chunk_article(article, settings.chunk_size, settings.chunk_overlap)
    vectors = embedder.get_text_embedding_batch([c.text for c in chunks])
    store.put(article, chunks, vectors)
    return len(chunks)


def _remove_vanished(store: ChunkStore, known: dict, paths: Sequence[Path], seen: set[str]) -> list[str]:
    """Articles whose file lived under an indexed folder (or was named) and is gone now."""
    # realpath, not resolve(): it never raises, even for a symlink loop given on the command line.
    roots = [Path(os.path.realpath(p)) for p in paths if p.is_dir() or not p.exists()]
    removed = []
    for source, record in known.items():
        if source in seen or not record.path:
            continue
        stored = Path(record.path)
        under_root = any(stored == root or root in stored.parents for root in roots)
        if under_root and not stored.exists():
            store.remove(source)
            removed.append(source)
    return removed


def remove_articles(
    sources: Sequence[str], settings: Settings, on_wait: Callable[[str], None] | None = None
) -> list[str]:
    """Remove named articles (holding the write lock); returns the names that were not in the index."""
    with index_writer(settings, create=False, on_wait=on_wait) as store:
        return [source for source in sources if not store.remove(source)]
