"""Bring the store in line with files on disk and pages on the web: add new, replace changed, drop deleted
files, skip unchanged."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rag.batching import BatchWriter, IndexProgress, IndexReport
from rag.config import Settings
from rag.corpus import Article, Skipped, find_files, load_article
from rag.file_stamps import file_stamp
from rag.lexical import refresh_snapshot
from rag.store import ChunkStore, DocRecord
from rag.web_articles import UnchangedItem, web_articles
from rag.web_fetch import is_url
from rag.writing import index_writer

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


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
    report = IndexReport()
    if rebuild:
        store.reset()
    known = store.documents(with_text=False)
    report.orphans_repaired = store.repair(known)
    files, report.skipped = find_files(paths)
    seen: set[str] = set()
    stamps: dict[str, str] = {}
    pipeline = BatchWriter(store, settings, embedder, report)
    with IndexProgress(None if urls else len(files), enabled=progress) as bar:
        for loaded in _load_all(files, urls, settings, known):
            bar.article_done(pipeline.chunks_embedded)
            if isinstance(loaded, Skipped):
                report.skipped.append(_keeping_old_copy(loaded, known))
                continue
            if loaded.source in seen:
                file = loaded.path if isinstance(loaded, Article) else None
                what = "file named" if file else "page with the address"
                reason = f"another {what} {loaded.source} was indexed in this run"
                report.skipped.append(Skipped(file or loaded.source, reason))
                continue
            seen.add(loaded.source)
            if isinstance(loaded, UnchangedItem):
                report.unchanged.append(loaded.source)
                continue
            previous = known.get(loaded.source)
            if previous is not None and previous.doc_hash == loaded.doc_hash and previous.same_metadata(loaded):
                report.unchanged.append(loaded.source)
                if loaded.file_stamp and loaded.file_stamp != previous.file_stamp:
                    stamps[loaded.source] = loaded.file_stamp  # the next run need not read it
                continue
            pipeline.add(loaded, updated=previous is not None)
            if pipeline.full:
                bar.status("embedding")
                pipeline.flush()
        bar.status("embedding")
        pipeline.flush()
        bar.article_done(pipeline.chunks_embedded, count=0)
    store.set_file_stamps(stamps)
    report.removed = _remove_vanished(store, known, paths, seen)
    report.total_chunks = store.chunk_count()
    t0 = time.perf_counter()
    refresh_snapshot(store, settings)  # readers then load BM25 instead of rebuilding it
    pipeline.seconds["lexical"] = time.perf_counter() - t0
    report.seconds = {k: round(v, 3) for k, v in pipeline.seconds.items()}
    return report


def _keeping_old_copy(skipped: Skipped, known: dict) -> Skipped:
    """A file that fails now but was indexed before keeps its old copy: say so, or the user
    believes the index holds what the folder holds."""
    source = skipped.path.name if isinstance(skipped.path, Path) else skipped.path
    if source not in known:
        return skipped
    return Skipped(skipped.path, f"{skipped.reason}; the copy indexed earlier is kept (`rag remove {source}` drops it)")


def _load_all(
    files: list[Path], urls: list[str], settings: Settings, known: dict[str, DocRecord]
) -> Iterator[Article | Skipped | UnchangedItem]:
    """Files first, then web pages and feed items, one at a time (a feed's pages are fetched as they come)."""
    for path in files:
        # A file whose stamp is its record's is not read into an article again (rag.file_stamps).
        stamp = file_stamp(path) if path.name in known else ""
        if stamp and known[path.name].file_stamp == stamp:
            yield UnchangedItem(path.name)
            continue
        loaded = load_article(path, settings.max_article_mb)
        yield replace(loaded, file_stamp=stamp or file_stamp(path)) if isinstance(loaded, Article) else loaded
    if urls:
        yield from web_articles(urls, settings, {s: r.feed_stamp for s, r in known.items() if r.feed_stamp})


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
        missing = [source for source in sources if not store.remove(source)]
        refresh_snapshot(store, settings)
        return missing
