"""A figure or an outcome asked for one moment is not answered by what the articles say of another."""

from __future__ import annotations

from pathlib import Path

from rag.question import parse_question
from rag.slots import anticipates, asked_event, asked_moment, speaks_of_moment
from tests.builders import ask_articles

_FIRE = (
    "Wildfire near Albenque forces evacuations\n"
    "A wildfire broke out in the hills above Albenque on Tuesday and forced 2,000 residents from their homes.\n"
    "More than 200 firefighters, supported by four water-bombing aircraft, were working to keep the flames from "
    "the town.\n"
    "The regional governor asked the capital for six more aircraft.\n"
    "The fire was declared contained on Sunday after burning 3,000 hectares of forest.\n"
)
_QUESTION = "How many water-bombing aircraft were fighting the Albenque fire when it was finally contained?"


def test_the_moment_a_figure_is_asked_for_is_read_from_a_trailing_when_clause() -> None:
    assert asked_moment(parse_question(_QUESTION)) == {"final", "contain"}
    # A leading "when" sets the scene for the whole question; a "when" question asks for a time.
    assert not asked_moment(parse_question("When the strike began, how many dockers walked out?"))
    assert not asked_moment(parse_question("When was the fire contained?"))
    # "at the time of the March report" picks the article by its date; it is no moment in the story.
    assert not asked_moment(parse_question("About how many hostages were still held at the time of the March report?"))


def test_a_hyphen_does_not_make_another_moment() -> None:
    question = parse_question("How many were freed during the week-long pause in fighting in late November?")
    moment = asked_moment(question)
    assert speaks_of_moment(moment, "During a weeklong truce in late November, 105 civilians were released.")
    assert not speaks_of_moment(moment, "During the first days of the war, 40 people were released.")


def test_a_figure_from_another_moment_does_not_answer(tmp_path: Path, embedder: object) -> None:
    answer = ask_articles(tmp_path, embedder, {"fire.txt": _FIRE}, _QUESTION)

    assert answer.abstained


def test_a_figure_said_of_the_asked_moment_does(tmp_path: Path, embedder: object) -> None:
    fire = _FIRE + "When the fire was contained, nine water-bombing aircraft were still flying over it.\n"

    answer = ask_articles(tmp_path, embedder, {"fire.txt": fire}, _QUESTION)

    assert not answer.abstained and "nine water-bombing aircraft" in answer.answer


_THEFT = (
    "Astrolabe stolen from Valdmora museum\n"
    "A brass astrolabe made in 1642 has been stolen from the Valdmora Maritime Museum in a planned overnight "
    "break-in.\n"
    "Staff discovered the theft when they opened the museum on Monday morning.\n"
    "Police have asked anyone who saw a van near the museum to come forward.\n"
)


def test_whether_something_happened_is_not_answered_by_what_came_before(tmp_path: Path, embedder: object) -> None:
    question = "Was the stolen astrolabe ever recovered?"
    assert asked_event(parse_question(question)) == "recov"

    answer = ask_articles(tmp_path, embedder, {"theft.txt": _THEFT}, question)

    assert answer.abstained


def test_whether_something_happened_is_answered_when_the_articles_say_it_did(tmp_path: Path, embedder: object) -> None:
    theft = _THEFT + "On Friday police said the astrolabe had been recovered from a flat in Harwick.\n"

    answer = ask_articles(tmp_path, embedder, {"theft.txt": theft}, "Was the stolen astrolabe ever recovered?")

    assert not answer.abstained and "recovered from a flat" in answer.answer


def test_a_sentence_saying_it_has_not_happened_yet_only_anticipates() -> None:
    assert anticipates("The board does not comment on products that have not yet been submitted for approval.")
    assert anticipates("Hamas has yet to formally reject the proposal.")
    assert not anticipates("The board approved the drug on Friday.")
    assert anticipates("Its final ruling is due in May.")


def test_a_window_must_say_half_of_what_the_question_says_of_the_moment() -> None:
    moment = asked_moment(
        parse_question("How many prisoners did Israel free during the weeklong truce in late November?")
    )
    assert moment == {"weeklong", "truce", "late"}  # "November" picks the article (rag.asked_reports)

    assert speaks_of_moment(moment, "During a weeklong truce in late November, 105 civilians were released.")
    assert not speaks_of_moment(moment, "Israel would release 800 prisoners in the first phase of a six-week truce.")
