"""RAG_CHROMA_URL: the same indexing and answering against a real `chroma run` server process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, load_settings
from rag.errors import StoreError
from rag.indexing import index_paths
from tests.conftest import SEEDS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_chroma(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.fail("the chroma CLI is missing from the venv; reinstall chromadb")
    port = _free_port()
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    server.terminate()
    pytest.fail("chroma server did not start within 30 s")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, url = _start_chroma(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_index_and_answer_through_a_chroma_server(chroma_url: str, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_bad4616c5d09da39.txt", "003_6f61d5c10235f360.txt"):
        shutil.copy(SEEDS / name, corpus)
    settings = load_settings(env={}, chroma_url=chroma_url, index_dir=tmp_path / "unused", llm="extractive")
    report = index_paths([corpus], settings, progress=False, embedder=embedder)
    assert sorted(report.added) == ["000_bad4616c5d09da39.txt", "003_6f61d5c10235f360.txt"]
    assert not (tmp_path / "unused").exists(), "an HTTP store must not create a local index"
    again = index_paths([corpus], settings, progress=False, embedder=embedder)
    assert again.chunks_written == 0 and again.total_chunks == report.total_chunks

    answer = Assistant(settings).ask("How many Palestinian prisoners were to be freed according to the Doha talks?")
    assert "800" in answer.answer
    assert answer.citations[0].source == "000_bad4616c5d09da39.txt"


def test_a_server_that_goes_down_under_a_running_assistant_is_named_with_what_to_do(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    server, url = _start_chroma(tmp_path / "data")
    try:
        settings = load_settings(env={}, chroma_url=url, llm="extractive")
        index_paths([SEEDS / "000_bad4616c5d09da39.txt"], settings, progress=False, embedder=embedder)
        assistant = Assistant(settings)
        assert assistant.ask("Who led the high-level meeting in Doha?").citations
    finally:
        server.terminate()
        server.wait(timeout=10)

    with pytest.raises(StoreError, match=r"Cannot reach the Chroma server at .*Start it"):
        assistant.ask("Who led the high-level meeting in Doha?")
