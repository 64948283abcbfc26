"""The one speech-verb table: article sentences, "what did X say" and "who vowed" questions."""

import re

import pytest

from rag.speech import QUESTION_VERBS, WHO_VERBS, past, reports_speech


@pytest.mark.parametrize(
    ("lemma", "expected"),
    [("say", "said"), ("admit", "admitted"), ("reply", "replied"), ("vow", "vowed"), ("announce", "announced")],
)
def test_past_forms(lemma: str, expected: str) -> None:
    assert past(lemma) == expected


@pytest.mark.parametrize(
    "sentence",
    ["Miller admitted the gaps remained.", "The mayor insists the budget is fixed.", "It was, she says, too late."],
)
def test_sentences_that_report_speech(sentence: str) -> None:
    assert reports_speech(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["Promises are cheap.", "The state budget rose by 4 per cent.", "Answers came slowly in the second round."],
)
def test_nouns_that_look_like_verbs_are_not_speech(sentence: str) -> None:
    assert not reports_speech(sentence)


def test_question_and_who_forms_come_from_the_same_table() -> None:
    assert re.fullmatch(rf"(?:{QUESTION_VERBS})", "characterize")
    assert re.fullmatch(rf"(?:{WHO_VERBS})", "vowed")
    assert not re.fullmatch(rf"(?:{WHO_VERBS})", "vows")
