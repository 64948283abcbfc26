"""Comparison questions are split into their two sides, and the answer gives both."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.comparison import comparison_sides
from rag.question import parse_question
from tests.builders import ask_articles


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        (
            "How did the mayor's reaction to the harbour plan differ from the Councillor's?",
            ("the mayor's reaction to the harbour plan", "Councillor's reaction to the harbour plan"),
        ),
        (
            "How did Brandt's view of the budget compare with that of Noor?",
            ("Brandt's view of the budget", "Noor's view of the budget"),
        ),
        (
            "How did the union's response to the first offer compare with its response to the final offer?",
            ("the union's response to the first offer", "union's response to the final offer"),
        ),
        (
            "How does the promised pay rise differ between the Herald report and the Courier report?",
            ("the promised pay rise in the Herald report", "the promised pay rise in the Courier report"),
        ),
        (
            "How far apart were the companies' and the union's estimates of the jobs to go?",
            ("the companies' estimates of the jobs to go", "the union's estimates of the jobs to go"),
        ),
        ("What were Tamm's and the Herald's figures?", ("Tamm's figures", "the Herald's figures")),
        ("What was the union's offer?", ()),
        ("How many workers joined the strike?", ()),
        ("How do the first and second phases differ?", ()),  # no owner to carry over: the parts logic decides
    ],
)
def test_a_comparison_is_split_into_its_two_sides(question: str, sides: tuple[str, ...]) -> None:
    assert comparison_sides(question) == sides


def test_a_side_that_is_someones_reaction_asks_for_their_words() -> None:
    side = parse_question("Brandt's reaction to the harbour plan")

    assert side.speaker == "Brandt" and side.answer_type == "statement"


def test_the_answer_to_how_two_peoples_reactions_differ_gives_both(tmp_path: Path, embedder: object) -> None:
    article = (
        "Harbour plan divides Orsk council\n"
        "The city council on Tuesday published its harbour plan, which would move the fish market to the old rail "
        "yard and turn the quay into flats.\n"
        "The council's harbour plan was drawn up by consultants over two years and costs 40 million thal.\n"
        "Mayor Hallie Brandt, reacting to the council's harbour plan, said it was a bold step that would bring jobs "
        "back to the waterfront.\n"
        "Brandt's office said the harbour plan had the backing of the port authority.\n"
        "Stallholders at the fish market said the move would cost them their regular customers.\n"
        "The opposition leader, Idris Noor, called it rushed and said it would cost far more than anyone admits.\n"
        "A vote is expected next month.\n"
    )
    answer = ask_articles(
        tmp_path,
        embedder,
        {"orsk.txt": article},
        "How did Brandt's reaction to the council's harbour plan differ from Noor's?",
    )

    assert not answer.abstained
    assert "bold step" in answer.answer and "rushed" in answer.answer


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        (
            "How did Israel and Hamas each respond to the final bridging proposal?",
            (
                "How did Israel respond to the final bridging proposal?",
                "How did Hamas respond to the final bridging proposal?",
            ),
        ),
        (
            "What did Miller and Kirby each say about the talks?",
            ("What did Miller say about the talks?", "What did Kirby say about the talks?"),
        ),
        ("How did the union and the port both react?", ("How did the union react?", "How did the port react?")),
    ],
)
def test_a_question_about_how_two_parties_each_acted_is_asked_of_each(question: str, sides: tuple[str, ...]) -> None:
    assert comparison_sides(question) == sides


def test_a_possessive_is_not_taken_for_the_speaker() -> None:
    question = parse_question("How did Biden's claim about Hamas differ from what Hamas said about the proposal?")

    assert question.speaker == ""
    assert question.clauses == ("Biden's claim about Hamas", "what Hamas said about the proposal")


def test_each_partys_response_is_its_own_not_a_sentence_naming_both(tmp_path: Path, embedder: object) -> None:
    article = (
        "Aurelia tables final offer in fishing dispute\n"
        "On Friday, Aurelia tabled what it called a “final offer” to settle its fishing dispute with Kesteria and "
        "Norvik, officials said.\n"
        "The offer would double the quota for the northern grounds from next spring.\n"
        "Kesteria turned it down within hours, calling it an insult to its fishermen.\n"
        "Norvik welcomed it and urged a quick signing.\n"
        "Talks between Kesteria and Norvik on a separate border question are due to resume next week, officials said.\n"
        "The dispute has kept 300 trawlers in port since March.\n"
    )
    answer = ask_articles(
        tmp_path, embedder, {"offer.txt": article}, "How did Kesteria and Norvik each respond to Aurelia's final offer?"
    )

    assert "insult" in answer.answer and "welcomed" in answer.answer
