"""`rag serve` as chat clients use it: the official `openai` client against a real server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest
import uvicorn
from fastapi import FastAPI

from rag import Assistant, Settings
from rag.api_server import bind
from rag.errors import ConfigError
from rag.openai_api import Message, conversation, create_api
from rag.serving import load_api_settings

QUESTION = "How many Palestinian prisoners were to be freed according to the Doha talks?"
MILLER = "What did Miller say about the 90% figure?"


def free_port() -> int:
    with bind("127.0.0.1", 0) as sock:
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(seed_settings: Settings) -> Iterator[str]:
    """A real `rag serve` process over the seed index; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "rag.cli",
        "serve",
        "--index-dir",
        str(seed_settings.index_dir),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env={**os.environ, "RAG_LLM": "extractive"})
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("Ready"):
            break
    assert lines and lines[-1].startswith("Ready"), "".join(lines)
    assert f"http://127.0.0.1:{port}/v1 (models: newsrag-extractive)" in lines[-1]
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def client(served: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=served, api_key="unused-on-loopback", max_retries=0)


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn in a thread, on a free port; yields the base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_models_are_the_answering_modes_that_can_run_here(client: openai.OpenAI) -> None:
    assert [model.id for model in client.models.list()] == ["newsrag-extractive"]
    assert client.models.retrieve("newsrag").id == "newsrag-extractive"


def test_a_completion_is_the_cited_answer_with_the_citation_objects_of_rag_ask_json(
    client: openai.OpenAI, assistant: Assistant
) -> None:
    expected = assistant.ask(QUESTION).to_dict()
    reply = client.chat.completions.create(model="newsrag-extractive", messages=[{"role": "user", "content": QUESTION}])
    assert reply.choices[0].message.content == expected["answer"]
    assert reply.choices[0].finish_reason == "stop"
    extra = reply.model_extra or {}
    assert extra["citations"] == expected["citations"] and extra["citations"]
    assert extra["newsrag"]["question"] == QUESTION and extra["newsrag"]["mode"] == "extractive"
    for citation in extra["citations"]:
        assert f"[{citation['n']}]" in reply.choices[0].message.content


def test_a_stream_sends_the_same_answer_and_its_citations_in_the_last_chunk(
    client: openai.OpenAI, assistant: Assistant
) -> None:
    expected = assistant.ask(MILLER).to_dict()
    chunks = list(
        client.chat.completions.create(
            model="newsrag-extractive", messages=[{"role": "user", "content": MILLER}], stream=True
        )
    )
    content = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert content == expected["answer"]
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 2  # sentence by sentence
    assert chunks[0].choices[0].delta.role == "assistant"
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"] == expected["citations"]
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])


def test_passages_per_question_come_as_an_extra_body_field(client: openai.OpenAI, assistant: Assistant) -> None:
    reply = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": QUESTION}], extra_body={"top_k": 2}
    )
    assert (reply.model_extra or {})["newsrag"]["retrieved"] == assistant.ask(QUESTION, top_k=2).to_dict()["retrieved"]


def test_filters_come_as_extra_body_fields_and_one_admitting_nothing_is_a_400(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="newsrag",
        messages=[{"role": "user", "content": "What did Blinken say?"}],
        extra_body={"outlet": ["Al Jazeera"]},
    )
    cited = (reply.model_extra or {})["citations"]
    assert cited and {c["outlet"] for c in cited} == {"Al Jazeera"}
    with pytest.raises(openai.BadRequestError, match="No indexed article is published on or after 2030-01-01"):
        client.chat.completions.create(
            model="newsrag", messages=[{"role": "user", "content": QUESTION}], extra_body={"since": "2030-01-01"}
        )


def test_bad_requests_raise_the_clients_own_errors_with_our_message(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="The question is empty"):
        client.chat.completions.create(model="newsrag", messages=[{"role": "user", "content": "  "}])
    with pytest.raises(openai.BadRequestError, match="top_k must be between 1 and 12"):
        client.chat.completions.create(
            model="newsrag", messages=[{"role": "user", "content": QUESTION}], extra_body={"top_k": 99}
        )
    with pytest.raises(openai.BadRequestError, match="No user message"):
        client.chat.completions.create(model="newsrag", messages=[{"role": "system", "content": "Be brief."}])
    with pytest.raises(openai.NotFoundError, match="use one of: newsrag-extractive"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.NotFoundError, match="newsrag-local"):  # started extractive: no model may start
        client.chat.completions.create(model="newsrag-local", messages=[{"role": "user", "content": QUESTION}])


def test_the_last_user_message_is_the_question_and_earlier_turns_the_history() -> None:
    messages = [
        Message(role="system", content="Answer briefly."),
        Message(role="user", content="Who mediates the talks?"),
        Message(role="assistant", content="Qatar and Egypt. [1]"),
        Message(
            role="user", content=[{"type": "text", "text": "And what did "}, {"type": "text", "text": "Hamas say?"}]
        ),
    ]
    assert conversation(messages) == ("And what did Hamas say?", [("Who mediates the talks?", "Qatar and Egypt. [1]")])


def test_with_an_api_key_every_route_wants_it_as_a_bearer_token(assistant: Assistant) -> None:
    with running(create_api(assistant, api_key="s3cret-key")) as url:
        wrong = openai.OpenAI(base_url=url, api_key="guess", max_retries=0)
        with pytest.raises(openai.AuthenticationError, match="Missing or wrong API key"):
            wrong.models.list()
        with pytest.raises(openai.AuthenticationError):
            wrong.chat.completions.create(model="newsrag", messages=[{"role": "user", "content": QUESTION}])
        right = openai.OpenAI(base_url=url, api_key="s3cret-key", max_retries=0)
        reply = right.chat.completions.create(model="newsrag", messages=[{"role": "user", "content": QUESTION}])
        assert (reply.model_extra or {})["citations"]


def test_serving_beyond_loopback_without_a_key_is_refused_saying_how_to_set_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Refusing to serve on 0\.0\.0\.0.*RAG_API_KEY"):
        load_api_settings(host="0.0.0.0", env={})
    assert load_api_settings(host="0.0.0.0", env={"RAG_API_KEY": "k"}).api_key == "k"
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n", encoding="utf-8")
    assert load_api_settings(host="::", api_key_file=key_file, env={}).api_key == "from-file"
    assert load_api_settings(env={"RAG_API_HOST": "localhost"}).api_key == ""
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "0.0.0.0", "--index-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("RAG_API")},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: Refusing to serve on 0.0.0.0" in result.stderr


def test_a_port_in_use_is_a_clear_error() -> None:
    with bind("127.0.0.1", 0) as taken:
        taken.listen()
        with pytest.raises(ConfigError, match="Pick another with --port"):
            bind("127.0.0.1", taken.getsockname()[1])
