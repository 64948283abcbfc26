"""The model reads before it writes: which of the numbered sources answers the question?

One short turn before the answer. The model is shown the sources and the question and asked
for the number of the source that answers it, 0 for none. We do not only take the number it
says: the server's token log-probabilities (OpenAI's `logprobs`/`top_logprobs`, which llama.cpp's
server returns) give the probability of every number, so the sources that share the mass are
all picked, and "none" is a probability that can be calibrated against unanswerable questions
instead of a word the model may or may not say. The answer turn then continues the same
conversation, so the server reuses its cached prompt, sources included, and writes from the
picked sources only. Listwise (one call over all sources) rather than a yes/no call per
source: on two CPU cores each call costs its whole prompt again.

This is PaperQA2's "rank and summarise the evidence first", done with one token.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# A source is picked when it holds this share of the probability the best source has.
PICK_SHARE = 0.25
MAX_PICKS = 3

JUDGE_QUESTION = (
    "Which source answers the question? Reply with the number of the source that answers it best, "
    "or 0 if none of the sources answers it."
)


@dataclass(frozen=True)
class Judgement:
    """The model's reading of the sources: P(source n answers), n = 0 meaning none does."""

    probabilities: dict[int, float]
    said: str  # the token the model put first, for the record

    @property
    def none(self) -> float:
        return self.probabilities.get(0, 0.0)

    def picks(self) -> list[int]:
        """Sources in order of probability, each within PICK_SHARE of the best one."""
        ranked = sorted(((p, n) for n, p in self.probabilities.items() if n > 0), reverse=True)
        if not ranked:
            return []
        top = ranked[0][0]
        return [n for p, n in ranked[:MAX_PICKS] if p >= PICK_SHARE * top]


def judgement_from(top_logprobs: dict[str, float], said: str, n_sources: int) -> Judgement:
    """Probabilities of the numbers 0..n_sources among the first token's alternatives, renormalised.

    Without log-probabilities (an endpoint that does not return them) the number said counts as certain.
    """
    mass: dict[int, float] = {}
    for token, logprob in top_logprobs.items():
        digits = token.strip()
        if digits.isdigit() and int(digits) <= n_sources:
            mass[int(digits)] = mass.get(int(digits), 0.0) + math.exp(logprob)
    if not mass:
        first = re.match(r"\s*(\d+)", said)
        if first and int(first.group(1)) <= n_sources:
            mass[int(first.group(1))] = 1.0
    total = sum(mass.values())
    return Judgement({n: p / total for n, p in mass.items()} if total else {}, said)


def judge_grammar(n_sources: int) -> str:
    """GBNF: one number, 0..n_sources (sources are at most 9, so one digit and one token)."""
    return "root ::= " + " | ".join(f'"{n}"' for n in range(0, min(n_sources, 9) + 1)) + "\n"
