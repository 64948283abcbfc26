"""Follow-up questions: when to rewrite, what the model is shown, which rewrites are accepted."""

from __future__ import annotations

import re

import pytest

from rag.rewrite import ANSWER_CHARS, SYSTEM_PROMPT, clean_rewrite, needs_rewrite, rewrite_messages

HISTORY = [
    (
        "Who are the main mediators?",
        "Qatar and Egypt have been the main mediators for a deal, with the support of the US. [1]",
    ),
    (
        "What did Miller say about the 90% figure?",
        "US negotiators, including Burns, have said that 90% of Phase I is agreed upon [1][2]. "
        "Miller said he didn’t have a timetable [3, 4].",
    ),
    (
        "Who led the high-level meeting in Doha?",
        "A high-level meeting in Doha was led by CIA Director William Burns. [2]",
    ),
]


# --- needs_rewrite -----------------------------------------------------------------------------


def test_no_history_never_needs_a_rewrite() -> None:
    assert not needs_rewrite("and what did Hamas say about it?", [])
    assert not needs_rewrite("What did he say?", ())


@pytest.mark.parametrize(
    "question",
    [
        "and what did Hamas say about it?",
        "What did he say next?",
        "How many prisoners would they release?",
        "What about Egypt?",
        "But did Israel accept the deal?",
    ],
)
def test_follow_ups_that_point_back_need_a_rewrite(question: str) -> None:
    assert needs_rewrite(question, HISTORY)


@pytest.mark.parametrize(
    "question",
    [
        "Who is William Burns?",
        "How many Palestinian prisoners were to be freed according to the Doha talks?",
        "What did Miller say about the 90% figure?",
        "Andrew Miller's role?",  # "And..." inside a word is not a follow-up
    ],
)
def test_self_contained_questions_are_left_alone(question: str) -> None:
    assert not needs_rewrite(question, HISTORY)


# --- rewrite_messages --------------------------------------------------------------------------


def test_rewrite_messages_show_only_the_last_two_turns() -> None:
    messages = rewrite_messages("and what did Hamas say about it?", HISTORY)

    assert messages[0] == ("system", SYSTEM_PROMPT)
    role, user = messages[1]
    assert role == "user"
    assert "Who are the main mediators?" not in user
    assert "Qatar and Egypt" not in user
    assert user.count("User: ") == 2
    assert user.index("What did Miller say about the 90% figure?") < user.index("Who led the high-level meeting")
    assert user.endswith("\n\nLast question: and what did Hamas say about it?\nRewritten question:")


def test_rewrite_messages_strip_citation_markers() -> None:
    _, user = rewrite_messages("What did he say?", HISTORY)[1]

    assert not re.search(r"\[\d", user)
    assert "Assistant: A high-level meeting in Doha was led by CIA Director William Burns." in user
    assert "90% of Phase I is agreed upon. Miller said he didn’t have a timetable." in user


def test_rewrite_messages_shorten_a_long_answer_at_a_word() -> None:
    long_answer = " ".join(["The talks in Doha continued without a breakthrough."] * 20)
    _, user = rewrite_messages("What about Cairo?", [("What happened in Doha?", long_answer)])[1]
    reply = user.split("Assistant: ", 1)[1].split("\n", 1)[0]

    assert reply.endswith(" …")
    assert len(reply) <= ANSWER_CHARS + 2
    assert long_answer.startswith(reply.removesuffix(" …"))
    assert reply.removesuffix(" …").split()[-1] in long_answer.split()


def test_rewrite_messages_accept_a_turn_without_an_answer() -> None:
    _, user = rewrite_messages("What about it?", [("Who mediates?", None)])[1]  # type: ignore[list-item]

    assert "User: Who mediates?\nAssistant: \n" in user


# --- clean_rewrite -----------------------------------------------------------------------------

ORIGINAL = "and what did Hamas say about it?"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("What did Hamas say about the US bridging proposal?", "What did Hamas say about the US bridging proposal?"),
        ('  "What did Hamas say about the proposal?"  ', "What did Hamas say about the proposal?"),
        ("“What did Hamas say about the proposal?”", "What did Hamas say about the proposal?"),
        ("Rewritten question: What did Hamas say about the proposal?", "What did Hamas say about the proposal?"),
        ("Standalone question: What did Hamas say about the proposal?", "What did Hamas say about the proposal?"),
    ],
)
def test_clean_rewrite_accepts_one_question(raw: str, expected: str) -> None:
    assert clean_rewrite(raw, ORIGINAL) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "What did Hamas say about the proposal?\nWhat did Israel say?",  # two lines
        "Hamas said it would study the proposal.",  # not a question
        "",
        "Why?",  # too short to be a rewrite
        "What " + "really " * 60 + "happened?",  # too long
    ],
)
def test_clean_rewrite_falls_back_to_the_original(raw: str) -> None:
    assert clean_rewrite(raw, ORIGINAL) == ORIGINAL
