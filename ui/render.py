"""Answers to HTML/Markdown for the page. Pure functions, so escaping is unit-tested, not hoped for.

Every string that comes from a document or a user is escaped here: article text is data,
and a news page may well contain `<script>` or markup. Only the tags built in this module
(citation links, source cards, `<mark>`) reach the browser as HTML.
"""

from __future__ import annotations

import html
import re
import string
import textwrap
from collections.abc import Sequence

from rag.answer import Answer, Citation

CITATION = re.compile(r"\[(\d+)\]")
# CommonMark lets any ASCII punctuation be backslash-escaped; `&` and `;` stay, they spell entities.
_MARKDOWN_PUNCTUATION = re.compile("([" + re.escape(string.punctuation.replace("&", "").replace(";", "")) + "])")
CHECK_CHARS = 100  # a changed sentence is quoted up to this long; the whole draft is in the sources panel
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


def draft_message(text: str) -> str:
    """The model's draft while it streams: escaped, unlinked (its [n] are the prompt's), marked as unchecked."""
    return (
        f'<span class="draft">{escape_markdown(" ".join(text.split()))}</span>\n\n'
        '<span class="notice">Draft: each sentence is checked against its source when the model finishes.</span>'
    )


def _markers(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def verification_changes(answer: Answer) -> list[str]:
    """One plain line per sentence of the model's draft that verification re-pointed or dropped.

    Draft numbers (the prompt's) become answer numbers: "re-pointed [4]→[1]: …".
    """
    lines = []
    for check in answer.checks:
        sentence = textwrap.shorten(check.sentence, CHECK_CHARS, placeholder=" …")
        if check.status == "repointed":
            lines.append(f"re-pointed {_markers(check.model_cited) or 'uncited'}→{_markers(check.cited)}: {sentence}")
        elif check.status != "supported":
            lines.append(f"{check.status}: {sentence}" + (f" ({check.reason})" if check.reason else ""))
    return lines


def chat_message(answer: Answer, turn: int) -> str:
    """The final chat bubble: linked answer, or a plain abstention, plus notices and what verification changed."""
    if answer.abstained:
        body = f'<span class="abstained">{escape_markdown(answer.answer)}</span>'
    else:
        body = link_citations(answer.answer, turn)
    notes = "".join(f'\n\n<span class="notice">{escape_markdown(note)}</span>' for note in answer.notices)
    changes = "<br>".join(
        f'<span class="verify-change">{escape_markdown(line)}</span>' for line in verification_changes(answer)
    )
    return body + notes + (f"\n\n{changes}" if changes else "")


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


def model_note(answer: Answer) -> str:
    """For an LLM answer: which model wrote it, what it cost, and its draft before verification (folded)."""
    if not answer.draft:
        return ""
    used = not answer.fallback and not answer.abstained
    folded = (
        f'<details class="model-draft"><summary>The model\'s draft ({"before verification" if used else "not used"})'
        f'</summary><div class="draft-text">{escape_html(answer.draft)}</div></details>'
    )
    if not used:
        return folded
    usage = answer.usage
    facts = [f"<code>{escape_html(answer.model)}</code> ({escape_html(answer.mode)})"]
    if usage.get("prompt_tokens"):
        facts.append(f"{usage['prompt_tokens']:.0f} prompt tokens")
    if usage.get("first_token_seconds"):
        facts.append(f"first word after {usage['first_token_seconds']:.1f} s")
    if usage.get("tokens_per_second"):
        facts.append(f"{usage['tokens_per_second']:.0f} tokens/s")
    line = f'<div class="model-note">Written by {" · ".join(facts)}; each sentence checked against its source.</div>'
    return line + folded


def _turn_sources(answer: Answer, turn: int) -> str:
    if answer.abstained or not answer.citations:
        reason = " ".join(answer.notices) or "No passage answered the question."
        return (
            f'<div class="no-sources">No sources cited: the articles don\'t answer this. {escape_html(reason)}</div>'
            + model_note(answer)
        )
    return model_note(answer) + "".join(source_card(c, turn) for c in answer.citations)


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
