"""Extractive composition over real indexes: what a reader needs around the fact gets into the answer."""

from pathlib import Path

import pytest

from rag.chunking import Chunk
from rag.evidence import Ranking
from rag.extractive import _compose, choose
from rag.question import parse_question
from rag.retrieval import Passage
from rag.windows import evidence_windows
from tests.builders import ask_articles


def test_a_detail_that_leaves_the_name_to_the_lead_sentence_still_answers(tmp_path: Path, embedder: object) -> None:
    articles = {
        "ruling.txt": "Quillon Telecom breach ruling\n"
        "The Supreme Court ruled on Wednesday that Quillon Telecom must compensate 1.1 million customers "
        "whose personal data was exposed in a 2029 cyberattack.\n"
        "Each affected customer is entitled to 150 thal.\n"
        "Presiding judge Helga Marr said the company had kept passwords in a form a schoolchild could read.\n",
        "payout.txt": "Quillon sets payout date\n"
        "Quillon Telecom said on Monday it would pay compensation to customers affected by the 2029 data breach "
        "by 15 December, with the total bill expected to reach about 165 million thal.\n",
    }
    question = "How much is each affected customer owed under the ruling against Quillon Telecom?"
    answer = ask_articles(tmp_path, embedder, articles, question)

    # "Each affected customer …" names neither Quillon nor the court: the sentence before it does.
    assert "150 thal" in answer.answer


def _ask(tmp_path: Path, embedder: object, articles: dict[str, str], question: str) -> str:
    return ask_articles(tmp_path, embedder, articles, question).answer


_SATELLITE = (
    "Brightwater-1 reaches orbit\n"
    "The Brightwater-1 satellite reached orbit on Tuesday after two delays.\n"
    "Agency director Lena Holm said a second satellite, Brightwater-2, was planned for 2034, "
    "subject to funding from parliament.\n"
)


def test_whether_something_came_to_pass_is_not_answered_by_what_was_planned(tmp_path: Path, embedder: object) -> None:
    answer = _ask(tmp_path, embedder, {"launch.txt": _SATELLITE}, "Did parliament approve funding for Brightwater-2?")

    assert answer == "The sources don't say."


def test_a_yes_no_question_about_what_someone_saw_is_still_answered(tmp_path: Path, embedder: object) -> None:
    article = (
        "Mayor vows to press on\n"
        "Mayor Hallie Brandt said on Monday that she saw no alternative: the old bridge will close in May.\n"
        "“We will rebuild it, whatever it costs,” she said.\n"
    )
    answer = _ask(tmp_path, embedder, {"bridge.txt": article}, "Did the mayor see any alternative to the closure?")

    assert "no alternative" in answer  # although the sentence speaks of what will happen


_TRIAL = (
    "Kidney drug slows decline\n"
    "Lead investigator Anneke Solberg of Tarnholm University Hospital presented the RENOVA trial results on Monday. "
    "“Buying even two or three extra years matters enormously,” Solberg said.\n"
)
_POLL = (
    "Housing tops voters' worries\n"
    "According to the institute's director, Frida Solberg, the cost of housing is now the most important issue "
    "for voters under 40.\n"
)


def test_a_namesake_is_not_the_person_asked_about(tmp_path: Path, embedder: object) -> None:
    articles = {"trial.txt": _TRIAL, "poll.txt": _POLL}
    answer = _ask(tmp_path, embedder, articles, "What did Frida Solberg say about the RENOVA trial results?")

    assert "extra years" not in answer  # the trial's Solberg is Anneke: her words are not Frida's


def test_the_namesake_asked_about_is_quoted(tmp_path: Path, embedder: object) -> None:
    articles = {"trial.txt": _TRIAL, "poll.txt": _POLL}
    answer = _ask(tmp_path, embedder, articles, "What did Anneke Solberg say about the RENOVA trial results?")

    assert "extra years" in answer


_CAIRO = (
    "Talks to resume in Cairo\n"
    "An Egyptian official told the news agency AFP that a new round of negotiations would start on Thursday in Cairo. "
    "United Nations Secretary-General Antonio Guterres warned that an assault on Rafah would be a humanitarian "
    "nightmare.\n"
)


def test_what_an_unnamed_official_said_is_not_offered_as_someone_elses_words(tmp_path: Path, embedder: object) -> None:
    question = "What did Antonio Guterres say about the Cairo round of negotiations?"
    assert _ask(tmp_path, embedder, {"cairo.txt": _CAIRO}, question) == "The sources don't say."


_DISPLACED = (
    "Gaza after ten months\n"
    "Israel's campaign has displaced more than 80 percent of the population, the UN said on Monday. "
    "At least 1,139 people were killed in the October attack.\n"
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What percentage of the population has been displaced?", "80 percent"),
        ("What percentage of Gaza's buildings have been destroyed?", "The sources don't say."),
    ],
)
def test_a_percentage_question_wants_a_share_of_what_it_names(
    tmp_path: Path, embedder: object, question: str, expected: str
) -> None:
    assert expected in _ask(tmp_path, embedder, {"gaza.txt": _DISPLACED}, question)


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ("CIA Director Bill Burns attended the Cairo talks on Thursday, officials said.", "The sources don't say."),
        ("Egyptian intelligence chief Abbas Kamel hosted the Cairo talks, which Bill Burns attended.", "Abbas Kamel"),
    ],
)
def test_which_egyptian_official_needs_a_named_egyptian_official(
    tmp_path: Path, embedder: object, article: str, expected: str
) -> None:
    question = "Which Egyptian official hosted the Cairo talks attended by Bill Burns?"
    assert expected in _ask(tmp_path, embedder, {"cairo.txt": f"Cairo talks\n{article}\n"}, question)


def _ranking_of(text: str, scores: dict[str, float], question: str, spoken: tuple[str, ...] = ()) -> Ranking:
    """The windows of `text` scored by the fact sentence's opening words; those opening with one of
    `spoken` are the asked speaker's."""
    chunk = Chunk("c1", "a.txt", "h", "Title", "", 0, len(text), text, 200)
    windows = evidence_windows([Passage(chunk, 1.0, 1)])
    for window in windows:
        window.score = next((v for k, v in scores.items() if window.fact_text.startswith(k)), 0.0)
        window.speaker_ok = window.fact_text.startswith(spoken) if spoken else window.speaker_ok
    ranked = sorted(windows, key=lambda w: w.score, reverse=True)
    return Ranking(parse_question(question), ranked, ranked[0].score, "")


def test_the_sentence_after_the_best_one_finishes_its_thought_beyond_the_word_budget() -> None:
    lead = (
        "While many details of the plan remain unclear, parts of the bridging proposal appeared to conform to the new "
        "demands added in late July, according to officials familiar with the talks, such as troops remaining along "
        "the border with the neighbouring country, which the mediators have been trying for weeks to settle before "
        "the next round. "
    )
    follow = (
        "Under the new proposal, the troops would be able to continue to patrol part of that border area, albeit in "
        "reduced numbers, according to four officials who spoke on condition of anonymity because they were not "
        "authorised to speak publicly about it. "
    )
    other = (
        "Elsewhere, the talks on the exchange of prisoners are expected to resume in Cairo next week with mediators."
    )
    question = "What would the proposal let the troops keep doing along the border?"

    adjacent = choose(_ranking_of(lead + follow + other, {"While": 0.6, "Under": 0.5, "Else": 0.2}, question), 4)
    apart = choose(_ranking_of(lead + other + " " + follow, {"While": 0.6, "Under": 0.5, "Else": 0.2}, question), 4)

    assert [w.fact_text[:5] for w in adjacent] == ["While", "Under"]  # together past the 80-word budget
    assert [w.fact_text[:5] for w in apart] == ["While"]


def test_a_comparison_is_answered_by_its_sides_not_by_a_sentence_that_answers_neither() -> None:
    text = (
        "The envoy met the prime minister on Monday and discussed the counterproposal with him at length. "
        "The envoy said the reply creates space for a deal to be reached soon. "
        "The prime minister rejected the reply and promised to fight on until absolute victory."
    )
    question = "How did the envoy's reaction to the counterproposal differ from the prime minister's?"
    ranking = _ranking_of(text, {"The envoy met": 0.7, "The envoy said": 0.5, "The prime": 0.5}, question)
    sides = {"The envoy met": [0.0, 0.0], "The envoy said": [0.5, 0.0], "The prime": [0.0, 0.5]}
    for window in ranking.ranked:
        window.clause_scores = next(v for k, v in sides.items() if window.fact_text.startswith(k))
    assert len(ranking.question.clauses) == 2

    chosen = [w.fact_text[:14] for w in choose(ranking, 4)]

    assert "The envoy met " not in chosen
    assert {"The envoy said", "The prime mini"} <= set(chosen)


def test_the_speakers_own_act_is_not_corrected_as_someone_elses_words() -> None:
    question = "What did Tamm say about the offer?"
    text = "The port offered a 4 per cent rise on Monday. Tamm rejected the offer. Talks will resume next week."
    acted = _ranking_of(text, {"Tamm": 0.6, "The port": 0.3, "Talks": 0.1}, question)
    other = _ranking_of(text, {"The port": 0.6, "Tamm": 0.3, "Talks": 0.1}, question)

    own = _compose(question, acted.question, [acted.ranked[0]], 0.6)
    theirs = _compose(question, other.question, [other.ranked[0]], 0.6)

    assert own.answer.startswith("Tamm rejected the offer.")
    assert theirs.answer.startswith("The sources do not attribute the offer to Tamm")


def test_a_speakers_claim_in_other_words_brings_the_quote_that_backs_it() -> None:
    text = (
        "Port spokesperson Ines Maro claims that the talks with the dockers made progress on Monday. "
        "The strike has closed the container berths for nine days. "
        "“We have moved closer on pay, and now both sides must sign,” she says, adding that talks resume today."
    )
    question = "What did port spokesperson Ines Maro say about the talks with the dockers?"
    ranking = _ranking_of(text, {"Port": 0.8, "The strike": 0.5, "“We": 0.45}, question, spoken=("Port", "“We"))

    chosen = choose(ranking, 4)

    assert [w.fact_text[:4] for w in chosen] == ["Port", "“We "]  # her words, not only their gist


def test_the_asked_speakers_next_sentence_finishes_what_they_said(tmp_path: Path, embedder: object) -> None:
    article = (
        "Tarvos answers the ceasefire offer\n"
        "On Tuesday, as the envoy flew to Ostrelle, Tarvos said it wanted a truce but that the latest offer was "
        "“a reversal” of what it had agreed in June.\n"
        "Tarvos accused Aurelia of bowing to what it called “fresh demands” from Kesteria.\n"
        "The envoy is due back in the capital on Friday.\n"
    )
    answer = _ask(tmp_path, embedder, {"offer.txt": article}, "How did Tarvos characterise the newest offer?")

    # The second half of what Tarvos said shares few words with the question; it is still the answer.
    assert "a reversal" in answer and "fresh demands" in answer


def test_how_someone_reacted_per_report_is_their_doing_or_saying_in_each(tmp_path: Path, embedder: object) -> None:
    articles = {
        "ledger.txt": "Aurelia tables final offer on the dam\n"
        "Aurelia tabled a final offer on Monday to end the long dispute over the Harrow dam.\n"
        "Residents of the valley reacted to the final offer with relief, the report found.\n"
        "Tarvos officials have issued statements criticizing it, but they have yet to formally reject the offer.\n"
        "The offer includes a new timetable for repairs.\n",
        "ledger.txt.meta.json": '{"title": "Aurelia tables final offer on the dam", "date": "2036-05-02", '
        '"outlet": "The Pellridge Ledger"}',
        "courier.txt": "Dam offer published\n"
        "Aurelia's final offer on the Harrow dam was published on Tuesday.\n"
        "Tarvos said the offer was “a reversal” of what it had agreed in April.\n"
        "The dam has been closed to traffic since March.\n",
        "courier.txt.meta.json": '{"title": "Dam offer published", "date": "2036-05-03", '
        '"outlet": "The Drennland Courier"}',
    }
    question = "How did Tarvos react to the final offer according to the Ledger report and the Courier report?"
    answer = _ask(tmp_path, embedder, articles, question)

    # What Tarvos did (statements, no rejection yet) answers for the Ledger; its words for the Courier.
    assert "formally reject" in answer and "a reversal" in answer
    assert not answer.startswith("The sources do not attribute")
