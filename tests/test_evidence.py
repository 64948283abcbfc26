"""The evidence stage: windows with exact offsets, the asked slot, article picks, abstention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import Answer, Assistant, load_settings
from rag.chunking import Chunk
from rag.evidence import window_slot
from rag.extractive import _introduction
from rag.indexing import index_paths
from rag.question import parse_question
from rag.relevance import new_name
from rag.retrieval import Passage
from rag.speaker_topic import said_nothing_on
from rag.windows import Evidence, evidence_windows, with_antecedent
from tests.builders import ask_articles

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _passage(text: str, start: int = 100, source: str = "a.txt", date: str = "") -> Passage:
    chunk = Chunk("c1", source, "h", "Title", date, start, start + len(text), text, 10)
    return Passage(chunk, 1.0, 1)


def _window_for(windows: list[Evidence], opening: str) -> Evidence:
    return next(w for w in windows if w.fact_text.startswith(opening))


def test_a_he_said_quote_brings_the_sentence_naming_the_speaker() -> None:
    text = (
        "Talks resumed in Cairo on Monday after a pause. "
        "Lew said that Israel has shown flexibility in the talks. "
        "“The last indications are that there is flexibility, and we need to drive it to closure,” he said."
    )
    windows = evidence_windows([_passage(text)])
    quote = _window_for(windows, "“The last indications")

    assert quote.text.startswith("Lew said that Israel")
    assert quote.text.endswith("he said.")
    named = _window_for(windows, "Lew said")
    assert named.text.endswith("he said.")  # the quote that follows is part of what Lew said


def test_window_offsets_are_exact_article_offsets() -> None:
    text = "Alpha beta gamma delta epsilon. “Quote one goes here,” she said. Another plain sentence is here."
    for window in evidence_windows([_passage(text, start=250)]):
        assert window.text == text[window.start - 250 : window.end - 250]
        assert text[window.fact_start - 250 : window.fact_end - 250] == window.fact_text


def test_a_short_quoted_sentence_is_kept_inside_its_window() -> None:
    text = "Detective Katarina Meles said officers were examining footage. “Whoever did this knew the building."
    text += " We are not looking for a passer-by,” Meles said."
    windows = evidence_windows([_passage(text)])

    assert any(w.fact_text == "“Whoever did this knew the building." for w in windows)


def test_a_photo_caption_is_known_by_its_credit() -> None:
    text = (
        "Spokesperson Matthew Miller answers questions during a news briefing on July 18, 2023, in Washington. "
        "(AP Photo/Nathan Howard)\nMiller said on Wednesday that real progress was made in the talks. "
        "Families hold placards during a demonstration in Tel Aviv on March 26, 2024. (Jack Guez/AFP)"
    )
    captions = {w.fact_text[:8]: w.caption for w in evidence_windows([_passage(text)])}

    assert captions == {"Spokespe": True, "Miller s": False, "Families": True}


def test_a_present_tense_quote_is_not_windowed_with_a_sentence_about_someone_else() -> None:
    text = (
        "Netanyahu has continued to insist that he won’t budge on the issue.\n“There has been progress made. "
        "We need now for both sides to come together,” he says, noting that talks in Cairo continue today."
    )
    windows = evidence_windows([_passage(text)])

    assert all(not (w.text.startswith("Netanyahu") and "he says" in w.text) for w in windows)


def test_kirbys_quote_a_paragraph_after_his_name_is_his_and_not_netanyahus(assistant: Assistant) -> None:
    kirby = assistant.ask("What did Kirby say the two sides needed to do next?")
    netanyahu = assistant.ask("What did Netanyahu say about progress in the talks?")

    assert not kirby.abstained and "work toward implementation" in kirby.citations[0].quote
    assert not any(c.quote.startswith("Netanyahu has continued") and "he says" in c.quote for c in netanyahu.citations)


def test_a_four_word_sentence_with_a_verb_is_evidence_but_a_four_word_heading_is_not() -> None:
    text = "Mediators sent the revised offer to both sides on Friday. Israel accepted the offer. Tesla Q2 2020 revenue."
    facts = [w.fact_text for w in evidence_windows([_passage(text)])]

    assert "Israel accepted the offer." in facts
    assert "Tesla Q2 2020 revenue." not in facts


@pytest.mark.parametrize(
    ("question", "text", "filled"),
    [
        ("How many trucks entered?", "Some 40 trucks entered on Monday.", True),
        ("Which senior UN official warned of a famine?", "UN Secretary-General Antonio Guterres warned of it.", True),
        ("Which Egyptian official warned of a famine?", "UN Secretary-General Antonio Guterres warned of it.", False),
        ("How many men were freed in all?", "In all, 37 fishermen were freed under the plan.", True),
        ("How did the number of dead change over the week?", "At least 12 people were killed on Monday.", True),
        ("How did the death toll change between the reports?", "Officials said 31 people had died.", True),
        ("How did the number of dead change over the week?", "Some 40 trucks entered on Monday.", False),
        ("What is the death toll of the border fighting?", "Talks resumed, and no date was set, he said.", False),
        ("What is the death toll of the border fighting?", "The fighting has killed 40 people so far.", True),
        ("How many were wounded in the strike that killed five?", "At least 30 were wounded, medics said.", True),
        ("How many men were freed in all?", "In all, 37 women were freed under the plan.", False),
        ("How many people were hurt in the blast?", "Two men were hurt in the blast on Monday.", True),
        ("How many trucks entered?", "Trucks entered in September 2024.", False),
        ("When did the talks resume?", "The talks resumed on Thursday in Cairo.", True),
        ("When did the talks resume?", "The talks resumed in Cairo with all parties.", False),
        # "Which officials": people named by first name and surname, next to a role that is a noun.
        ("Which Ardish officials led the delegation?", "Ardish officials Talo Vrange and Mira Oss led it.", True),
        ("Which Ardish officials led the delegation?", "In late July, according to Ardish and Velk officials.", False),
        ("Which Ardish official spoke?", "The toll rests on official Ardish figures, said Talo Vrange.", False),
        # A sum of money, in a currency no list knows too; not a count of something else or a time.
        ("How much severance pay will the miners get?", "The mine will shed 420 jobs by June.", False),
        ("How much money has the start-up raised?", "Its engine ran for 14 seconds, a record.", False),
        ("How much money has the start-up raised?", "Its Arrow-2 engine ran longer than planned.", False),
        ("How much money has the start-up raised?", "It has raised 30 million florins so far.", True),
        ("How much money did the envoy pledge?", "He pledged to free 800 Ardish prisoners for 40 hostages.", False),
        ("How much money did the envoy pledge?", "At least 123 people were killed, Channel 12 said.", False),
        ("How much money did the envoy pledge?", "Talks resumed and 34 of those held were freed.", False),
        ("How much is each customer owed?", "Each customer is owed 150 thal, the court ruled.", True),
        ("How much did the mayor take in bribes?", "He took 40,000 tels in bribes, the court heard.", True),
        ("How much will the new bridge cost?", "The bridge will cost $2.4m, the council said.", True),
        ("How much will the new bridge cost?", "Traffic on the bridge rose 12% last year.", False),
        ("How much rain fell overnight?", "Some 80 millimetres fell overnight.", True),
        # "Which airline": an organisation the question does not name; "Dense" only starts the sentence.
        ("Which airline cancelled flights at Orrin Airport?", "Dense fog shut Orrin Airport on Friday.", False),
        ("Which airline cancelled flights at Orrin Airport?", "Dense fog led Skyline Air to cancel 12 flights.", True),
        ("Which bank cut its rates first?", "On Friday it was Corvel Bank that cut its rates first.", True),
        ("Which group rejected the offer?", "Tarvos rejected the offer, and Tarvos said why.", True),
        # The role in other words than the article's: a spokesman is its "spokesperson", and a surname
        # may end like a nationality ("Hyman", "Albanese").
        ("Which Ardish spokesman confirmed it?", "Ardish spokesperson Avi Hyman told reporters so.", True),
        # "Which diplomat conceded …": whoever the window has saying it, however the article titles them.
        ("Which US diplomat conceded that?", "Hamas has no relations with the United States, Lew said.", True),
        ("Which US diplomat conceded that?", "Israel agreed to it, and Hamas rejected it and claimed so.", False),
        ("Which US diplomat conceded that?", "“Mistakes were made,” American officials said.", False),
        ("Which Ardish official conceded it?", "The Velk envoy Mira Oss said so on Monday.", False),
        # "The name of …", "which members of …" ask for a person, whom an unnamed one does not give.
        (
            "What is the name of the Ardish official who told AFP?",
            "An Ardish official told AFP it would resume.",
            False,
        ),
        (
            "Which members of the Ardish cabinet backed it?",
            "Ardish cabinet members Talo Vrange and Mira Oss backed it.",
            True,
        ),
        ("Which members of the Ardish cabinet backed it?", "The Ardish cabinet was advised to back the offer.", False),
    ],
)
def test_the_asked_slot_is_filled_only_by_the_right_kind_of_fact(question: str, text: str, filled: bool) -> None:
    (window,) = evidence_windows([_passage(text)])

    assert window_slot(parse_question(question), window) is filled


def test_a_dated_article_answers_what_date_only_with_a_sentence_that_places_the_event() -> None:
    question = parse_question("On what date did the crew leave the harbour?")
    (timeless,) = evidence_windows([_passage("The departure left the town in despair.", date="2034-05-02")])
    (monday,) = evidence_windows([_passage("The crew left the harbour on Monday.", date="2034-05-02")])

    assert not window_slot(question, timeless)
    assert window_slot(question, monday)  # the article's date and "on Monday" place it


def test_a_month_and_year_pick_the_dated_article_instead_of_being_searched_for(assistant: Assistant) -> None:
    answer = assistant.ask("In the September 2024 report, what share of Phase I had been agreed?")

    assert not answer.abstained
    assert "90%" in answer.answer
    assert answer.citations[0].date == "2024-09-16"


def test_a_capitalised_first_word_is_not_taken_for_a_missing_name(assistant: Assistant) -> None:
    answer = assistant.ask("Besides Egypt, which country has been a main mediator, with US support?")

    assert not answer.abstained
    assert "Qatar" in answer.answer


def test_miller_and_the_90_percent_figure_gives_the_figure_and_millers_own_words(assistant: Assistant) -> None:
    answer = assistant.ask("What did Miller say about the 90% figure?")

    assert answer.answer.startswith("The sources do not attribute the 90% figure to Miller")
    assert "US negotiators, including Burns" in answer.answer
    assert "sticking points" in answer.answer
    article = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for citation in answer.citations:
        assert citation.quote == article[citation.source][citation.start : citation.end]


def test_an_attribution_answer_includes_the_quote_after_the_speaker_sentence(assistant: Assistant) -> None:
    answer = assistant.ask("What did the US ambassador Lew say about Israeli flexibility?")

    assert "drive it to closure" in answer.answer


def test_a_count_the_articles_never_give_is_not_answered(assistant: Assistant) -> None:
    answer = assistant.ask("How many aid trucks entered Gaza during the weeklong truce?")

    assert answer.abstained


def test_a_quote_that_began_a_sentence_earlier_is_quoted_from_its_start() -> None:
    text = (
        "Greta Lindqvist, who chairs the supporters’ trust, was cautious. “Promises are cheap. "
        "We want them written into the sale contract, not into a press release,” Lindqvist said."
    )
    windows = evidence_windows([_passage(text)])
    closing = _window_for(windows, "We want them")

    # Back to where the quote opens, and (a bare quote points back) to who is speaking.
    assert closing.text.startswith("Greta Lindqvist, who chairs")
    assert closing.text.endswith("Lindqvist said.")


def _ask_one_article(tmp_path: Path, embedder: object, text: str, question: str) -> Answer:
    return ask_articles(tmp_path, embedder, {"article.txt": text}, question)


def test_citation_markers_inside_an_article_never_become_answer_citations(tmp_path: Path, embedder: object) -> None:
    text = "Port strike ends\nThe Valdmora port strike ended on Tuesday after 14 days, the union said [1][2][3].\n"
    answer = _ask_one_article(tmp_path, embedder, text, "When did the Valdmora port strike end?")

    assert not answer.abstained
    assert "(1)(2)(3)" in answer.answer
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert cited == {c.n for c in answer.citations}
    assert all("[1][2][3]" in c.quote for c in answer.citations)  # the quote itself stays exact


def test_a_who_answer_naming_someone_by_surname_adds_the_sentence_introducing_them(
    tmp_path: Path, embedder: object
) -> None:
    text = (
        "Council budget passes\n"
        "The mayor of Brackenford, Hallie Brandt, proposed closing five branch libraries this spring.\n"
        "Councillors argued about the cuts for three hours on Tuesday evening.\n"
        "“Nobody goes into politics to close libraries, but the budget must balance,” Brandt said.\n"
    )
    answer = _ask_one_article(
        tmp_path, embedder, text, "Who said that no one enters politics in order to shut libraries?"
    )

    assert "Hallie Brandt" in answer.answer and "Nobody goes into politics" in answer.answer


def test_a_surname_opening_the_quoted_sentence_also_gets_its_introduction() -> None:
    text = (
        "The mayor of Brackenford, Hallie Brandt, proposed closing five branch libraries this spring. "
        "Councillors argued about the cuts for three hours on Tuesday evening. "
        "Brandt defended the plan. “Nobody goes into politics to close libraries,” she said."
    )
    windows = evidence_windows([_passage(text)])
    quote = _window_for(windows, "“Nobody")
    question = parse_question("Who said that no one enters politics in order to shut libraries?")

    assert quote.text.startswith("Brandt defended")
    introduction = _introduction(windows, quote, question)
    assert introduction is not None and "Hallie Brandt" in introduction.text


def test_a_question_crediting_the_wrong_speaker_gets_the_words_with_their_real_speaker(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("What did Blinken tell the Haaretz National Security Conference about the ceasefire push?")

    assert answer.answer.startswith("The sources do not attribute")
    assert "Jack Lew told the Haaretz National Security Conference" in answer.answer


def test_a_paraphrased_question_finds_its_sentence_among_sentences_on_the_same_story(assistant: Assistant) -> None:
    # No word of "flying home" or "completed" is in the sentence; every other sentence shares
    # the story's words ("Gaza", "deal", "talks"). Word-by-word matching finds "return flight".
    answer = assistant.ask(
        "Who told reporters before flying home that the Gaza deal had to be completed in the days ahead?"
    )

    assert not answer.abstained
    assert answer.citations[0].quote.startswith("Before boarding his return flight")
    assert "Blinken" in answer.answer


def test_a_count_of_houses_is_answered_by_a_count_of_homes(tmp_path: Path, embedder: object) -> None:
    text = (
        "Wildfire contained near Orsk\n"
        "Firefighters contained the wildfire in the hills around Orsk on Wednesday, 13 days after it began.\n"
        "About 2,300 people were evacuated from villages on the eastern slopes.\n"
        "Forty-six homes were destroyed and another 90 damaged, most of them in the village of Vessa.\n"
    )
    answer = _ask_one_article(tmp_path, embedder, text, "How many houses did the Orsk fire destroy?")

    assert not answer.abstained
    assert "Forty-six homes" in answer.answer


def test_what_someone_said_about_a_topic_they_never_spoke_of_is_not_answered() -> None:
    question = parse_question("What did Elsa Brandt say about the cost of the strike?")
    cost = "Crews went back on Friday. The strike cost the harbour an estimated 2 million marks in lost fares."
    (fact,) = [w for w in evidence_windows([_passage(cost, source="a.txt")]) if "2 million" in w.text]
    museum = "The museum reopened on Saturday. Harbour chief Elsa Brandt said the new gallery would open in the spring."
    (hers,) = [w for w in evidence_windows([_passage(museum, start=5000, source="b.txt")]) if "Brandt" in w.text]
    hers.speaker_ok = True
    beside = "The strike cost the harbour an estimated 2 million marks. Elsa Brandt said fares would not rise."
    near = evidence_windows([_passage(beside, source="c.txt")])
    near[1].speaker_ok = True
    misread = "Mayor Ivo Lund said the cost of the strike was 2 million marks."
    (lund,) = evidence_windows([_passage(misread, source="d.txt")])

    note = said_nothing_on(question, [fact, hers])
    assert note == "The articles do not report Elsa Brandt saying anything about the cost of the strike."
    assert said_nothing_on(question, near) == ""  # her words beside the fact answer (the Miller case)
    assert said_nothing_on(question, [lund, hers]) == ""  # someone else said just that: the answer corrects the credit


def test_someone_elses_words_on_part_of_the_topic_do_not_answer_for_the_speaker() -> None:
    question = parse_question("What did Elsa Brandt say about the strike ballot result?")
    museum = "The museum reopened on Saturday. Harbour chief Elsa Brandt said the new gallery would open in the spring."
    (hers,) = [w for w in evidence_windows([_passage(museum, start=5000, source="b.txt")]) if "Brandt" in w.text]
    hers.speaker_ok = True
    plan = "Union leader Ivo Lund said members would hold a strike ballot next week."
    (lund,) = evidence_windows([_passage(plan, source="d.txt")])

    # The ballot, not its result: Lund's words hold two of the three things asked about.
    assert said_nothing_on(question, [lund, hers]).startswith("The articles do not report Elsa Brandt")


_MATCH_PREVIEW = (
    "Rovers sack their manager\n"
    "Dunmore Rovers dismissed manager Tomas Reyes on Monday after a run of seven defeats.\n"
    "Assistant coach Ilona Maris will take charge for Sunday’s match away at Harwick United.\n"
    "The club said a permanent appointment would follow by the end of the season.\n"
)


def test_a_question_about_how_things_turned_out_is_not_answered_by_what_was_expected(
    tmp_path: Path, embedder: object
) -> None:
    answer = _ask_one_article(
        tmp_path, embedder, _MATCH_PREVIEW, "What was the result of Rovers' first match under Maris at Harwick?"
    )

    assert answer.abstained
    assert any("not how it turned out" in n for n in answer.notices)


def test_a_reported_outcome_is_still_answered(tmp_path: Path, embedder: object) -> None:
    text = _MATCH_PREVIEW + "Rovers won 2-1 at Harwick United on Sunday in Maris’s first match in charge.\n"
    answer = _ask_one_article(
        tmp_path, embedder, text, "What was the result of Rovers' first match under Maris at Harwick?"
    )

    assert not answer.abstained
    assert "won 2-1" in answer.answer


def test_a_report_named_by_its_date_is_read_even_when_other_articles_fill_the_top_passages(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("In the September 2024 report, how many captives in all were still being held?")

    assert not answer.abstained
    assert "101 captives" in answer.answer
    assert answer.citations[0].date == "2024-09-16"


def test_each_clause_of_a_two_part_question_gets_its_own_evidence(tmp_path: Path, embedder: object) -> None:
    text = (
        "Dockers walk out at Valdmora\n"
        "About 1,200 dockworkers at the Port of Valdmora walked out on Monday, halting container traffic.\n"
        "The Valdmora Dockers’ Union is demanding a 9 per cent pay rise, arguing that wages have lagged inflation.\n"
        "Ships queued outside the harbour by Monday evening, the harbourmaster said.\n"
        "Saltmere Terminals, which runs the berths, has offered 4.5 per cent spread over two years.\n"
        "Talks are due to resume at the National Conciliation Office on Thursday.\n"
    )
    answer = _ask_one_article(
        tmp_path, embedder, text, "What raise were the dockers after, and what had the terminal operator offered?"
    )

    assert "9 per cent" in answer.answer and "4.5 per cent" in answer.answer


def test_who_said_something_is_answered_by_a_sentence_reporting_speech(tmp_path: Path, embedder: object) -> None:
    text = (
        "Rare violin stolen from Orsk concert hall\n"
        "A violin made in 1709 has been stolen from the Orsk Concert Hall in what police described as a planned "
        "overnight raid.\n"
        "The violin, one of four made by the luthier Anders Pell, was lent to the hall by a local family in 1962.\n"
        "Inspector Lena Varga said officers were studying footage from nine cameras around the hall. "
        "“Whoever did this knew the hall inside out,” Varga said.\n"
    )
    answer = _ask_one_article(tmp_path, embedder, text, "Who said the violin thief knew the concert hall inside out?")

    # The opening sentence shares more words with the question, but nobody says anything in it.
    assert not answer.abstained
    assert answer.citations[0].quote.startswith("“Whoever did this knew the hall")
    assert "Varga" in answer.answer


def test_a_question_naming_two_reports_gets_one_labelled_window_from_each(tmp_path: Path, embedder: object) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ledger.txt").write_text(
        "Quillon beats forecasts\nBy Mara Olsen, The Northgate Ledger\n\n"
        "Quillon Systems reported second-quarter revenue of 1.2 billion crowns on Wednesday.\n"
        "The company’s shares rose 4 per cent in early trading.\n",
        encoding="utf-8",
    )
    (corpus / "courier.txt").write_text(
        "Quillon to cut 900 jobs\nBy Pieter Hallam, The Coastline Courier\n\n"
        "Quillon Systems will cut about 900 jobs, weeks after reporting record quarterly revenue of 1.23 billion "
        "crowns.\nThe cuts fall mainly on the on-premises software division.\n",
        encoding="utf-8",
    )
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus], settings, progress=False, embedder=embedder)
    with Assistant(settings) as assistant:
        answer = assistant.ask(
            "How do the Northgate Ledger and the Coastline Courier reports differ on Quillon's quarterly revenue?"
        )

    assert "1.2 billion" in answer.answer and "1.23 billion" in answer.answer
    assert "The Northgate Ledger report:" in answer.answer and "The Coastline Courier report:" in answer.answer
    assert {c.source for c in answer.citations} == {"ledger.txt", "courier.txt"}


def test_a_figure_for_somewhere_else_does_not_answer_for_the_place_asked_about(
    tmp_path: Path, embedder: object
) -> None:
    articles = {
        "profile.txt": "Quillon at fifteen\nQuillon Systems, founded in 2009, employs about 15,000 people in nine "
        "countries.\nIts largest office is in Harwick, which employs 1,400 people.\n",
        "cuts.txt": "Quillon to cut 900 jobs\nQuillon Systems will cut about 900 jobs, the company said on Monday.\n"
        "The cuts fall mainly on sales teams in Aurelia and Kesteria.\n",
        "results.txt": "Quillon beats forecasts\nQuillon Systems reported quarterly revenue of 1.2 billion crowns.\n"
        "Its shares rose 4 per cent.\n",
    }
    answer = ask_articles(tmp_path, embedder, articles, "How many people does Quillon employ in Aurelia?")
    assert answer.abstained

    articles["cuts.txt"] += "In Aurelia, Quillon employs some 2,100 people.\n"
    (tmp_path / "again").mkdir()
    answer = ask_articles(tmp_path / "again", embedder, articles, "How many people does Quillon employ in Aurelia?")
    assert not answer.abstained and "2,100" in answer.answer


def test_a_district_named_before_the_figure_does_not_make_it_that_districts(tmp_path: Path, embedder: object) -> None:
    articles = {
        "count.txt": "Recount ends in Varna Bay\n"
        "The recount took five days after counters found a box from the Eastgate district logged twice.\n"
        "An earlier version of this report gave the margin as 64 votes.\n"
        "Ilse Moray finished 212 votes ahead of Piet Langer across the city.\n",
        "turnout.txt": "Turnout falls in Varna Bay\nTurnout in the mayoral vote fell to 51 per cent, "
        "the election office said. Ilse Moray won 18,400 votes in all.\n",
        "budget.txt": "Varna Bay budget passes\nThe council passed a budget of 90 million crowns on Monday "
        "by 31 votes to 12, with Ilse Moray's party in favour.\n",
    }
    question = "How many votes did Ilse Moray win in the Eastgate district?"

    answer = ask_articles(tmp_path, embedder, articles, question)

    assert answer.abstained  # the sentence before names Eastgate; the figures are not Eastgate's


def test_two_reports_named_by_month_each_give_their_figure(assistant: Assistant) -> None:
    question = "Did the March and September reports give the same figure for hostages still in Gaza?"
    parsed = parse_question(question)
    assert parsed.answer_type == "number" and parsed.focus.startswith("hostages")

    answer = assistant.ask(question)

    assert "130 hostages" in answer.answer and "101 captives" in answer.answer


def test_a_speaker_whose_every_statement_is_on_another_topic_said_nothing_on_the_asked_one(
    assistant: Assistant,
) -> None:
    # Albanese speaks in the Al Jazeera report, of aid only; the Philadelphi Corridor is others' subject.
    off_topic = assistant.ask("What did Francesca Albanese say about Israeli troops in the Philadelphi Corridor?")
    on_topic = assistant.ask("What did Albanese say about getting aid into Gaza?")

    assert off_topic.abstained
    assert any("Albanese speaking on other matters" in notice for notice in off_topic.notices)
    assert not on_topic.abstained and "Albanese" in on_topic.answer and "aid" in on_topic.answer


def test_a_sentence_initial_word_is_a_name_only_where_the_text_around_capitalises_it_inside_a_sentence() -> None:
    question = parse_question("Where did the financier behind the bid make his money?")
    around = "Tollan bid for the club\nThe offer was led by the financier Piers Tollan."

    assert new_name(question, "Tollan, 52, made his fortune in freight software.", around)
    assert not new_name(question, "Tollan, 52, made his fortune in freight software.")  # nothing says it is a name
    assert not new_name(question, "Thick fog closed the port on Monday.", "Fog closes port\nThick fog closed it.")


def test_a_chosen_sentence_opening_on_the_one_before_brings_it_but_page_furniture_does_not() -> None:
    text = (
        "Mayor Harlen has insisted that the ferry keep running through the storm season. "
        "But the harbour board opposes the stance, and the council has sought another route. "
        "This article originally appeared in the Ledger."
    )
    windows = evidence_windows([_passage(text)])
    stance = _window_for(windows, "But the harbour board")
    assert stance.text.startswith("But the harbour board")  # ranked on its own words
    shown = with_antecedent(stance, [stance])
    assert shown.text.startswith("Mayor Harlen has insisted")  # quoted with what "the stance" is
    assert shown.text == text[shown.start - 100 : shown.end - 100]
    furniture = _window_for(windows, "This article")
    assert with_antecedent(furniture, [furniture]) is furniture


def test_a_sentence_opening_on_the_move_brings_the_move() -> None:
    text = "The council voted to close the ferry on Sundays. The move drew protests from harbour traders on Monday."
    windows = evidence_windows([_passage(text)])
    move = _window_for(windows, "The move drew")

    assert with_antecedent(move, [move]).text.startswith("The council voted")  # "The move" is the vote


def test_each_of_three_phases_gets_its_own_sentence(assistant: Assistant) -> None:
    answer = assistant.ask("In the February report, who would go free in each of the three phases of Hamas's offer?")

    assert not answer.abstained
    for phase in ("first 45-day phase", "second phase", "third phase"):
        assert phase in answer.answer


def test_a_toll_asked_for_one_front_needs_a_figure_that_names_that_front() -> None:
    from rag.slots import asked_places

    texts = [
        "Fighting on the Vell-Oskaria border has displaced farmers, the ministry said.",
        "At least 40 people were killed in the capital's riots on Monday, the ministry said.",
        "The Vell-Oskaria clashes began in March.",
    ]
    passages = [_passage(t, source=f"{i}.txt") for i, t in enumerate(texts)]
    question = parse_question("What is the death toll of the Vell-Oskaria border fighting?")

    counted = asked_places(question, passages)

    # Named by two of three passages, yet what is counted: a window without it (the riots' toll) does not fill the slot.
    assert counted == ["Vell", "Oskaria"]


def test_a_heading_or_a_time_is_not_what_a_sentence_points_back_to() -> None:
    text = "Most Popular\nBut the harbour board opposes the stance, officials said. This week, the ferry ran late."
    windows = evidence_windows([_passage(text)])
    stance = _window_for(windows, "But the harbour board")
    this_week = _window_for(windows, "This week")

    assert with_antecedent(stance, [stance]) is stance  # "Most Popular" is page furniture
    assert with_antecedent(this_week, [this_week]) is this_week  # a time, not the sentence before


def test_a_sentence_holding_what_was_reacted_to_is_no_ones_reaction() -> None:
    # Someone else's words restating a question can answer it, credited right; but "how did Hamdan
    # respond to the proposal" is not answered, nor corrected, by the proposal being announced.
    text = "The council submitted what it called its final ferry proposal, officials said."
    (window,) = evidence_windows([_passage(text)])
    reaction = parse_question("How did Hamdan respond to the council's final ferry proposal?")
    words = parse_question("What did Hamdan say about the council's final ferry proposal?")

    assert not window_slot(reaction, window)
    assert window_slot(words, window)


def test_sources_are_counted_as_the_officials_a_report_relies_on() -> None:
    from rag.slots import slot_filled

    asked = parse_question("On how many anonymous sources did the Ledger rely?")
    sources = "The ferry will run in May, according to four officials familiar with the talks."

    assert slot_filled(asked, sources)
    assert not slot_filled(asked, "The ferry will carry four trucks in May.")


def test_a_month_in_the_asked_moment_picks_the_article_and_is_not_a_word_to_find() -> None:
    from rag.slots import asked_moment

    question = parse_question("How many ferries sailed during the mayor's March visit?")

    assert asked_moment(question) == frozenset({"mayor", "visit"})


def test_which_official_with_an_aside_before_the_verb_is_whoever_speaks() -> None:
    from rag.slots import slot_filled

    asked = parse_question("Which official, speaking in Sarn, acknowledged flaws in the plan?")

    assert slot_filled(asked, "“It has flaws,” Dobrev told reporters in Sarn.")


def test_a_toll_of_the_murdered_is_a_death_toll() -> None:
    from rag.slots import slot_filled

    asked = parse_question("What death toll does the Ledger give for the raid?")

    assert slot_filled(asked, "Raiders murdered some 40 villagers and seized 12 others.")


def test_which_leader_vowed_is_answered_where_the_office_speaks_and_the_holder_is_named() -> None:
    from rag.slots import slot_filled

    asked = parse_question("Which leader vowed to fight on until the harbour was retaken?")
    text = "Tamm rejected the offer. “We will retake the harbour,” the Ardish prime minister said."

    assert slot_filled(asked, text)
    assert not slot_filled(asked, "“We will retake the harbour,” the Ardish prime minister said.")  # no holder named


def test_a_speaker_on_other_matters_is_judged_by_the_names_of_the_topic_not_its_common_words() -> None:
    from rag.speaker_topic import topic_names

    assert topic_names(parse_question("What did Lew say about the IDF-Hezbollah conflict?")) == ["IDF", "Hezbollah"]
    assert topic_names(parse_question("What did Blinken say about timing before he flew home?")) == []


def test_sources_do_not_answer_how_many_officials() -> None:
    from rag.slots import slot_filled

    assert not slot_filled(
        parse_question("How many Hamas officials were killed in the strike?"),
        "Three sources said the strike hit a school.",
    )
