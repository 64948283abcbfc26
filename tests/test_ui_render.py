"""Escaping and highlighting: document text reaches the page as text, never as markup."""

from __future__ import annotations

from rag.answer import Answer, Citation
from ui.render import (
    EMPTY_SOURCES,
    answer_pieces,
    chat_message,
    escape_html,
    escape_markdown,
    highlight,
    link_citations,
    sources_panel,
)

SCRIPT = "<script>alert(1)</script>"


def citation(text: str = "Before. The cited sentence. After.", quote: str = "The cited sentence.") -> Citation:
    start = text.find(quote)
    return Citation(1, "doc.txt", "A title", "2024-09-16", "c1", text, quote, start, start + len(quote))


def answer(text: str = "The cited sentence. [1]", **changes: object) -> Answer:
    fields: dict = {"question": "Q?", "answer": text, "abstained": False, "mode": "extractive"}
    fields["citations"] = [citation()]
    fields.update(changes)
    return Answer(**fields)


def test_html_escaping_turns_tags_and_quotes_into_entities() -> None:
    escaped = escape_html(f"{SCRIPT} \"x\" & 'y'")
    assert escaped == "&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &amp; &#x27;y&#x27;"


def test_markdown_escaping_neutralises_links_emphasis_and_tags() -> None:
    escaped = escape_markdown("[click](http://evil.example) *bold* $$x$$ <img src=x onerror=alert(1)>")
    assert escaped == (
        r"\[click\]\(http\:\/\/evil\.example\) \*bold\* \$\$x\$\$ &lt;img src\=x onerror\=alert\(1\)&gt;"
    )


def test_markdown_escaping_keeps_entities_intact() -> None:
    assert escape_markdown("Tom & Jerry") == "Tom &amp; Jerry"


def test_citations_become_links_to_their_turns_source_cards() -> None:
    linked = link_citations(f"It rose {SCRIPT}. [2]", turn=3)
    assert linked == (
        r"It rose &lt;script&gt;alert\(1\)&lt;\/script&gt;\. "
        '<a class="cite" href="#src-3-2" title="Source 2">[2]</a>'
    )


def test_highlight_marks_exactly_the_quote_and_escapes_around_it() -> None:
    passage = f"Lead {SCRIPT}. Miller said 90% <b>agreed</b>. Tail."
    marked = highlight(passage, "Miller said 90% <b>agreed</b>.")
    assert marked == (
        "Lead &lt;script&gt;alert(1)&lt;/script&gt;. <mark>Miller said 90% &lt;b&gt;agreed&lt;/b&gt;.</mark> Tail."
    )


def test_highlight_without_the_quote_in_the_passage_marks_nothing() -> None:
    assert highlight("<i>x</i>", "absent") == "&lt;i&gt;x&lt;/i&gt;"
    assert highlight("text", "") == "text"


def test_an_answer_streams_one_cited_sentence_at_a_time() -> None:
    text = "First claim. [1] Second claim [2] Third. [1]"
    assert answer_pieces(text) == ["First claim. [1]", "First claim. [1] Second claim [2]", text]
    assert answer_pieces("The sources don't say.") == ["The sources don't say."]


def test_source_card_shows_title_date_file_and_highlighted_passage() -> None:
    panel = sources_panel([answer()])
    assert 'id="src-0-1"' in panel
    assert "A title" in panel and "2024-09-16" in panel and "doc.txt" in panel
    assert "<mark>The cited sentence.</mark>" in panel


def test_document_markup_in_every_card_field_is_escaped() -> None:
    evil = Citation(1, f"{SCRIPT}.txt", f"<img src=x onerror=alert(1)>{SCRIPT}", SCRIPT, "c", SCRIPT, SCRIPT, 0, 25)
    panel = sources_panel([answer(citations=[evil], question=SCRIPT)])
    assert "<script" not in panel and "<img" not in panel
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in panel


def test_abstention_is_plain_in_chat_and_sources() -> None:
    abstained = answer("The sources don't say.", abstained=True, citations=[], notices=["Nothing about <x>."])
    assert chat_message(abstained, 0).startswith('<span class="abstained">The sources don\\\'t say\\.</span>')
    assert "Nothing about &lt;x&gt;" in chat_message(abstained, 0)
    assert "No sources cited" in sources_panel([abstained])


def test_earlier_answers_keep_their_sources_folded_below_the_latest() -> None:
    panel = sources_panel([answer(question="first?"), answer(question="second?")])
    assert panel.index("second?") < panel.index("first?")
    assert 'id="src-1-1"' in panel and 'id="src-0-1"' in panel
    assert "<details" in panel.split("second?")[1]
    assert sources_panel([]) == EMPTY_SOURCES
