"""Numbered parts: a question about one stage is answered by that stage, not its neighbour."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chunking import Chunk
from rag.extractive import covers
from rag.ordinals import numbered_parts, part_match
from rag.retrieval import Passage
from rag.windows import evidence_windows
from tests.builders import ask_articles


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("in the second stage of the plan", {("phase", "2")}),  # a stage is a phase
        ("Phase II of the deal", {("phase", "2")}),
        ("the first round and round 3", {("round", "1"), ("round", "3")}),
        ("a three-part deal over two phases", set()),  # how many parts, not which
    ],
)
def test_the_numbered_parts_a_text_names(text: str, parts: set[tuple[str, str]]) -> None:
    assert numbered_parts(text) == parts


def test_a_window_is_matched_to_the_asked_part_through_its_context() -> None:
    question = "What would the city do in the second phase?"

    assert part_match(question, "The second phase would add two bus lines.") == "asked"
    assert part_match(question, "The first phase would close the old depot.") == "other"
    assert part_match(question, "It would also add two bus lines.", "During the second phase, fares stay.") == "asked"
    assert part_match(question, "The plan would add two bus lines.") == "none"
    assert part_match("What happens in phases one and two?", "The first phase would close the depot.") == ""


def test_a_question_about_the_second_stage_is_answered_from_the_second_stage(tmp_path: Path, embedder: object) -> None:
    article = (
        "Orsk unveils three-stage transit plan\n"
        "The Orsk city council on Monday unveiled a three-stage plan to rebuild the city's transit network.\n"
        "In the first stage, which would last a year, the council would close the old tram depot and move its "
        "workers to the bus garage.\n"
        "The second phase would add four bus lines to the northern suburbs and extend the night service.\n"
        "The third phase would replace the trams with electric buses by 2031.\n"
        "The opposition said the plan was too slow.\n"
    )
    answer = ask_articles(
        tmp_path, embedder, {"orsk.txt": article}, "What would the council do in the second stage of its transit plan?"
    )

    # The first stage's sentence shares more of the question's words ("council", "stage") than the
    # second phase's does; the headline-like lead, which names no stage, may still come first.
    assert not answer.abstained
    assert "four bus lines" in answer.answer
    assert "tram depot" not in answer.answer


def test_a_part_asked_as_stage_two_is_covered_by_the_second_phase() -> None:
    text = "In the second phase, the remaining sailors are to be exchanged for nine coast guard officers."
    chunk = Chunk("c1", "plan.txt", "h", "Plan", "", 0, len(text), text, 20)
    (window,) = evidence_windows([Passage(chunk, 1.0, 1)])

    assert covers(window, "stage two") and covers(window, "phase 2")
    assert not covers(window, "stage three")
