"""One sentence per chosen window: the messages, the grammar that enforces it, quoting a window whose sentence fails."""

from __future__ import annotations

from dataclasses import replace

from test_llm_prompt import CHUNK, _candidate, _gbnf_rules, _gbnf_to_regex

from rag.answer import ABSTAIN_TEXT, SentenceCheck
from rag.llm_prompt import Source
from rag.llm_windows import (
    _keeps_quote,
    _quotes,
    asks_for_words,
    fill_from_windows,
    window_grammar,
    window_messages,
    window_sources,
)
from rag.question import parse_question
from rag.verification import Verified

# Three one-sentence windows of the seed chunk: mediators (0), Miller's timetable (2), the 90% (3).
CHOSEN = [_candidate(3, 0.9), _candidate(0, 0.8), _candidate(2, 0.7)]
SOURCES = window_sources(CHOSEN)


def test_each_chosen_window_is_a_source_in_the_extractive_order_with_exact_offsets() -> None:
    assert [s.n for s in SOURCES] == [1, 2, 3]
    assert SOURCES[0].text.startswith("US negotiators, including Burns")
    assert SOURCES[1].text.startswith("Qatar and Egypt")
    for source, ev in zip(SOURCES, CHOSEN, strict=True):
        assert (source.start, source.end) == (ev.start, ev.end)
        assert source.text == CHUNK.text[source.local_start : source.local_end]


def test_messages_number_the_windows_with_their_date_and_ask_for_one_sentence_each() -> None:
    (_, system), (_, user) = window_messages("What share of Phase I is agreed?", SOURCES, False, "RULES")

    assert system == "RULES"
    assert "[1] (2024-09-16; US pushes new proposal) US negotiators, including Burns" in user
    assert "Answer in 3 short sentences (the first from [1], the second from [2], the third from [3])" in user
    assert "Yes or No" not in user
    _, (_, asked) = window_messages("Is 90% of Phase I agreed?", SOURCES, True, "RULES")
    assert "Begin the first sentence with Yes or No" in asked


def test_window_grammar_wants_sentence_n_to_end_in_marker_n() -> None:
    root = _gbnf_to_regex(window_grammar(3, yes_no=False))

    assert set(_gbnf_rules(window_grammar(3, False))) == {"root", "s1", "s2", "s3", "start", "word"}
    assert root.fullmatch(ABSTAIN_TEXT)
    assert root.fullmatch(
        "Burns said 90% of Phase I is agreed. [1] Qatar and Egypt are the mediators. [2] "
        "Miller said he had no timetable. [3]"
    )
    assert not root.fullmatch(
        "Burns said 90% of Phase I is agreed. [2] Qatar and Egypt are the mediators. [1] "
        "Miller said he had no timetable. [3]"
    )  # out of order
    assert not root.fullmatch("Burns said 90% of Phase I is agreed. [1] Qatar and Egypt mediate. [2]")  # one missing
    assert not root.fullmatch("According to [1]. Qatar and Egypt are the mediators. [2] Miller had no timetable. [3]")


def test_a_yes_no_answer_must_give_its_reason_after_yes_or_no() -> None:
    root = _gbnf_to_regex(window_grammar(1, yes_no=True))

    assert root.fullmatch("Yes, US negotiators said 90% is agreed. [1]")
    assert not root.fullmatch("Yes, [1].")
    assert not root.fullmatch("Yes. [1]")
    assert not root.fullmatch("US negotiators said 90% is agreed. [1]")  # no Yes/No first


def _verified(kept: list[tuple[str, list[int]]]) -> Verified:
    checks = [SentenceCheck(text, "supported", cited, cited, "") for text, cited in kept]
    return Verified(kept, checks, silent=False)


def test_a_window_without_a_kept_sentence_is_quoted_in_its_place() -> None:
    written = fill_from_windows(
        _verified([("Burns said 90% is agreed.", [1]), ("Miller had no timetable.", [3])]), SOURCES
    )

    assert written.quoted == [2]
    assert [cited for _, cited in written.lines] == [[1], [2], [3]]
    assert written.lines[1][0] == "Qatar and Egypt have been the main mediators for a deal, with the support of the US."


def test_a_sentence_repointed_to_another_window_joins_that_window() -> None:
    written = fill_from_windows(_verified([("Qatar and Egypt mediate.", [2]), ("Egypt mediates too.", [2])]), SOURCES)

    assert written.quoted == [1, 3]
    assert [text for text, _ in written.lines][1:3] == ["Qatar and Egypt mediate.", "Egypt mediates too."]


def test_a_sentence_that_drops_what_the_quote_said_gives_way_to_the_quote() -> None:
    lew = (
        "Lew said that Israel has shown flexibility in the talks for a hostage and ceasefire deal. "
        "“The last indications we've had from the Government of Israel are that there's flexibility "
        "on the key issues, and we need to drive it to closure,” he said."
    )
    source = Source(1, replace(CHUNK, text=lew), 0, len(lew))
    framing = _verified([("The ambassador said that Israel has shown flexibility in the talks.", [1])])
    keeps = _verified([("Lew said Israel must “drive it to closure”, given its flexibility on the key issues.", [1])])

    assert fill_from_windows(framing, [source], keep_quotes=True).quoted == [1]
    assert fill_from_windows(framing, [source], keep_quotes=False).quoted == []
    assert fill_from_windows(keeps, [source], keep_quotes=True).quoted == []


def test_a_question_asking_what_someone_said_keeps_quotes_named_or_not() -> None:
    assert asks_for_words(parse_question("What did Lew say about Israeli flexibility?"))
    assert asks_for_words(parse_question("What did the ambassador say now needed to happen?"))
    assert not asks_for_words(parse_question("How many hostages remain in Gaza?"))


def test_straight_quotes_pair_only_as_a_quote_opens_and_closes() -> None:
    window = 'to closure," he said. Officials in Cairo said talks would "resume on Monday next week".'
    assert _quotes(window) == ["resume on Monday next week"]
    assert _quotes("“We need to drive it to closure,” he said.") == ["We need to drive it to closure,"]


def test_a_kept_quote_is_whole_words_of_it() -> None:
    assert _keeps_quote("She asked for ten days of talks.", ["ten days of talks"])
    assert not _keeps_quote("She asked for often days of talks.", ["ten days of talks"])
