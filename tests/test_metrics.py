"""Every evaluation metric against values worked out by hand, including the edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from evals.dataset import QAItem
from evals.metrics import (
    Claim,
    abstention_scores,
    answer_correct,
    answer_f1,
    citation_scores,
    contains_evidence,
    contains_fact,
    evidence_hit,
    first_hit_rank,
    hit_at_k,
    latency_summary,
    mean,
    must_include_hit,
    normalise,
    percentile,
    reciprocal_rank,
    split_claims,
    supports,
    token_f1,
)

EVIDENCE = "Qatar and Egypt have been the main mediators for a deal, with the support of the US."
CHUNK = f"Talks resumed in Doha. {EVIDENCE} Hamas has yet to reply."


def item(**overrides: Any) -> QAItem:
    fields: dict[str, Any] = {
        "id": "t1",
        "split": "dev",
        "question": "Who mediates?",
        "answer": "Qatar and Egypt, with the support of the US.",
        "must_include": ("qatar", "egypt"),
        "sources": ("a.txt",),
        "evidence": (EVIDENCE,),
        "type": "factoid",
        "difficulty": "easy",
    }
    fields.update(overrides)
    return QAItem(**fields)


UNANSWERABLE = item(type="unanswerable", must_include=(), sources=(), evidence=(), answer="The articles do not say.")


def citation(n: int, text: str = CHUNK, **overrides: Any) -> dict[str, Any]:
    return {"n": n, "source": "a.txt", "title": "", "date": "", "chunk_id": f"c{n}", "text": text, "quote": text,
            "start": 0, "end": len(text), **overrides}  # fmt: skip


def answer(text: str, citations: list[dict[str, Any]] | None = None, abstained: bool = False) -> dict[str, Any]:
    return {"answer": text, "abstained": abstained, "citations": citations or [], "retrieved": [], "timings": {}}


def words_in(sentence: str, text: str) -> bool:
    """A transparent support judge for the ALCE bookkeeping tests."""
    return set(normalise(sentence).split()) <= set(normalise(text).split())


# --- answer accuracy and F1 ---


def test_normalise_folds_case_quotes_percent_and_thousands() -> None:
    assert normalise("Some 1,200 “Hostages”, 90 per cent!") == "some 1200 hostages 90%"


def test_fact_must_match_whole_words() -> None:
    assert contains_fact("Some 800 prisoners", "800")
    assert not contains_fact("Some 8000 prisoners", "800")


def test_must_include_accepts_any_alternative_but_needs_every_fact() -> None:
    assert must_include_hit("a truce and 800 prisoners", [("ceasefire", "truce"), "800"])
    assert not must_include_hit("a truce", [("ceasefire", "truce"), "800"])


def test_correct_answer_has_every_required_fact() -> None:
    assert answer_correct(answer("Qatar and Egypt mediate. [1]"), item())
    assert not answer_correct(answer("Qatar mediates. [1]"), item())


def test_abstaining_on_an_answerable_question_is_wrong_even_if_the_text_matches() -> None:
    assert not answer_correct(answer("The sources don't say.", abstained=True), item(must_include=("say",)))


def test_unanswerable_question_is_correct_only_when_abstained() -> None:
    assert answer_correct(answer("The sources don't say.", abstained=True), UNANSWERABLE)
    assert not answer_correct(answer("Qatar. [1]"), UNANSWERABLE)


def test_token_f1_ignores_articles_and_citation_markers() -> None:
    # prediction: qatar and egypt (3); gold: qatar and egypt with support of us (7); P=1, R=3/7 -> F1=0.6
    assert token_f1("Qatar and Egypt [1]", "Qatar and Egypt, with the support of the US.") == pytest.approx(0.6)


def test_token_f1_of_an_empty_answer_is_zero() -> None:
    assert token_f1("", "Qatar") == 0.0
    assert token_f1("[1]", "Qatar") == 0.0


def test_answer_f1_scores_abstention_zero_and_skips_unanswerable() -> None:
    assert answer_f1(answer("The sources don't say.", abstained=True), item()) == 0.0
    assert answer_f1(answer("The sources don't say.", abstained=True), UNANSWERABLE) is None


# --- abstention ---


def test_abstention_precision_recall_and_false_rate() -> None:
    # abstained on: unanswerable #0, answerable #1 and #4; answered unanswerable #3.
    scores = abstention_scores([True, True, False, False, True], [False, True, True, False, True])
    assert scores["abstention_precision"] == pytest.approx(1 / 3)
    assert scores["abstention_recall"] == pytest.approx(1 / 2)
    assert scores["false_abstention_rate"] == pytest.approx(2 / 3)


def test_abstention_precision_is_undefined_without_abstentions() -> None:
    scores = abstention_scores([False, False], [True, False])
    assert scores == {"abstention_precision": None, "abstention_recall": 0.0, "false_abstention_rate": 0.0}


# --- retrieval and evidence ---


def test_evidence_is_found_across_line_breaks() -> None:
    assert contains_evidence(CHUNK.replace("main mediators", "main\n  mediators"), [EVIDENCE])
    assert not contains_evidence("Qatar and Egypt have been the main mediators.", [EVIDENCE])


def test_hit_at_k_and_reciprocal_rank_use_the_first_passage_with_evidence() -> None:
    rank = first_hit_rank(["Hamas has yet to reply.", "Talks resumed.", CHUNK, CHUNK], [EVIDENCE])
    assert rank == 3
    assert (hit_at_k(rank, 2), hit_at_k(rank, 3)) == (0.0, 1.0)
    assert reciprocal_rank(rank) == pytest.approx(1 / 3)


def test_no_retrieved_evidence_scores_zero() -> None:
    rank = first_hit_rank([], [EVIDENCE])
    assert rank is None
    assert (hit_at_k(rank, 6), reciprocal_rank(rank)) == (0.0, 0.0)


def test_evidence_hit_needs_a_cited_passage_with_a_gold_sentence() -> None:
    assert evidence_hit(answer("x [1]", [citation(1)]), item()) == 1.0
    assert evidence_hit(answer("x [1]", [citation(1, "Hamas has yet to reply.")]), item()) == 0.0
    assert evidence_hit(answer("The sources don't say.", abstained=True), item()) == 0.0
    assert evidence_hit(answer("x [1]", [citation(1)]), UNANSWERABLE) is None


# --- splitting answers into cited sentences ---


def test_claims_end_at_their_citation_markers() -> None:
    claims = split_claims("Talks resumed. [1] Qatar mediates, Egypt too. [2][3] Nobody knows why.")
    assert claims == [
        Claim("Talks resumed.", (1,)),
        Claim("Qatar mediates, Egypt too.", (2, 3)),
        Claim("Nobody knows why.", ()),
    ]


def test_inline_marker_stays_inside_its_sentence() -> None:
    assert split_claims("Article [1] is dated 2024-09-16. [1]") == [Claim("Article is dated 2024-09-16.", (1,))]


def test_comma_markers_and_trailing_full_stop_are_understood() -> None:
    assert split_claims("Qatar mediates [1, 2]. Egypt too [3].") == [
        Claim("Qatar mediates", (1, 2)),
        Claim("Egypt too", (3,)),
    ]


def test_empty_answer_has_no_claims() -> None:
    assert split_claims("") == []
    assert split_claims(" [1] ") == []


# --- the support proxy ---


def test_support_needs_every_number_in_the_cited_text() -> None:
    cited = "During the talks, some 800 Palestinian prisoners would be freed."
    assert supports("Some 800 prisoners would be freed.", cited)
    assert not supports("Some 900 prisoners would be freed.", cited)
    assert not supports("Prisoners freed in the 11th month.", cited + " It was the 11 month.")


def test_support_needs_every_name_except_the_sentence_opener() -> None:
    cited = "The high-level meeting in Doha failed to achieve results."
    assert supports("Meeting in Doha failed to achieve results.", cited)
    assert not supports("Meeting in Doha led by Burns failed to achieve results.", cited)


def test_support_by_word_overlap_at_the_threshold() -> None:
    cited = "Negotiators resumed talks in Doha on Monday."
    # content words: negotiators, resumed, talks, stalled, quickly -> 3 of 5 = 0.6 >= 0.6
    assert supports("Negotiators resumed talks, stalled quickly.", cited)
    # negotiators, resumed, discussions, stalled, quickly -> 2 of 5 = 0.4
    assert not supports("Negotiators resumed discussions, stalled quickly.", cited)


def test_support_falls_back_to_embedding_similarity() -> None:
    cited = "Negotiators resumed talks in Doha on Monday."
    sentence = "Mediators restarted discussions."
    assert supports(sentence, cited, similarity=lambda s, t: 0.8)
    assert not supports(sentence, cited, similarity=lambda s, t: 0.5)
    assert not supports(sentence, cited)


def test_similarity_cannot_excuse_a_missing_number() -> None:
    assert not supports("Mediators restarted 5 discussions.", "Negotiators resumed talks.", similarity=lambda s, t: 1.0)


# --- ALCE citation recall and precision ---


def test_fully_supported_answer_scores_one() -> None:
    got = citation_scores(answer(f"{EVIDENCE} [1]", [citation(1)]), supports)
    assert got == {"citation_recall": 1.0, "citation_precision": 1.0}


def test_answer_without_citations_has_zero_recall_and_precision() -> None:
    got = citation_scores(answer("Qatar and Egypt mediate."), supports)
    assert got == {"citation_recall": 0.0, "citation_precision": 0.0}


def test_out_of_range_citation_supports_nothing() -> None:
    # Claim 1 cites [1] (supports) and [3] (no such source): recall 1/1, precision 1/2.
    got = citation_scores(answer("qatar mediates [1][3]", [citation(1, "qatar mediates")]), words_in)
    assert got == {"citation_recall": 1.0, "citation_precision": 0.5}
    # Only an out-of-range citation: the claim is unsupported and its citation imprecise.
    got = citation_scores(answer("qatar mediates [7]", [citation(1, "qatar mediates")]), words_in)
    assert got == {"citation_recall": 0.0, "citation_precision": 0.0}


def test_citations_needed_together_are_all_precise() -> None:
    # Neither passage alone has "qatar mediates doha", together they do, and each is needed.
    cites = [citation(1, "qatar mediates"), citation(2, "in doha")]
    got = citation_scores(answer("qatar mediates doha [1][2]", cites), words_in)
    assert got == {"citation_recall": 1.0, "citation_precision": 1.0}


def test_redundant_citation_is_imprecise() -> None:
    # [1] supports alone; [2] neither supports alone nor is needed: precision 1/2.
    cites = [citation(1, "qatar mediates"), citation(2, "egypt")]
    got = citation_scores(answer("qatar mediates [1][2]", cites), words_in)
    assert got == {"citation_recall": 1.0, "citation_precision": 0.5}


def test_unsupported_sentence_makes_all_its_citations_imprecise() -> None:
    # Sentence 1 supported by [1]; sentence 2 cites [1][2] and neither has "hosts": recall 1/2, precision 1/3.
    cites = [citation(1, "qatar mediates egypt"), citation(2, "egypt")]
    got = citation_scores(answer("Qatar mediates. [1] Egypt hosts. [1][2]", cites), words_in)
    assert got == {"citation_recall": 0.5, "citation_precision": pytest.approx(1 / 3)}


def test_citation_scores_do_not_apply_to_abstentions_or_empty_answers() -> None:
    none = {"citation_recall": None, "citation_precision": None}
    assert citation_scores(answer("The sources don't say.", abstained=True), supports) == none
    assert citation_scores(answer(""), supports) == none


def test_cited_date_counts_as_cited_text() -> None:
    cites = [citation(1, "Talks resumed in Doha.", date="2024-09-16")]
    got = citation_scores(answer("Talks resumed in Doha. [1] Article [1] is dated 2024-09-16. [1]", cites), supports)
    assert got == {"citation_recall": 1.0, "citation_precision": 1.0}


# --- latency and averaging ---


def test_percentiles_interpolate_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([4.0, 1.0, 3.0, 2.0], 95) == pytest.approx(3.85)
    assert percentile([0.7], 95) == 0.7
    assert percentile([], 50) is None


def test_latency_summary_per_stage() -> None:
    timings = [{"retrieve": 0.1, "total": 0.3}, {"retrieve": 0.3, "total": 0.5}, {"total": 0.4}]
    summary = latency_summary(timings)
    assert summary["retrieve"]["p50"] == pytest.approx(0.2)
    assert summary["total"]["p50"] == pytest.approx(0.4)
    assert summary["total"]["p95"] == pytest.approx(0.49)


def test_mean_skips_values_that_do_not_apply() -> None:
    assert mean([1.0, None, 0.0, True]) == pytest.approx(2 / 3)
    assert mean([None]) is None
