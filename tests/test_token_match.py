"""The token matcher: one pass through the model gives the token vectors and the retriever's query vector."""

from __future__ import annotations

import numpy as np

from rag.token_match import TokenMatcher


def test_the_query_vector_from_the_token_pass_is_the_embedders_own(embedder: object) -> None:
    matcher = TokenMatcher(embedder)  # type: ignore[arg-type]
    for text in ("What did Miller say about the 90% figure?", "Short.", "word " * 400):
        ours = np.array(matcher.sentence_vector(text))
        theirs = np.array(embedder.get_query_embedding(text))  # type: ignore[attr-defined]
        assert ours.shape == theirs.shape
        assert float(ours @ theirs) > 0.9999


def test_a_text_given_as_its_sentences_is_scored_on_all_of_them(embedder: object) -> None:
    matcher = TokenMatcher(embedder)  # type: ignore[arg-type]
    first, second = "The quay will be turned into flats.", "The fish market moves to the old rail yard."
    question = "Where will the fish market move?"

    whole, only_first, pieces = matcher.scores(question, [f"{first} {second}", first, (first, second)])

    assert pieces > only_first
    assert abs(pieces - whole) < 0.1  # the same words, encoded one sentence at a time


def test_a_name_left_to_the_headline_still_counts_through_the_context_pieces(embedder: object) -> None:
    matcher = TokenMatcher(embedder)  # type: ignore[arg-type]
    question = "How many customers must Quillon compensate?"
    window = "Each affected customer is entitled to 150 thal."
    headline, before = "Quillon fined over outage", "The regulator ruled on Tuesday."

    (bare,) = matcher.scores(question, [window], [("", "")], frozenset({"quillon"}))
    (with_context,) = matcher.scores(question, [window], [(headline, before)], frozenset({"quillon"}))

    assert with_context > bare
