"""The launched app over real HTTP: `/ask` JSON via gradio_client, uploads, removal, streaming.

One app per session (`running_app`), on a free port, over a copy of the seed index so
uploads never touch the shared read-only one. The browser tests use the same app.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError

from rag import Assistant, Settings
from rag.freshness import INDEX_UPDATED
from rag.indexing import index_paths
from tests.builders import docx_bytes, pdf_bytes, scanned_pdf_bytes
from tests.conftest import REPO
from tests.test_chroma_server import _start_chroma
from ui.answering import Answerer, default_mode, mode_choices
from ui.server import create_app, launch
from ui.settings import UiSettings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

LAKE = """Date: 2024-10-02
Lake Miriel reservoir reaches record level

The Lake Miriel reservoir now holds 412 million cubic metres of water, the regional water board said on Tuesday.
Board chair Ingrid Solberg said the reservoir had not been this full since it opened in 1987.
Farmers in the valley welcomed the news after two dry summers.
"""
MILLER = "What did Miller say about the 90% figure?"
GLACIER = """Date: 2024-09-30
Vesle glacier shrinks again

The Vesle glacier retreated 212 metres over the summer, the national glacier survey said on Monday.
Survey leader Marit Holm said the melt season had started three weeks earlier than usual.
"""


@dataclass
class RunningApp:
    url: str
    settings: Settings
    uploads_dir: Path
    app: gr.Blocks


_RUNNING: list[RunningApp] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_eval_run(runs_dir: Path) -> None:
    """A finished run as `rag eval` leaves it, so the evaluation tab has something to show."""
    from PIL import Image, ImageDraw

    run = runs_dir / "20240101-120000"
    run.mkdir(parents=True)
    charts = {"accuracy_by_type": "Answer accuracy by question type", "latency": "Latency per question"}
    links = "\n\n".join(f"![{title}]({name}.png)" for name, title in charts.items())
    (run / "report.md").write_text(
        f"# Evaluation report\n\n| metric | value |\n|---|---|\n| recall@6 | 0.90 |\n\n{links}\n"
    )
    (run / "metrics.json").write_text('{"recall@6": 0.9}')
    for i, name in enumerate(charts):
        chart = Image.new("RGB", (480, 300), "white")
        ImageDraw.Draw(chart).rectangle((60, 120 - 40 * i, 180, 280), fill="steelblue")
        chart.save(run / f"{name}.png")


def running_app(tmp_path_factory: pytest.TempPathFactory, seed_settings: Settings) -> RunningApp:
    """Launch once per session, whichever UI test module asks first."""
    if not _RUNNING:
        root = tmp_path_factory.mktemp("ui-app")
        shutil.copytree(seed_settings.index_dir, root / "index")
        settings = seed_settings.replace(index_dir=root / "index")
        write_eval_run(root / "runs")
        ui_settings = UiSettings(port=free_port(), eval_runs_dir=root / "runs")
        app = create_app(settings, ui_settings)
        _RUNNING.append(RunningApp(launch(app, ui_settings), settings, root / "index" / "uploads", app))
    return _RUNNING[0]


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory: pytest.TempPathFactory, seed_settings: Settings) -> Iterator[RunningApp]:
    running = running_app(tmp_path_factory, seed_settings)
    yield running
    running.app.close(verbose=False)


@pytest.fixture(scope="session")
def client(ui_app: RunningApp) -> Client:
    return Client(ui_app.url, verbose=False)


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings"}


def test_ask_endpoint_returns_the_json_of_rag_ask(client: Client, assistant: Assistant) -> None:
    got = client.predict(question=MILLER, api_name="/ask")
    assert without_timings(got) == without_timings(assistant.ask(MILLER).to_dict())
    assert got["citations"] and "90%" in got["citations"][0]["quote"]
    first = got["citations"][0]
    assert first["quote"] in first["text"] and f"[{first['n']}]" in got["answer"]


def test_ask_endpoint_takes_passages_per_question_and_explains_bad_input(client: Client) -> None:
    assert len(client.predict(question=MILLER, top_k=2, api_name="/ask")["retrieved"]) == 2
    with pytest.raises(Exception, match="The question is empty"):
        client.predict(question="   ", api_name="/ask")
    with pytest.raises(Exception, match="top_k must be between 1 and 12"):
        client.predict(question=MILLER, top_k=99, api_name="/ask")


def test_ask_endpoint_takes_the_same_filters_as_rag_ask(client: Client) -> None:
    got = client.predict(question=MILLER, since="2024-09-01", outlet="Jerusalem Post", api_name="/ask")
    assert got["citations"] and {c["source"] for c in got["citations"]} == {"000_bad4616c5d09da39.txt"}
    chosen = client.predict(question="Who mediates?", source="004_8707b4ad2ec9a16f.txt", api_name="/ask")
    assert {c["source"] for c in chosen["citations"]} == {"004_8707b4ad2ec9a16f.txt"}
    with pytest.raises(Exception, match="No indexed article is published on or before 2020-01-01"):
        client.predict(question=MILLER, until="2020-01-01", api_name="/ask")


def test_an_uploaded_document_is_indexed_and_answerable_then_removable(
    client: Client, ui_app: RunningApp, tmp_path: Path
) -> None:
    sent = tmp_path / "Lake report (final).txt"
    sent.write_text(LAKE, encoding="utf-8")
    status, table, *_ = client.predict([handle_file(str(sent))], api_name="/upload")
    stored = [p.name for p in ui_app.uploads_dir.iterdir()]
    lake = next(name for name in stored if name.startswith("lake-report-final-"))
    assert f"Indexed 1 file(s): {lake}" in status
    assert any(row[-1] == lake for row in table["data"])

    answer = client.predict(question="How much water does the Lake Miriel reservoir hold?", api_name="/ask")
    assert not answer["abstained"]
    assert answer["citations"][0]["source"] == lake and "412 million" in answer["citations"][0]["quote"]

    status, table, *_ = client.predict(lake, api_name="/remove")
    assert f"Removed {lake}" in status
    assert not (ui_app.uploads_dir / lake).exists()
    after = client.predict(question="How much water does the Lake Miriel reservoir hold?", api_name="/ask")
    assert all(c["source"] != lake for c in after["citations"])


def test_a_running_app_answers_from_articles_another_process_indexed_and_says_so(
    client: Client, ui_app: RunningApp, tmp_path: Path
) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "glacier.txt").write_text(GLACIER, encoding="utf-8")
    question = "How far did the Vesle glacier retreat?"
    rag = [sys.executable, "-m", "rag.cli"]
    where = ["--index-dir", str(ui_app.settings.index_dir)]
    subprocess.run([*rag, "index", str(tmp_path / "new"), *where, "--quiet"], check=True, capture_output=True)
    try:
        answer = client.predict(question=question, api_name="/ask")
        assert answer["notices"][0].startswith("Index updated")
        assert answer["citations"][0]["source"] == "glacier.txt" and "212 metres" in answer["citations"][0]["quote"]
        assert INDEX_UPDATED not in client.predict(question=question, api_name="/ask")["notices"]  # once
    finally:
        subprocess.run([*rag, "remove", "glacier.txt", *where], check=True, capture_output=True)
    after = client.predict(question=question, api_name="/ask")  # also takes this test's notice off the next one
    assert after["notices"][0].startswith("Index updated")
    assert all(c["source"] != "glacier.txt" for c in after["citations"])


def test_the_remove_endpoint_works_for_a_caller_that_never_loaded_the_page(ui_app: RunningApp) -> None:
    status, *_ = Client(ui_app.url, verbose=False).predict("never-indexed.txt", api_name="/remove")
    assert status == "never-indexed.txt is not in the library (refresh the table)."


def test_the_ask_endpoint_refuses_a_mode_the_server_was_not_started_with(client: Client) -> None:
    with pytest.raises(Exception, match="Mode 'local' is not enabled on this server; choose one of: extractive"):
        client.predict(question=MILLER, mode="local", api_name="/ask")


def test_the_ask_endpoint_explains_undecodable_text(ui_app: RunningApp) -> None:
    """A lone surrogate is valid JSON but no text; gradio_client cannot even send it, so raw HTTP does."""
    body = b'{"data": ["Who met in Doha \\udcff?", "extractive", 6, "", "", "", ""]}'
    sent = httpx.post(f"{ui_app.url}gradio_api/call/ask", content=body, headers={"content-type": "application/json"})
    events = httpx.get(f"{ui_app.url}gradio_api/call/ask/{sent.json()['event_id']}", timeout=60).text
    assert "event: error" in events and "The question is not valid UTF-8 text" in events


def test_a_chroma_server_gone_down_is_a_sentence_saying_to_start_it(
    seed_settings: Settings,
    tmp_path: Path,
    embedder: BaseEmbedding,
) -> None:
    server, url = _start_chroma(tmp_path / "data")
    try:
        settings = seed_settings.replace(chroma_url=url)
        index_paths([REPO / "seeds" / "000_bad4616c5d09da39.txt"], settings, progress=False, embedder=embedder)
        ui_settings = UiSettings(port=free_port(), eval_runs_dir=tmp_path)
        app = create_app(settings, ui_settings)
        client = Client(launch(app, ui_settings), verbose=False)
        assert client.predict(question=MILLER, api_name="/ask")["citations"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    try:
        with pytest.raises(Exception, match=rf"Cannot reach the Chroma server at {url}.*Start it"):
            client.predict(question=MILLER, api_name="/ask")
    finally:
        app.close(verbose=False)


def test_a_rejected_upload_says_why_and_stores_nothing(client: Client, ui_app: RunningApp, tmp_path: Path) -> None:
    ui_app.uploads_dir.mkdir(parents=True, exist_ok=True)
    before = set(ui_app.uploads_dir.iterdir())
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 talks resume".encode("latin-1"))
    status, *_ = client.predict([handle_file(str(latin))], api_name="/upload")
    assert "Rejected: latin.txt is not valid UTF-8 (byte 3); re-save it as UTF-8." in status
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf_bytes())
    status, *_ = client.predict([handle_file(str(scan))], api_name="/upload")
    assert "Rejected: " in status and "no text layer (a scanned PDF?)" in status
    sheet = tmp_path / "figures.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(Exception, match="Invalid file type"):  # Gradio refuses it before our code runs
        client.predict([handle_file(str(sheet))], api_name="/upload")
    assert set(ui_app.uploads_dir.iterdir()) == before


def test_uploaded_pdf_and_word_files_are_indexed_and_quoted_from_their_text(
    client: Client, ui_app: RunningApp, tmp_path: Path
) -> None:
    pdf = tmp_path / "Dam report.pdf"
    pdf.write_bytes(
        pdf_bytes(["Vellmar dam inspection\n\nEngineers found three hairline cracks in the Vellmar dam wall."])
    )
    word = tmp_path / "Bridge note.docx"
    word.write_bytes(
        docx_bytes(["Ostby bridge reopens", "The Ostby bridge reopened to lorries after 14 weeks of repairs."])
    )
    status, *_ = client.predict([handle_file(str(pdf)), handle_file(str(word))], api_name="/upload")
    assert "Indexed 2 file(s)" in status, status
    answer = client.predict(question="How many cracks did engineers find in the Vellmar dam?", api_name="/ask")
    assert (
        answer["citations"][0]["source"].endswith(".pdf") and "three hairline cracks" in answer["citations"][0]["quote"]
    )
    answer = client.predict(question="After how many weeks did the Ostby bridge reopen?", api_name="/ask")
    assert answer["citations"][0]["source"].endswith(".docx") and "14 weeks" in answer["citations"][0]["quote"]
    for stored in ui_app.uploads_dir.iterdir():
        if stored.suffix in (".pdf", ".docx"):
            client.predict(stored.name, api_name="/remove")


def test_with_a_login_configured_the_app_and_its_api_require_it(ui_app: RunningApp, tmp_path: Path) -> None:
    ui_settings = UiSettings(port=free_port(), auth=(("ana", "s3cret"),), eval_runs_dir=tmp_path)
    app = create_app(ui_app.settings, ui_settings)
    url = launch(app, ui_settings)
    try:
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False)
        with pytest.raises(Exception, match="Could not login"):
            Client(url, auth=("ana", "wrong"), verbose=False)
        answer = Client(url, auth=("ana", "s3cret"), verbose=False).predict(question=MILLER, api_name="/ask")
        assert answer["citations"]
    finally:
        app.close(verbose=False)


def test_a_whole_answer_streams_sentence_by_sentence(seed_settings: Settings) -> None:
    parts = list(Answerer(seed_settings).stream("Which countries are mediating between Israel and Hamas?"))
    final = parts[-1].answer
    assert final is not None and len(final.citations) >= 2
    assert len(parts) >= 2 and all(p.answer is None for p in parts[:-1])
    assert all(final.answer.startswith(p.text) for p in parts) and parts[-1].text == final.answer


def test_passage_count_applies_per_question_on_one_loaded_assistant(seed_settings: Settings) -> None:
    answerer = Answerer(seed_settings)
    # One part, no date or outlet: a many-part question ("between Israel and Hamas") reads more chunks.
    question = "Who led the high-level meeting in Doha?"
    assert len(answerer.ask(question, top_k=2).retrieved) == 2
    assert len(answerer.ask(question).retrieved) == seed_settings.top_k
    assert answerer.default_mode == "extractive" and answerer.choices[0][1] == "extractive"


def test_the_mode_choices_are_only_modes_that_can_answer_here(seed_settings: Settings, tmp_path: Path) -> None:
    missing = seed_settings.replace(llm="local", llm_model_path=str(tmp_path / "absent.gguf"))
    assert mode_choices(missing) == [("Extractive (quotes the articles)", "extractive")]
    assert default_mode(missing) == "extractive"  # the configured mode cannot run: start extractive
    gguf = tmp_path / "my-model.gguf"
    gguf.write_bytes(b"GGUF")
    local = seed_settings.replace(llm="auto", llm_model_path=str(gguf))
    assert [label for label, _ in mode_choices(local)] == [
        "Extractive (quotes the articles)",
        "Local LLM (my-model.gguf)",
    ]
    assert default_mode(local) == "extractive"  # auto: the LLM did not beat extractive (README)
    assert default_mode(local.replace(llm="local")) == "local"
    hosted = missing.replace(llm="hosted", llm_base_url="http://127.0.0.1:9/v1", llm_model="gpt-x")
    assert [value for _, value in mode_choices(hosted)] == ["extractive", "hosted"]
    assert ("Hosted LLM (gpt-x)", "hosted") in mode_choices(hosted) and default_mode(hosted) == "hosted"


WAIT_AND_ASK = """
import json, sys, time, urllib.request
from gradio_client import Client
url = sys.argv[1]
for _ in range(240):
    try:
        urllib.request.urlopen(url, timeout=1)
        break
    except OSError:
        time.sleep(0.5)
print(json.dumps(Client(url, verbose=False).predict(question=sys.argv[2], api_name="/ask")))
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="unshare -n needs root")
def test_the_app_starts_and_answers_with_no_network(seed_settings: Settings, tmp_path: Path) -> None:
    """`rag ui` in a network namespace with only loopback: any outside connection would fail loudly."""
    shutil.copytree(seed_settings.index_dir, tmp_path / "index")
    (tmp_path / "tmp").mkdir()
    url = "http://127.0.0.1:7860/"
    script = (
        "ip link set lo up && "
        f"{{ {sys.executable} -m rag.cli ui --index-dir {tmp_path / 'index'} & }} && server=$! && "
        f'{sys.executable} -c "$WAIT_AND_ASK" {url} "{MILLER}"; status=$?; kill $server; exit $status'
    )
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "WAIT_AND_ASK": WAIT_AND_ASK}
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["citations"][0]["source"] == "000_bad4616c5d09da39.txt"


def test_concurrent_ask_clients_all_get_the_same_answer(ui_app: RunningApp, assistant: Assistant) -> None:
    """Eight API clients at once, three questions each: answering is serialised, nothing mixes."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [MILLER, "Which countries mediate the hostage talks?", "How many hostages did Hamas seize?"]
    expected = {q: without_timings(assistant.ask(q).to_dict()) for q in questions}

    def ask_all(_: int) -> list[tuple[str, dict]]:
        own = Client(ui_app.url, verbose=False)
        return [(q, without_timings(own.predict(question=q, api_name="/ask"))) for q in questions]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pair for batch in pool.map(ask_all, range(8)) for pair in batch]

    assert len(results) == 24
    assert all(got == expected[q] for q, got in results)
