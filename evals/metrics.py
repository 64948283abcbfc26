"""Metrics that need no LLM judge; each docstring is the metric's definition (README, "Evaluation").

Every function is pure: it scores one answer (the dict from `Answer.to_dict()`) against one
`QAItem`, or summarises a list of per-question values. Where a metric does not apply (citation
quality of an abstention, retrieval of an unanswerable question) it is None, and averages skip it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from evals.dataset import MustInclude, QAItem
from rag.words import normalise as rag_normalise

_PUNCT = re.compile(r"[^\w%\s]")
_MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
# A run of markers ("[1][2]", "[1, 3]") plus punctuation an LLM may put after it ("claim [1].").
_MARKER_RUN = re.compile(r"(?:\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\])+[.!?;:]?")
_NAME = re.compile(r"(?<![\w'’\-])[A-Z][\w\-]*")
_ARTICLES = {"a", "an", "the"}

LEXICAL_SUPPORT = 0.6  # share of a sentence's content words found in the cited text
SEMANTIC_SUPPORT = 0.7  # cosine between the sentence and the closest cited sentence (paraphrase level)

AnswerDict = Mapping[str, Any]  # `Answer.to_dict()`
Similarity = Callable[[str, str], float]  # (answer sentence, cited text) -> cosine
Support = Callable[[str, str], bool]  # (answer sentence, cited text) -> supported?


def normalise(text: str) -> str:
    """rag's fact normalisation (case, apostrophes, 'percent'), plus thousands separators and punctuation."""
    text = rag_normalise(text)
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


def strip_citations(text: str) -> str:
    """The answer without its [n] markers, so they never count as words or numbers."""
    return " ".join(_MARKER.sub(" ", text).split())


def answer_correct(answer: AnswerDict, item: QAItem) -> bool:
    """Answerable: not abstained and every `must_include` fact present. Unanswerable: abstained."""
    if not item.answerable:
        return bool(answer["abstained"])
    return not answer["abstained"] and must_include_hit(strip_citations(answer["answer"]), item.must_include)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 over normalised words without a/an/the; 0.0 when either side is empty."""
    pred = [w for w in normalise(strip_citations(prediction)).split() if w not in _ARTICLES]
    ref = [w for w in normalise(gold).split() if w not in _ARTICLES]
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def answer_f1(answer: AnswerDict, item: QAItem) -> float | None:
    """Token F1 against the gold answer; 0.0 for an abstention, None on unanswerable questions."""
    if not item.answerable:
        return None
    return 0.0 if answer["abstained"] else token_f1(answer["answer"], item.answer)


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float | None]:
    """Precision: share of abstentions that were on unanswerable questions. Recall: share of
    unanswerable questions abstained on. False-abstention rate: share of answerable ones abstained on.
    None when the denominator is empty."""
    pairs = list(zip(abstained, answerable, strict=True))
    on_unanswerable = [a for a, ok in pairs if not ok]
    on_answerable = [a for a, ok in pairs if ok]
    n_abstained = sum(a for a, _ in pairs)
    return {
        "abstention_precision": _share(sum(on_unanswerable), n_abstained),
        "abstention_recall": _share(sum(on_unanswerable), len(on_unanswerable)),
        "false_abstention_rate": _share(sum(on_answerable), len(on_answerable)),
    }


def contains_evidence(passage: str, evidence: Sequence[str]) -> bool:
    """A passage holds a gold evidence sentence verbatim (whitespace runs folded)."""
    flat = " ".join(passage.split())
    return any(" ".join(sentence.split()) in flat for sentence in evidence)


def first_hit_rank(passages: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved passage that contains a gold evidence sentence."""
    return next((rank for rank, text in enumerate(passages, start=1) if contains_evidence(text, evidence)), None)


def hit_at_k(rank: int | None, k: int) -> float:
    """Hit@k: 1.0 when a gold evidence sentence is in the top k retrieved passages."""
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None) -> float:
    """1/rank of the first evidence-bearing passage, 0.0 when none was retrieved (mean of it = MRR)."""
    return 1.0 / rank if rank else 0.0


def evidence_hit(answer: AnswerDict, item: QAItem) -> float | None:
    """1.0 when a cited passage (the chunk, not just the quote) contains a gold evidence sentence."""
    if not item.answerable:
        return None
    return float(any(contains_evidence(c["text"], item.evidence) for c in answer["citations"]))


@dataclass(frozen=True)
class Claim:
    """One answer sentence and the citation numbers it carries."""

    text: str
    cites: tuple[int, ...]


def split_claims(answer: str) -> list[Claim]:
    """Answer sentences end with their markers ("... sentence. [1]"), so split after each marker run.

    A marker run followed by a lowercase word is inline ("Article [1] is dated ...") and stays in its
    sentence. Text after the last marker is one claim that cites nothing. Marker-only pieces are dropped.
    """
    claims: list[Claim] = []
    text, cites, cursor = "", [], 0
    for match in _MARKER_RUN.finditer(answer):
        text += answer[cursor : match.start()]
        cites += [int(n) for n in re.findall(r"\d+", match.group(0))]
        cursor = match.end()
        following = answer[cursor:].lstrip()
        if not following[:1].islower():
            claims.append(Claim(" ".join(text.split()), tuple(dict.fromkeys(cites))))
            text, cites = "", []
    text += answer[cursor:]
    claims.append(Claim(" ".join(text.split()), tuple(dict.fromkeys(cites))))
    return [c for c in claims if re.search(r"\w", c.text)]


@cache
def _stopwords() -> frozenset[str]:
    from llama_index.core.utils import globals_helper

    return frozenset(globals_helper.stopwords)


def supports(sentence: str, cited: str, similarity: Similarity | None = None) -> bool:
    """Support proxy for "the cited text entails the sentence" (no NLI model ships with the project).

    1. Hard facts: every word with a digit ("800", "11th", "90%") and every capitalised name (a
       capitalised word other than the sentence's first) must occur in the cited text as a whole
       word, after `normalise`.
    2. Then the sentence is supported when at least LEXICAL_SUPPORT (0.6) of its content words
       (normalised, stopwords dropped) occur in the cited text, or, failing that, when
       `similarity(sentence, cited)` reaches SEMANTIC_SUPPORT (0.7).
    """
    flat = normalise(cited)
    words = set(flat.split())
    first = re.search(r"\w", sentence)
    names = [normalise(m.group(0)) for m in _NAME.finditer(sentence) if first and m.start() > first.start()]
    numbers = [w for w in normalise(sentence).split() if any(ch.isdigit() for ch in w)]  # "11th", "90%"
    facts = numbers + [n for n in names if n not in _stopwords()]
    if not all(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", flat) for f in facts):
        return False
    content = [w for w in normalise(sentence).split() if w not in _stopwords()]
    if not content or sum(w in words for w in content) / len(content) >= LEXICAL_SUPPORT:
        return True
    return similarity is not None and similarity(sentence, cited) >= SEMANTIC_SUPPORT


def cited_text(citation: Mapping[str, Any]) -> str:
    """What a citation shows the reader: the headline, the date and the cited chunk."""
    return "\n".join(part for part in (citation.get("title", ""), citation.get("date", ""), citation["text"]) if part)


def citation_scores(answer: AnswerDict, support: Support) -> dict[str, float | None]:
    """ALCE citation recall and precision of one answer (Gao et al., 2023), with `support` as the judge.

    Recall: share of answer sentences whose cited texts, joined, support them (an uncited sentence
    fails). Precision: share of citations that are relevant: the sentence is supported by all its
    citations and this one either supports it alone or cannot be dropped without losing support. A
    citation number with no matching source counts as a citation that supports nothing. Both None
    for abstentions and empty answers; precision 0.0 when sentences cite nothing at all.
    """
    if answer["abstained"]:
        return {"citation_recall": None, "citation_precision": None}
    claims = split_claims(answer["answer"])
    if not claims:
        return {"citation_recall": None, "citation_precision": None}
    texts = {c["n"]: cited_text(c) for c in answer["citations"]}

    def backed(claim: Claim, numbers: Sequence[int]) -> bool:
        joined = "\n".join(texts[n] for n in numbers if n in texts)
        return bool(joined) and support(claim.text, joined)

    supported = precise = n_citations = 0
    for claim in claims:
        jointly = backed(claim, claim.cites)
        supported += jointly
        n_citations += len(claim.cites)
        if jointly:
            precise += sum(
                backed(claim, [n]) or not backed(claim, [m for m in claim.cites if m != n]) for n in claim.cites
            )
    return {
        "citation_recall": supported / len(claims),
        "citation_precision": precise / n_citations if n_citations else 0.0,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linearly interpolated between order statistics like numpy's default."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return float(max(values)) if q >= 100 else float(min(values)) if q <= 0 else cuts[round(q) - 1]


def latency_summary(timings: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float | None]]:
    """p50 and p95 seconds per stage ("retrieve", "answer", "total", ...) over the questions."""
    stages = list(dict.fromkeys(stage for row in timings for stage in row))
    return {
        stage: {
            "p50": percentile([row[stage] for row in timings if stage in row], 50),
            "p95": percentile([row[stage] for row in timings if stage in row], 95),
        }
        for stage in stages
    }


def mean(values: Sequence[float | bool | None]) -> float | None:
    """Average of the values that apply (None skipped); None when none do."""
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
