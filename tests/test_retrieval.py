"""Hybrid retrieval over the seed index: BM25 catches exact tokens, dense catches paraphrases, fusion keeps both."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rag.config import Settings
from rag.retrieval import HybridRetriever, Passage
from rag.store import ChunkStore

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.schema import NodeWithScore

# Queries found empirically against the 28 seed chunks (160/30 tokens) and the bundled MiniLM.
# Each gold chunk is identified by a sentence only it contains.

# A photo credit: BM25 ranks its chunk first on the rare tokens "AP" and "Photo"; MiniLM does not put
# that chunk in its top 12 (dense_k), because nothing else in the chunk is about photographs.
EXACT_QUERY = "AP Photo"
EXACT_GOLD = "(AP Photo/Nathan Howard)"

# A paraphrase of "the cross-border IDF-Hezbollah conflict" sharing no word with it (BM25 scores every
# chunk 0 for it); MiniLM ranks the gold chunk first.
PARAPHRASE_QUERY = "Will peace with the Lebanese militia follow?"
PARAPHRASE_GOLD = "diplomatic resolution to the cross-border IDF-Hezbollah conflict"


def _texts(nodes: list[NodeWithScore]) -> list[str]:
    return [n.node.get_content() for n in nodes]


def _has(texts: list[str], gold: str) -> bool:
    return any(gold in text for text in texts)


def _fused_texts(passages: list[Passage]) -> list[str]:
    return [p.chunk.text for p in passages]


@pytest.fixture(scope="module")
def retriever(seed_settings: Settings, embedder: BaseEmbedding) -> HybridRetriever:
    return HybridRetriever(ChunkStore(seed_settings), embedder, seed_settings)


@pytest.fixture(scope="module")
def narrow_retriever(seed_settings: Settings, embedder: BaseEmbedding) -> HybridRetriever:
    # With the default dense_k=12 each side returns 12 of the 28 chunks, and BM25 pads its list
    # with zero-score chunks, so a paraphrase can never be a BM25 "miss". dense_k=3 (which also
    # caps BM25 at 3) makes one possible; top_k=6 leaves room for both sides' candidates.
    narrow = seed_settings.replace(dense_k=3, top_k=6)
    return HybridRetriever(ChunkStore(narrow), embedder, narrow)


def test_the_seed_index_has_every_chunk(retriever: HybridRetriever) -> None:
    assert retriever.chunk_count == 28


def test_exact_token_query_found_only_by_bm25_survives_fusion(retriever: HybridRetriever) -> None:
    bm25 = _texts(retriever.bm25.retrieve(EXACT_QUERY))
    dense = _texts(retriever.dense.retrieve(EXACT_QUERY))
    fused = _fused_texts(retriever.retrieve(EXACT_QUERY))

    assert EXACT_GOLD in bm25[0]
    assert len(dense) == 12
    assert not _has(dense, EXACT_GOLD)
    assert _has(fused, EXACT_GOLD)


def test_paraphrase_found_only_by_dense_survives_fusion(narrow_retriever: HybridRetriever) -> None:
    dense = _texts(narrow_retriever.dense.retrieve(PARAPHRASE_QUERY))
    bm25 = _texts(narrow_retriever.bm25.retrieve(PARAPHRASE_QUERY))
    fused = _fused_texts(narrow_retriever.retrieve(PARAPHRASE_QUERY))

    assert PARAPHRASE_GOLD in dense[0]
    assert not _has(bm25, PARAPHRASE_GOLD)
    assert _has(fused, PARAPHRASE_GOLD)


def test_passages_are_ranked_exact_slices_of_their_articles(
    retriever: HybridRetriever, seed_settings: Settings
) -> None:
    passages = retriever.retrieve("How many Palestinian prisoners would be freed?")
    records = ChunkStore(seed_settings).documents()

    assert len(passages) == seed_settings.top_k
    assert [p.rank for p in passages] == list(range(1, seed_settings.top_k + 1))
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for passage in passages:
        chunk = passage.chunk
        assert records[chunk.source].text[chunk.start : chunk.end] == chunk.text
        assert chunk.doc_hash == records[chunk.source].doc_hash


def test_dense_top_hit_for_a_paraphrase_survives_fusion_with_default_settings(retriever: HybridRetriever) -> None:
    assert PARAPHRASE_GOLD in _texts(retriever.dense.retrieve(PARAPHRASE_QUERY))[0]

    assert _has(_fused_texts(retriever.retrieve(PARAPHRASE_QUERY)), PARAPHRASE_GOLD)


def test_bm25_side_returns_only_chunks_that_match_a_query_word(retriever: HybridRetriever) -> None:
    results = retriever.bm25.retrieve("Hamdan")

    assert all("Hamdan" in n.node.get_content() for n in results)


def test_a_passage_runs_on_past_its_chunk_into_the_quote_after_a_claim(retriever: HybridRetriever) -> None:
    # In the seed article the claim ("Kirby claims … progress was made") ends one chunk and his quote
    # ("“There has been progress made …,” he says") is three sentences into the next.
    passages = retriever.retrieve("What did John Kirby say about how the Cairo negotiations were going?")
    claim = next(p for p in passages if "Kirby claims in a briefing" in p.chunk.text)

    assert "work toward implementation,” he says" in claim.chunk.text
    assert claim.chunk.text.endswith((".", "”"))  # whole sentences only


def test_article_texts_for_run_on_are_read_once_and_kept_within_a_bound(
    seed_settings: Settings, embedder: BaseEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ChunkStore(seed_settings)
    reads: list[list[str]] = []
    read_texts = store.texts

    def counted(sources: list[str]) -> dict[str, str]:  # the real read, counted
        reads.append(sources)
        return read_texts(sources)

    monkeypatch.setattr(store, "texts", counted)
    retriever = HybridRetriever(store, embedder, seed_settings)
    question = "What did John Kirby say about how the Cairo negotiations were going?"
    first = retriever.retrieve(question)
    again = retriever.retrieve(question)

    assert first == again and len(reads) == 1  # the second question read no article
    longest = max(len(t) for t in retriever._texts.values())
    monkeypatch.setattr("rag.retrieval.RUN_ON_CACHE_CHARS", longest + 1)
    before = set(retriever._texts)
    other = retriever.retrieve("Which countries mediate between Israel and Hamas, with US support?")
    assert len(reads) == 2  # articles not kept yet are read
    assert retriever._cached_chars == sum(len(t) for t in retriever._texts.values()) <= longest + 1
    assert before - set(retriever._texts)  # the least recently used went out
    assert other == retriever.retrieve("Which countries mediate between Israel and Hamas, with US support?")
