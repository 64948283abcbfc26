"""The lexical side of retrieval (BM25, the corpus vocabulary, each article's facts), persisted with the store.

Why: rebuilding BM25 from every chunk in Chroma at each start grew with the corpus (6.6 s at
4,313 chunks). Now the writer saves a snapshot after its run with llama-index's own
`BM25Retriever.persist`, and a reader loads it memory-mapped (`from_persist_dir(mmap=True)`).

Why it can never disagree with the chunks: a snapshot is a folder named after the index
generation it was built from (`rag.runs`: every commit writes a new one), complete only once
its `COMPLETE` file is there. A reader uses the snapshot of the generation it read from the
store, and only that one; otherwise (a crash between the last commit and the snapshot, an index
written by an older rag, a Chroma server that another machine writes) it rebuilds from the
committed chunks in Chroma, as every start did before, and saves what it built. A snapshot is
built in a temporary folder and renamed into place, so no reader sees half of one.

Where: `<index_dir>/lexical/<collection>/`, or for a Chroma server
`~/.cache/newsrag/lexical/<collection>@<host>-<port>/` (beside the model cache): a local copy
of the server's BM25 side, rebuilt on a machine where it is missing or stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from rag.article_facts import ArticleCatalog, article_facts, write_catalog
from rag.chunking import Chunk
from rag.config import Settings
from rag.errors import StoreError
from rag.nodes import node_to_chunk
from rag.store import ChunkStore
from rag.words import vocabulary

if TYPE_CHECKING:
    from llama_index.retrievers.bm25 import BM25Retriever

FORMAT = "2"  # bump when the snapshot's contents change: older snapshots are then rebuilt
_STALE_BUILD_S = 3600  # a build folder this old is a crashed writer's, not one in progress
_COMPLETE = "COMPLETE"
# A Chroma server's local copy that no process has opened for this long is dropped: servers come
# and go (a test's on a random port, a store moved to another host) and each left a copy for good.
UNUSED_SERVER_COPY_S = 7 * 24 * 3600


@dataclass
class LexicalSide:
    """What retrieval and the evidence stage read besides the vectors, for one generation of the index."""

    bm25: BM25Retriever
    vocabulary: frozenset[str]
    articles: ArticleCatalog
    versions: list[str]  # the committed versions: the dense side's filter
    chunk_count: int
    generation: str
    built: bool  # rebuilt from Chroma now (no snapshot of this generation was there)


def snapshot_root(settings: Settings) -> Path:
    """Where this index's snapshots live (see the module docstring)."""
    if not settings.chroma_url:
        return Path(settings.index_dir) / "lexical" / settings.collection
    url = urlparse(settings.chroma_url)
    port = url.port or (443 if url.scheme == "https" else 8000)
    # With a server there is no local index folder (none is created): newsrag's cache folder,
    # the one that holds the assembled model, keeps one copy per server and collection.
    return settings.model_cache_dir.parent / "lexical" / f"{settings.collection}@{url.hostname}-{port}"


def open_lexical(store: ChunkStore, generation: str, settings: Settings) -> LexicalSide:
    """The snapshot of `generation` (read from the store before this call), else one rebuilt from Chroma."""
    root = snapshot_root(settings)
    if settings.chroma_url:
        with contextlib.suppress(OSError):  # a read-only cache: the copy goes to a temporary folder below
            _prune_server_copies(root)
    side = _load(root / generation, generation, settings) if generation else None
    if side is not None:
        return side
    if generation:  # there may be one of an older format, or a damaged one: it makes way for the rebuilt one
        shutil.rmtree(root / generation, ignore_errors=True)
    try:
        built = build_snapshot(store, generation, root)
    except OSError:  # a read-only index folder: keep this process's copy in a temporary one
        built = build_snapshot(store, generation, Path(tempfile.mkdtemp(prefix="newsrag-lexical-")))
    side = _load(built, generation, settings)
    if side is None:  # pragma: no cover - the folder was just written
        raise StoreError(f"Could not read the BM25 snapshot just written at {built}.")
    side.built = True
    return side


def refresh_snapshot(store: ChunkStore, settings: Settings) -> bool:
    """For writers, after a run: save a snapshot of the current generation unless it exists; drop older ones.

    Returns whether one was built. An empty index has none (there is nothing to answer from).
    """
    generation = store.generation()
    root = snapshot_root(settings)
    if not generation or (root / generation / _COMPLETE).is_file():
        return False
    built = False
    if store.chunk_count():
        try:
            build_snapshot(store, generation, root)
            built = True
        except (OSError, sqlite3.Error):
            # Another writer pruned or replaced the folder under this one (concurrent runs): the
            # articles are committed; the snapshot is only a cache, which a reader rebuilds.
            return False
    for old in root.iterdir() if root.is_dir() else ():
        # Older generations go; a `tmp-` folder is another writer's build in progress unless stale.
        in_progress = old.name.startswith("tmp-") and time.time() - old.stat().st_mtime < _STALE_BUILD_S
        if old.name != generation and not in_progress:
            shutil.rmtree(old, ignore_errors=True)
    return built


def _prune_server_copies(root: Path) -> None:
    """Mark this server's copy as used now and drop the other servers' copies unused for a week."""
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    os.utime(root, (now, now))
    for other in root.parent.iterdir():
        if other != root and "@" in other.name and other.is_dir():
            try:
                unused = now - other.stat().st_mtime > UNUSED_SERVER_COPY_S
            except OSError:  # another process pruned it first
                continue
            if unused:
                shutil.rmtree(other, ignore_errors=True)


def build_snapshot(store: ChunkStore, generation: str, root: Path) -> Path:
    """Build from the committed chunks into a temporary folder, then rename it to the generation's name.

    The chunks are read a page at a time and each page's nodes dropped once read: BM25 needs only
    each node's stored form and its text. Tokenising and indexing are llama-index's own
    `BM25Retriever.__init__` steps, done here on those texts because its constructor takes every
    node at once (950 MB of nodes at 100k chunks, the build's whole peak); `test_lexical` checks
    the result ranks exactly as `BM25Retriever.from_defaults(nodes=…)` does.
    """
    import bm25s
    import Stemmer
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict
    from llama_index.retrievers.bm25 import BM25Retriever

    versions = store.committed_versions()
    stored: list[dict] = []  # what the retriever persists per chunk and rebuilds a node from
    texts: list[str] = []
    chunks: list[Chunk] = []
    for page in store.committed_node_pages(versions):
        for node in page:
            stored.append(node_to_metadata_dict(node) | {"node_id": node.node_id})
            texts.append(node.get_content(metadata_mode=MetadataMode.EMBED))
            chunks.append(node_to_chunk(node))
    if not stored:
        raise StoreError("The index is empty: run `rag index` (it indexes seeds/ by default).")
    tmp = root / f"tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir(parents=True)
    stemmer = Stemmer.Stemmer("english")
    lexicon = bm25s.BM25()
    lexicon.index(bm25s.tokenize(texts, stopwords="english", stemmer=stemmer, show_progress=False), show_progress=False)
    lexicon.corpus = stored
    del texts
    # a top k above the chunk count makes llama-index log a warning on every build and load of a tiny index
    bm25 = BM25Retriever(existing_bm25=lexicon, stemmer=stemmer, similarity_top_k=min(2, len(stored)))
    bm25.persist(str(tmp / "bm25"), show_progress=False)
    count = len(stored)
    del bm25, lexicon, stored
    write_catalog(tmp / "articles.sqlite", article_facts(chunks))
    (tmp / "vocabulary.json").write_text(json.dumps(sorted(vocabulary([c.text for c in chunks]))), encoding="utf-8")
    (tmp / "versions.json").write_text(json.dumps(versions), encoding="utf-8")
    stamp = {"format": FORMAT, "generation": generation, "chunks": count, "built_at": time.time()}
    (tmp / _COMPLETE).write_text(json.dumps(stamp), encoding="utf-8")
    target = root / (generation or tmp.name + "-unversioned")
    try:
        tmp.rename(target)
    except OSError:  # another process saved the same generation first: theirs is as good
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _load(folder: Path, generation: str, settings: Settings) -> LexicalSide | None:
    """The snapshot in `folder` if it is complete, of this format and generation; None otherwise."""
    from llama_index.retrievers.bm25 import BM25Retriever

    try:
        stamp = json.loads((folder / _COMPLETE).read_text(encoding="utf-8"))
        if stamp.get("format") != FORMAT or stamp.get("generation") != generation:
            return None
        bm25 = BM25Retriever.from_persist_dir(str(folder / "bm25"), mmap=True, show_progress=False)
        words = frozenset(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        versions = json.loads((folder / "versions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):  # missing, pruned by a writer meanwhile, or damaged: rebuild
        return None
    chunk_count = int(stamp["chunks"])
    bm25.similarity_top_k = min(settings.dense_k, chunk_count)
    articles = ArticleCatalog(folder / "articles.sqlite")
    return LexicalSide(bm25, words, articles, versions, chunk_count, generation, built=False)
