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


def test_words_credited_to_the_speaker_meet_the_speakers_name(embedder: object) -> None:
    # "“We need to close it,” he said" is Halla Brandt's once attribution says so: her name, which the
    # sentence leaves out, must not rank the lead that spells it above what she said.
    matcher = TokenMatcher(embedder)  # type: ignore[arg-type]
    question = "What did Halla Brandt say about the ferry timetable?"
    lead = "Norvik spokeswoman Halla Brandt spoke to reporters in Sarn on Monday."
    words = "“The ferry timetable will change in May,” she said."
    speaker = frozenset({"halla", "brandt"})

    plain_lead, plain_words = matcher.scores(question, [lead, words])
    credited_lead, credited_words = matcher.scores(question, [lead, words], credited=[True, True], speaker=speaker)

    assert plain_lead > plain_words  # the name alone lifts the lead
    assert credited_words > credited_lead
    assert credited_words > plain_words


def test_a_name_is_met_where_it_is_said_and_not_by_words_on_other_things(embedder: object) -> None:
    from rag.speaker_topic import NAME_MET

    matcher = TokenMatcher(embedder)  # type: ignore[arg-type]
    question = "What did Lew say about how hard Washington pushed on the Philadelphi Corridor?"
    said = ["“We are pressing as hard as we can,” the United States ambassador said.", "Lew spoke in Tel Aviv."]

    met = matcher.met(question, ["Washington", "Philadelphi", "Lew", "Cairo"], [said])

    assert met["Lew"] > 0.8 > NAME_MET > met["Philadelphi"]  # said outright / not said
    assert met["Cairo"] == 1.0  # not a word of the question: nothing to look for
