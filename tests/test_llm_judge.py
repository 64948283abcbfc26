"""Reading the judge's answer: probabilities of each source number from the first token's alternatives."""

from __future__ import annotations

import math

from rag.llm_judge import judge_grammar, judgement_from


def test_probabilities_are_read_from_the_number_tokens_and_renormalised() -> None:
    # What llama.cpp returned for one question: the model also wanted to open a "[" marker.
    alternatives = {"[": -0.94, "0": -0.98, "1": -1.79, "2": -3.69, "7": -6.53}
    judgement = judgement_from(alternatives, "0", n_sources=3)

    assert set(judgement.probabilities) == {0, 1, 2}  # "[" is no number, 7 is no source
    assert math.isclose(sum(judgement.probabilities.values()), 1.0)
    assert judgement.none > judgement.probabilities[1] > judgement.probabilities[2]


def test_picks_are_the_sources_close_to_the_best_one_never_none() -> None:
    alternatives = {"2": math.log(0.5), "4": math.log(0.3), "1": math.log(0.05), "0": math.log(0.15)}
    judgement = judgement_from(alternatives, "2", n_sources=4)

    assert judgement.picks() == [2, 4]
    assert math.isclose(judgement.none, 0.15)


def test_an_endpoint_without_log_probabilities_counts_the_number_it_said() -> None:
    assert judgement_from({}, "3", n_sources=4).picks() == [3]
    assert judgement_from({}, "0", n_sources=4).none == 1.0
    assert judgement_from({}, "It is source 9", n_sources=4).probabilities == {}


def test_the_judge_grammar_allows_exactly_the_numbers_zero_to_n() -> None:
    assert judge_grammar(3) == 'root ::= "0" | "1" | "2" | "3"\n'
