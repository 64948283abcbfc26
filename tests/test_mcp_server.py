"""`rag mcp` as MCP clients use it: the SDK's own stdio client launches the real command and calls its tools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from rag import Assistant, Settings
from tests.conftest import REPO

MILLER = "What did Miller say about the 90% figure?"
QUESTION = "How many Palestinian prisoners were to be freed according to the Doha talks?"


def _params(index_dir: Path) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "rag.cli", "mcp", "--index-dir", str(index_dir)],
        env={**os.environ, "RAG_LLM": "extractive"},
        cwd=str(REPO),
    )


async def _session(index_dir: Path) -> dict[str, Any]:
    """One client session: list the tools and call each, as a desktop client would."""
    async with Client(_params(index_dir), read_timeout_seconds=120) as client:
        tools = (await client.list_tools()).tools
        return {
            "instructions": client.instructions,
            "tools": {tool.name: tool for tool in tools},
            "ask": await client.call_tool("ask", {"question": MILLER}),
            "ask_top_k": await client.call_tool("ask", {"question": QUESTION, "top_k": 2}),
            "empty": await client.call_tool("ask", {"question": "   "}),
            "bad_mode": await client.call_tool("ask", {"question": MILLER, "mode": "local"}),
            "search": await client.call_tool("search", {"query": "Palestinian prisoners freed", "top_k": 3}),
            "articles": await client.call_tool("list_articles", {}),
        }


@pytest.fixture(scope="module")
def session(seed_settings: Settings) -> dict[str, Any]:
    return anyio.run(_session, seed_settings.index_dir)


def test_a_stdio_client_lists_the_three_tools_with_their_arguments(session: dict[str, Any]) -> None:
    tools = session["tools"]
    assert set(tools) == {"ask", "search", "list_articles"}
    assert tools["ask"].input_schema["required"] == ["question"]
    expected = {"question", "mode", "top_k", "since", "until", "outlet", "source"}
    assert set(tools["ask"].input_schema["properties"]) == expected
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["ask"].description.startswith("Answer a question about the indexed news articles")
    assert "quote == article_text[start:end]" in session["instructions"]


def test_ask_returns_the_cited_answer_json_of_rag_ask(session: dict[str, Any], assistant: Assistant) -> None:
    result = session["ask"]
    assert not result.is_error
    expected = assistant.ask(MILLER).to_dict()
    got = result.structured_content
    assert got["answer"] == expected["answer"] and got["citations"] == expected["citations"]
    assert got["citations"] and not got["abstained"]
    seeds = {c["source"]: (REPO / "seeds" / c["source"]).read_text(encoding="utf-8") for c in got["citations"]}
    assert all(seeds[c["source"]][c["start"] : c["end"]] == c["quote"] for c in got["citations"])
    top_k = session["ask_top_k"].structured_content
    assert top_k["retrieved"] == assistant.ask(QUESTION, top_k=2).to_dict()["retrieved"]


def test_bad_arguments_are_tool_errors_that_say_what_to_do(session: dict[str, Any]) -> None:
    assert session["empty"].is_error and "The question is empty" in session["empty"].content[0].text
    assert session["bad_mode"].is_error and "choose one of extractive" in session["bad_mode"].content[0].text


def test_search_returns_ranked_passages_with_offsets_into_the_article(session: dict[str, Any]) -> None:
    passages = session["search"].structured_content["result"]
    assert [p["rank"] for p in passages] == [1, 2, 3]
    for p in passages:
        text = (REPO / "seeds" / p["source"]).read_text(encoding="utf-8")
        assert text[p["start"] : p["end"]] == p["text"]
    assert any("prisoners" in p["text"] for p in passages)


def test_list_articles_names_every_indexed_article(session: dict[str, Any]) -> None:
    articles = session["articles"].structured_content["result"]
    assert [a["source"] for a in articles] == sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
    assert articles[0]["date"] == "2024-09-16" and articles[0]["chunks"] > 0 and articles[0]["url"] == ""
    assert (articles[1]["outlet"], articles[1]["inferred"]) == ("The New York Times", ["title", "outlet", "date"])


def test_without_an_index_rag_mcp_stops_before_serving_and_says_to_index(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "mcp", "--index-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "rag index" in result.stderr and result.stdout == ""
