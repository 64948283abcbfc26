"""A figure asked for a moment ("when it was contained") is not answered by one from another moment."""

from __future__ import annotations

from pathlib import Path

from rag.question import parse_question
from rag.slots import asked_moment
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


def test_a_figure_from_another_moment_does_not_answer(tmp_path: Path, embedder: object) -> None:
    answer = ask_articles(tmp_path, embedder, {"fire.txt": _FIRE}, _QUESTION)

    assert answer.abstained


def test_a_figure_said_of_the_asked_moment_does(tmp_path: Path, embedder: object) -> None:
    fire = _FIRE + "When the fire was contained, nine water-bombing aircraft were still flying over it.\n"

    answer = ask_articles(tmp_path, embedder, {"fire.txt": fire}, _QUESTION)

    assert not answer.abstained and "nine water-bombing aircraft" in answer.answer
