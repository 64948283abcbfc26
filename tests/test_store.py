"""Incremental indexing into a real Chroma store: add, skip unchanged, replace, delete, repair after a crash."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rag.chunking import Chunk, chunk_article
from rag.config import Settings, load_settings
from rag.corpus import Article, load_article
from rag.indexing import IndexReport, index_paths, remove_articles
from rag.nodes import to_node as _to_node
from rag.retrieval import HybridRetriever
from rag.store import ChunkStore

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# chunk_size 60 (the splitter warns below 50) gives two chunks per small article below:
# FERRY = title+paragraph 1 (37 tokens) | paragraphs 2+3 (30+25 tokens); ORCHARD = 37 | 30 tokens.
CHUNK_SIZE, CHUNK_OVERLAP = 60, 10

FERRY = """Ferry service resumes

The harbour ferry to Brightwater resumed its crossings on Tuesday after a three-day suspension caused by the storm. \
Engineers inspected the eastern pier overnight and declared it safe.

The western landing stage remains closed for repairs, and the operator says passengers should expect delays of \
about 40 minutes on the evening sailings this week.

A full timetable is expected by Friday, with two extra sailings added to clear the backlog of commuters stranded \
during the closure.
"""

# Paragraph 3 replaced and a fourth added. Paragraphs 2-4 are 30, 32 and 31 tokens, so no two share a
# 60-token chunk: four chunks.
FERRY_V2 = FERRY.replace(
    "A full timetable is expected by Friday, with two extra sailings added to clear the backlog of commuters stranded \
during the closure.\n",
    "The operator now says the full timetable will not return until the end of the month, because a second storm \
damaged the ramp at the eastern pier on Thursday night.\n\n"
    "Commuters from Zanzibar Quay have been offered a replacement bus, which the council will pay for until the \
ferry is running normally again.\n",
)

ORCHARD = """Orchard harvest breaks record

Apple growers in the Kessel valley reported a record harvest of 12,000 tonnes this autumn, helped by a warm spring \
and very little frost.

Prices at the cooperative fell sharply as a result, and several smaller farms said they would press the surplus \
into cider rather than sell it at a loss.
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={}, index_dir=tmp_path / "idx", chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (folder / "orchard.txt").write_text(ORCHARD, encoding="utf-8")
    return folder


def _index(paths: list[Path], settings: Settings, embedder: BaseEmbedding, rebuild: bool = False) -> IndexReport:
    return index_paths(paths, settings, rebuild=rebuild, progress=False, embedder=embedder)


def _article(path: Path) -> Article:
    loaded = load_article(path)
    assert isinstance(loaded, Article), loaded
    return loaded


def _chunks(path: Path) -> list[Chunk]:
    return chunk_article(_article(path), CHUNK_SIZE, CHUNK_OVERLAP)


def _stored_ids(store: ChunkStore, **where: str) -> set[str]:
    return set(store.chunks.get(where=where or None, include=[])["ids"])


def _write_uncommitted(store: ChunkStore, article: Article, embedder: BaseEmbedding) -> list[str]:
    """What an interrupted `put` leaves behind: chunk vectors written, article record not."""
    chunks = chunk_article(article, CHUNK_SIZE, CHUNK_OVERLAP)
    vectors = embedder.get_text_embedding_batch([c.text for c in chunks])
    nodes = [_to_node(c, v) for c, v in zip(chunks, vectors, strict=True)]
    store.vector_store().add(nodes)
    return [n.node_id for n in nodes]


def test_first_run_adds_every_file_and_commits_a_record_for_each(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    report = _index([corpus], settings, embedder)

    assert report.added == ["ferry.txt", "orchard.txt"]
    assert (report.updated, report.unchanged, report.removed, report.skipped) == ([], [], [], [])
    assert report.chunks_written == report.total_chunks == 4
    assert report.indexed_anything
    store = ChunkStore(settings)
    records = store.documents()
    assert set(records) == {"ferry.txt", "orchard.txt"}
    assert records["ferry.txt"].n_chunks == 2
    assert records["ferry.txt"].title == "Ferry service resumes"
    assert records["ferry.txt"].text == FERRY
    assert records["ferry.txt"].path == str((corpus / "ferry.txt").resolve())
    assert _stored_ids(store) == {c.chunk_id for c in _chunks(corpus / "ferry.txt") + _chunks(corpus / "orchard.txt")}


def test_reindexing_unchanged_files_adds_nothing(corpus: Path, settings: Settings, embedder: BaseEmbedding) -> None:
    _index([corpus], settings, embedder)
    before = _stored_ids(ChunkStore(settings))

    report = _index([corpus], settings, embedder)

    assert report.unchanged == ["ferry.txt", "orchard.txt"]
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert report.chunks_written == 0
    assert report.total_chunks == 4
    assert _stored_ids(ChunkStore(settings)) == before


def test_changing_a_file_replaces_its_old_chunks(corpus: Path, settings: Settings, embedder: BaseEmbedding) -> None:
    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    old_hash = store.documents()["ferry.txt"].doc_hash
    orchard_ids = _stored_ids(store, source="orchard.txt")
    (corpus / "ferry.txt").write_text(FERRY_V2, encoding="utf-8")
    new_chunks = _chunks(corpus / "ferry.txt")
    assert len(new_chunks) == 4

    report = _index([corpus], settings, embedder)

    assert report.updated == ["ferry.txt"]
    assert report.unchanged == ["orchard.txt"]
    assert report.chunks_written == 4
    assert report.total_chunks == 6  # 4 new ferry chunks + 2 untouched orchard chunks
    store = ChunkStore(settings)
    assert _stored_ids(store, doc_hash=old_hash) == set()
    assert _stored_ids(store, source="ferry.txt") == {c.chunk_id for c in new_chunks}
    assert _stored_ids(store, source="orchard.txt") == orchard_ids
    record = store.documents()["ferry.txt"]
    assert (record.doc_hash, record.n_chunks, record.text) == (_article(corpus / "ferry.txt").doc_hash, 4, FERRY_V2)


def test_an_unchanged_file_is_not_read_into_an_article_again(
    corpus: Path, settings: Settings, embedder: BaseEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag import indexing
    from rag.file_stamps import file_stamp

    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    assert store.documents()["ferry.txt"].file_stamp == file_stamp(corpus / "ferry.txt") != ""
    # An index made before stamps: the next run compares in full, finds it unchanged and stamps it.
    store.docs.update(ids=["ferry.txt"], metadatas=[{"file_stamp": ""}])
    assert _index([corpus], settings, embedder).unchanged == ["ferry.txt", "orchard.txt"]
    assert ChunkStore(settings).documents()["ferry.txt"].file_stamp == file_stamp(corpus / "ferry.txt")

    def must_not_read(path: Path, max_mb: float = 10.0) -> object:
        raise AssertionError(f"{path.name} was read again")

    monkeypatch.setattr(indexing, "load_article", must_not_read)  # a probe: the fast path never reads
    assert _index([corpus], settings, embedder).unchanged == ["ferry.txt", "orchard.txt"]

    monkeypatch.undo()
    (corpus / "ferry.txt.meta.json").write_text('{"byline": "Ada Moss"}', encoding="utf-8")  # a new stamp
    report = _index([corpus], settings, embedder)
    assert report.updated == ["ferry.txt"] and report.unchanged == ["orchard.txt"]


def test_a_metadata_only_change_rewrites_the_article_with_its_stored_vectors(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    index_paths([corpus], settings, progress=False)  # no embedder passed: the run loads its own
    store = ChunkStore(settings)
    before = store.chunks.get(where={"source": "ferry.txt"}, include=["documents", "embeddings"])
    (corpus / "ferry.txt.meta.json").write_text('{"outlet": "The Harbour Gazette"}', encoding="utf-8")

    report = index_paths([corpus], settings, progress=False)

    assert report.updated == ["ferry.txt"] and report.chunks_written == 2
    assert report.chunks_reused == 2  # the text did not change, so nothing was embedded again
    assert ChunkStore(settings).documents()["ferry.txt"].meta.outlet == "The Harbour Gazette"
    after = ChunkStore(settings).chunks.get(where={"source": "ferry.txt"}, include=["documents", "embeddings"])
    stored = dict(zip(after["documents"], after["embeddings"], strict=True))
    fresh = embedder.get_text_embedding_batch(list(before["documents"]))
    for text, old, new in zip(before["documents"], before["embeddings"], fresh, strict=True):
        assert list(stored[text]) == pytest.approx(list(old), abs=1e-6)
        assert list(stored[text]) == pytest.approx(new, abs=1e-4)  # the vector the model gives that text


def test_deleting_a_file_from_an_indexed_folder_removes_its_chunks_and_record(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    (corpus / "ferry.txt").unlink()

    report = _index([corpus], settings, embedder)

    assert report.removed == ["ferry.txt"]
    assert report.unchanged == ["orchard.txt"]
    assert report.total_chunks == 2
    store = ChunkStore(settings)
    assert set(store.documents()) == {"orchard.txt"}
    assert _stored_ids(store, source="ferry.txt") == set()


def test_deleting_an_explicitly_named_file_removes_it(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    ferry, orchard = corpus / "ferry.txt", corpus / "orchard.txt"
    _index([ferry, orchard], settings, embedder)
    ferry.unlink()

    report = _index([ferry, orchard], settings, embedder)

    assert report.removed == ["ferry.txt"]
    assert [s.reason for s in report.skipped] == ["no such file or folder"]
    assert set(ChunkStore(settings).documents()) == {"orchard.txt"}


def test_files_outside_the_indexed_paths_are_kept(
    corpus: Path, tmp_path: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Note\n\nA short note about the harbour.\n", encoding="utf-8")

    report = _index([other], settings, embedder)

    assert report.added == ["note.txt"]
    assert report.removed == []
    assert set(ChunkStore(settings).documents()) == {"ferry.txt", "orchard.txt", "note.txt"}


def test_rebuild_starts_from_an_empty_store(
    corpus: Path, tmp_path: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    other = tmp_path / "other"
    other.mkdir()
    (other / "orchard.txt").write_text(ORCHARD, encoding="utf-8")

    report = _index([other], settings, embedder, rebuild=True)

    assert report.added == ["orchard.txt"]  # added again, not "unchanged"
    assert report.unchanged == []
    assert report.total_chunks == report.chunks_written == 2
    store = ChunkStore(settings)
    assert set(store.documents()) == {"orchard.txt"}
    assert _stored_ids(store, source="ferry.txt") == set()


def test_interrupted_write_is_invisible_and_repaired_on_the_next_run(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    committed = _stored_ids(store)
    ferry = _article(corpus / "ferry.txt")
    # The run was interrupted while writing a new version of ferry.txt; the file on disk
    # is still the committed version, so the next run must keep exactly the committed chunks.
    orphans = _write_uncommitted(store, dataclasses.replace(ferry, text=FERRY_V2), embedder)
    assert len(orphans) == 4
    assert store.chunk_count() == len(committed) + 4

    assert {n.node_id for n in store.committed_nodes()} == committed
    # dense_k/top_k above the 8 stored chunks: if the filter failed, an orphan would be returned.
    wide = settings.replace(dense_k=20, top_k=20)
    retriever = HybridRetriever(store, embedder, wide)
    question = "Is there a replacement bus from Zanzibar Quay?"  # only the orphan chunks say so
    dense_ids = {n.node.node_id for n in retriever.dense.retrieve(question)}
    bm25_ids = {n.node.node_id for n in retriever.bm25.retrieve(question)}
    fused_ids = {p.chunk.chunk_id for p in retriever.retrieve(question)}
    assert dense_ids | bm25_ids | fused_ids <= committed
    assert not (dense_ids | bm25_ids | fused_ids) & set(orphans)

    report = _index([corpus], settings, embedder)

    assert report.orphans_repaired == 4
    assert report.unchanged == ["ferry.txt", "orchard.txt"]
    assert report.total_chunks == len(committed)
    assert _stored_ids(ChunkStore(settings)) == committed


def test_interrupted_update_is_finished_by_the_next_run(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    orchard_ids = _stored_ids(store, source="orchard.txt")
    (corpus / "ferry.txt").write_text(FERRY_V2, encoding="utf-8")
    _write_uncommitted(store, _article(corpus / "ferry.txt"), embedder)

    report = _index([corpus], settings, embedder)

    assert report.orphans_repaired == 4
    assert report.updated == ["ferry.txt"]
    store = ChunkStore(settings)
    assert _stored_ids(store) == {c.chunk_id for c in _chunks(corpus / "ferry.txt")} | orchard_ids
    assert store.documents()["ferry.txt"].doc_hash == _article(corpus / "ferry.txt").doc_hash


def test_remove_articles_removes_named_ones_and_reports_unknown(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)

    unknown = remove_articles(["ferry.txt", "nope.txt"], settings)

    assert unknown == ["nope.txt"]
    store = ChunkStore(settings)
    assert set(store.documents()) == {"orchard.txt"}
    assert _stored_ids(store, source="ferry.txt") == set()
    assert store.chunk_count() == 2


def test_folder_with_good_and_bad_files_indexes_the_good_and_reports_the_bad(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 owners protest".encode("latin-1"))
    (corpus / "empty.md").write_text("", encoding="utf-8")

    report = _index([corpus], settings, embedder)

    assert report.added == ["ferry.txt", "orchard.txt"]
    assert report.total_chunks == 4
    reasons = {s.path.name: s.reason for s in report.skipped}
    assert set(reasons) == {"scan.pdf", "blob.txt", "latin1.txt", "empty.md"}
    assert reasons["scan.pdf"].startswith("the PDF cannot be read")
    assert reasons["blob.txt"] == "looks binary (contains NUL bytes)"
    assert reasons["latin1.txt"].startswith("not valid UTF-8")
    assert reasons["empty.md"] == "file is empty"
    assert report.indexed_anything


def test_folder_of_only_bad_files_indexes_nothing(tmp_path: Path, settings: Settings, embedder: BaseEmbedding) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    (bad / "blob.txt").write_bytes(b"\x00\x00")

    report = _index([bad], settings, embedder)

    assert not report.indexed_anything
    assert len(report.skipped) == 2
    assert report.total_chunks == 0


def test_two_files_with_the_same_name_index_only_the_first(
    tmp_path: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    for sub, text in (("a", FERRY), ("b", ORCHARD)):
        (tmp_path / "c" / sub).mkdir(parents=True)
        (tmp_path / "c" / sub / "story.txt").write_text(text, encoding="utf-8")

    report = _index([tmp_path / "c"], settings, embedder)

    assert report.added == ["story.txt"]
    assert [s.path for s in report.skipped] == [tmp_path / "c" / "b" / "story.txt"]
    assert "another file named story.txt" in report.skipped[0].reason
    assert ChunkStore(settings).documents()["story.txt"].text == FERRY


def test_orphans_of_a_copy_of_an_indexed_file_are_invisible_and_repaired(
    corpus: Path, settings: Settings, embedder: BaseEmbedding
) -> None:
    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    committed = _stored_ids(store)
    copy = corpus / "ferry-copy.txt"
    copy.write_text(FERRY, encoding="utf-8")
    orphans = _write_uncommitted(store, _article(copy), embedder)
    copy.unlink()  # the copy is gone before the next run

    visible = {n.node_id for n in store.committed_nodes()}
    report = _index([corpus], settings, embedder)

    assert not visible & set(orphans)
    assert report.orphans_repaired == len(orphans)
    assert _stored_ids(ChunkStore(settings)) == committed


def test_reads_of_the_whole_store_come_in_pages(
    corpus: Path, settings: Settings, embedder: BaseEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma binds one SQLite variable per record a get returns and SQLite refuses more than 32,766:
    an unpaged read of 45,000 articles failed. Pages of 1 here read exactly what one get did."""
    import rag.store

    _index([corpus], settings, embedder)
    store = ChunkStore(settings)
    whole = (store.documents(), store.committed_versions(), [n.node_id for n in store.committed_nodes()])
    monkeypatch.setattr(rag.store, "_READ_PAGE", 1)

    assert (store.documents(), store.committed_versions(), [n.node_id for n in store.committed_nodes()]) == whole
    assert store.repair() == 0
