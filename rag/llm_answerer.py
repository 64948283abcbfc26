"""Answer with an LLM: stream its words, then verify every sentence against the sources it cites.

The same evidence test as the extractive mode decides whether to ask the model at all,
so a question the articles cannot answer never reaches it. Whatever the model writes is
a draft: only sentences that verification keeps reach the reader, each with a citation
that was checked. If the model fails, times out or its server dies, the extractive
answer is returned with a notice saying so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from rag.answer import ABSTAIN_TEXT, Answer, Citation, cite
from rag.attribution import attributed
from rag.config import Settings
from rag.errors import RagError
from rag.evidence import Ranking
from rag.extractive import ExtractiveAnswerer, choose
from rag.llm_backend import ChatBackend, Generation
from rag.llm_judge import JUDGE_QUESTION, Judgement, judge_grammar, judgement_from
from rag.llm_prompt import (
    SYSTEM_PROMPT,
    Source,
    answer_turn,
    build_messages,
    citation_grammar,
    prompt_tokens,
    select_sources,
)
from rag.llm_windows import (
    MAX_WINDOWS,
    asks_for_words,
    fill_from_windows,
    window_grammar,
    window_messages,
    window_sources,
)
from rag.question import Question
from rag.retrieval import Passage
from rag.sentences import sentence_spans
from rag.verification import verify
from rag.words import normalise, numbers


@dataclass(frozen=True)
class Token:
    """A piece of the model's draft as it streams (unverified: the final `Answer` may differ)."""

    text: str


class LLMAnswerer:
    def __init__(self, backend: ChatBackend, extractive: ExtractiveAnswerer, settings: Settings) -> None:
        self.backend = backend
        self.extractive = extractive  # the fallback answer
        self.evidence = extractive.evidence  # the same evidence stage ranks and gates for both modes
        self.settings = settings

    def stream(self, question: str, passages: list[Passage]) -> Iterator[Token | Answer]:
        """Yield `Token`s while the model writes, then exactly one verified `Answer`."""
        ranking = self.evidence.rank(question, passages)
        if ranking.abstain_reason:
            yield self._abstain(question, [ranking.abstain_reason], ranking.best)
            return
        by_window = not self.settings.llm_judge
        if by_window:
            chosen = choose(ranking, min(MAX_WINDOWS, self.settings.max_answer_sentences))
            sources = window_sources(chosen)
        else:
            sources = select_sources(ranking.ranked, self.settings.llm_source_tokens)
        generation = Generation()
        started = time.perf_counter()
        picks: list[int] | None = None
        judged_usage: dict[str, float] = {}
        try:
            if by_window:
                yes_no = ranking.question.yes_no
                messages = window_messages(question, sources, yes_no, SYSTEM_PROMPT)
                grammar = window_grammar(len(sources), yes_no)
            elif self.settings.llm_judge:
                judged = build_messages(question, sources, ask=JUDGE_QUESTION)
                judgement = self._judge(judged, len(sources))
                picks = judgement.picks()
                judged_usage = {
                    "judge_seconds": round(time.perf_counter() - started, 3),
                    "judge_none": round(judgement.none, 3),
                    "judge_picks": len(picks),
                }
                if judgement.none >= self.settings.llm_none_threshold or not picks:
                    note = f"The model judged that no source answers this (P(none) = {judgement.none:.2f})."
                    yield replace(self._abstain(question, [note], ranking.best), usage=judged_usage)
                    return
                messages = answer_turn(judged, judgement.said, picks, ranking.question.yes_no)
            if not by_window:
                grammar = citation_grammar(len(sources), min(3, self.settings.max_answer_sentences), picks)
            for piece in self.backend.stream(
                messages, max_tokens=self.settings.llm_max_tokens, grammar=grammar, generation=generation
            ):
                yield Token(piece)
        except RagError:
            raise  # a missing model or a bad setting is the user's to fix, not to paper over
        except Exception as exc:  # any failure of the model or its server: the extractive answer stands in
            reason = _describe(exc, time.perf_counter() - started)
            yield self._fallback(question, passages, ranking, reason, generation)
            return
        usage = _usage(generation, prompt_tokens(messages), len(sources)) | judged_usage
        yield self._compose(question, ranking, sources, generation.text, usage, passages, by_window)

    def _judge(self, messages: list[tuple[str, str]], n_sources: int) -> Judgement:
        said, alternatives = self.backend.first_token(messages, grammar=judge_grammar(n_sources))
        return judgement_from(alternatives, said, n_sources)

    def _compose(
        self,
        question: str,
        ranking: Ranking,
        sources: list[Source],
        draft: str,
        usage: dict[str, float],
        passages: list[Passage],
        by_window: bool = False,
    ) -> Answer:
        verified = verify(draft, [s.text for s in sources], self.evidence.similarity)
        if verified.silent:
            answer = self._abstain(question, ["The model found no answer in the sources."], ranking.best)
            return replace(answer, draft=draft, checks=verified.checks, usage=usage)
        if not verified.kept:
            reason = "none of the model's sentences is supported by the source it cites"
            generation = Generation(text=draft)
            fallback = self._fallback(question, passages, ranking, reason, generation)
            return replace(fallback, checks=verified.checks, usage=usage)
        keep_quotes = asks_for_words(ranking.question)
        written = fill_from_windows(verified, sources, keep_quotes) if by_window else None
        kept = written.lines if written else verified.kept
        order: dict[int, int] = {}  # prompt number -> final number, in order of first citation
        for _, cited in kept:
            for n in cited:
                order.setdefault(n, len(order) + 1)
        lines = [_cited_line(text, [order[n] for n in cited]) for text, cited in kept]
        checks = [replace(c, cited=[order[n] for n in c.cited]) for c in verified.checks]
        citations = [cite(order[n], sources[n - 1].chunk, sources[n - 1].start, sources[n - 1].end) for n in order]
        notices: list[str] = []
        changed = [c for c in checks if c.status != "supported"]
        if changed:
            notices.append(
                f"Verification changed {len(changed)} of {len(checks)} sentences the model wrote "
                f"({sum(c.status == 'repointed' for c in changed)} re-pointed, "
                f"{sum(c.status == 'dropped' for c in changed)} dropped)."
            )
        if written and written.quoted:
            notices.append(
                f"{len(written.quoted)} of {len(sources)} sources are quoted in their own words: "
                "verification did not keep what the model wrote from them, or it left out the quote asked for."
            )
        if by_window and ranking.question.wants_time:
            dated = next((s for s in sources if s.chunk.stated_date and s.n in order), None)
            if dated is not None:
                n = order[dated.n]
                lines.append(f"Article [{n}] is dated {dated.chunk.stated_date}. [{n}]")
        framing = _attribution(ranking.question, citations)
        if framing:
            lines[0] = framing + lines[0]
            notices.append(f"Attribution: the cited sources do not give this to {ranking.question.speaker}.")
        return Answer(
            question=question,
            answer=" ".join(lines),
            abstained=False,
            mode=self.backend.name,
            citations=citations,
            notices=notices,
            evidence_score=round(ranking.best, 4),
            draft=draft,
            checks=checks,
            model=self.backend.model,
            usage=usage,
        )

    def _abstain(self, question: str, notices: list[str], best: float) -> Answer:
        return Answer(
            question=question,
            answer=ABSTAIN_TEXT,
            abstained=True,
            mode=self.backend.name,
            notices=notices,
            evidence_score=round(best, 4),
            model=self.backend.model,
        )

    def _fallback(
        self, question: str, passages: list[Passage], ranking: Ranking, reason: str, generation: Generation
    ) -> Answer:
        answer = self.extractive.answer(question, passages, ranking)
        notice = f"The {self.backend.name} model's answer was not used ({reason}); this is the extractive answer."
        return replace(
            answer, notices=[notice, *answer.notices], draft=generation.text, model=self.backend.model, fallback=reason
        )


def _attribution(question: Question, citations: list[Citation]) -> str:
    """A preamble when the question credits a speaker with something the sources give to someone else.

    "What did Miller say about the 90% figure?": the sentence holding 90% must itself
    name Miller (or follow a sentence naming him with "he said"); citing a passage that
    mentions Miller elsewhere is not enough.
    """
    speaker = question.speaker
    if not speaker:
        return ""
    topic = question.topic or "this"
    for citation in citations:
        sentences = [citation.quote[s.start : s.end] for s in sentence_spans(citation.quote)]
        for i, sentence in enumerate(sentences):
            if question.numbers and not question.numbers <= numbers(normalise(sentence)):
                continue
            if attributed(sentences, i, speaker):
                return ""
            if question.numbers:
                return (
                    f"The sources do not attribute {topic} to {speaker}; source [{citation.n}] says: "
                    f"“{' '.join(sentence.split())}” [{citation.n}] "
                )
    return f"The sources do not attribute {topic} to {speaker}; they say: "


def _cited_line(text: str, cited: list[int]) -> str:
    """ "Text [1][2]." with the sentence's own end punctuation kept before the markers."""
    markers = "".join(f"[{n}]" for n in cited)
    if text.endswith((".", "!", "?", ".”", '."', "?”")):
        return f"{text} {markers}"
    return f"{text} {markers}."


def _usage(generation: Generation, counted_prompt: int, n_sources: int) -> dict[str, float]:
    return {
        "prompt_tokens": generation.prompt_tokens,  # as the model's tokenizer counted them
        "prompt_tokens_cl100k": counted_prompt,
        "completion_tokens": generation.completion_tokens,
        "sources": n_sources,
        "first_token_seconds": round(generation.first_token_seconds, 3),
        "generate_seconds": round(generation.total_seconds, 3),
        "tokens_per_second": round(generation.tokens_per_second, 2),
    }


def _describe(exc: Exception, elapsed: float) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return f"no reply within {elapsed:.0f} s"
    if "Connection" in name or "RemoteProtocol" in name:
        return f"the model server could not be reached or stopped mid-answer ({name})"
    message = str(exc).splitlines()[0][:200] if str(exc) else name
    return f"{name}: {message}"
