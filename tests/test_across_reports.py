"""Questions that name several reports however they phrase it, on the `across` corpus (invented,
evals/corpora/across: three outlets' reports of each story, one outlet with articles on several
stories): the outlets are read from the articles' metadata, each report's figure is found and
quoted, and no window of another story comes in."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant
from rag.asked_reports import matching_text
from rag.config import Settings, load_settings
from rag.indexing import index_paths
from rag.outlets import outlets_mentioned
from rag.question import parse_question
from rag.slots import slot_filled

ACROSS = Path(__file__).resolve().parents[1] / "evals" / "corpora" / "across"
KNOWN = (
    "Pellridge Ledger",
    "The Drennland Courier",
    "Northwind Radio",
    "Drennland Financial Review",
    "The Times of Israel",
)


@pytest.fixture(scope="module")
def across(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:  # type: ignore[no-untyped-def]
    settings: Settings = load_settings(env={}, index_dir=tmp_path_factory.mktemp("across"), llm="extractive")
    index_paths([ACROSS], settings, progress=False, embedder=embedder)
    loaded = Assistant(settings)
    loaded.load()
    return loaded


def test_an_outlet_is_named_by_its_whole_name_or_its_own_last_words() -> None:
    asked = "How many left according to the Ledger's first report, the Courier two days later and Northwind Radio?"
    assert outlets_mentioned(asked, KNOWN) == ("Ledger", "Courier", "Northwind Radio")
    assert outlets_mentioned("What did the Financial Review say?", KNOWN) == ("Financial Review",)
    # "Israel" ends "The Times of Israel" but is a country first; "Drennland" opens two outlets' names.
    assert outlets_mentioned("What did Israel and Drennland agree?", KNOWN) == ()
    assert outlets_mentioned("what did the courier say?", KNOWN) == ()  # a common noun, not the outlet


def test_a_known_outlet_is_an_outlet_of_the_question_not_a_name_to_find() -> None:
    question = parse_question("What did the Ledger say about the fire?", KNOWN)
    assert question.outlets == ("Ledger",) and question.outlet == "Ledger"
    assert "Ledger" not in question.names and "ledger" not in question.stems
    unknown = parse_question("What did the Ledger say about the fire?")  # no metadata: a name like any other
    assert unknown.outlets == () and "Ledger" in unknown.names


def test_each_day_is_not_a_comparison() -> None:
    assert not parse_question("Roughly how many people ride the branch line each day?").compare
    assert parse_question("What did the union and the ministry each say?").across


def test_a_count_with_a_thousands_separator_is_not_a_year() -> None:
    asked = parse_question("Roughly how many people ride the branch line each day?")
    assert slot_filled(asked, "The branch line carries about 1,900 passengers a day.")
    assert not slot_filled(asked, "The branch line opened in 1900 and closed in 2036.")


def test_the_number_of_people_counts_people_of_the_asked_kind() -> None:
    asked = parse_question("How many residents had to leave their homes?")
    assert slot_filled(asked, "That brought the number of people ordered out of their homes to 4,100.")
    assert not slot_filled(asked, "That brought the number of homes destroyed to 31.")


def test_each_named_report_gives_its_own_figure_and_no_other_story_comes_in(across: Assistant) -> None:
    answer = across.ask(
        "How many residents had to leave home according to the Ledger's first report, "
        "the Courier two days later and Northwind Radio's final count?"
    )
    assert not answer.abstained
    for figure in ("3,400", "4,100", "4,600"):
        assert figure in answer.answer
    # The Courier also reported a recount and a rail deal: neither is this story.
    assert {c.source[:3] for c in answer.citations} <= {"a01", "a02", "a03"}
    for citation in answer.citations:
        assert (ACROSS / citation.source).read_text(encoding="utf-8")[citation.start : citation.end] == citation.quote


def test_a_clause_naming_its_month_is_answered_by_that_months_report_of_the_same_speaker(across: Assistant) -> None:
    answer = across.ask("What did Perrine Castellane say about going to court in March, and what did she say in April?")

    assert not answer.abstained
    april = [c for c in answer.citations if c.date.startswith("2037-04")]
    # "she" is Castellane: the April window is hers, not the court's ruling of that month.
    assert any("Castellane" in c.quote for c in april)
    assert any(c.date.startswith("2037-03") for c in answer.citations)


def test_an_outlet_ends_at_its_possessive_and_the_month_after_it_is_the_reports() -> None:
    text = "How did the envoy describe the talks in Radio Ostrel's March report compared with the Harbour Post account?"
    question = parse_question(text)

    assert question.outlets == ("Radio Ostrel", "Harbour Post")
    assert question.outlet == "Radio Ostrel"
    assert "march" in question.months
    assert parse_question("What did the Channel 12 report say?").outlet == "Channel 12"


def test_according_to_an_outlet_names_the_report_not_a_speaker_to_find_in_it() -> None:
    question = parse_question("How many homes had burned, according to Northwind Radio's July account?", KNOWN)

    assert question.speaker == ""  # no "the sources do not attribute this to Northwind Radio"
    assert question.outlets == ("Northwind Radio",)
    assert question.answer_type == "number"
    assert parse_question("What did Mayor Tobias Harlen say about the fire?", KNOWN).speaker == "Tobias Harlen"


def test_each_report_a_question_names_is_told_apart_by_its_own_words(across: Assistant) -> None:
    # The ranker's catalog of this index (no public handle: the Assistant answers, it does not list).
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    question = evidence.parse("What did the July 9 report and the July 20 Northwind Radio report say about the fire?")

    names, targets = evidence.report_targets(question)

    # Not "July" for both: the first is the Ledger's of 9 July, the second Northwind Radio's of 20 July.
    assert [sorted(s[:3] for s in t) for t in targets] == [["a01"], ["a03"]]
    assert names[1] == "Northwind Radio"


def test_two_months_without_the_word_report_are_two_reports(across: Assistant) -> None:
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    question = evidence.parse("What did the candidate say in her March briefing and in her April one?")

    names, targets = evidence.report_targets(question)

    assert names == ("March", "April")
    assert all(d.startswith("2037-03") for d in map(evidence.articles.date, targets[0]))
    assert all(d.startswith("2037-04") for d in map(evidence.articles.date, targets[1]))


def test_a_month_inside_a_word_is_no_report(across: Assistant) -> None:
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    question = evidence.parse("How do the mayor's report and the Northwind Radio report differ on the recount?")

    names, _ = evidence.report_targets(question)

    assert "May" not in names


def test_the_words_naming_a_report_are_not_matched_in_sentences_but_an_asked_date_is(across: Assistant) -> None:
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    named = evidence.parse("What did the July 9 report and the July 20 Northwind Radio report say about the fire?")
    asked = evidence.parse("How many homes burned before July 11 according to the Ledger?")

    # The reports are picked by their metadata; "July", "9" and "report" are no words of the answer.
    assert matching_text(evidence.articles, named) == "What did the and the say about the fire?"
    # The date bounds what is asked: it stays (only the outlet goes).
    assert "before July 11" in matching_text(evidence.articles, asked)


def test_a_comparison_naming_one_report_by_month_and_another_by_outlet_asks_both(across: Assistant) -> None:
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    question = evidence.parse(
        "In the December report the Gazette describes the ticket prices; how does that compare with what "
        "the Drennland Courier said in February about the union?"
    )

    _, targets = evidence.report_targets(question)

    # The Courier's February report, and December's (the Gazette's); not only the Courier's.
    assert sorted(sorted(s[:3] for s in t) for t in targets) == [["a05"], ["a06"]]


def test_report_words_inside_other_words_stay_in_the_words_to_match(across: Assistant) -> None:
    evidence = across._extractive.evidence  # type: ignore[union-attr]
    question = evidence.parse("What items had reporters seen, as reported in the Ledger’s July report?")

    text = matching_text(evidence.articles, question)

    # "reported", "reporters" and "items" are words of the question; only "Ledger’s July report" names an article.
    assert text == "What items had reporters seen, as reported in the ?"
