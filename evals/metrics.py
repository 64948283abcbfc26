"""Answer-level metrics that need no LLM judge (definitions in the README, "Evaluation")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from evals.dataset import MustInclude

_PUNCT = re.compile(r"[^\w%\s]")


def normalise(text: str) -> str:
    """Case, curly quotes, 'percent' and thousands separators folded, punctuation dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\s*(?:per ?cent)\b", "%", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = _PUNCT.sub(" ", text)
    return " ".join(text.split())


def contains_fact(answer: str, fact: str) -> bool:
    """Whole-word match of a normalised fact in a normalised answer."""
    needle = normalise(fact)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(answer)) is not None


def must_include_hit(answer: str, must_include: Sequence[MustInclude]) -> bool:
    """True when every required fact (or one of its alternatives) is present."""
    for fact in must_include:
        options = [fact] if isinstance(fact, str) else list(fact)
        if not any(contains_fact(answer, option) for option in options):
            return False
    return True
