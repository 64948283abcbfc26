"""Chunks and sentence spans point back into the article text exactly."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from rag.chunking import Chunk, chunk_article, count_tokens, run_on
from rag.config import load_settings
from rag.corpus import Article, load_article
from rag.sentences import Span, sentence_spans

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
DEFAULTS = load_settings(env={})
# Hand-checked against the seed files with the default 160/30 token settings.
SEED_CHUNK_COUNTS = {"000": 4, "001": 4, "002": 8, "003": 4, "004": 8}


def _article(path: Path) -> Article:
    loaded = load_article(path)
    assert isinstance(loaded, Article), loaded
    return loaded


def _chunks(article: Article) -> list[Chunk]:
    return chunk_article(article, DEFAULTS.chunk_size, DEFAULTS.chunk_overlap)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_chunks_cover_body(article: Article, chunks: list[Chunk]) -> None:
    """In order, each chunk starts after the previous one, and only whitespace is left between/around them."""
    body_end = len(article.text.rstrip())
    assert chunks, "no chunks"
    assert article.text[article.body_start : chunks[0].start].strip() == ""
    for before, after in pairwise(chunks):
        assert before.start < after.start, (before.start, after.start)
        assert after.start <= before.end or article.text[before.end : after.start].strip() == "", (
            f"text between {before.end} and {after.start} is in no chunk"
        )
    assert max(c.end for c in chunks) == body_end


seed_param = pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])


@seed_param
def test_every_chunk_text_is_the_article_slice(seed: Path) -> None:
    article = _article(seed)

    chunks = _chunks(article)

    assert len(chunks) == SEED_CHUNK_COUNTS[seed.name[:3]]
    for chunk in chunks:
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert (chunk.source, chunk.doc_hash, chunk.title, chunk.date) == (
            article.source,
            article.doc_hash,
            article.title,
            article.date,
        )


@seed_param
def test_chunks_fit_the_token_budget(seed: Path) -> None:
    for chunk in _chunks(_article(seed)):
        assert chunk.tokens == count_tokens(chunk.text)
        assert chunk.tokens <= DEFAULTS.chunk_size


@seed_param
def test_chunks_cover_the_whole_body_in_order(seed: Path) -> None:
    article = _article(seed)

    _assert_chunks_cover_body(article, _chunks(article))


def test_chunks_start_after_the_date_marker() -> None:
    article = _article(SEEDS / "000_bad4616c5d09da39.txt")

    chunks = _chunks(article)

    assert chunks[0].start == article.body_start == 17
    assert chunks[0].text.startswith("The United States is pushing forward")
    assert all("date 2024-09-16" not in c.text for c in chunks)


def test_small_chunk_size_still_respects_budget_and_coverage() -> None:
    article = _article(SEEDS / "004_8707b4ad2ec9a16f.txt")

    chunks = chunk_article(article, 60, 10)

    assert all(c.tokens <= 60 for c in chunks)
    assert all(c.text == article.text[c.start : c.end] for c in chunks)
    _assert_chunks_cover_body(article, chunks)


def test_chunk_ids_are_deterministic() -> None:
    article = _article(SEEDS / "002_365f0bbd68a187a1.txt")

    first = [c.chunk_id for c in _chunks(article)]
    second = [c.chunk_id for c in _chunks(_article(SEEDS / "002_365f0bbd68a187a1.txt"))]

    assert first == second
    assert len(set(first)) == len(first)


def test_chunk_ids_change_when_the_text_changes(tmp_path: Path) -> None:
    original = _article(SEEDS / "003_6f61d5c10235f360.txt")
    edited_path = tmp_path / original.source
    edited_path.write_text(original.text.replace("11th month", "12th month"), encoding="utf-8")
    edited = _article(edited_path)

    before = _chunks(original)
    after = _chunks(edited)

    assert edited.doc_hash != original.doc_hash
    # Even chunks whose own text is unchanged get new ids: the id includes the article's hash.
    assert before[0].text == after[0].text
    assert not {c.chunk_id for c in before} & {c.chunk_id for c in after}


@seed_param
def test_sentence_spans_map_back_exactly_and_cover_the_body(seed: Path) -> None:
    article = _article(seed)

    spans = sentence_spans(article.text, article.body_start)

    assert spans
    previous_end = article.body_start
    for span in spans:
        piece = article.text[span.start : span.end]
        assert piece and piece == piece.strip()
        for before, after in zip(piece.split("\n"), piece.split("\n")[1:], strict=False):
            # A line break ends a sentence unless the line runs on (see the next tests).
            assert not before.strip() or before.rstrip()[-1] in ",;:" or after.lstrip()[:1].islower(), piece
        assert span.start >= previous_end
        previous_end = span.end
    # Nothing but whitespace is left out.
    assert _squash("".join(article.text[s.start : s.end] for s in spans)) == _squash(article.text[article.body_start :])


def test_a_sentence_broken_across_lines_is_one_sentence() -> None:
    text = "Hamdan said the group wants a full end of aggression and\nto allow aid to the displaced.\nNext line."

    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "Hamdan said the group wants a full end of aggression and\nto allow aid to the displaced.",
        "Next line.",
    ]


def test_a_line_ending_on_in_runs_on_into_a_capitalised_name_but_a_short_heading_does_not() -> None:
    text = (
        "The plane, chartered by the Cavronan government, had stopped briefly in\nPort Amaro before landing.\n"
        "Talks in\nKarsk resume."
    )

    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "The plane, chartered by the Cavronan government, had stopped briefly in\nPort Amaro before landing.",
        "Talks in",
        "Karsk resume.",
    ]


def test_a_line_ending_in_a_comma_runs_on_but_a_heading_or_a_rule_does_not() -> None:
    text = (
        "Talks go through mediators, he said,\n\n“We don't know,” he said.\nUS is working\nMiller spoke.\n-----\nEnd."
    )

    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "Talks go through mediators, he said,\n\n“We don't know,” he said.",
        "US is working",
        "Miller spoke.",
        "-----",
        "End.",
    ]


def test_sentence_offsets_are_absolute_when_starting_inside_the_text() -> None:
    article = _article(SEEDS / "000_bad4616c5d09da39.txt")

    first = sentence_spans(article.text, article.body_start)[0]

    assert first.start == 17
    assert article.text[first.start : first.end].startswith("The United States is pushing forward")
    assert article.text[first.start : first.end].endswith("told reporters in Washington on Monday.")


def test_sub_heading_without_full_stop_is_its_own_sentence() -> None:
    article = _article(SEEDS / "000_bad4616c5d09da39.txt")
    texts = [article.text[s.start : s.end] for s in sentence_spans(article.text, article.body_start)]

    i = texts.index("US is working expeditiously")

    assert texts[i - 1] == "Qatar and Egypt have been the main mediators for a deal, with the support of the US."
    assert texts[i + 1].startswith("Miller said he didn’t have “have a timetable,”")


def test_headline_line_is_not_glued_to_the_first_paragraph() -> None:
    text = "Ferry service resumes\nThe ferry resumed on Tuesday. Engineers inspected the pier."

    spans = sentence_spans(text)

    assert [text[s.start : s.end] for s in spans] == [
        "Ferry service resumes",
        "The ferry resumed on Tuesday.",
        "Engineers inspected the pier.",
    ]
    assert spans[0] == Span(0, 21)


def test_sentence_spans_respect_an_end_offset() -> None:
    text = "One. Two. Three."

    assert sentence_spans(text, 5, 9) == [Span(5, 9)]


def test_abbreviation_us_does_not_end_a_sentence() -> None:
    article = _article(SEEDS / "001_add3ec1abea9c301.txt")
    start = article.text.index("Under the new U.S. proposal")
    end = article.text.index("to speak publicly.") + len("to speak publicly.")

    assert sentence_spans(article.text, start, end) == [Span(start, end)]


def test_common_news_abbreviations_do_not_end_a_sentence() -> None:
    text = "Mr. Smith met Dr. Jones on Jan. 5 at the U.N. headquarters. They spoke for an hour."

    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "Mr. Smith met Dr. Jones on Jan. 5 at the U.N. headquarters.",
        "They spoke for an hour.",
    ]


def test_chunks_cover_a_body_with_a_repeated_paragraph(tmp_path: Path) -> None:
    caption = (
        "Volunteers fill sandbags outside the town hall in Brightwater on Sunday, as the river keeps rising "
        "after three days of rain. (Photo: Coastal Gazette)"
    )
    path = tmp_path / "flood.txt"
    path.write_text("Flood update\n\n" + "\n\n".join([caption] * 3) + "\n", encoding="utf-8")
    article = _article(path)

    chunks = chunk_article(article, 50, 5)

    assert all(c.text == article.text[c.start : c.end] for c in chunks)  # holds today
    _assert_chunks_cover_body(article, chunks)  # fails: the third caption is in no chunk


def test_a_retrieved_chunk_runs_on_by_whole_sentences_and_stays_an_exact_slice() -> None:
    article = "The claim comes first. “Here is the quote,” she said. A third sentence is far longer than the limit is."
    chunk = Chunk("c", "a.txt", "h", "T", "", 0, 22, article[:22], 5)

    longer = run_on(chunk, article, limit=40)

    assert longer.text == article[: longer.end] == "The claim comes first. “Here is the quote,” she said."
    assert run_on(chunk, article, limit=10) == chunk  # no whole sentence fits: nothing is cut in half
    assert run_on(chunk, "Another version of the article.", limit=40) == chunk  # not the text it was cut from
