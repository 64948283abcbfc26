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
