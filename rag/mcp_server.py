"""`rag mcp`: the Assistant as MCP tools over stdio, for MCP clients (desktop chat apps, editors, agents).

Tools: `ask` returns the `rag ask --json` object (`Answer.to_dict()`), `search` the ranked
passages with their exact offsets, `list_articles` what is indexed. The client starts this
process and speaks JSON-RPC on its stdin/stdout; the SDK points file descriptor 1 at stderr
while it serves, so nothing else this process prints can corrupt the protocol.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError
from rag.filters import make_filter
from rag.serving import default_mode, usable_modes

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INSTRUCTIONS = (
    "Answers questions about a collection of news articles. Every sentence of an `ask` answer ends with a "
    "citation marker [n]; citations[n-1] names the article (source: a file name or URL), its title and date, "
    "and the exact quote with its character offsets (quote == article_text[start:end]). When the articles do "
    'not answer, `ask` abstains with "The sources don\'t say.": report that rather than guessing.'
)


def build_server(assistant: Assistant) -> MCPServer:
    """An MCPServer (mcp >= 2) with the three tools over one loaded assistant."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    settings = assistant.settings
    modes = usable_modes(settings)
    server = MCPServer(name="newsrag", instructions=INSTRUCTIONS, log_level="WARNING")

    def ask(
        question: str,
        mode: str | None = None,
        top_k: int | None = None,
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """Answer a question about the indexed news articles, citing the exact source sentence for every claim.

        Returns the `rag ask --json` object: `answer` (every sentence ends with [n]), `abstained`, `citations`
        (n, source, title, date, quote, start, end, and the chunk `text`), `notices`, `retrieved`, `timings`.
        `mode`: one of the answering modes this server offers (default: its own); `top_k`: passages to read.
        `since`/`until` (2024-09-01): only articles published then; `outlet`, `source`: only articles from these
        outlets, or these articles (comma-separated; sources as `list_articles` names them).
        """
        if mode is not None and mode not in modes:
            raise ToolError(f"Mode {mode!r} is not offered here; choose one of {', '.join(modes)}.")
        try:
            filters = make_filter(since, until, outlet, source)
            return assistant.ask(question, mode=mode or default_mode(settings), top_k=top_k, filters=filters).to_dict()
        except RagError as exc:  # the message says what to do; an unexpected error's would be hidden
            raise ToolError(str(exc)) from exc

    def search(query: str, top_k: int = 6) -> list[dict[str, Any]]:
        """The passages of the articles closest to `query`, best first (hybrid dense + keyword ranking).

        Each: rank, score, source, title, date, chunk_id, text, and start/end: the character offsets of
        `text` in the article's text. Use it to read the sources yourself; `ask` composes a cited answer.
        """
        try:
            passages = assistant.search(query, top_k)
        except RagError as exc:
            raise ToolError(str(exc)) from exc
        return [{"rank": p.rank, "score": round(p.score, 6), **asdict(p.chunk)} for p in passages]

    def list_articles() -> list[dict[str, Any]]:
        """The indexed articles: source (file name or URL), title, outlet, byline, date, inferred (the fields
        guessed from the text, not stated), chunks, url and feed (web articles), pages (PDFs: the offset where
        each page starts in the article's text)."""
        from rag.store import ChunkStore

        try:
            records = ChunkStore(settings).documents(with_text=False).values()
        except RagError as exc:
            raise ToolError(str(exc)) from exc
        return [
            {
                "source": r.source,
                "title": r.title,
                "outlet": r.outlet,
                "byline": r.byline,
                "date": r.date,
                "inferred": list(r.inferred),
                "chunks": r.n_chunks,
                "url": r.url,
                "feed": r.feed,
                "pages": list(r.pages),
            }
            for r in sorted(records, key=lambda r: r.source)
        ]

    for tool in (ask, search, list_articles):  # cleandoc: clients show the description as written
        server.add_tool(tool, description=inspect.cleandoc(tool.__doc__ or ""))
    return server


def run_stdio(settings: Settings) -> int:
    """Load the models and index first (a missing index is an error before any client waits), then serve."""
    try:
        from mcp.server.mcpserver import MCPServer  # noqa: F401
    except ModuleNotFoundError as exc:
        raise RagError("`rag mcp` needs the MCP SDK (mcp >= 2): run `make install`.") from exc
    with Assistant(settings) as assistant:
        print("Loading models and the index...", file=sys.stderr, flush=True)
        assistant.load()
        print("Serving MCP over stdio (tools: ask, search, list_articles).", file=sys.stderr, flush=True)
        build_server(assistant).run("stdio")
    return 0
