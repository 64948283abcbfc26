"""Who a question means by a role ("the Norvik spokeswoman"): rag.role_speakers, and the evidence
stage reading such a question as the holder's."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.role_speakers import asked_role, role_holder, with_holder

_LEDGER = (
    "Norvik Air spokeswoman Halla Brandt said the airline would restore the Sable route in May. "
    "Ferry operator spokesman Oren Vask said sailings would resume on Friday. "
    "Piers Okafor, the Ardish transport minister, told parliament the subsidy would stay. "
    "Oskaria sent Deputy Transport Minister Lena Strand to the talks."
)


@pytest.mark.parametrize(
    ("question", "holder"),
    [
        ("What did the Norvik Air spokeswoman say about the Sable route?", "Halla Brandt"),
        ("How did the ferry operator's spokesman describe the timetable?", "Oren Vask"),  # "spokesman" or "-woman"
        ("What did the Ardish transport minister tell parliament?", "Piers Okafor"),  # named before the role
        ("According to the Norvik Air spokesperson, when does the route return?", "Halla Brandt"),
    ],
)
def test_a_role_is_read_as_the_person_the_text_names_in_it(question: str, holder: str) -> None:
    phrase, name = role_holder(question, [_LEDGER])

    assert name == holder
    assert holder in with_holder(question, phrase, name)
    assert phrase not in with_holder(question, phrase, name)


def test_no_holder_when_the_modifier_is_not_beside_the_role_or_the_office_is_another() -> None:
    # The Ardish minister is Okafor, but nothing calls anyone the Oskarian transport minister: a
    # deputy is another office, and "Oskaria" elsewhere in a sentence does not make Okafor Oskarian.
    assert role_holder("What did the Oskarian transport minister say?", [_LEDGER])[1] == ""
    assert role_holder("What did Oskaria's deputy transport minister say?", [_LEDGER])[1] == "Lena Strand"
    # A role both texts fill with different people: which one is meant is not guessed.
    other = "Norvik Air spokeswoman Ines Morlan said fares would rise."
    assert role_holder("What did the Norvik Air spokeswoman say?", [_LEDGER, other])[1] == ""


def test_a_question_that_names_the_speaker_or_asks_no_role_has_none_to_read() -> None:
    assert asked_role("What did the Norvik Air spokeswoman Halla Brandt say?") is None
    assert asked_role("What did the ferry operator announce on Friday?") is None
    assert role_holder("Which spokeswoman said the route would return?", [_LEDGER]) == ("", "")


def test_the_state_department_spokesman_is_asked_for_millers_words(assistant: Assistant) -> None:
    answer = assistant.ask(
        "In the Jerusalem Post piece, how did the State Department spokesman describe the speed at which "
        "Washington was preparing its new proposal?"
    )

    assert not answer.abstained
    assert "expeditiously" in answer.answer  # Miller's own words, not only the lead that names him


@pytest.mark.parametrize(
    ("question", "texts"),
    [
        # A generic role is read only where the article writes that word beside the name.
        ("What did the Ardish official say about the ferry?", ["An Ardish official said fares would rise.", _LEDGER]),
        # A place or a time before the role is not its holder.
        ("What did the Ardish ambassador say?", ["In New Harlow, the Ardish ambassador said the vote was delayed."]),
        ("What did the Ardish ambassador say?", ["Last Tuesday, the Ardish ambassador said the vote was delayed."]),
        # "Secretary of State Brandt": the run after "of" is the office's, and no first name follows.
        ("What did the Secretary of State say?", ["Secretary of State Brandt said the talks would resume."]),
    ],
)
def test_no_one_is_made_the_holder_of_a_role_the_text_does_not_give_them(question: str, texts: list[str]) -> None:
    assert role_holder(question, texts)[1] == ""


def test_the_holder_is_the_name_beside_the_role_not_the_words_after_it() -> None:
    hagari = ["Daniel Hagari, spokesman for the Ardish Defence Forces, said the drills were over."]
    headline = ["Ferry Operator Spokesman Oren Vask Says Sailings Resume"]

    assert role_holder("What did the spokesman say about the drills?", hagari)[1] == "Daniel Hagari"
    assert role_holder("What did the ferry operator spokesman say?", headline)[1] == "Oren Vask"


def test_the_asked_role_is_replaced_where_it_is_asked() -> None:
    question = "After the Norvik Air spokeswoman left, what did the Norvik Air spokeswoman say?"
    phrase, name = role_holder(question, [_LEDGER])

    assert with_holder(question, phrase, name) == "After the Norvik Air spokeswoman left, what did Halla Brandt say?"
    to_place = "What did the Ardish ambassador to Norvik say about fares?"  # the role's tail ends on a space
    assert (
        with_holder(to_place, "the Ardish ambassador to Norvik", "Lena Holm") == "What did Lena Holm say about fares?"
    )
