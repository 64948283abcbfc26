"""Answers to HTML/Markdown for the page. Pure functions, so escaping is unit-tested, not hoped for.

Every string that comes from a document or a user is escaped here: article text is data,
and a news page may well contain `<script>` or markup. Only the tags built in this module
(citation links, source cards, `<mark>`) reach the browser as HTML.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Sequence

from rag.answer import Answer, Citation

CITATION = re.compile(r"\[(\d+)\]")
# CommonMark lets any ASCII punctuation be backslash-escaped; `&` and `;` stay, they spell entities.
_MARKDOWN_PUNCTUATION = re.compile("([" + re.escape(string.punctuation.replace("&", "").replace(";", "")) + "])")
EMPTY_SOURCES = (
    '<div class="sources-empty">Ask a question: the passages behind each answer appear here, '
    "with the cited sentence highlighted.</div>"
)


def escape_html(text: str) -> str:
    """Text as inert HTML: `<script>` shows as `<script>`, never runs."""
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    """Text as inert Markdown+HTML for the chat, where `*`, `[x](url)` or `$$` would otherwise format."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def anchor(turn: int, n: int) -> str:
    """Element id of citation `n` of the `turn`-th answer: ids stay unique as the chat grows."""
    return f"src-{turn}-{n}"


def link_citations(text: str, turn: int) -> str:
    """Escape answer text for the chat and turn each `[n]` into a link to its source card."""
    parts = []
    last = 0
    for match in CITATION.finditer(text):
        n = int(match.group(1))
        parts.append(escape_markdown(text[last : match.start()]))
        parts.append(f'<a class="cite" href="#{anchor(turn, n)}" title="Source {n}">[{n}]</a>')
        last = match.end()
    parts.append(escape_markdown(text[last:]))
    return "".join(parts)


def answer_pieces(text: str) -> list[str]:
    """Growing prefixes of an answer, one more cited sentence each: how a whole answer streams."""
    sentences = [s for s in re.split(r"(?<=\])\s+", text.strip()) if s]
    return [" ".join(sentences[: i + 1]) for i in range(len(sentences))] or [text]


def chat_message(answer: Answer, turn: int) -> str:
    """The final chat bubble: linked answer, or a plain abstention, plus any notices."""
    if answer.abstained:
        body = f'<span class="abstained">{escape_markdown(answer.answer)}</span>'
    else:
        body = link_citations(answer.answer, turn)
    notes = "".join(f'\n\n<span class="notice">{escape_markdown(note)}</span>' for note in answer.notices)
    return body + notes


def highlight(passage: str, quote: str) -> str:
    """The passage as escaped HTML with the cited sentence in `<mark>`; unmarked if the quote is absent."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return escape_html(passage)
    end = at + len(quote)
    return f"{escape_html(passage[:at])}<mark>{escape_html(quote)}</mark>{escape_html(passage[end:])}"


def source_card(citation: Citation, turn: int) -> str:
    """One cited source: number, title, date, file, and the passage with the cited sentence marked."""
    c = citation
    date = escape_html(c.date) if c.date else "date not stated"
    return (
        f'<article class="source" id="{anchor(turn, c.n)}">'
        f'<header><span class="badge">{c.n}</span><span class="title">{escape_html(c.title)}</span></header>'
        f'<div class="meta">{date} · <code>{escape_html(c.source)}</code></div>'
        f'<blockquote class="passage">{highlight(c.text, c.quote)}</blockquote>'
        "</article>"
    )


def _turn_sources(answer: Answer, turn: int) -> str:
    if answer.abstained or not answer.citations:
        reason = " ".join(answer.notices) or "No passage answered the question."
        return f'<div class="no-sources">No sources cited: the articles don\'t answer this. {escape_html(reason)}</div>'
    return "".join(source_card(c, turn) for c in answer.citations)


def sources_panel(answers: Sequence[Answer]) -> str:
    """Sources of the latest answer in full; earlier answers' sources folded, so old [n] links still land."""
    if not answers:
        return EMPTY_SOURCES
    latest = len(answers) - 1
    blocks = [
        f'<section class="turn latest"><div class="turn-question">For: {escape_html(answers[latest].question)}</div>'
        f"{_turn_sources(answers[latest], latest)}</section>"
    ]
    for turn in range(latest - 1, -1, -1):
        blocks.append(
            f'<details class="turn"><summary>Earlier: {escape_html(answers[turn].question)}</summary>'
            f"{_turn_sources(answers[turn], turn)}</details>"
        )
    return '<div class="sources">' + "".join(blocks) + "</div>"
