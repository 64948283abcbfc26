"""Score each answer against its gold item, then summarise overall, per split and per question type.

Kept apart from `metrics` (the definitions) and `runner` (answering and files) so the same
numbers feed the results file, the report and the CI gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from evals.dataset import QAItem
from evals.metrics import (
    Similarity,
    abstention_scores,
    answer_correct,
    answer_f1,
    citation_scores,
    evidence_hit,
    first_hit_rank,
    hit_at_k,
    latency_summary,
    mean,
    percentile,
    reciprocal_rank,
    strip_citations,
    supports,
)

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# hit@2 is the like-for-like column against the top-2 baseline; hit@6 covers our default top_k.
RETRIEVAL_KS = (1, 2, 6)
Row = dict[str, Any]


def embedding_similarity(embedder: BaseEmbedding) -> Similarity:
    """Cosine between a sentence and the closest sentence of the cited text (MiniLM, normalised).

    The closest sentence rather than the whole chunk: a chunk's vector is a blur of its
    sentences, and every chunk of a one-topic corpus is about equally close to everything.
    """
    from rag.sentences import sentence_spans

    cache: dict[str, list[float]] = {}

    def vectors(texts: list[str]) -> list[list[float]]:
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            cache.update(zip(new, embedder.get_text_embedding_batch(new), strict=True))
        return [cache[t] for t in texts]

    def similarity(sentence: str, cited: str) -> float:
        pieces = [cited[s.start : s.end] for s in sentence_spans(cited)] or [cited]
        target, *others = vectors([sentence, *pieces])
        return max(sum(a * b for a, b in zip(target, v, strict=True)) for v in others)

    return similarity


def score_answer(
    item: QAItem,
    answer: Mapping[str, Any],
    chunk_texts: Mapping[str, str],
    similarity: Similarity | None = None,
) -> dict[str, Any]:
    """Every per-question metric; retrieval looks up chunk texts because `Answer.retrieved` has only ids."""
    scores: dict[str, Any] = {
        "correct": answer_correct(answer, item),
        "token_f1": answer_f1(answer, item),
        "evidence_hit": evidence_hit(answer, item),
        "answer_words": None if answer["abstained"] else len(strip_citations(answer["answer"]).split()),
    }
    scores.update(citation_scores(answer, partial(supports, similarity=similarity)))
    rank = None
    if item.answerable:
        rank = first_hit_rank([chunk_texts.get(r["chunk_id"], "") for r in answer["retrieved"]], item.evidence)
    scores["first_hit_rank"] = rank
    for k in RETRIEVAL_KS:
        scores[f"hit@{k}"] = hit_at_k(rank, k) if item.answerable else None
    scores["reciprocal_rank"] = reciprocal_rank(rank) if item.answerable else None
    return scores


def result_row(system: str, item: QAItem, answer: Mapping[str, Any], scores: Mapping[str, Any]) -> Row:
    """One line of results.jsonl: what was asked, what came back, and how it scored."""
    return {
        "system": system,
        "id": item.id,
        "split": item.split,
        "type": item.type,
        "difficulty": item.difficulty,
        "question": item.question,
        "gold_answer": item.answer,
        "must_include": list(item.must_include),
        "answer": answer["answer"],
        "abstained": answer["abstained"],
        "citations": [
            {k: c[k] for k in ("n", "source", "chunk_id", "text", "quote", "start", "end")} for c in answer["citations"]
        ],
        "retrieved": [r["chunk_id"] for r in answer["retrieved"]],
        "timings": answer["timings"],
        "notices": answer.get("notices", []),
        "usage": answer.get("usage", {}),
        "fallback": answer.get("fallback", ""),
        "checks": [c["status"] for c in answer.get("checks", [])],
        "scores": dict(scores),
    }


def summarise(rows: Sequence[Row]) -> dict[str, Any]:
    """Aggregate metrics over rows; answer accuracy, F1, evidence and retrieval count answerable questions only."""
    answerable = [r for r in rows if r["type"] != "unanswerable"]

    def avg(key: str, subset: Sequence[Row] = rows) -> float | None:
        return mean([r["scores"][key] for r in subset])

    summary: dict[str, Any] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "answer_accuracy": avg("correct", answerable),
        "correct_overall": avg("correct"),
        "token_f1": avg("token_f1"),
        **abstention_scores([r["abstained"] for r in rows], [r["type"] != "unanswerable" for r in rows]),
        "citation_recall": avg("citation_recall"),
        "citation_precision": avg("citation_precision"),
        "evidence_hit": avg("evidence_hit"),
        **{f"hit@{k}": avg(f"hit@{k}") for k in RETRIEVAL_KS},
        "mrr": avg("reciprocal_rank"),
        "answer_words": avg("answer_words"),
        "latency": latency_summary([r["timings"] for r in rows]),
        **llm_summary(rows),
    }
    return summary


def llm_summary(rows: Sequence[Row]) -> dict[str, float | int | None]:
    """LLM modes: prompt size, how often the model was replaced, and what verification changed.

    Prompt tokens count only questions that reached the model (the evidence gate abstains
    on the rest before any prompt is built). None throughout for extractive runs.
    """
    prompted = [r["usage"] for r in rows if r.get("usage", {}).get("prompt_tokens_cl100k")]
    checks = [status for r in rows for status in r.get("checks", [])]
    llm_run = bool(prompted) or any(r.get("fallback") for r in rows)
    return {
        "llm_questions": len(prompted) if llm_run else None,
        "prompt_tokens_p50": percentile([u["prompt_tokens"] for u in prompted], 50),
        "prompt_tokens_p95": percentile([u["prompt_tokens"] for u in prompted], 95),
        "prompt_tokens_cl100k_p50": percentile([u["prompt_tokens_cl100k"] for u in prompted], 50),
        "first_token_p50": percentile([u["first_token_seconds"] for u in prompted], 50),
        "fallback_rate": mean([bool(r.get("fallback")) for r in rows]) if llm_run else None,
        "sentences_written": len(checks) if llm_run else None,
        "sentences_supported": checks.count("supported") if llm_run else None,
        "sentences_repointed": checks.count("repointed") if llm_run else None,
        "sentences_dropped": checks.count("dropped") if llm_run else None,
    }


def summarise_by(rows: Sequence[Row], key: Callable[[Row], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {name: summarise(group) for name, group in sorted(groups.items())}


def system_metrics(rows: Sequence[Row]) -> dict[str, Any]:
    """Overall, per split (dev tunes thresholds, test is held out) and per question type."""
    return {
        "overall": summarise(rows),
        "by_split": summarise_by(rows, lambda r: r["split"]),
        "by_type": summarise_by(rows, lambda r: r["type"]),
    }
