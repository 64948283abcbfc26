"""Answer without an LLM: pick the few source sentences that best answer, quote them, cite them.

Each answer sentence is a verbatim source sentence, so a citation can never misstate its
source. The work is in choosing: semantic similarity plus overlap of the question's
names, numbers and key terms, an attribution check for "what did X say" questions, and
abstention when the evidence is weak or a name in the question is absent from the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.answer import ABSTAIN_TEXT, Answer, cite
from rag.config import Settings
from rag.question import Question, in_vocabulary, mentions, normalise, numbers, parse_question, stems
from rag.retrieval import Passage
from rag.sentences import sentence_spans

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

MIN_SENTENCE_WORDS = 5  # shorter spans are headings or page furniture ("Most Popular")
SIMILARITY_WEIGHT = 0.55
FOLLOW_UP_RATIO = 0.85  # a further sentence must score this close to the best one
OTHER_SOURCE_RATIO = 0.75  # ...or this close when it comes from an article not yet cited
_NEAR_DUPLICATE = 0.9
_PRONOUN_ATTRIBUTION = ("he said", "she said", "he says", "she says", "he added", "he continued")


@dataclass
class Candidate:
    """A source sentence and how well it answers."""

    passage: Passage
    start: int  # absolute offsets in the article
    end: int
    text: str
    previous: str  # the sentence before it in the chunk, for "he said" attributions
    score: float = 0.0


@dataclass
class Ranking:
    """Candidates best first, the evidence score, and why to abstain ("" to answer)."""

    question: Question
    ranked: list[Candidate]
    best: float
    abstain_reason: str


class ExtractiveAnswerer:
    """Sentence selection; embeddings of seen sentences are cached per process."""

    def __init__(self, embedder: BaseEmbedding, settings: Settings, corpus_words: frozenset[str]) -> None:
        self.embedder = embedder
        self.settings = settings
        self.corpus_words = corpus_words
        self._cache: dict[str, list[float]] = {}

    def rank(self, question: str, passages: list[Passage]) -> Ranking:
        """Score every retrieved sentence; decide whether the evidence is strong enough to answer.

        Shared with the LLM answerer, so both modes abstain on the same evidence.
        """
        parsed = parse_question(question)
        candidates = _candidates(passages)
        if parsed.speaker and not in_vocabulary(parsed.speaker, self.corpus_words):
            # Nothing in the articles can be what this person said. Other absent names
            # only lower the score: "American" or "September" may be paraphrases.
            return Ranking(parsed, [], 0.0, f"The indexed articles do not mention {parsed.speaker}.")
        if not candidates:
            return Ranking(parsed, [], 0.0, "No usable passage was retrieved.")
        self._score(parsed, candidates)
        ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
        best = ranked[0].score * self._name_factor(parsed)
        if best < self.settings.abstain_threshold:
            threshold = self.settings.abstain_threshold
            note = (
                "No sentence in the articles answers this closely enough "
                f"(best evidence score {best:.2f}, threshold {threshold:.2f})."
            )
            return Ranking(parsed, ranked, best, note)
        return Ranking(parsed, ranked, best, "")

    def answer(self, question: str, passages: list[Passage], ranking: Ranking | None = None) -> Answer:
        ranking = ranking or self.rank(question, passages)
        if ranking.abstain_reason:
            return _abstain(question, [ranking.abstain_reason], ranking.best)
        chosen = self._choose(ranking.ranked)
        return _compose(question, ranking.question, chosen, ranking.best)

    def _name_factor(self, question: Question) -> float:
        """Halve the evidence when none of the question's names occurs anywhere in the articles.

        Soft, not a veto: a name may be a paraphrase ("American" for "US").
        """
        if not question.names:
            return 1.0
        present = sum(in_vocabulary(name, self.corpus_words) for name in question.names)
        return 0.5 + 0.5 * present / len(question.names)

    def _score(self, question: Question, candidates: list[Candidate]) -> None:
        q_vec = self.embedder.get_query_embedding(question.text)
        vectors = self.embed([c.text for c in candidates])
        for cand, vec in zip(candidates, vectors, strict=True):
            similarity = sum(a * b for a, b in zip(q_vec, vec, strict=True))
            lexical = _lexical_overlap(question, cand.text)
            cand.score = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * lexical

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised sentence vectors (a dot product is the cosine), cached per process."""
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            self._cache.update(zip(new, self.embedder.get_text_embedding_batch(new), strict=True))
        return [self._cache[t] for t in texts]

    def _choose(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best sentence, then close runners-up; another article's view gets a lower bar."""
        chosen = [ranked[0]]
        for cand in ranked[1:]:
            if len(chosen) >= self.settings.max_answer_sentences:
                break
            new_source = all(cand.passage.chunk.source != c.passage.chunk.source for c in chosen)
            ratio = OTHER_SOURCE_RATIO if new_source else FOLLOW_UP_RATIO
            if cand.score < max(self.settings.abstain_threshold, ratio * ranked[0].score):
                continue
            if any(_overlap_ratio(cand.text, c.text) > _NEAR_DUPLICATE for c in chosen):
                continue
            chosen.append(cand)
        return chosen


def _candidates(passages: list[Passage]) -> list[Candidate]:
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for passage in passages:
        chunk = passage.chunk
        previous = ""
        for span in sentence_spans(chunk.text):
            text = chunk.text[span.start : span.end]
            key = (chunk.source, chunk.start + span.start)
            if len(text.split()) >= MIN_SENTENCE_WORDS and key not in seen:
                seen.add(key)
                out.append(Candidate(passage, key[1], chunk.start + span.end, text, previous))
            previous = text
    return out


def _lexical_overlap(question: Question, sentence: str) -> float:
    """Weighted share of the question's facts in the sentence: numbers 3, names 2, other terms 1."""
    sentence_stems = stems(sentence)
    sentence_numbers = numbers(normalise(sentence))
    # Who spoke is judged by the attribution check, not rewarded here: otherwise any
    # sentence naming the speaker outranks the one that holds the fact.
    weights = {s: (2.0 if s in question.name_stems else 1.0) for s in question.stems - question.speaker_stems}
    total = sum(weights.values()) + 3.0 * len(question.numbers)
    got = sum(w for s, w in weights.items() if s in sentence_stems)
    got += 3.0 * len(question.numbers & sentence_numbers)
    if question.wants_count and sentence_numbers:
        got, total = got + 1.0, total + 1.0
    elif question.wants_count:
        total += 1.0
    return got / total if total else 0.0


def _overlap_ratio(a: str, b: str) -> float:
    sa, sb = stems(a), stems(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


def attributed_to(cand: Candidate, speaker: str) -> bool:
    if mentions(cand.text, speaker):
        return True
    lowered = normalise(cand.text)
    return any(p in lowered for p in _PRONOUN_ATTRIBUTION) and mentions(cand.previous, speaker)


def _compose(question: str, parsed: Question, chosen: list[Candidate], best: float) -> Answer:
    citations = [cite(i, c.passage.chunk, c.start, c.end) for i, c in enumerate(chosen, start=1)]
    lines = [f"{c.text} [{i}]" for i, c in enumerate(chosen, start=1)]
    notices: list[str] = []
    dated = next((i for i, c in enumerate(chosen, start=1) if c.passage.chunk.date), None)
    if parsed.wants_time and dated is not None:
        lines.append(f"Article [{dated}] is dated {chosen[dated - 1].passage.chunk.date}. [{dated}]")
    if parsed.speaker and not attributed_to(chosen[0], parsed.speaker):
        topic = parsed.topic or "this"
        lines[0] = f"The sources do not attribute {topic} to {parsed.speaker}; they say: {lines[0]}"
        notices.append(f"Attribution: the best evidence is not attributed to {parsed.speaker}.")
    return Answer(
        question=question,
        answer=" ".join(lines),
        abstained=False,
        mode="extractive",
        citations=citations,
        notices=notices,
        evidence_score=round(best, 4),
    )


def _abstain(question: str, notices: list[str], best: float) -> Answer:
    return Answer(
        question=question,
        answer=ABSTAIN_TEXT,
        abstained=True,
        mode="extractive",
        notices=notices,
        evidence_score=round(best, 4),
    )
