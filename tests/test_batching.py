"""The batched indexing pipeline stores exactly what article-at-a-time indexing stored, and one bad or
huge file never stops the others."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import rag.batching
from rag.chunking import chunk_article
from rag.config import Settings, load_settings
from rag.corpus import Article, load_article
from rag.embedding import embed_texts
from rag.indexing import index_paths
from rag.store import ChunkStore
from tests.conftest import SEEDS

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


def _without_writer(meta: dict[str, Any]) -> dict[str, Any]:
    """The run id is in the metadata twice: as a field and inside llama-index's node JSON."""
    node = json.loads(str(meta["_node_content"]))
    del node["metadata"]["writer"]
    return {k: v for k, v in meta.items() if k != "writer"} | {"_node_content": node}


def _contents(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every chunk (text, metadata, vector) and record (text, metadata) but the run-specific fields."""
    store = ChunkStore(settings)
    got = store.chunks.get(include=["documents", "metadatas", "embeddings"])
    chunks = {
        i: (text, _without_writer(meta), np.asarray(vector))
        for i, text, meta, vector in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], got["embeddings"], strict=True
        )
    }
    docs = store.docs.get(include=["documents", "metadatas"])
    records = {
        i: (text, {k: v for k, v in meta.items() if k != "indexed_at"})
        for i, text, meta in zip(docs["ids"], docs["documents"] or [], docs["metadatas"] or [], strict=True)
    }
    return chunks, records


def test_batched_indexing_stores_the_same_chunks_and_records_as_one_article_at_a_time(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    one_at_a_time = load_settings(env={}, index_dir=tmp_path / "one", index_batch=1)
    batched = load_settings(env={}, index_dir=tmp_path / "many")
    index_paths([SEEDS], one_at_a_time, progress=False, embedder=embedder)
    index_paths([SEEDS], batched, progress=False, embedder=embedder)

    chunks_one, records_one = _contents(one_at_a_time)
    chunks_many, records_many = _contents(batched)

    assert records_one == records_many
    assert chunks_one.keys() == chunks_many.keys()
    expected_ids = set()
    for path in sorted(SEEDS.glob("*.txt")):
        article = load_article(path)
        assert isinstance(article, Article)
        expected_ids |= {c.chunk_id for c in chunk_article(article, batched.chunk_size, batched.chunk_overlap)}
    assert set(chunks_many) == expected_ids
    for chunk_id, (text, meta, vector) in chunks_one.items():
        assert chunks_many[chunk_id][:2] == (text, meta)
        assert np.allclose(chunks_many[chunk_id][2], vector, atol=1e-5)  # padding differs with the batch


def test_embed_texts_matches_llama_index_and_embeds_a_repeated_text_once(embedder: BaseEmbedding) -> None:
    texts = ["The ferry sails at noon.", "Talks resumed in Doha on Thursday.", "The ferry sails at noon."]
    vectors = embed_texts(embedder, texts, 32)

    assert vectors[0] == vectors[2]
    assert np.allclose(vectors, embedder.get_text_embedding_batch(texts), atol=1e-5)


def test_a_file_over_the_limit_is_refused_by_name_and_the_others_are_indexed(
    tmp_path: Path, embedder: BaseEmbedding
) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "huge.txt").write_text("Padding words for a file that is too big. " * 30_000, encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "index", max_article_mb=1)

    report = index_paths([folder], settings, progress=False, embedder=embedder)

    assert len(report.added) == 5
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("huge.txt", "1.2 MB is over the 1 MB limit (RAG_MAX_ARTICLE_MB); split it")
    ]


def test_a_file_that_cannot_be_split_is_skipped_and_the_others_are_indexed(
    tmp_path: Path, embedder: BaseEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    def chunk_or_fail(article: Article, size: int, overlap: int) -> list:
        if article.source == "002_365f0bbd68a187a1.txt":
            raise TimeoutError("regex timed out")
        return chunk_article(article, size, overlap)

    monkeypatch.setattr(rag.batching, "chunk_article", chunk_or_fail)
    settings = load_settings(env={}, index_dir=tmp_path / "index")

    report = index_paths([SEEDS], settings, progress=False, embedder=embedder)

    assert len(report.added) == 4
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("002_365f0bbd68a187a1.txt", "could not be split (regex timed out)")
    ]
    assert "002_365f0bbd68a187a1.txt" not in ChunkStore(settings).documents()


def test_chunking_a_large_file_is_linear_in_its_size() -> None:
    """The content hash is computed once per article, not once per chunk (which made 3 MB take minutes)."""
    text = "Big file\n\n" + "\n\n".join(f"Paragraph {i} says the council met again today." for i in range(20_000))
    article = Article("big.txt", None, text, "Big file", "", 0)
    calls = 0
    real = Article.__dict__["doc_hash"].func

    def counting(self: Article) -> str:
        nonlocal calls
        calls += 1
        return real(self)

    Article.__dict__["doc_hash"].func = counting
    try:
        chunks = chunk_article(article, 160, 30)
    finally:
        Article.__dict__["doc_hash"].func = real
    assert len(chunks) > 100
    assert calls == 1
