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
from collections.abc import Mapping, Sequence

from rag.answer import Answer, Citation
from rag.attribution import quote_is_by
from rag.export import mode_line
from rag.metadata import shown
from rag.question import parse_question
from rag.store import DocRecord
from ui.article_view import excerpt, whole_article

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


def one_marker_per_claim(text: str) -> str:
    """ "… [1] [1]" reads as two sources: a marker repeated right after itself is shown once."""
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", text)


def same_passage(citations: Sequence[Citation]) -> dict[int, int]:
    """Each citation's card: the first citation of the same article span (one card per passage)."""
    first: dict[tuple[str, int, int], int] = {}
    return {c.n: first.setdefault((c.source, c.start, c.end), c.n) for c in citations}


def link_citations(text: str, turn: int, cards: Mapping[int, int] | None = None) -> str:
    """Escape answer text for the chat and turn each `[n]` into a link to its source card (`cards`: n -> the
    card that shows it, when two citations share one)."""
    text = one_marker_per_claim(text)
    parts = []
    last = 0
    for match in CITATION.finditer(text):
        n = int(match.group(1))
        card = (cards or {}).get(n, n)
        parts.append(escape_markdown(text[last : match.start()]))
        parts.append(f'<a class="cite" href="#{anchor(turn, card)}" title="Source {n}">[{n}]</a>')
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
    """One plain-language line per sentence of the model's draft that verification changed.

    The draft's own numbers are the prompt's, which the reader never saw, so they are not named.
    """
    lines = []
    for check in answer.checks:
        sentence = textwrap.shorten(check.sentence, CHECK_CHARS, placeholder=" …")
        if check.status == "repointed":
            now = _markers(check.cited)
            lines.append(f"This sentence now cites {now}, the source that supports it: “{sentence}”")
        elif check.status != "supported":
            lines.append(f"Left out, because no source given to the model supports it: “{sentence}”")
    return lines


def chat_message(answer: Answer, turn: int) -> str:
    """The final chat bubble: linked answer, or a plain abstention, plus notices, what verification changed,
    which mode wrote it and how long it took, and (on a phone) a link down to its sources."""
    if answer.abstained:
        body = f'<span class="abstained">{escape_markdown(answer.answer)}</span>'
    else:
        body = link_citations(answer.answer, turn, same_passage(answer.citations))
    notes = "".join(f'\n\n<span class="notice">{escape_markdown(note)}</span>' for note in answer.notices)
    changes = "<br>".join(
        f'<span class="verify-change">{escape_markdown(line)}</span>' for line in verification_changes(answer)
    )
    footer = f'<span class="answer-mode">{escape_markdown(mode_line(answer))}</span>'
    if answer.citations:
        footer += ' <a class="to-sources" href="#sources-title">Sources ↓</a>'
    return body + notes + (f"\n\n{changes}" if changes else "") + f"\n\n{footer}"


def highlight(passage: str, quote: str) -> str:
    """The passage as escaped HTML with the cited sentence in `<mark>`; unmarked if the quote is absent."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return escape_html(passage)
    end = at + len(quote)
    return f"{escape_html(passage[:at])}<mark>{escape_html(quote)}</mark>{escape_html(passage[end:])}"


def source_card(
    citation: Citation,
    turn: int,
    article: DocRecord | None = None,
    numbers: Sequence[int] = (),
    speaker: str = "",
) -> str:
    """One cited passage: its numbers, title, outlet, date, file and offsets; the cited sentence with a little
    context; a warning when it is not the asked speaker's; and the whole article one click away."""
    c = citation
    numbers = numbers or [c.n]
    badges = "".join(f'<span class="badge">{n}</span>' for n in numbers)
    extra_anchors = "".join(f'<span id="{anchor(turn, n)}"></span>' for n in numbers if n != c.n)
    if article is not None:
        meta = article.meta
        passage = excerpt(article.text, c.start, c.end)
    else:
        meta = None
        passage = highlight(c.text, c.quote)
    title = shown(meta.title, "title", meta.inferred) if meta else c.title
    where = [
        shown(meta.outlet, "outlet", meta.inferred, "outlet unknown") if meta else (c.outlet or "outlet unknown"),
        shown(meta.date, "date", meta.inferred, "date not stated") if meta else (c.date or "date not stated"),
    ]
    facts = " · ".join(escape_html(w) for w in where)
    warning = ""
    if speaker and article is not None and not quote_is_by(article.text, c.start, c.end, speaker):
        warning = (
            f'<div class="not-speaker">Not attributed to {escape_html(speaker)}: '
            "read the article to see who says this.</div>"
        )
    return (
        f'<article class="source" id="{anchor(turn, c.n)}">{extra_anchors}'
        f'<header>{badges}<span class="title">{escape_html(title)}</span></header>'
        f'<div class="meta">{facts} · <code>{escape_html(c.source)}</code> · characters {c.start}–{c.end}</div>'
        f"{warning}"
        f'<blockquote class="passage">{passage}</blockquote>'
        f"{whole_article(article, c.start, c.end) if article is not None else ''}"
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


def _turn_sources(answer: Answer, turn: int, articles: Mapping[str, DocRecord]) -> str:
    if answer.abstained or not answer.citations:
        reason = " ".join(answer.notices) or "No passage answered the question."
        return (
            f'<div class="no-sources">No sources cited: the articles don\'t answer this. {escape_html(reason)}</div>'
            + model_note(answer)
        )
    cards = same_passage(answer.citations)
    # Read with the cited articles' outlets, as the evidence stage reads it: in "According to The New
    # York Times, how did Hamas …" the speaker is Hamas, not the outlet.
    outlets = {r.outlet for r in articles.values() if r.outlet} | {c.outlet for c in answer.citations if c.outlet}
    speaker = parse_question(answer.standalone_question or answer.question, tuple(sorted(outlets))).speaker
    shown_cards = [
        source_card(c, turn, articles.get(c.source), [n for n, card in cards.items() if card == c.n], speaker)
        for c in answer.citations
        if cards[c.n] == c.n
    ]
    return model_note(answer) + "".join(shown_cards)


def sources_panel(answers: Sequence[Answer], articles: Mapping[str, DocRecord] | None = None) -> str:
    """Sources of the latest answer in full; earlier answers' sources folded, so old [n] links still land.

    `articles` (source -> record) gives each card its article's metadata and whole text."""
    if not answers:
        return EMPTY_SOURCES
    articles = articles or {}
    latest = len(answers) - 1
    blocks = [
        f'<section class="turn latest"><div class="turn-question">For: {escape_html(answers[latest].question)}</div>'
        f"{_turn_sources(answers[latest], latest, articles)}</section>"
    ]
    for turn in range(latest - 1, -1, -1):
        blocks.append(
            f'<details class="turn"><summary>Earlier: {escape_html(answers[turn].question)}</summary>'
            f"{_turn_sources(answers[turn], turn, articles)}</details>"
        )
    return '<div class="sources">' + "".join(blocks) + "</div>"
