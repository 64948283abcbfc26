"""A loaded assistant follows the index: it notices commits, says so, and never keeps a quote that changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rag import Assistant, Settings
from rag.errors import BadInputError
from rag.freshness import INDEX_UPDATED, IndexWatch
from rag.indexing import index_paths
from rag.store import ChunkStore
from tests.conftest import SEEDS

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

DOHA = "000_bad4616c5d09da39.txt"
QUESTION = "Who led the high-level meeting in Doha?"


@pytest.fixture
def own_index(tmp_path: Path, seed_settings: Settings) -> Settings:
    """A writable copy of the seed index and of the seed files it was built from."""
    shutil.copytree(seed_settings.index_dir, tmp_path / "index")
    shutil.copytree(SEEDS, tmp_path / "corpus")
    return seed_settings.replace(index_dir=tmp_path / "index")


def test_a_commit_elsewhere_is_picked_up_before_the_next_question_with_a_notice(
    own_index: Settings, tmp_path: Path, embedder: BaseEmbedding
) -> None:
    assistant = Assistant(own_index)
    assistant.embedder  # noqa: B018 - load the model before timing anything
    before = assistant.ask(QUESTION)
    assert "Doha" in before.citations[0].quote and INDEX_UPDATED not in before.notices
    changed = tmp_path / "corpus" / DOHA
    changed.write_text(changed.read_text(encoding="utf-8").replace("in Doha led by", "in Lisbon led by"), "utf-8")
    index_paths([tmp_path / "corpus"], own_index, progress=False, embedder=embedder)

    after = assistant.ask("Who led the high-level meeting in Lisbon?")

    assert after.notices[0] == INDEX_UPDATED
    quote = next(c for c in after.citations if c.source == DOHA)
    assert "Lisbon" in quote.quote
    assert changed.read_text(encoding="utf-8")[quote.start : quote.end] == quote.quote
    assert INDEX_UPDATED not in assistant.ask(QUESTION).notices  # once per change


def test_a_quote_whose_article_changed_no_longer_holds(own_index: Settings, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    answer = Assistant(own_index).ask(QUESTION)
    watch = IndexWatch(ChunkStore(own_index))
    assert watch.quotes_hold(answer) and not watch.changed()
    changed = tmp_path / "corpus" / DOHA
    changed.write_text("Breaking\n\nNothing about meetings here.\n" + changed.read_text(encoding="utf-8"), "utf-8")
    index_paths([tmp_path / "corpus"], own_index, progress=False, embedder=embedder)

    assert watch.changed()
    assert not watch.quotes_hold(answer)


def test_a_question_with_undecodable_bytes_is_refused_with_a_reason(assistant: Assistant) -> None:
    with pytest.raises(BadInputError, match="not valid UTF-8"):
        assistant.ask("Who met in Doha \udcff?")  # how Python passes a non-UTF-8 argv byte
