"""Hybrid retrieval: dense (Chroma) and BM25 (stemmed), fused by reciprocal rank.

Dense finds paraphrases; BM25 finds rare names and exact numbers that MiniLM blurs.
The BM25 side is the snapshot of the index generation the retriever was built for
(`rag.lexical`), so the two sides always see the same articles.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.chroma_client import store_failure
from rag.chunking import Chunk, run_on
from rag.config import Settings
from rag.lexical import open_lexical
from rag.nodes import node_to_chunk
from rag.store import ChunkStore

if TYPE_CHECKING:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding

# A question whose date or outlet names a few articles also reads their closest chunks; one that
# matches more ("in 2024") narrows nothing worth the extra queries.
MAX_ASKED_ARTICLES = 3
PER_ASKED_ARTICLE = 2
PER_ACROSS_ARTICLE = 4  # a question across articles reads more of each: its answer may sit anywhere in it
PER_SUB_QUESTION = 3  # chunks added for each clause of a many-part question
RUN_ON_CACHE_CHARS = 20_000_000  # article texts kept for run-on passages (~20-80 MB of str)
_MAX_IN = 500  # articles named in a Chroma `$in` filter; more go after the query (`_CommittedDense`)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused (reciprocal-rank) score and rank."""

    chunk: Chunk
    score: float
    rank: int


class HybridRetriever:
    """Dense + BM25 over the same committed chunks, fused with llama-index's QueryFusionRetriever."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: BaseEmbedding,
        settings: Settings,
        generation: str | None = None,
        query_vector: Callable[[str], list[float]] | None = None,
    ) -> None:
        """`generation`: the index generation read before this (`IndexWatch`); the BM25 side must be of it.
        `query_vector`: the question's embedding, when a caller computes it anyway (rag.token_match's pass
        gives it with the token vectors the evidence stage needs); else the embedder is asked."""
        self.query_vector = query_vector
        self.store = store
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.core.retrievers.fusion_retriever import FUSION_MODES

        side = open_lexical(store, store.generation() if generation is None else generation, settings)
        from llama_index.core import VectorStoreIndex

        # One index object over the store for every dense query (it only wraps the collection).
        self._index = VectorStoreIndex.from_vector_store(store.vector_store(), embed_model=embedder)
        self._committed = frozenset(side.versions)
        self.dense: BaseRetriever = _CommittedDense(self._index, settings.dense_k, self._committed)
        self._lexical = side
        self.bm25: BaseRetriever = _MatchesOnly(side.bm25, settings.dense_k, side.chunk_count)
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
        self.chunk_count = side.chunk_count
        self.vocabulary = side.vocabulary
        self.articles = side.articles
        self.lexical_built = side.built  # False: read from the snapshot the last writer saved
        self._texts: OrderedDict[str, str] = OrderedDict()  # article texts for run-on passages
        self._cached_chars = 0
        self._texts_lock = threading.Lock()  # the UI answers questions on several threads

    def retrieve(
        self,
        question: str,
        top_k: int | None = None,
        within: set[str] | None = None,
        also: Sequence[str] = (),
        across: bool = False,
        allowed: set[str] | None = None,
        groups: Sequence[set[str]] = (),
        group_query: str = "",
    ) -> list[Passage]:
        """The fused top_k (default: the settings'), best first. Then, each only where not already in:
        the closest chunks of each article in `within` (those the question's date or outlet names),
        and the top chunks for each sub-question in `also` ("…, and what did Saltmere offer?"), so
        a many-part question does not lose a part to the others' chunks. A question `across`
        articles ("how do the reports differ") with none named reads the closest chunks of each
        of the first articles found: each article's own account, not only the best-matching one's.
        `allowed` (rag.filters) restricts every part of it, dense and BM25 alike, to those articles.
        `groups` are the reports a question names ("the Ledger's first report, the Courier two days
        later, and Northwind Radio's tally"), each as its articles: each group's closest chunks are
        read, however many articles an outlet has (`within` is skipped past MAX_ASKED_ARTICLES), for
        `group_query` (the question without the outlets' names, which are not what it asks about)."""
        if allowed is not None:
            within = within & allowed if within else within
        # One bundle for every read of the question: the first dense read stores the question's vector in
        # it (llama-index's vector retriever does), and the named articles' reads reuse it.
        bundle = self._bundle(question)
        passages = self._fused(bundle, top_k or self.top_k, allowed)
        per_article = PER_ASKED_ARTICLE
        if across:
            within = within or set(list(dict.fromkeys(p.chunk.source for p in passages))[:MAX_ASKED_ARTICLES])
            per_article = PER_ACROSS_ARTICLE
        if within and len(within) <= MAX_ASKED_ARTICLES:
            passages += self._retrieve_within(bundle, within, per_article)
        group_bundle = self._bundle(group_query) if groups and group_query else bundle
        for group in groups:
            group = group & allowed if allowed is not None else group
            if group:
                # An outlet with several articles in the corpus: its report is one of them, found less surely.
                passages += self._fused(group_bundle, PER_ACROSS_ARTICLE * min(len(group), 2), group)
        for sub_question in also:
            passages += self._fused(self._bundle(sub_question), PER_SUB_QUESTION, allowed)
        unique: dict[str, Passage] = {}
        for passage in passages:
            unique.setdefault(passage.chunk.chunk_id, passage)
        return [replace(p, rank=rank) for rank, p in enumerate(self._run_on(list(unique.values())), start=1)]

    def _run_on(self, passages: list[Passage]) -> list[Passage]:
        """Each passage runs on into the sentences after it in its article (rag.chunking.run_on): the
        quote that backs a claim at a chunk's edge. One read of the retrieved articles' texts."""
        if not passages:
            return passages  # Chroma refuses a read of no ids
        texts = self._article_texts({p.chunk.source for p in passages})
        return [replace(p, chunk=run_on(p.chunk, texts.get(p.chunk.source, ""))) for p in passages]

    def _article_texts(self, sources: set[str]) -> dict[str, str]:
        """The articles' committed texts, read from the store once per retriever (one index generation)
        and kept up to RUN_ON_CACHE_CHARS characters, least recently used out first. The retriever is
        rebuilt when the generation changes; within one, run_on leaves a chunk alone unless the text
        holds the chunk where it was cut from, and the answer's quotes are checked against the store
        again after answering (rag.freshness).
        An OrderedDict, not functools.lru_cache: that one bounds the number of entries, and one
        10 MB article must not stay for the price of one short one."""
        with self._texts_lock:
            found = {s: self._texts[s] for s in sources if s in self._texts}
            for source in found:
                self._texts.move_to_end(source)
        missing = sorted(sources - found.keys())
        if not missing:
            return found
        try:
            read = self.store.texts(missing)
        except Exception as exc:  # the store went away under a running process: say what to do
            raise store_failure(self.settings, exc) from exc
        with self._texts_lock:
            for source, text in read.items():
                if source not in self._texts and len(text) <= RUN_ON_CACHE_CHARS:
                    self._texts[source] = text
                    self._cached_chars += len(text)
            while self._cached_chars > RUN_ON_CACHE_CHARS:
                _, dropped = self._texts.popitem(last=False)
                self._cached_chars -= len(dropped)
        return found | read

    def _bundle(self, question: str) -> QueryBundle:
        return QueryBundle(question, embedding=self.query_vector(question) if self.query_vector else None)

    def _fused(self, question: QueryBundle, top_k: int, allowed: set[str] | None = None) -> list[Passage]:
        fusion = self.fusion if allowed is None else self._fusion_within(allowed)
        try:
            fused = fusion.retrieve(question)[:top_k]
        except Exception as exc:  # the store went away under a running process: say what to do
            raise store_failure(self.settings, exc) from exc
        return [Passage(chunk=node_to_chunk(n.node), score=float(n.score or 0.0), rank=0) for n in fused]

    def _fusion_within(self, allowed: set[str]) -> BaseRetriever:
        """The same fusion, over the allowed articles only: a Chroma filter for dense, the same set for BM25."""
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.core.retrievers.fusion_retriever import FUSION_MODES

        k = self.settings.dense_k
        dense = _CommittedDense(self._index, k, self._committed, frozenset(allowed))
        return QueryFusionRetriever(
            [dense, _MatchesOnly(self._lexical.bm25, k, self._lexical.chunk_count, frozenset(allowed))],
            llm=MockLLM(),
            mode=FUSION_MODES.RECIPROCAL_RANK,
            similarity_top_k=2 * self.settings.dense_k,
            num_queries=1,
            use_async=False,
        )

    def _retrieve_within(self, question: QueryBundle, sources: set[str], per_article: int) -> list[Passage]:
        """The closest chunks (dense only) of the named articles: "in the September 2024 report,
        how many…" must read that report even when other articles' chunks fill the fused top_k."""
        out: list[Passage] = []
        for source in sorted(sources):
            dense = _CommittedDense(self._index, per_article, self._committed, frozenset({source}))
            try:
                found = dense.retrieve(question)
            except Exception as exc:
                raise store_failure(self.settings, exc) from exc
            out += [Passage(chunk=node_to_chunk(n.node), score=float(n.score or 0.0), rank=0) for n in found]
        return out


class _CommittedDense(BaseRetriever):
    """Chroma's top `k` among committed chunks (of the articles in `sources`, when given).

    Hand-written around llama-index's vector retriever because its filter cannot say "committed"
    at scale: a `$in` of every committed version is one SQLite variable per article, which costs
    0.45 s a query at 20,000 articles and fails past 32,766 ("too many SQL variables"). So: ask
    for 2k unfiltered and drop uncommitted chunks (orphans of a crashed run, a writer's chunks
    before its commit); in the rare case that leaves fewer than k, ask again excluding the
    versions just seen to be uncommitted. Exact: the committed chunks among the nearest 2k are the
    nearest committed ones. `sources` goes to Chroma as a filter up to `_MAX_IN` articles; a
    larger set (a date filter over a big corpus) is applied after the query, fetching more each
    round, for the same reason.
    """

    def __init__(
        self, index: VectorStoreIndex, k: int, committed: frozenset[str], sources: frozenset[str] | None = None
    ) -> None:
        super().__init__()
        self.index, self.k, self.committed, self.sources = index, k, committed, sources

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

        index = self.index
        sources = self.sources
        in_query = sources is not None and len(sources) <= _MAX_IN
        excluded: set[str] = set()
        fetch = 2 * self.k
        while True:
            filters: list[MetadataFilter] = []
            if sources is not None and in_query:
                filters.append(MetadataFilter(key="source", value=sorted(sources), operator=FilterOperator.IN))
            if excluded:
                filters.append(MetadataFilter(key="version", value=sorted(excluded), operator=FilterOperator.NIN))
            retriever = index.as_retriever(
                similarity_top_k=fetch, filters=MetadataFilters(filters=filters) if filters else None
            )
            found = retriever.retrieve(query_bundle)
            kept = [n for n in found if n.node.metadata.get("version") in self.committed]
            if sources is not None and not in_query:
                kept = [n for n in kept if n.node.metadata.get("source") in sources]
            if len(kept) >= self.k or len(found) < fetch:
                return kept[: self.k]
            excluded |= {str(n.node.metadata.get("version")) for n in found} - self.committed
            if sources is not None and not in_query:
                fetch *= 4


class _MatchesOnly(BaseRetriever):
    """The top `k` BM25 matches (among the chunks of the articles in `allowed`, when given).

    BM25 pads its top-k with zero-score chunks that share no word with the query; fused as if they
    were matches, they push real dense hits out of the top-k. With `allowed`, it asks BM25 for more
    each round until `k` allowed matches are found or the matches run out: bm25s's own weight mask
    would need every chunk's source read from the memory-mapped corpus on each question.
    """

    def __init__(self, inner: BaseRetriever, k: int, total: int, allowed: frozenset[str] | None = None) -> None:
        super().__init__()
        self.inner, self.k, self.total, self.allowed = inner, k, total, allowed

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        fetch = min(self.k if self.allowed is None else 4 * self.k, self.total)
        while True:
            bm25 = copy.copy(self.inner)  # its own top-k; the shared one serves other threads
            bm25.similarity_top_k = fetch  # type: ignore[attr-defined]
            found = [n for n in bm25.retrieve(query_bundle) if (n.score or 0.0) > 0.0]
            allowed = self.allowed
            kept = found if allowed is None else [n for n in found if n.node.metadata.get("source") in allowed]
            if len(kept) >= self.k or len(found) < fetch or fetch >= self.total:
                return kept[: self.k]
            fetch = min(4 * fetch, self.total)
