"""Escaping and highlighting: document text reaches the page as text, never as markup."""

from __future__ import annotations

from dataclasses import replace

from rag.answer import Answer, Citation, SentenceCheck
from rag.records import DocRecord
from ui.render import (
    EMPTY_SOURCES,
    answer_pieces,
    chat_message,
    draft_message,
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


def test_the_streaming_draft_is_escaped_and_its_numbers_are_not_links() -> None:
    shown = draft_message(f"Egypt mediates {SCRIPT} [4]\n\nand Qatar [2")
    assert shown.startswith(r'<span class="draft">Egypt mediates &lt;script&gt;alert\(1\)&lt;\/script&gt; \[4\] and')
    assert "<a" not in shown and "<script" not in shown


def test_what_verification_changed_is_said_plainly_without_the_drafts_numbers() -> None:
    checks = [
        SentenceCheck("Qatar mediates.", "supported", [1], [2]),
        SentenceCheck(f"Egypt {SCRIPT} mediates.", "repointed", [1], [4], "cites [4]; supported by [1]"),
        SentenceCheck("Hamas agreed.", "repointed", [2], []),
        SentenceCheck("*Talks* ended.", "dropped", [], [3], "no source supports it"),
        SentenceCheck("Long " * 40, "dropped", [], [1]),
    ]
    llm = answer(mode="local", checks=checks, notices=["Follow-up read as: <b>who</b>?"], draft="x")
    shown = chat_message(llm, 0)
    cites = r"This sentence now cites \[{}\]\, the source that supports it\: “"
    assert r'<span class="verify-change">' + cites.format(1) + r"Egypt &lt;script&gt;alert\(1\)" in shown
    assert r'<span class="verify-change">' + cites.format(2) + r"Hamas agreed\.”</span>" in shown
    left_out = r'<span class="verify-change">Left out\, because no source given to the model supports it\: “'
    assert left_out + r"\*Talks\* ended\.”</span>" in shown
    assert left_out + "Long " * 19 + "…”</span>" in shown
    assert "[4]" not in shown and "[3]" not in shown and "re-pointed" not in shown.replace("\\", "")
    assert "Qatar" not in shown and "<script" not in shown and "<b>" not in shown
    assert r'<span class="notice">Follow\-up read as\: &lt;b&gt;who&lt;\/b&gt;\?</span>' in shown


def test_an_answer_says_its_mode_and_time_and_a_claim_shows_one_marker() -> None:
    shown = chat_message(answer("The cited sentence. [1] [1]", timings={"total": 1.25}), 0)
    assert shown.count('class="cite"') == 1
    assert r'<span class="answer-mode">Extractive \(quotes the articles\) · 1\.2 s</span>' in shown


def test_two_citations_of_one_passage_share_one_card() -> None:
    twice = answer("A. [1] B. [2]", citations=[citation(), replace(citation(), n=2)])
    panel = sources_panel([twice])
    assert panel.count('<article class="source"') == 1 and 'id="src-0-2"' in panel
    assert 'href="#src-0-1" title="Source 2">[2]</a>' in chat_message(twice, 0)


def test_the_sources_panel_names_the_model_and_folds_its_escaped_draft() -> None:
    usage = {"prompt_tokens": 344, "first_token_seconds": 0.8, "tokens_per_second": 41.5}
    llm = answer(mode="local", model="qwen<i>", draft=f"Draft {SCRIPT} [4]", usage=usage)
    panel = sources_panel([llm])
    assert "Written by <code>qwen&lt;i&gt;</code> (local) · 344 prompt tokens · first word after 0.8 s" in panel
    assert "<summary>The model's draft (before verification)</summary>" in panel
    assert "Draft &lt;script&gt;alert(1)&lt;/script&gt; [4]" in panel and "<script" not in panel
    fallback = answer(mode="extractive", model="qwen", draft="Broken", fallback="no reply within 60 s")
    assert "The model's draft (not used)" in sources_panel([fallback]) and "Written by" not in sources_panel([fallback])
    assert "model-draft" not in sources_panel([answer()])


def test_an_outlet_the_question_names_is_not_taken_for_the_speaker_of_its_quotes() -> None:
    text = "Hamas said the latest proposal was “a reversal” of what it had agreed."
    cited = replace(citation(text, text), outlet="The New York Times")
    record = DocRecord("doc.txt", "h", "A title", "2024-08-20", "doc.txt", 1, text, outlet="The New York Times")
    asked = "According to The New York Times, how did Hamas characterise the latest proposal?"
    panel = sources_panel([answer(question=asked, citations=[cited])], {"doc.txt": record})

    # Hamas is the one asked about and the one speaking: no "not attributed" warning on the card.
    assert "not-speaker" not in panel
