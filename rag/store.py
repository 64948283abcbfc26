"""The Chroma store: chunk vectors plus a per-article record that acts as the commit point.

A chunk is visible only when its article's record names the chunk's `version` (a hash of
the file name and its content: a copy of a file under another name is another version). Indexing
writes chunks first and the record last, so a crash or Ctrl-C mid-article leaves orphan
chunks that no query can see and that the next `rag index` deletes (`repair`). Chunks are
tagged with their writer's run id, and no delete ever touches the chunks of a writer whose
lease is live (`rag.runs`), so a running writer's uncommitted chunks are never mistaken for
a crashed one's. Every commit bumps the index generation that readers watch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rag.chroma_client import open_client
from rag.chunking import Chunk
from rag.config import Settings
from rag.corpus import Article
from rag.errors import StoreError
from rag.heap import release_free_memory
from rag.nodes import chroma_metadata, to_node
from rag.records import DocRecord, record_from, record_metadata, version_key
from rag.runs import bump_generation, live_runs, read_generation

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

_ADD_BATCH = 5000  # Chroma's max batch is 5461
# Records read per get: Chroma binds one SQLite variable per record it returns, and SQLite refuses
# more than 32,766 ("too many SQL variables"), so an unpaged get of a large collection fails.
# Smaller pages cost little (a few ms a call) and bound what one read holds: embedded Chroma
# leaves ~70 KB of freed memory per chunk read in the heap, given back by rag.heap after each page
# (at 100k chunks a BM25 snapshot's build peaked at 2.04 GB with 10,000-record pages and no trim).
_READ_PAGE = 2_000
_SOURCES_PER_READ = 500  # articles in one `$in` (one SQLite variable each, far below its limit)
# Article records carry no meaningful vector, but Chroma computes one with a network
# model whenever embeddings are omitted, even with embedding_function=None.
_NO_VECTOR = [1.0]


class ChunkStore:
    """Chunks and article records in two Chroma collections, kept consistent by `doc_hash`.

    `writer` is the run id that tags written chunks (set by `rag.writing.index_writer`);
    `fresh` re-reads an embedded store from disk instead of this process's cached copy.
    """

    def __init__(self, settings: Settings, create: bool = False, fresh: bool = False, writer: str = "") -> None:
        self.settings = settings
        self.writer = writer
        self.client = open_client(settings, create, fresh)
        self._open_collections()

    def _open_collections(self) -> None:
        settings = self.settings
        try:
            self.chunks: Collection = self.client.get_or_create_collection(
                settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            self.docs: Collection = self.client.get_or_create_collection(
                f"{settings.collection}_articles", embedding_function=None
            )
            self.meta: Collection = self.client.get_or_create_collection(
                f"{settings.collection}_meta", embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"The index is unreadable ({exc}). Rebuild it with `rag index --rebuild`.") from exc

    def vector_store(self) -> ChromaVectorStore:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.chunks)

    def reset(self) -> None:
        """Drop everything (for `--rebuild`)."""
        for name in (self.chunks.name, self.docs.name):
            self.client.delete_collection(name)
        self._open_collections()
        bump_generation(self.meta)

    def generation(self) -> str:
        """Changes whenever the committed articles change (cheap: one get by id)."""
        return read_generation(self.meta)

    def texts(self, sources: list[str]) -> dict[str, str]:
        """The committed text of each named article that is still indexed."""
        got = self.docs.get(ids=sorted(set(sources)), include=["documents"])
        return {source: text or "" for source, text in zip(got["ids"], got["documents"] or [], strict=True)}

    def documents(self, sources: list[str] | None = None, with_text: bool = True) -> dict[str, DocRecord]:
        """The committed articles (only those named in `sources`, when given); `with_text=False` skips
        the articles' text (indexing needs only hashes). All of them are read in pages (`_get_all`)."""
        if sources is not None and not sources:
            return {}
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        got = _get_all(self.docs, include) if sources is None else self.docs.get(ids=sources, include=include)  # type: ignore[arg-type]
        texts = got["documents"] if with_text else None
        records = {}
        for i, (source, meta) in enumerate(zip(got["ids"], got["metadatas"] or [], strict=True)):
            records[source] = record_from(source, meta, (texts[i] or "") if texts else "")
        return records

    def committed_versions(self) -> list[str]:
        got = _get_all(self.docs, include=["metadatas"])
        metas = got["metadatas"] or []
        if any("version" not in m for m in metas):
            raise StoreError("The index was built by an older version of rag: run `rag index --rebuild`.")
        return [str(m["version"]) for m in metas]

    def chunk_count(self) -> int:
        return self.chunks.count()

    def set_file_stamps(self, stamps: dict[str, str]) -> None:
        """Record the file stamps (rag.file_stamps) of unchanged articles whose records lack them (an
        index made before stamps) or hold an old one: only that field of each record changes."""
        items = sorted(stamps.items())
        size = min(_READ_PAGE, self.client.get_max_batch_size())  # Chroma refuses bigger writes (5,461 here)
        for at in range(0, len(items), size):
            page = items[at : at + size]
            self.docs.update(ids=[s for s, _ in page], metadatas=[{"file_stamp": stamp} for _, stamp in page])

    def stored_vectors(self, sources: list[str]) -> dict[str, list[float]]:
        """The stored embedding of each chunk text of these articles: an article whose metadata
        changed (a sidecar edited, an outlet newly inferred) but whose chunks did not is written
        again without embedding them again. Read in groups of `_SOURCES_PER_READ` articles."""
        out: dict[str, list[float]] = {}
        for at in range(0, len(sources), _SOURCES_PER_READ):
            group = sources[at : at + _SOURCES_PER_READ]
            got = self.chunks.get(where={"source": {"$in": group}}, include=["documents", "embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            for text, vector in zip(got["documents"] or [], vectors, strict=True):
                out.setdefault(text, [float(x) for x in vector])
        return out

    def put(self, article: Article, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Write one article (see `put_many`)."""
        self.put_many([(article, chunks, embeddings)])

    def put_many(self, items: list[tuple[Article, list[Chunk], list[list[float]]]]) -> None:
        """Write the chunks of many articles, then commit their records, then drop their previous versions.

        One batch of writes for many articles: Chroma's per-call cost, not the vectors, is what
        made article-at-a-time indexing slow. The commit point is unchanged: every chunk is
        written before the first record names it. Upsert, not add: a chunk already stored by
        another run is re-tagged as ours, so no repair can delete it as that run's debris
        before our record commits it.
        """
        if not items:
            return
        nodes = [
            to_node(chunk, vector, self.writer)
            for _, chunks, vectors in items
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        for i in range(0, len(nodes), _ADD_BATCH):
            batch = nodes[i : i + _ADD_BATCH]
            self.chunks.upsert(
                ids=[n.node_id for n in batch],
                embeddings=[n.get_embedding() for n in batch],
                metadatas=[chroma_metadata(n) for n in batch],
                documents=[n.get_content() for n in batch],
            )
        articles = [article for article, _, _ in items]
        for i in range(0, len(items), _ADD_BATCH):
            batch_items = items[i : i + _ADD_BATCH]
            self.docs.upsert(
                ids=[article.source for article, _, _ in batch_items],
                embeddings=[_NO_VECTOR] * len(batch_items),
                documents=[article.text for article, _, _ in batch_items],
                metadatas=[record_metadata(article, len(chunks)) for article, chunks, _ in batch_items],
            )
        bump_generation(self.meta)
        sources = [a.source for a in articles]
        current = [version_key(a.source, a.doc_hash) for a in articles]
        self._delete_unowned({"$and": [{"source": {"$in": sources}}, {"version": {"$nin": current}}]})

    def remove(self, source: str) -> bool:
        """Un-commit first so no query sees a half-deleted article."""
        if not self.docs.get(ids=[source], include=[])["ids"]:
            return False
        self.docs.delete(ids=[source])
        bump_generation(self.meta)
        self._delete_unowned({"source": source})
        return True

    def repair(self, records: dict[str, DocRecord] | None = None) -> int:
        """Delete chunks no committed record names, left by a run that is gone; returns how many.

        Every committed chunk is stored (chunks are written before their record, deleted after
        it), so when the store holds exactly as many chunks as the records count there is
        nothing to repair; that check is one count instead of a scan of every chunk.
        """
        records = self.documents(with_text=False) if records is None else records
        if any(not r.version for r in records.values()):
            raise StoreError("The index was built by an older version of rag: run `rag index --rebuild`.")
        if self.chunks.count() == sum(r.n_chunks for r in records.values()):
            return 0
        # Compared here, not with a `$nin` of every version: one SQLite variable per article.
        committed = {r.version for r in records.values()}
        return self._delete_unowned(None, lambda meta: str(meta.get("version", "")) not in committed)

    def _delete_unowned(self, where: dict[str, Any] | None, also: Callable[[dict], bool] | None = None) -> int:
        """Delete the chunks matching `where` (and `also`), except those of another writer that is still running."""
        spared = live_runs(self.meta) - {self.writer}
        got = _get_all(self.chunks, where=where, include=["metadatas"])
        doomed = [
            chunk_id
            for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True)
            if str(meta.get("writer", "")) not in spared and (also is None or also(meta))
        ]
        for i in range(0, len(doomed), _ADD_BATCH):
            self.chunks.delete(ids=doomed[i : i + _ADD_BATCH])
        return len(doomed)

    def committed_nodes(self, versions: list[str] | None = None) -> list[TextNode]:
        """Every visible chunk as a llama-index node, in store order (see `committed_node_pages`)."""
        return [node for page in self.committed_node_pages(versions) for node in page]

    def committed_node_pages(self, versions: list[str] | None = None) -> Iterator[list[TextNode]]:
        """Every visible chunk as a llama-index node, a page of `_READ_PAGE` at a time, in store order.

        Read in pages and filtered here, not with a `$in` of every version: a corpus of tens of
        thousands of articles would be one query with that many parameters. A page at a time so
        that the BM25 snapshot's build (rag.lexical) never holds every node at once: at 100k chunks
        the nodes alone were 950 MB.
        """
        from llama_index.core.vector_stores.utils import metadata_dict_to_node

        committed = set(self.committed_versions() if versions is None else versions)
        if not committed:
            return
        for got in _pages(self.chunks, ["documents", "metadatas"]):
            yield [
                metadata_dict_to_node(meta, text=text)  # type: ignore[arg-type]
                for meta, text in zip(got["metadatas"], got["documents"], strict=True)
                if str(meta.get("version", "")) in committed
            ]


def _get_all(collection: Collection, include: list[str], where: dict[str, Any] | None = None) -> dict[str, list]:
    """`collection.get` in pages of `_READ_PAGE` (see there), joined; `include` lists never hold None."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    for got in _pages(collection, include, where):
        for key in ("ids", *include):
            out[key] += got[key]
    return out


def _pages(
    collection: Collection, include: list[str], where: dict[str, Any] | None = None
) -> Iterator[dict[str, list]]:
    """`collection.get` a page of `_READ_PAGE` at a time; `include` lists never hold None. What Chroma
    freed building a page goes back to the system before the next one (see `_READ_PAGE`)."""
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=_READ_PAGE, offset=offset)  # type: ignore[arg-type]
        page = {"ids": got["ids"], **{key: got[key] or [] for key in include}}  # type: ignore[literal-required]
        del got
        release_free_memory()
        yield page
        if len(page["ids"]) < _READ_PAGE:
            return
        offset += _READ_PAGE
