"""`rag ask` and `rag chat`: questions from the terminal, answers as text, JSON or Markdown with footnotes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rag.answer import Answer
from rag.assistant import Assistant
from rag.config import LLM_SETTINGS, MODE_HELP, MODEL_HELP, Settings
from rag.errors import BadInputError
from rag.export import mode_line, to_markdown
from rag.filters import ArticleFilter, add_filter_arguments, filter_from_args
from rag.metadata import ArticleMeta, shown

FORMATS = ("text", "json", "markdown")


def render(answer: Answer, articles: Mapping[str, ArticleMeta] | None = None) -> str:
    """The terminal view: the answer, notices, the mode, what verification changed, each source with its
    quote and provenance (`articles`: source -> metadata, for the outlet and what was inferred)."""
    lines = [answer.answer]
    lines += [f"  ({note})" for note in answer.notices]
    lines.append(f"  [{mode_line(answer)}]")
    if answer.abstained:
        return "\n".join(lines)
    changed = [c for c in answer.checks if c.status != "supported"]
    if changed:
        lines += ["", "Verification (the model's draft, checked sentence by sentence):"]
        for check in changed:
            lines.append(f"  {check.status}: “{check.sentence}” ({check.reason})")
    lines += ["", "Sources:"]
    for c in answer.citations:
        meta = (articles or {}).get(c.source) or ArticleMeta(title=c.title, outlet=c.outlet, date=c.date)
        where = [shown(meta.title, "title", meta.inferred, missing="untitled")]
        where.append(shown(meta.outlet, "outlet", meta.inferred, missing="outlet unknown"))
        where.append(shown(meta.date, "date", meta.inferred, missing="date not stated"))
        lines.append(f"[{c.n}] {' | '.join(where)} | {c.source} (chars {c.start}-{c.end})")
        lines.append(f"    “{c.quote}”")
    return "\n".join(lines)


def _answer(
    assistant: Assistant,
    question: str,
    *,
    mode: str | None,
    history: list[tuple[str, str]],
    show_draft: bool,
    filters: ArticleFilter | None = None,
) -> Answer:
    """Ask, echoing the model's unverified draft to stderr as it streams when `show_draft`."""
    final: Answer | None = None
    drafting = False
    for event in assistant.stream(question, history=history, mode=mode, filters=filters):
        if isinstance(event, Answer):
            final = event
        elif show_draft:
            if not drafting:
                print("draft (unverified): ", end="", file=sys.stderr)
                drafting = True
            print(event.text, end="", file=sys.stderr, flush=True)
    if drafting:
        print("\n", file=sys.stderr)
    assert final is not None
    return final


def _shown(assistant: Assistant, answer: Answer, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(answer.to_dict(), ensure_ascii=False)
    articles = {s: r.meta for s, r in assistant.articles(c.source for c in answer.citations).items()}
    return to_markdown(answer, articles) if fmt == "markdown" else render(answer, articles)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if bool(args.question) == bool(args.file):
        raise BadInputError("Give either a question or --file QUESTIONS.txt (one question per line).")
    fmt = "json" if args.json else args.format
    filters = filter_from_args(args)
    with Assistant(settings) as assistant:
        if args.file:
            return _ask_file(assistant, args.file, args.mode, filters)
        show_draft = fmt == "text" and not args.no_stream and sys.stderr.isatty()
        answer = _answer(assistant, args.question, mode=args.mode, history=[], show_draft=show_draft, filters=filters)
        print(_shown(assistant, answer, fmt))
        return 0


def _ask_file(assistant: Assistant, path: Path, mode: str | None, filters: ArticleFilter) -> int:
    try:
        questions = [q.strip() for q in path.read_text(encoding="utf-8").splitlines() if q.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"Cannot read questions from {path}: {exc}") from exc
    if not questions:
        raise BadInputError(f"{path} has no questions (one per line).")
    failed = 0
    for question in questions:
        try:
            answer = assistant.ask(question, mode=mode, filters=filters)
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        except BadInputError as exc:
            failed += 1
            print(json.dumps({"question": question[:200], "error": str(exc)}, ensure_ascii=False), flush=True)
    return 2 if failed else 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    filters = filter_from_args(args)
    with Assistant(settings) as assistant:
        print("Loading models and the index...", file=sys.stderr)
        assistant.warm_up(args.mode)
        print("Ask about the articles. Empty line or Ctrl-D to quit.\n")
        history: list[tuple[str, str]] = []
        while True:
            try:
                question = input("you> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not question:
                return 0
            try:
                show_draft = not args.no_stream and sys.stderr.isatty()
                answer = _answer(
                    assistant, question, mode=args.mode, history=history, show_draft=show_draft, filters=filters
                )
                history.append((answer.standalone_question or question, answer.answer))
                print(_shown(assistant, answer, "text") + "\n")
            except BadInputError as exc:
                print(f"error: {exc}\n")


def add_ask_commands(
    sub: Any, common: argparse.ArgumentParser, settings: Callable[[argparse.Namespace], Settings]
) -> None:
    """`ask` and `chat` on the main parser; `settings` builds the Settings from the parsed flags."""
    p = sub.add_parser(
        "ask",
        parents=[common],
        help="answer a question with citations",
        description="Answer a question from the indexed articles. Every sentence of the answer is cited to "
        "the exact characters of its article; when the articles do not answer it, the answer says so.",
    )
    p.add_argument("question", nargs="?", help="the question, in quotes")
    p.add_argument("--file", type=Path, help="answer one question per line; prints JSON lines")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default); json (schema in README); markdown: the answer with footnotes carrying each quote's "
        "title, outlet, date, file and offsets",
    )
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP)
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("--top-k", type=int, help="passages handed to the answerer (default: 6)")
    p.add_argument("--no-stream", action="store_true", help="don't echo the model's draft while it writes")
    add_filter_arguments(p)
    p.set_defaults(func=lambda args: cmd_ask(args, settings(args)))

    p = sub.add_parser("chat", parents=[common], help="ask questions in a terminal session")
    p.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP)
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("--no-stream", action="store_true", help="don't echo the model's draft while it writes")
    add_filter_arguments(p)
    p.set_defaults(func=lambda args: cmd_chat(args, settings(args)))
