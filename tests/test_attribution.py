"""The one "who says what" detector: naming, pointing back, quotes that run on."""

from __future__ import annotations

import pytest

from rag import attribution
from rag.attribution import anonymous_source, attributed, closes_quote, credits, opens_quote, points_back
from rag.speech import reports_speech as speaks


@pytest.mark.parametrize(
    "sentence",
    [
        "“We need to drive it to closure,” he said.",
        "“There is no other solution,” said she.",
        "“We are on the way,” the Israeli prime minister said.",
        "“Some of the remaining issues are difficult.",  # a bare quote carries on the one before
        "to allow aid and provide shelter to the displaced.",
    ],
)
def test_sentences_that_need_the_one_before_to_say_who_speaks(sentence: str) -> None:
    assert points_back(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "“We continue to engage with our partners,” Miller said.",
        "Lew said that Israel has shown flexibility in the talks.",
        "Qatar and Egypt have been the main mediators for a deal.",
    ],
)
def test_sentences_that_name_their_own_speaker_or_quote_nobody_stand_alone(sentence: str) -> None:
    assert not points_back(sentence)


def test_a_quote_left_open_or_a_colon_runs_on_into_the_next_sentence() -> None:
    assert opens_quote("Avi Hyman told reporters: “We have received an update.")
    assert opens_quote("Blinken told reporters:")
    assert not opens_quote("“This needs to get done,” Blinken said.")


def test_a_pronoun_quote_is_attributed_to_the_person_named_before_it() -> None:
    sentences = [
        "Lew said that Israel has shown flexibility in the talks.",
        "“The last indications are that there's flexibility,” he said.",
    ]

    assert attributed(sentences, 1, "Lew")
    assert attributed(sentences, 0, "Jack Lew")
    assert not attributed(sentences, 1, "Miller")


def test_a_sentence_that_mentions_a_person_without_speech_is_not_their_words() -> None:
    sentences = ["He spoke after a meeting in Doha led by CIA Director William Burns failed."]

    assert not speaks(sentences[0]) or not attributed(sentences, 0, "Burns")


def test_the_90_percent_figure_belongs_to_the_negotiators_not_to_miller() -> None:
    sentences = [
        "Miller said he didn’t have “have a timetable.”",
        "US negotiators, including Burns, have said that 90% of Phase I is agreed upon.",
        "Miller confirmed that the two main sticking points remain.",
    ]

    assert not attributed(sentences, 1, "Miller")
    assert attributed(sentences, 1, "Burns")
    assert attributed(sentences, 2, "Miller")


def test_a_sentence_closing_a_quote_opened_earlier_is_recognised() -> None:
    assert closes_quote("We want them written into the contract,” Lindqvist said.")
    assert not closes_quote("“We want them written into the contract,” Lindqvist said.")


@pytest.mark.parametrize(
    ("sentence", "unnamed"),
    [
        ("An Egyptian official told the news agency AFP that a new round would start.", True),
        ("Two Israeli officials said it was unclear when they would next convene.", True),
        ("According to two senior US officials, the deal is close.", True),
        ("But officials familiar with the proposal said it left disagreements.", True),
        ("US negotiators, including Burns, have said that 90% of Phase I is agreed.", False),
        ("US Ambassador to Israel Jack Lew told the Haaretz National Security Conference.", False),
        ("Kirby, speaking to officials, said progress was made.", False),
        ("Miller told officials that the talks go on.", False),
    ],
)
def test_a_statement_by_someone_unnamed_is_recognised(sentence: str, unnamed: bool) -> None:
    assert anonymous_source(sentence) is unnamed


@pytest.mark.parametrize(
    ("sentence", "name", "credited"),
    [
        ("Hamas officials have issued statements criticizing it.", "Hamas", True),
        ("On Tuesday, Hamas said it was eager to reach a cease-fire.", "Hamas", True),
        ("“We are on the way,” Netanyahu said.", "Netanyahu", True),
        ("“It is rushed,” said Noor.", "Noor", True),
        ("Kesteria's foreign minister told reporters the offer was an insult.", "Kesteria", True),
        # A mention in a sentence that reports someone else's speech or act is not theirs.
        (
            "Last Friday, the White House submitted a “final bridging proposal” between Israel and Hamas.",
            "Hamas",
            False,
        ),
        ("Aurelia tabled a “final offer” in its dispute with Kesteria and Norvik, officials said.", "Kesteria", False),
        # The one who discussed is the sentence's subject, not the person met.
        (
            "The top US diplomat earlier met Prime Minister Benjamin Netanyahu and discussed the plan.",
            "Netanyahu",
            False,
        ),
    ],
)
def test_credits_reads_whose_doing_or_saying_a_sentence_is(sentence: str, name: str, credited: bool) -> None:
    assert credits(sentence, name) is credited


def test_a_clause_before_the_main_one_is_not_the_subject_and_said_he_is_not_pointing_back() -> None:
    sentence = "On Tuesday, as Blinken traveled to Egypt and Qatar to push for an agreement, Hamas said it was eager."
    assert not credits(sentence, "Blinken") and credits(sentence, "Hamas")
    assert not points_back("Miller said he didn’t have “a timetable,” adding that they were working on it.")
    assert points_back("“We will see,” said he.")


_KIRBY = [
    "Spokesperson John Kirby claims in a briefing that progress was made in talks yesterday in Cairo.",
    "Prime Minister Benjamin Netanyahu has been insisting on a new demand he submitted last month.",
    "Netanyahu has continued to insist that he won’t budge on the issue.",
    "“There has been progress made.",
    "We need now for both sides to come together and work toward implementation,” he says, noting the talks.",
]


def test_a_present_tense_he_says_continues_the_last_speaker_reported_in_the_present() -> None:
    assert attributed(_KIRBY, 4, "Kirby") and attributed(_KIRBY, 3, "Kirby")
    assert not attributed(_KIRBY, 4, "Netanyahu") and not attributed(_KIRBY, 3, "Netanyahu")
    # the past tense still points to the sentence before: "Lew said …" then "“…,” he said."
    assert attributed(["Lew said that Israel has shown flexibility.", "“There is flexibility,” he said."], 1, "Lew")


def test_a_name_before_a_clause_with_its_own_speaker_is_not_the_one_speaking() -> None:
    sentence = "Biden drew a critical response from Hamas after he said the group was backing away."
    assert not credits(sentence, "Hamas") and credits(sentence, "Biden")
    assert not credits("The plan drew a reply from Hamas when officials said it was final.", "Hamas")
    assert credits("Hamas officials said the plan was a reversal.", "Hamas")


def test_a_name_after_the_speech_verb_speaks_only_where_the_quote_is_inverted() -> None:
    assert credits("“We are close,” said Lund.", "Lund")
    assert not attribution.speaks("He said Israel would continue its assault on Gaza.", "Israel")
    assert not attribution.speaks("Biden urged leaders and told Hamas to accept the offer.", "Hamas")


def test_a_person_named_in_a_sentence_reporting_someone_elses_speech_is_not_speaking() -> None:
    sentences = ["“There is a lot of work,” Blinken told reporters at a meeting with President Isaac Herzog."]
    assert not attributed(sentences, 0, "Isaac Herzog") and attributed(sentences, 0, "Blinken")
    # a full name is credited where the article uses the surname only
    assert attribution.speaks("“We are on the way,” Netanyahu said.", "Benjamin Netanyahu")
    # the one told is not the one speaking
    assert not attribution.speaks("Lew told the Haaretz conference, “We are pressing.”", "Haaretz conference")


def test_the_united_states_is_not_a_speech_verb() -> None:
    assert not speaks("The top United States diplomat met Netanyahu and discussed the plan.")
    assert speaks("The ministry states that 40 were freed.")


def test_a_title_or_an_aside_between_verb_and_name_still_credits_the_speaker() -> None:
    assert attribution.speaks("“We will fight on,” said Israeli Prime Minister Benjamin Netanyahu.", "Netanyahu")
    assert attribution.speaks("“We are determined,” Antony Blinken, who is visiting Israel, said.", "Antony Blinken")
    # a body's last word is not its surname, and no name credits nobody
    assert not attribution.speaks("Israel said it would not attend.", "Times of Israel")
    assert not attribution.speaks("Israel's Foreign Ministry said so.", "Gaza Health Ministry")
    assert not attribution.speaks("The minister said so.", "")
