"""Shared fixtures: the real embedding model and a real Chroma store on disk, built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, Settings, load_settings
from rag.embedding import load_embedder
from rag.indexing import index_paths

# Subprocesses (`rag ask`, `rag ui`) inherit this: the LLM tests (tests/test_llm_*.py) opt in
# explicitly, so the rest of the suite never starts a model server by the "auto" default.
os.environ["RAG_LLM"] = "extractive"

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The bundled MiniLM model, loaded once."""
    return load_embedder(load_settings(env={}))


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:  # type: ignore[no-untyped-def]
    """A Chroma store of the five seed articles; read-only for tests (copy it to modify)."""
    settings = load_settings(env={}, index_dir=tmp_path_factory.mktemp("seed-index"), llm="extractive")
    index_paths([SEEDS], settings, progress=False, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def assistant(seed_settings: Settings) -> Assistant:
    loaded = Assistant(seed_settings)
    loaded.load()
    return loaded


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the seeds, for tests that change or delete files."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    yield target
