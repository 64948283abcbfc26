"""Writers cannot hurt each other: the write lock, run leases that repair respects, the generation readers watch."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rag.chunking import chunk_article
from rag.config import Settings, load_settings
from rag.corpus import Article, load_article
from rag.errors import StoreError
from rag.indexing import index_paths, remove_articles
from rag.nodes import to_node as _to_node
from rag.runs import LEASE_SECONDS, live_runs
from rag.store import ChunkStore
from rag.write_lock import write_lock
from tests.conftest import SEEDS

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

FIRST = SEEDS / "000_bad4616c5d09da39.txt"
SECOND = SEEDS / "001_add3ec1abea9c301.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={}, index_dir=tmp_path / "idx", write_lock_timeout=0.5)


def _write_as_run(store: ChunkStore, article: Article, run_id: str, embedder: BaseEmbedding) -> set[str]:
    """What a writer that has not committed yet has in the store: chunks tagged with its run id."""
    chunks = chunk_article(article, 160, 30)
    vectors = embedder.get_text_embedding_batch([c.text for c in chunks])
    nodes = [_to_node(c, v, run_id) for c, v in zip(chunks, vectors, strict=True)]
    store.vector_store().add(nodes)
    return {n.node_id for n in nodes}


def _lease(store: ChunkStore, run_id: str, host: str, pid: int, age: float) -> None:
    store.meta.upsert(
        ids=[f"run:{run_id}"],
        embeddings=[[1.0]],
        metadatas=[{"kind": "run", "host": host, "pid": pid, "heartbeat": time.time() - age}],
    )


def _ids(store: ChunkStore) -> set[str]:
    return set(store.chunks.get(include=[])["ids"])


def test_repair_spares_the_chunks_of_a_writer_whose_lease_is_live(
    settings: Settings, tmp_path: Path, embedder: BaseEmbedding
) -> None:
    index_paths([FIRST], settings, progress=False, embedder=embedder)
    store = ChunkStore(settings)
    article = load_article(SECOND)
    assert isinstance(article, Article)
    running = _write_as_run(store, article, "elsewhere-run", embedder)
    _lease(store, "elsewhere-run", host="another-machine", pid=1, age=1.0)  # a Chroma-server writer elsewhere

    report = index_paths([FIRST], settings, progress=False, embedder=embedder)

    assert report.orphans_repaired == 0
    assert running <= _ids(ChunkStore(settings))


def test_repair_deletes_the_chunks_of_a_writer_that_is_gone(settings: Settings, embedder: BaseEmbedding) -> None:
    index_paths([FIRST], settings, progress=False, embedder=embedder)
    store = ChunkStore(settings)
    article = load_article(SECOND)
    assert isinstance(article, Article)
    silent = _write_as_run(store, article, "silent-run", embedder)
    _lease(store, "silent-run", host="another-machine", pid=1, age=LEASE_SECONDS + 1)
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = _write_as_run(store, article, "killed-run", embedder)  # same ids: re-tagged by the second write
    _lease(store, "killed-run", host=os.uname().nodename, pid=int(dead_pid.stdout), age=1.0)

    report = index_paths([FIRST], settings, progress=False, embedder=embedder)

    assert report.orphans_repaired == len(silent | killed)
    assert not (silent | killed) & _ids(ChunkStore(settings))
    assert live_runs(ChunkStore(settings).meta) == set()  # dead leases are cleared too


def test_a_second_writer_waits_then_names_the_running_one(settings: Settings, embedder: BaseEmbedding) -> None:
    heard: list[str] = []
    with write_lock(Path(settings.index_dir), timeout=0):
        started = time.monotonic()
        with pytest.raises(StoreError, match=rf"Another indexing run is in progress \(pid {os.getpid()}\)"):
            index_paths([FIRST], settings, progress=False, embedder=embedder, on_wait=heard.append)
        assert time.monotonic() - started >= 0.5
    assert heard and "waiting up to 0.5 s" in heard[0] and f"pid {os.getpid()}" in heard[0]
    assert index_paths([FIRST], settings, progress=False, embedder=embedder).added == [FIRST.name]


def test_removal_takes_the_write_lock_too(settings: Settings, embedder: BaseEmbedding) -> None:
    index_paths([FIRST], settings, progress=False, embedder=embedder)
    with write_lock(Path(settings.index_dir), timeout=0), pytest.raises(StoreError, match="in progress"):
        remove_articles([FIRST.name], settings)
    assert remove_articles([FIRST.name], settings) == []


def test_every_commit_and_removal_changes_the_generation(settings: Settings, embedder: BaseEmbedding) -> None:
    index_paths([FIRST], settings, progress=False, embedder=embedder)
    seen = [ChunkStore(settings).generation()]
    index_paths([FIRST], settings, progress=False, embedder=embedder)  # unchanged: nothing committed
    seen.append(ChunkStore(settings).generation())
    index_paths([SECOND], settings, progress=False, embedder=embedder)
    seen.append(ChunkStore(settings).generation())
    remove_articles([SECOND.name], settings)
    seen.append(ChunkStore(settings).generation())

    assert seen[0] == seen[1]
    assert len(set(seen)) == 3
    assert [int(g.split("-")[0]) for g in seen] == [1, 1, 2, 3]


def test_an_index_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path, embedder: BaseEmbedding) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "a-file" / "idx")
    with pytest.raises(StoreError, match=r"Cannot write to the index at .*--index-dir or RAG_INDEX_DIR"):
        index_paths([FIRST], settings, progress=False, embedder=embedder)
