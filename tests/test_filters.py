"""Filters by date, outlet and article: what they admit, what they say, and that retrieval and answers keep to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rag import Assistant
from rag.errors import BadInputError
from rag.filters import ArticleFilter, allowed_articles, make_filter, named_in_question
from rag.metadata import ArticleMeta
from rag.question import parse_question
from rag.retrieval import HybridRetriever
from rag.store import ChunkStore

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.config import Settings

ARTICLES = {
    "nyt.txt": ArticleMeta("Talks", "The New York Times", date="2024-08-20"),
    "toi.txt": ArticleMeta("Kirby", "The Times of Israel", date="2024-08-22", inferred=("date",)),
    "jp.txt": ArticleMeta("Miller", "The Jerusalem Post", date="2024-09-16"),
    "undated.txt": ArticleMeta("No date", "The New York Times"),
}
SEPTEMBER_ON = {"000_bad4616c5d09da39.txt"}  # the only seed dated 2024-09-01 or later


def test_dates_bound_inclusively_and_an_undated_article_never_fits_a_date_bound() -> None:
    assert allowed_articles(ARTICLES, make_filter(since="2024-08-22")) == {"toi.txt", "jp.txt"}
    assert allowed_articles(ARTICLES, make_filter(until="August 20, 2024")) == {"nyt.txt"}
    assert allowed_articles(ARTICLES, ArticleFilter()) is None


def test_outlets_match_by_name_or_initials_and_sources_by_name() -> None:
    assert allowed_articles(ARTICLES, make_filter(outlets=["NYT"])) == {"nyt.txt", "undated.txt"}
    assert allowed_articles(ARTICLES, make_filter(outlets="times of israel, Jerusalem Post")) == {"toi.txt", "jp.txt"}
    assert allowed_articles(ARTICLES, make_filter(outlets=["NYT"], since="2024-08-01")) == {"nyt.txt"}
    assert allowed_articles(ARTICLES, make_filter(sources=["jp.txt", "toi.txt"])) == {"jp.txt", "toi.txt"}


def test_a_filter_admitting_nothing_or_a_bad_date_says_what_to_change() -> None:
    with pytest.raises(BadInputError, match=r"No indexed article is published on or after 2025-01-01 \(4 indexed"):
        allowed_articles(ARTICLES, make_filter(since="2025-01-01"))
    with pytest.raises(BadInputError, match="--since 'last week' is not a date"):
        make_filter(since="last week")
    with pytest.raises(BadInputError, match="is after --until"):
        make_filter(since="2024-09-01", until="2024-08-01")


def test_a_question_naming_a_report_by_outlet_or_date_picks_those_articles() -> None:
    def picked(question: str) -> set[str]:
        return named_in_question(parse_question(question), ARTICLES)

    assert picked("What did Kirby say, according to the NYT?") == {"nyt.txt", "undated.txt"}
    assert picked("In the September 2024 report, who spoke?") == {"jp.txt"}
    assert picked("What happened in September 2024?") == set()  # a month alone is not a report's date
    assert picked("What did Reuters report?") == set()


def test_a_question_naming_an_outlet_by_its_last_word_also_picks_articles_whose_outlet_is_unknown() -> None:
    articles = {
        "h1.txt": ArticleMeta("Quarter beats forecasts", "The Kesterian Herald"),
        "c1.txt": ArticleMeta("Jobs cut", "The Coastline Courier"),
        "x.txt": ArticleMeta("Unsigned piece"),  # no outlet known; its text names the Courier
        "t.txt": ArticleMeta("Other", "The New York Times"),
    }
    text_names = {"The Coastline Courier": {"c1.txt", "x.txt"}, "The Kesterian Herald": {"h1.txt"}}

    def reports_of(outlet: str) -> set[str]:  # stands in for ArticleCatalog.reports_of (tested in test_lexical)
        return text_names.get(outlet, set())

    question = parse_question("Do the Herald and the Courier agree on revenue?")
    assert named_in_question(question, articles, reports_of) == {"h1.txt", "c1.txt", "x.txt"}
    assert named_in_question(question, articles) == {"h1.txt", "c1.txt"}
    # "the Times" names no one outlet: nothing is narrowed
    assert named_in_question(parse_question("What did the Times report?"), articles, reports_of) == set()


def test_filtered_retrieval_keeps_dense_and_bm25_to_the_allowed_articles(
    seed_settings: Settings, embedder: BaseEmbedding
) -> None:
    retriever = HybridRetriever(ChunkStore(seed_settings), embedder, seed_settings)
    everywhere = {p.chunk.source for p in retriever.retrieve("Miller Kirby Blinken hostages Hamas proposal")}
    assert len(everywhere) > 1
    within = retriever._fusion_within(SEPTEMBER_ON)
    found = within.retrieve("Miller Kirby Blinken hostages Hamas proposal")
    assert found and {n.node.metadata["source"] for n in found} == SEPTEMBER_ON
    bm25_only = retriever._fusion_within(SEPTEMBER_ON)._retrievers[1]  # type: ignore[attr-defined]
    assert {n.node.metadata["source"] for n in bm25_only.retrieve("Kirby Blinken Cairo")} <= SEPTEMBER_ON
    passages = retriever.retrieve("What did Kirby say?", allowed=SEPTEMBER_ON, also=["and Blinken?"])
    assert {p.chunk.source for p in passages} == SEPTEMBER_ON


def test_an_answer_cites_only_articles_the_filter_admits(assistant: Assistant) -> None:
    answer = assistant.ask("What did US officials say about the talks?", filters=make_filter(since="2024-09-01"))
    assert answer.citations and {c.source for c in answer.citations} == SEPTEMBER_ON
    by_outlet = assistant.ask("What did Blinken say?", filters=make_filter(outlets=["Al Jazeera"]))
    assert {c.outlet for c in by_outlet.citations} == {"Al Jazeera"}
    with pytest.raises(BadInputError, match="No indexed article is from Reuters"):
        assistant.ask("What did Blinken say?", filters=make_filter(outlets=["Reuters"]))
