"""The BM25 side persisted with the store: loaded from its snapshot it ranks exactly as rebuilt from Chroma,
and a snapshot of another generation is never used."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from rag import lexical
from rag.article_facts import ArticleCatalog, article_facts, write_catalog
from rag.chunking import Chunk
from rag.config import Settings
from rag.indexing import index_paths
from rag.lexical import open_lexical, refresh_snapshot, snapshot_root
from rag.nodes import chroma_metadata as _chroma_metadata
from rag.nodes import node_to_chunk
from rag.nodes import to_node as _to_node
from rag.outlets import is_report_of, same_outlet
from rag.relevance import outlet_words
from rag.retrieval import HybridRetriever
from rag.store import ChunkStore
from rag.words import mentions
from tests.conftest import SEEDS

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

QUERIES = [
    "How many Palestinian prisoners would be freed?",
    "Who led the high-level meeting in Doha?",
    "What did Miller say about the 90% figure?",
    "Philadelphi corridor Netanyahu demands",
    "ceasefire proposal Hamas response Egypt Qatar mediators",
]


@pytest.fixture
def index_copy(seed_settings: Settings, tmp_path: Path) -> Settings:
    """A writable copy of the seed index (with its snapshot)."""
    shutil.copytree(seed_settings.index_dir, tmp_path / "index")
    return seed_settings.replace(index_dir=tmp_path / "index")


def _ranked(retriever: HybridRetriever, query: str) -> list[tuple[str, float]]:
    return [(n.node.node_id, n.score or 0.0) for n in retriever.bm25.retrieve(query)]


def test_indexing_saves_a_snapshot_of_the_generation_it_committed(seed_settings: Settings) -> None:
    generation = ChunkStore(seed_settings).generation()
    assert (snapshot_root(seed_settings) / generation / "COMPLETE").is_file()
    assert [p.name for p in snapshot_root(seed_settings).iterdir()] == [generation]


def test_bm25_loaded_from_the_snapshot_ranks_exactly_as_rebuilt_from_chroma(
    index_copy: Settings, embedder: BaseEmbedding
) -> None:
    store = ChunkStore(index_copy)
    loaded = HybridRetriever(store, embedder, index_copy)
    assert loaded.lexical_built is False
    shutil.rmtree(snapshot_root(index_copy))
    rebuilt = HybridRetriever(store, embedder, index_copy)
    assert rebuilt.lexical_built is True

    for query in QUERIES:
        assert _ranked(loaded, query) == _ranked(rebuilt, query)
        assert [p.chunk for p in loaded.retrieve(query)] == [p.chunk for p in rebuilt.retrieve(query)]
    assert loaded.vocabulary == rebuilt.vocabulary
    assert loaded.chunk_count == rebuilt.chunk_count


def test_the_snapshot_built_a_page_at_a_time_ranks_as_llama_index_builds_it_from_every_node(
    index_copy: Settings,
) -> None:
    """build_snapshot does BM25Retriever's tokenising and indexing itself, on each node's text, so
    as never to hold every node: its ranking must be the library's, node for node, score for score."""
    import Stemmer
    from llama_index.retrievers.bm25 import BM25Retriever

    store = ChunkStore(index_copy)
    nodes = store.committed_nodes()
    library = BM25Retriever.from_defaults(
        nodes=nodes, stemmer=Stemmer.Stemmer("english"), language="english", similarity_top_k=len(nodes)
    )
    ours = lexical._load(snapshot_root(index_copy) / store.generation(), store.generation(), index_copy)
    assert ours is not None
    ours.bm25.similarity_top_k = len(nodes)
    for query in QUERIES:
        expected = [(n.node.node_id, n.score, n.node.get_content()) for n in library.retrieve(query)]
        got = [(n.node.node_id, n.score, n.node.get_content()) for n in ours.bm25.retrieve(query)]
        assert got == expected
        assert expected[0][1] > 0


def test_a_snapshot_of_another_generation_is_rebuilt_not_used(index_copy: Settings, tmp_path: Path) -> None:
    """A crash after the last commit and before the snapshot leaves the snapshot one generation behind."""
    store = ChunkStore(index_copy)
    old = store.generation()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Zanzibar ferry note\n\nThe Zanzibar ferry sails at noon.\n", encoding="utf-8")
    from rag.batching import BatchWriter, IndexReport
    from rag.corpus import Article, load_article

    article = load_article(extra / "note.txt")
    assert isinstance(article, Article)
    writer = BatchWriter(store, index_copy, None, IndexReport())
    writer.add(article, updated=False)
    writer.flush()  # committed, and the run "dies" before refresh_snapshot
    new = store.generation()
    assert new != old and not (snapshot_root(index_copy) / new).exists()

    side = open_lexical(store, new, index_copy)

    assert side.built is True
    assert any(n.node.metadata["source"] == "note.txt" for n in side.bm25.retrieve("Zanzibar ferry"))
    assert (snapshot_root(index_copy) / new / "COMPLETE").is_file()  # saved for the next reader
    assert open_lexical(store, new, index_copy).built is False


def test_a_damaged_snapshot_is_rebuilt(index_copy: Settings) -> None:
    store = ChunkStore(index_copy)
    generation = store.generation()
    (snapshot_root(index_copy) / generation / "versions.json").write_text("not json", encoding="utf-8")

    assert open_lexical(store, generation, index_copy).built is True


def test_reindexing_an_unchanged_corpus_writes_nothing_and_keeps_the_snapshot(
    index_copy: Settings, embedder: BaseEmbedding
) -> None:
    store = ChunkStore(index_copy)
    generation = store.generation()
    stamp = (snapshot_root(index_copy) / generation / "COMPLETE").stat().st_mtime_ns

    report = index_paths([SEEDS], index_copy, progress=False, embedder=embedder)

    assert report.chunks_written == 0 and len(report.unchanged) == 5
    assert ChunkStore(index_copy).generation() == generation  # no commit happened
    assert (snapshot_root(index_copy) / generation / "COMPLETE").stat().st_mtime_ns == stamp
    assert refresh_snapshot(ChunkStore(index_copy), index_copy) is False


def _chunk(source: str, text: str, title: str = "", date: str = "", outlet: str = "") -> Chunk:
    return Chunk(f"{source}-{len(text)}", source, "h", title, date, 0, len(text), text, 1, outlet=outlet)


def test_the_article_catalog_answers_as_the_in_memory_facts_did(tmp_path: Path) -> None:
    chunks = [
        _chunk("a.txt", "This article originally appeared in The New York Times.", "Talks stall", "2024-09-16"),
        _chunk("a.txt", "Officials from the U.S. said 90 percent was agreed.", "Talks stall", "2024-09-16"),
        _chunk("b.txt", "The Times of Israel reported that Hamas rejected it.", "Hamas rejects", ""),
        _chunk(
            "c.txt", "Nothing about outlets here, said Al-Jazeera's reporter.", "Al Jazeera: new round", "2024-08-02"
        ),
        # Stated metadata decides: this is the Times of Israel's, though its text quotes the New York Times.
        _chunk("d.txt", "As The New York Times reported, talks resumed.", "Talks resume", "", "The Times of Israel"),
    ]
    facts = dict(article_facts(chunks))
    write_catalog(tmp_path / "facts.sqlite", article_facts(chunks))
    catalog = ArticleCatalog(tmp_path / "facts.sqlite")

    assert all(catalog.get(s) == f for s, f in facts.items())
    assert catalog.get("missing.txt") is None
    assert catalog.date("a.txt") == "2024-09-16" and catalog.date("missing.txt") == ""
    for outlet in ("New York Times", "Times of Israel", "Al Jazeera", "Reuters", "times"):
        expected = {s for s, f in facts.items() if is_report_of(f.title, f.text, outlet, f.outlet)}
        assert catalog.reports_of(outlet) == expected
        words = outlet_words(outlet)
        expected = {
            s
            for s, f in facts.items()
            if (
                same_outlet(f.outlet, outlet)
                if f.outlet
                else mentions(f.title, outlet) or all(w in f.words for w in words)
            )
        }
        assert catalog.with_words(outlet, words, lambda title, o=outlet: mentions(title, o)) == expected
    assert "d.txt" in catalog.reports_of("Times of Israel") and "d.txt" not in catalog.reports_of("New York Times")
    assert catalog.dated(lambda d: d.startswith("2024-09")) == {"a.txt"}
    assert "US" in facts["a.txt"].words  # acronyms keep their case through the catalog


def test_dense_retrieval_skips_uncommitted_chunks_without_listing_every_version(
    index_copy: Settings, embedder: BaseEmbedding
) -> None:
    """Orphans exactly as near as the best chunks (copies under an uncommitted version) are never returned,
    and the committed top k comes back whole: the dense side filters after the query, not with a `$in`."""
    store = ChunkStore(index_copy)
    query = "How many Palestinian prisoners would be freed?"
    before = HybridRetriever(store, embedder, index_copy).dense.retrieve(query)
    got = store.chunks.get(ids=[n.node.node_id for n in before], include=["embeddings"])
    rng = np.random.default_rng(0)
    orphans = [  # 36 chunks of a crashed run, each a hair from one of the 12 best (exact copies upset HNSW)
        _to_node(
            dataclasses.replace(node_to_chunk(n.node), chunk_id=f"orphan-{copy}-{i}", doc_hash=f"crashed-{copy}"),
            list(vector + rng.normal(0, 1e-3, len(vector))),
        )
        for copy in range(3)
        for i, (n, vector) in enumerate(zip(before, got["embeddings"], strict=True))
    ]
    store.chunks.upsert(
        ids=[o.node_id for o in orphans],
        embeddings=[o.get_embedding() for o in orphans],
        documents=[o.get_content() for o in orphans],
        metadatas=[_chroma_metadata(o) for o in orphans],
    )

    after = HybridRetriever(ChunkStore(index_copy), embedder, index_copy).dense.retrieve(query)

    assert [n.node.node_id for n in after] == [n.node.node_id for n in before]
    assert len(after) == index_copy.dense_k


def _commit_note(settings: Settings, folder: Path) -> ChunkStore:
    """Commit one more small article without saving a snapshot: a new generation to save."""
    from rag.batching import BatchWriter, IndexReport
    from rag.corpus import Article, load_article

    folder.mkdir()
    (folder / "note.txt").write_text("Zanzibar ferry note\n\nThe Zanzibar ferry sails at noon.\n", encoding="utf-8")
    article = load_article(folder / "note.txt")
    assert isinstance(article, Article)
    store = ChunkStore(settings)
    writer = BatchWriter(store, settings, None, IndexReport())
    writer.add(article, updated=False)
    writer.flush()
    return store


def test_saving_a_snapshot_keeps_another_writers_build_in_progress(index_copy: Settings, tmp_path: Path) -> None:
    """Two writers at once: the one that finishes first must not delete the other's half-built snapshot."""
    root = snapshot_root(index_copy)
    in_progress = root / "tmp-otherwriter1"
    in_progress.mkdir(parents=True)
    crashed = root / "tmp-crashedlong"
    crashed.mkdir()
    os.utime(crashed, (time.time() - 7200, time.time() - 7200))
    store = _commit_note(index_copy, tmp_path / "extra")

    assert refresh_snapshot(store, index_copy) is True
    assert in_progress.is_dir() and not crashed.exists()


def test_a_snapshot_whose_folder_vanishes_mid_build_does_not_fail_the_run(
    index_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer removed the build folder: the articles are committed, the snapshot is only a cache."""
    store = _commit_note(index_copy, tmp_path / "extra")
    real_write = lexical.write_catalog

    def folder_gone(path: Path, facts: dict) -> None:  # what a concurrent prune does between two writes
        shutil.rmtree(path.parent)
        real_write(path, facts)

    monkeypatch.setattr(lexical, "write_catalog", folder_gone)
    assert refresh_snapshot(store, index_copy) is False
    monkeypatch.undo()
    assert open_lexical(store, store.generation(), index_copy).built is True  # a reader rebuilds it


def test_copies_of_servers_unused_for_a_week_are_dropped_and_nothing_else(tmp_path: Path) -> None:
    """A server's BM25 copy lives in newsrag's cache; servers come and go (a test's on a random port),
    so opening one marks its copy used and drops other servers' copies no process opened for a week."""
    cache = tmp_path / "lexical"
    mine, stale, recent, local = (cache / n for n in ("a@h-1", "a@h-2", "a@h-3", "a"))
    for folder in (mine, stale, recent, local):
        (folder / "gen").mkdir(parents=True)
    week_ago = time.time() - lexical.UNUSED_SERVER_COPY_S - 60
    for folder in (mine, stale, local):
        os.utime(folder, (week_ago, week_ago))

    lexical._prune_server_copies(mine)

    assert sorted(p.name for p in cache.iterdir()) == ["a", "a@h-1", "a@h-3"]
    assert time.time() - mine.stat().st_mtime < 60
