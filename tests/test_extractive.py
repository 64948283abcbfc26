"""Extractive composition over real indexes: what a reader needs around the fact gets into the answer."""

from pathlib import Path

from rag import Assistant, load_settings
from rag.indexing import index_paths


def test_a_detail_that_leaves_the_name_to_the_lead_sentence_still_answers(tmp_path: Path, embedder: object) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ruling.txt").write_text(
        "Quillon Telecom breach ruling\n"
        "The Supreme Court ruled on Wednesday that Quillon Telecom must compensate 1.1 million customers "
        "whose personal data was exposed in a 2029 cyberattack.\n"
        "Each affected customer is entitled to 150 thal.\n"
        "Presiding judge Helga Marr said the company had kept passwords in a form a schoolchild could read.\n",
        encoding="utf-8",
    )
    (corpus / "payout.txt").write_text(
        "Quillon sets payout date\n"
        "Quillon Telecom said on Monday it would pay compensation to customers affected by the 2029 data breach "
        "by 15 December, with the total bill expected to reach about 165 million thal.\n",
        encoding="utf-8",
    )
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus], settings, progress=False, embedder=embedder)
    with Assistant(settings) as assistant:
        answer = assistant.ask("How much is each affected customer owed under the ruling against Quillon Telecom?")

    # "Each affected customer …" names neither Quillon nor the court: the sentence before it does.
    assert "150 thal" in answer.answer


def _ask(tmp_path: Path, embedder: object, articles: dict[str, str], question: str) -> str:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus], settings, progress=False, embedder=embedder)
    with Assistant(settings) as assistant:
        return assistant.ask(question).answer


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
