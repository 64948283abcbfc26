"""Hybrid retrieval: dense (Chroma) and BM25 (stemmed), fused by reciprocal rank.

Dense finds paraphrases; BM25 finds rare names and exact numbers that MiniLM blurs.
The BM25 side is rebuilt from the committed chunks in Chroma whenever the retriever is
built, so the two sides always see the same articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.chroma_client import store_failure
from rag.chunking import Chunk
from rag.config import Settings
from rag.errors import StoreError
from rag.store import ChunkStore, node_to_chunk
from rag.words import vocabulary

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# A question whose date or outlet names a few articles also reads their closest chunks; one that
# matches more ("in 2024") narrows nothing worth the extra queries.
MAX_ASKED_ARTICLES = 3
PER_ASKED_ARTICLE = 2
PER_ACROSS_ARTICLE = 4  # a question across articles reads more of each: its answer may sit anywhere in it
PER_SUB_QUESTION = 3  # chunks added for each clause of a many-part question


@dataclass(frozen=True)
class ArticleFacts:
    """What the evidence stage knows of a whole article: its words (for "does this article name
    the outlet or person at all?") and its date, when the passage at hand is only one chunk."""

    words: frozenset[str]
    date: str
    title: str
    text: str = field(default="", repr=False)  # the whole text, lowercased, one space between words
    outlet: str = ""  # from the article's metadata; "" when it has none (then its text decides)


def article_facts(chunks: list[Chunk]) -> dict[str, ArticleFacts]:
    texts: dict[str, list[str]] = {}
    for chunk in chunks:
        texts.setdefault(chunk.source, []).append(chunk.text)
    first = {c.source: c for c in reversed(chunks)}
    return {
        s: ArticleFacts(
            vocabulary(t), first[s].date, first[s].title, " ".join(" ".join(t).lower().split()), first[s].outlet
        )
        for s, t in texts.items()
    }


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused (reciprocal-rank) score and rank."""

    chunk: Chunk
    score: float
    rank: int


class HybridRetriever:
    """Dense + BM25 over the same committed chunks, fused with llama-index's QueryFusionRetriever."""

    def __init__(self, store: ChunkStore, embedder: BaseEmbedding, settings: Settings) -> None:
        import Stemmer
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
        from llama_index.retrievers.bm25 import BM25Retriever

        versions = store.committed_versions()
        nodes = store.committed_nodes(versions)
        if not nodes:
            raise StoreError("The index is empty: run `rag index` (it indexes seeds/ by default).")
        committed = MetadataFilters(filters=[MetadataFilter(key="version", value=versions, operator=FilterOperator.IN)])
        self.dense: BaseRetriever = _vector_retriever(store, embedder, settings.dense_k, committed)
        self._store, self._embedder, self._versions = store, embedder, versions
        # Every chunk scored, so a filtered question can take its best matches among the allowed articles.
        self._bm25_all = BM25Retriever.from_defaults(
            nodes=nodes,
            similarity_top_k=len(nodes),
            stemmer=Stemmer.Stemmer("english"),
            language="english",
        )
        self.bm25: BaseRetriever = _MatchesOnly(self._bm25_all, settings.dense_k)
        # num_queries=1: query generation would need a real LLM; MockLLM only stops
        # llama-index from reaching for OpenAI as its default.
        self.fusion = QueryFusionRetriever(
            [self.dense, self.bm25],
            llm=MockLLM(),
            mode=FUSION_MODES.RECIPROCAL_RANK,
            similarity_top_k=2 * settings.dense_k,  # keep every candidate; `retrieve` cuts to top_k
            num_queries=1,
            use_async=False,
        )
        self.top_k = settings.top_k
        self.settings = settings
        self.chunk_count = len(nodes)
        self.vocabulary = vocabulary([n.get_content() for n in nodes])
        self.articles = article_facts([node_to_chunk(n) for n in nodes])

    def retrieve(
        self,
        question: str,
        top_k: int | None = None,
        within: set[str] | None = None,
        also: Sequence[str] = (),
        across: bool = False,
        allowed: set[str] | None = None,
    ) -> list[Passage]:
        """The fused top_k (default: the settings'), best first. Then, each only where not already in:
        the closest chunks of each article in `within` (those the question's date or outlet names),
        and the top chunks for each sub-question in `also` ("…, and what did Saltmere offer?"), so
        a many-part question does not lose a part to the others' chunks. A question `across`
        articles ("how do the reports differ") with none named reads the closest chunks of each
        of the first articles found: each article's own account, not only the best-matching one's.
        `allowed` (rag.filters) restricts every part of it, dense and BM25 alike, to those articles."""
        if allowed is not None:
            within = within & allowed if within else within
        passages = self._fused(question, top_k or self.top_k, allowed)
        per_article = PER_ASKED_ARTICLE
        if across:
            within = within or set(list(dict.fromkeys(p.chunk.source for p in passages))[:MAX_ASKED_ARTICLES])
            per_article = PER_ACROSS_ARTICLE
        if within and len(within) <= MAX_ASKED_ARTICLES:
            passages += self._retrieve_within(question, within, per_article)
        for sub_question in also:
            passages += self._fused(sub_question, PER_SUB_QUESTION, allowed)
        unique: dict[str, Passage] = {}
        for passage in passages:
            unique.setdefault(passage.chunk.chunk_id, passage)
        return [replace(p, rank=rank) for rank, p in enumerate(unique.values(), start=1)]

    def _fused(self, question: str, top_k: int, allowed: set[str] | None = None) -> list[Passage]:
        fusion = self.fusion if allowed is None else self._fusion_within(allowed)
        try:
            fused = fusion.retrieve(QueryBundle(question))[:top_k]
        except Exception as exc:  # the store went away under a running process: say what to do
            raise store_failure(self.settings, exc) from exc
        return [Passage(chunk=node_to_chunk(n.node), score=float(n.score or 0.0), rank=0) for n in fused]

    def _fusion_within(self, allowed: set[str]) -> BaseRetriever:
        """The same fusion, over the allowed articles only: a Chroma filter for dense, the same set for BM25."""
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

        filters = MetadataFilters(
            filters=[
                MetadataFilter(key="version", value=self._versions, operator=FilterOperator.IN),
                MetadataFilter(key="source", value=sorted(allowed), operator=FilterOperator.IN),
            ]
        )
        dense = _vector_retriever(self._store, self._embedder, self.settings.dense_k, filters)
        return QueryFusionRetriever(
            [dense, _MatchesOnly(self._bm25_all, self.settings.dense_k, allowed)],
            llm=MockLLM(),
            mode=FUSION_MODES.RECIPROCAL_RANK,
            similarity_top_k=2 * self.settings.dense_k,
            num_queries=1,
            use_async=False,
        )

    def _retrieve_within(self, question: str, sources: set[str], per_article: int) -> list[Passage]:
        """The closest chunks (dense only) of the named articles: "in the September 2024 report,
        how many…" must read that report even when other articles' chunks fill the fused top_k."""
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

        out: list[Passage] = []
        for source in sorted(sources):
            filters = MetadataFilters(
                filters=[
                    MetadataFilter(key="version", value=self._versions, operator=FilterOperator.IN),
                    MetadataFilter(key="source", value=source, operator=FilterOperator.EQ),
                ]
            )
            try:
                found = _vector_retriever(self._store, self._embedder, per_article, filters).retrieve(question)
            except Exception as exc:
                raise store_failure(self.settings, exc) from exc
            out += [Passage(chunk=node_to_chunk(n.node), score=float(n.score or 0.0), rank=0) for n in found]
        return out


def _vector_retriever(store: ChunkStore, embedder: BaseEmbedding, k: int, filters: object) -> BaseRetriever:
    from llama_index.core import VectorStoreIndex

    index = VectorStoreIndex.from_vector_store(store.vector_store(), embed_model=embedder)
    return index.as_retriever(similarity_top_k=k, filters=filters)


class _MatchesOnly(BaseRetriever):
    """The top `k` BM25 matches (among the `allowed` articles' chunks, when given). BM25 pads its top-k with
    zero-score chunks that share no word with the query; fused as if they were matches, they push real dense
    hits out of the top-k."""

    def __init__(self, inner: BaseRetriever, k: int, allowed: set[str] | None = None) -> None:
        super().__init__()
        self.inner, self.k, self.allowed = inner, k, allowed

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = [n for n in self.inner.retrieve(query_bundle) if (n.score or 0.0) > 0.0]
        if self.allowed is not None:
            found = [n for n in found if n.node.metadata.get("source") in self.allowed]
        return found[: self.k]
