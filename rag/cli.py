"""`rag`: index articles, ask questions, chat. Errors users can cause print a fix, not a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.offline import go_offline

go_offline()

from rag.cli_ask import add_ask_commands  # noqa: E402
from rag.config import LLM_SETTINGS, MODE_HELP, MODEL_HELP, Settings, load_settings  # noqa: E402
from rag.errors import NothingIndexedError, RagError  # noqa: E402

REPO_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def default_seeds() -> Path:
    """`seeds/` in the working directory, else the seeds shipped with the project."""
    return Path("seeds") if Path("seeds").is_dir() else REPO_SEEDS


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        toml_path=args.config,
        index_dir=args.index_dir,
        chroma_url=args.chroma_url,
        llm=getattr(args, "mode", None),
        llm_model=getattr(args, "model", None),
        top_k=getattr(args, "top_k", None),
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _chunks(n: int) -> str:
    return f"{n} chunk{'' if n == 1 else 's'}"


def cmd_index(args: argparse.Namespace) -> int:
    from rag.indexing import index_paths

    settings = _settings(args)
    paths = args.paths or [default_seeds()]
    try:
        report = index_paths(paths, settings, rebuild=args.rebuild, progress=not args.quiet, on_wait=_say)
    except KeyboardInterrupt:
        print("Interrupted. Articles finished so far are indexed; run `rag index` again to finish.", file=sys.stderr)
        return 130
    for skipped in report.skipped:
        print(f"warning: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if report.orphans_repaired:
        print(f"Repaired the index: removed {report.orphans_repaired} chunks left by an interrupted run.")
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed; {_chunks(report.chunks_written)} written"
        + (f" ({report.chunks_reused} with their stored vectors)" if report.chunks_reused else "")
        + f", {_chunks(report.total_chunks)} in the index ({report.seconds['total']:.1f} s"
        + (f", {report.chunks_written / report.seconds['total']:.1f} chunks/s)." if report.chunks_written else ").")
    )
    if not report.indexed_anything:
        raise NothingIndexedError(
            "Nothing could be indexed: the warnings above say why."
            if report.skipped
            else "Nothing could be indexed. newsrag reads .txt, .md or .html files in UTF-8, PDFs with a text layer, "
            ".docx files, and the http(s) address of an article page or an RSS/Atom feed."
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.indexing import remove_articles

    missing = remove_articles(args.sources, _settings(args), on_wait=_say)
    for source in missing:
        print(f"warning: {source} is not in the index (see `rag list`)", file=sys.stderr)
    print(f"Removed {len(args.sources) - len(missing)} article(s).")
    return 1 if missing else 0


def cmd_list(args: argparse.Namespace) -> int:
    from rag.metadata import shown
    from rag.store import ChunkStore

    records = ChunkStore(_settings(args)).documents()
    print('source\tdate\toutlet\tchunks\ttitle ("(inferred)": not stated by the article itself)')
    for r in sorted(records.values(), key=lambda r: r.source):
        date, outlet, title = (shown(getattr(r, f), f, r.inferred) for f in ("date", "outlet", "title"))
        print(f"{r.source}\t{date}\t{outlet}\t{_chunks(r.n_chunks)}\t{title}")
    print(f"{len(records)} article(s).")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    # Imported here: ui imports rag, never the reverse, and only this command needs Gradio.
    from ui.settings import load_ui_settings

    ui_settings = load_ui_settings(host=args.host, port=args.port, auth_file=args.auth_file)  # refuse before loading
    try:
        from ui.server import serve
    except ModuleNotFoundError as exc:
        raise RagError(f"The web app needs {exc.name or 'gradio'}: run `make install`.") from exc

    return serve(_settings(args), ui_settings)


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.api_server import serve
    from rag.serving import load_api_settings

    api = load_api_settings(host=args.host, port=args.port, api_key_file=args.api_key_file)  # refuse before loading
    return serve(_settings(args), api)


def cmd_mcp(args: argparse.Namespace) -> int:
    from rag.mcp_server import run_stdio

    return run_stdio(_settings(args))


def cmd_eval(args: argparse.Namespace) -> int:
    # Imported here: evals imports rag, never the reverse.
    from evals.runner import run_cli

    return run_cli(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Answer questions about news articles, citing the exact source sentence for every claim.",
        epilog="Settings come from RAG_* environment variables and an optional TOML file (see README).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="TOML settings file (default: $RAG_CONFIG)")
    common.add_argument("--index-dir", type=Path, help="where the Chroma store lives (default: ./index)")
    common.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "index",
        parents=[common],
        help="index files, folders, web pages or feeds (default: seeds/)",
        description="Index articles: files and folders on disk, and http(s) addresses of article pages or "
        "RSS/Atom feeds (each item's page is indexed with the feed's title, date and link). An article's "
        "provenance (title, outlet, byline, date, url) may be given in a sidecar file <name>.meta.json next to "
        "it. Re-running skips what has not changed; an article whose metadata alone changed keeps its stored "
        "vectors.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH_OR_URL",
        help=".txt, .md, .html, .pdf or .docx files, folders of them, or URLs of pages or feeds",
    )
    p.add_argument("--rebuild", action="store_true", help="start from an empty index")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_index)

    add_ask_commands(sub, common, _settings)

    p = sub.add_parser("ui", parents=[common], help="start the web app (chat, library, evaluation)")
    p.add_argument("--host", help="address to listen on (default: 127.0.0.1; any other needs RAG_UI_AUTH)")
    p.add_argument("--port", type=int, help="port to listen on (default: 7860)")
    p.add_argument("--auth-file", type=Path, help="file of user:password lines (default: $RAG_UI_AUTH_FILE)")
    p.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP + "; the page can switch per question")
    p.add_argument("--model", help=MODEL_HELP)
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve an OpenAI-compatible chat API with citations (/v1/chat/completions)",
        description="Serve /v1/models and /v1/chat/completions (stream or not) for OpenAI clients. Each answering "
        "mode is a model (newsrag-extractive, newsrag-local, newsrag-hosted; newsrag = the default mode); replies "
        "carry `citations` and `newsrag` (the `rag ask --json` object) as extra fields (README: rag serve).",
        epilog="Example: rag serve --port 8080, then point a client at http://127.0.0.1:8080/v1",
    )
    p.add_argument("--host", help="address to listen on (default: 127.0.0.1; any other needs an API key)")
    p.add_argument("--port", type=int, help="port to listen on (default: 8080)")
    p.add_argument(
        "--api-key-file",
        type=Path,
        help="file holding the key callers send as `Authorization: Bearer KEY` (default: $RAG_API_KEY_FILE, "
        "else $RAG_API_KEY; none: no key asked on 127.0.0.1)",
    )
    p.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP + "; callers pick one per request by model")
    p.add_argument("--model", help=MODEL_HELP)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "mcp",
        parents=[common],
        help="serve MCP tools (ask, search, list_articles) over stdio, for MCP clients",
        description="An MCP server over stdin/stdout for MCP clients (Claude Desktop, editors, agents): tools `ask` "
        "(the `rag ask --json` object), `search` (ranked passages with offsets) and `list_articles`. The client "
        "starts it; see README for its configuration block.",
    )
    p.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP)
    p.add_argument("--model", help=MODEL_HELP)
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("list", parents=[common], help="list the indexed articles")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("remove", parents=[common], help="remove articles from the index by file name or URL")
    p.add_argument("sources", nargs="+", help="file names as shown by `rag list`")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser(
        "eval",
        parents=[common],
        help="score answers against the gold questions (see README)",
        description="Answer the gold questions through the Assistant, score them, write a report (README: Evaluation).",
    )
    # evals owns its flags (`python -m evals.runner` parses the same ones); imported here, not at module level.
    from evals.options import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
