"""Question parsing: speaker, topic, names, numbers, answer type; and the matching helpers."""

from __future__ import annotations

import pytest

from rag.question import parse_question
from rag.words import (
    fact_numbers,
    in_vocabulary,
    mentions,
    normalise,
    numbers,
    someone_else,
    unknown_first_name,
    vocabulary,
)


def test_speaker_topic_and_number_of_a_what_did_x_say_question() -> None:
    q = parse_question("What did Miller say about the 90% figure?")

    assert q.speaker == "Miller"
    assert q.topic == "the 90% figure"
    assert q.numbers == frozenset({"90"})
    assert q.names == ("Miller",)
    assert q.stems == frozenset({"miller", "figur"})
    assert not q.wants_count
    assert not q.wants_time


def test_a_speaker_after_a_lowercase_office_is_the_name_and_the_office_names_them_too() -> None:
    q = parse_question("What did US ambassador Jack Lew say about keeping troops in the corridor?")
    assert q.speaker == "Jack Lew" and {"ambassador", "lew"} <= q.speaker_stems
    assert parse_question("What did Israeli government spokesman Avi Hyman say about prisoners?").speaker == "Avi Hyman"
    assert parse_question("What did officials in Cairo say about the talks?").speaker == ""


def test_according_to_names_a_multi_word_speaker() -> None:
    q = parse_question("According to John Kirby, was progress made?")

    assert q.speaker == "John Kirby"
    assert q.names == ("John Kirby",)
    assert q.topic == ""


def test_what_did_x_claim_names_the_speaker() -> None:
    assert parse_question("What did Lew claim about Israel?").speaker == "Lew"


def test_an_adverb_between_speaker_and_verb_keeps_the_speaker() -> None:
    q = parse_question("How did Benjamin Netanyahu publicly react to the Hamas plan, in his own words?")
    assert q.speaker == "Benjamin Netanyahu" and q.answer_type == "statement"


def test_according_to_a_body_of_a_place_names_no_speaker() -> None:
    q = parse_question("According to Gaza's health ministry, how many people had died in the preceding day?")
    assert q.speaker == "" and q.answer_type == "number"


def test_question_without_a_speaker() -> None:
    q = parse_question("Which countries are mediating the talks?")

    assert q.speaker == ""
    assert q.names == ()


@pytest.mark.parametrize(
    "text",
    [
        "How many hostages would be returned in Phase I?",
        "How much aid reaches Gaza?",
        "What percentage of Phase I is agreed?",
    ],
)
def test_how_many_questions_want_a_count(text: str) -> None:
    q = parse_question(text)

    assert q.wants_count
    assert not q.wants_time


@pytest.mark.parametrize("text", ["When did the talks in Cairo resume?", "What date was the article published?"])
def test_when_questions_want_a_time(text: str) -> None:
    q = parse_question(text)

    assert q.wants_time
    assert not q.wants_count


def test_how_long_wants_both_a_count_and_a_time() -> None:
    q = parse_question("How long will the truce last?")

    assert q.wants_count and q.wants_time


def test_capitalised_question_words_are_not_names() -> None:
    q = parse_question("How many hostages did Hamas seize in Israel?")

    assert q.names == ("Hamas", "Israel")


def test_day_of_a_named_date_is_not_a_fact_number() -> None:
    q = parse_question("How many people were killed on October 7?")

    assert q.numbers == frozenset()
    assert fact_numbers("Hamas seized 253 hostages on October 7") == {"253"}


def test_numbers_drop_thousands_separators() -> None:
    assert numbers("1,200 and 1200") == {"1200"}


def test_numbers_keep_decimals_and_drop_a_trailing_full_stop() -> None:
    assert numbers("Some 3.5 million, and 1,139.") == {"3.5", "1139"}


def test_normalise_turns_percent_into_a_sign() -> None:
    assert "90%" in normalise("90 percent")
    assert normalise("More than 80 per cent") == "more than 80%"
    assert normalise("A percentage") == "a percentage"


def test_normalise_lowercases_and_straightens_apostrophes() -> None:
    assert normalise("Hamas’s ‘final’ offer") == "hamas's 'final' offer"


def test_mentions_matches_any_distinctive_word_of_a_name() -> None:
    text = "State Department spokesperson Matthew Miller told reporters."

    assert mentions(text, "Matthew Miller")
    assert mentions(text, "Miller")
    assert mentions(text, "Stephen Miller")  # any distinctive word is enough
    assert not mentions(text, "John Kirby")


def test_mentions_needs_whole_words_and_ignores_case() -> None:
    assert mentions("KIRBY spoke on Monday.", "John Kirby")
    assert mentions("Kirby’s briefing", "Kirby")
    assert not mentions("The Millers spoke.", "Miller")


def test_mentions_counts_an_upper_case_acronym() -> None:
    assert mentions("the US said on Monday", "US")


def test_in_vocabulary_checks_a_name_against_the_corpus_words() -> None:
    vocab = vocabulary(["Lew said that Israel has shown flexibility.", "Kirby’s briefing"])

    assert in_vocabulary("Jack Lew", vocab)
    assert in_vocabulary("Kirby's", vocab)
    assert not in_vocabulary("Antony Blinken", vocab)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("What did Blinken tell reporters about the deal?", "Blinken"),
        ("How did Matthew Miller describe the talks?", "Matthew Miller"),
        ("Did Netanyahu say that Israel would budge?", "Netanyahu"),
    ],
)
def test_question_starting_with_what_how_or_did_names_its_speaker(text: str, speaker: str) -> None:
    assert parse_question(text).speaker == speaker


def test_pronoun_us_is_not_a_mention_of_the_us() -> None:
    assert not mentions("We are pressing as hard as we can, he told us.", "US")


def test_a_question_naming_two_reports_asks_for_evidence_from_each() -> None:
    q = parse_question("What do the Times of Israel and Al Jazeera reports say about aid, according to each report?")
    assert q.compare
    assert parse_question("What did the report say about aid?").compare is False


def test_a_broadcasters_number_is_part_of_the_outlet_not_a_fact_to_find() -> None:
    q = parse_question("What two options did the war cabinet see, per the Channel 12 report?")

    assert q.outlet == "Channel 12"
    assert q.numbers == frozenset()
    assert "channel" not in q.stems


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("How was the roster dispute eventually resolved?", True),
        ("What was the result of Sunday's match?", True),
        ("Was the stolen violin ever found?", True),
        ("On what date was the officer actually released on bail?", True),
        ("Did Israel end up making its own offer?", True),
        ("How many homes did the fire destroy?", False),
        ("What did the tribunal decide in its final ruling on the tariff?", True),
        ("How did the appeals court rule on the mayor's challenge?", True),
        ("What rule on late ballots did the office cite?", False),
    ],
)
def test_questions_about_how_things_turned_out(text: str, outcome: bool) -> None:
    assert parse_question(text).wants_outcome is outcome


def test_yes_no_questions_start_with_an_auxiliary_and_offer_no_alternative() -> None:
    assert parse_question("Did Netanyahu see any alternative to the offensive?").yes_no
    assert not parse_question("Did Israel wait or present its own offer?").yes_no
    assert not parse_question("What did Netanyahu say?").yes_no


@pytest.mark.parametrize(
    ("text", "outlets"),
    [
        (
            "How do the New York Times and the Times of Israel reports differ on the talks?",
            ("New York Times", "Times of Israel"),
        ),
        (
            "What did Blinken say in the New York Times report, and in the Al Jazeera report?",
            ("New York Times", "Al Jazeera"),
        ),
        ("What would Israel give up under the rejected proposal (Times of Israel)?", ("Times of Israel",)),
        ("In the September 2024 report, how many captives remained?", ()),
        ("According to officials cited by Al Jazeera, what does more aid hinge on?", ("Al Jazeera",)),
    ],
)
def test_every_named_report_is_found_and_dropped_from_the_terms(text: str, outlets: tuple[str, ...]) -> None:
    q = parse_question(text)

    assert q.outlets == outlets
    assert not {"time", "jazeera", "york"} & q.stems


def test_the_counted_thing_is_not_the_name_it_belongs_to() -> None:
    assert parse_question("How many Sable Air flights were scrapped on Friday?").focus == "flights"
    assert parse_question("How many Palestinians were killed?").focus == "Palestinians"
    assert parse_question("How many Palestinian prisoners would be freed?").focus == "Palestinian prisoners"


def test_a_question_across_articles_is_told_from_two_names_with_one_fact() -> None:
    assert parse_question("How do the reports differ on the death toll?").across
    assert parse_question("How did Blinken and Netanyahu each respond to the proposal?").across
    assert parse_question("Do the Herald and the Courier agree on revenue?").across
    assert not parse_question("Which countries are mediating between Israel and Hamas?").across
    assert not parse_question("Did Israel agree to the proposal?").across
    assert not parse_question("How much is each affected customer owed?").across


def test_a_number_inside_a_name_is_not_a_quantity_asked_about() -> None:
    assert fact_numbers("What did Solberg say about RENOVA-3, the 90% figure and the Halcyon-2 launch?") == {"90"}


@pytest.mark.parametrize(
    ("name", "text", "other"),
    [
        ("Frida Solberg", "lead investigator anneke solberg said", True),
        ("Anneke Solberg", "lead investigator anneke solberg said", False),
        ("Frida Solberg", "“it matters,” solberg said", False),  # no first name given: maybe her
        ("President Biden", "president joe biden said", False),  # a title, not a first name
    ],
)
def test_a_person_of_the_same_surname_is_someone_else(name: str, text: str, other: bool) -> None:
    assert someone_else(name, text) is other


def test_which_with_a_nationality_and_an_office_asks_for_a_person() -> None:
    assert parse_question("Which Egyptian official hosted the Cairo talks?").answer_type == "person"
    assert parse_question("Which Israeli officials led the delegation?").answer_type == "person"


def test_according_to_keeps_the_kind_of_answer_asked_for() -> None:
    parsed = parse_question("What percentage of Gaza's buildings were destroyed, according to Al Jazeera?")
    assert (parsed.answer_type, parsed.speaker) == ("number", "Al Jazeera")
    assert parse_question("What is the outlook, according to Miller?").answer_type == "statement"


def test_a_first_name_the_articles_never_use_is_someone_else() -> None:
    vocab = vocabulary(["Lead investigator Anneke Solberg presented the findings, President Biden said."])
    assert unknown_first_name("Frida Solberg", vocab)
    assert not unknown_first_name("Anneke Solberg", vocab)
    assert not unknown_first_name("President Biden", vocab)  # a title, not a first name
    assert not unknown_first_name("Frida Larsen", vocab)  # nobody of that surname: another test says so


def test_a_clause_setting_the_scene_does_not_decide_what_is_asked() -> None:
    assert parse_question("When the crews were seized, what did the minister say about them?").answer_type == "other"
    assert parse_question("When the talks resumed in Cairo, who led the delegation?").answer_type == "person"
    assert parse_question("After the deal collapsed, how many trucks entered?").answer_type == "number"
    assert parse_question("When did the talks resume?").answer_type == "date"
    assert parse_question("When was the deal signed, and by whom?").answer_type == "date"


def test_how_a_reported_figure_changed_over_a_dispute_asks_each_reports_figure() -> None:
    q = parse_question("How did the reported number of striking workers change over the course of the dispute?")
    assert q.answer_type == "number" and q.focus == "striking workers"
    assert q.across
    assert not parse_question("What changed in the plan?").across


def test_which_two_countries_asks_for_places() -> None:
    assert parse_question("Besides the US, which two countries acted as go-betweens?").answer_type == "place"


def test_according_to_an_outlet_leaves_the_speaker_to_the_rest_of_the_question() -> None:
    known = ("The New York Times",)
    q = parse_question("According to The New York Times, how did Hamas characterise the proposal?", known)
    assert q.speaker == "Hamas" and q.outlets == ("New York Times",)


def test_a_month_before_report_names_an_article_not_a_speaker() -> None:
    q = parse_question("What did the February report say about whether Hamas took part in the talks?")
    assert q.speaker == "" and q.months == frozenset({"february"})


def test_an_appositive_between_the_speaker_and_the_verb_keeps_the_speaker() -> None:
    q = parse_question("How did Ilse Marrow, speaking for the port authority, describe the strike's prospects?")
    assert q.speaker == "Ilse Marrow"


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Who goes free in each of the three phases of the plan?", ("phase 1", "phase 2", "phase 3")),
        ("What happens in all four stages?", ("stage 1", "stage 2", "stage 3", "stage 4")),
        ("What happens in phases two and three?", ("phase two", "phase three")),
        ("How long is the three-phase plan?", ()),
    ],
)
def test_every_numbered_part_a_question_counts_is_a_part(question: str, parts: tuple[str, ...]) -> None:
    assert parse_question(question).parts == parts


def test_a_time_after_a_verbs_preposition_is_no_topic() -> None:
    assert parse_question("What was the mayor insisting on by late August?").topic == ""
    assert parse_question("What did the mayor say about the ferry?").topic == "the ferry"


def test_a_participle_or_a_weekday_before_report_is_no_outlet() -> None:
    rebutting = parse_question("Rebutting reports that the talks had collapsed, what did the spokesman say?")
    weekday = parse_question("How many people did the ministry count in its Wednesday update?")

    assert (rebutting.outlet, rebutting.outlets) == ("", ())
    assert (weekday.outlet, weekday.outlets) == ("", ())
    assert parse_question("In the Ledger report, who spoke first?").outlet == "Ledger"


def test_the_counted_thing_is_past_a_second_number_of() -> None:
    assert parse_question("How do the figures for the number of people killed compare?").focus == "people"


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What parting message did Blinken give reporters before flying home?", "Blinken"),
        ("What reason did Miller give for the delay?", "Miller"),
        ("What was Kirby's description of the Cairo meeting?", "Kirby"),
        ("What did the Ardish ambassador to Norvik say about the treaty?", ""),  # a role of a place, not "Norvik"
        ("What did the Ardish ambassador to Norvik Lena Holm say about the treaty?", "Lena Holm"),
        ("What did the Ardish ambassador to the UN say?", ""),  # nor the body it is to
        ("Why did Tamm say the talks failed?", "Tamm"),
        ("Why did Tamm call the minister?", ""),  # an act's reason, not Tamm's words
    ],
)
def test_whose_words_are_asked_for(question: str, speaker: str) -> None:
    assert parse_question(question).speaker == speaker


def test_an_outlets_initials_name_it() -> None:
    known = ("The New York Times", "The Ardish Ledger")
    question = parse_question("How did Hamas, per the NYT, and the union, per the Ledger, each view the plan?", known)

    assert question.outlets == ("New York Times", "Ledger")
    assert "NYT" not in question.names  # not a name to find in the articles
    assert parse_question("What did the nyt say?", known).outlets == ()  # initials are written in capitals


def test_each_side_of_an_each_question_keeps_its_source() -> None:
    from rag.comparison import comparison_sides

    sides = comparison_sides("How did the union, per the Ledger, and the port authority, per Radio Sarn, each react?")

    assert sides == ("How did the union, per the Ledger, react?", "How did the port authority, per Radio Sarn, react?")


def test_an_outlet_named_with_of_is_its_whole_name_before_a_possessive() -> None:
    known = ("The Times of Israel", "Al Jazeera")

    assert parse_question("What toll does the Times of Israel's March report give?", known).outlet == "Times of Israel"


def test_a_question_in_capitals_is_parsed_without_backtracking_forever() -> None:
    # Each capitalised word is matched whole (possessive): "IDF" is never tried as "I" + "DF", which
    # made a question in capitals take minutes before.
    question = parse_question("WHY DID THE IDF SPOKESMAN OF THE UNRWA SCHOOLS BOMB THE HOSPITAL IN GAZA CITY?")

    assert question.text.startswith("WHY")


def test_a_sunday_paper_keeps_its_day_and_a_list_is_not_an_aside() -> None:
    from rag.comparison import comparison_sides
    from rag.outlets import clean_outlet

    assert clean_outlet("The Sunday Times") == "Sunday Times"
    assert comparison_sides("How did Ardland, Norvik, and Vell each respond to the plan?") == ()
