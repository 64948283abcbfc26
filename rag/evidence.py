"""The evidence stage: rank evidence windows for a question and decide whether they answer it.

Both answerers consume this stage, so the extractive and LLM modes rank and abstain alike.
The unit is an *evidence window*: the sentence that holds the fact plus what a reader
needs to trust it: the sentence naming the speaker when the fact is a "…, he said" quote,
and the quote that follows when the fact sentence introduces it (rag.attribution decides
both; rag.windows builds them). Offsets are exact: `window.text == article_text[window.start:window.end]`.

Answerability is a decision about the asked slot, not only a similarity score: a "how
many" needs a quantity, a "when" a time, a "what did X say" words attributed to X. Dates
and outlets in a question pick articles through their metadata; they are not words to
find in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.article_facts import ArticleCatalog
from rag.asked_reports import articles_asked_for, matching_text, report_targets
from rag.attribution import anonymous_source, attributed
from rag.clause_scores import PART_MISSING, SIMILARITY_WEIGHT, score_clauses, window_slot
from rag.config import Settings
from rag.ordinals import part_match
from rag.question import Question, parse_question
from rag.relevance import echoes, lexical_overlap, new_name, rarity
from rag.retrieval import Passage
from rag.role_speakers import role_holder, with_holder
from rag.slots import (
    SLOT_NAMES,
    anticipates,
    asked_event,
    asked_moment,
    asked_places,
    speaks_of_moment,
)
from rag.speaker_topic import acts, credited_in_article, said_nothing_on
from rag.speech import REACTION
from rag.token_match import TokenMatcher
from rag.windows import Evidence, evidence_windows
from rag.words import (
    in_vocabulary,
    mentions,
    people_of_surname,
    someone_else,
    stems,
    unknown_first_name,
)

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# Multiplicative penalties, each for one way a window can look relevant without answering.
SLOT_MISSING = 0.7  # no quantity for "how many", no time for "when", nobody named for "who"
WRONG_ARTICLE = 0.7  # the question names an outlet another article has
WRONG_DATE = 0.5  # the question names a month/year and another article is dated then (metadata is reliable)
ECHO = 0.7  # a heading-like sentence that repeats the question and adds nothing
HEADING = 0.6  # no closing punctuation: a headline or sub-heading, which states no fact in full
FOCUS_MISSING = 0.85  # "how many trucks": a number, but not about trucks
NOT_ATTRIBUTED = 0.85  # "what did X say": the sentence is not X's
NO_NEW_NAME = 0.85  # "who"/"which firm"/"where": the window names nobody and nothing the question does not
_FINISHED = re.compile(r"[.!?:][\"”’')\]]*$|[”\"]$")


@dataclass
class Ranking:
    """Evidence best first, the evidence score of the best, and why to abstain ("" to answer)."""

    question: Question
    ranked: list[Evidence]
    best: float
    abstain_reason: str
    targets: tuple[str, ...] = ()  # the reports it names, when it names two or more (Evidence.target)


class EvidenceRanker:
    """Scores windows; sentence embeddings are cached per process (the corpus repeats across questions)."""

    def __init__(
        self,
        embedder: BaseEmbedding,
        settings: Settings,
        corpus_words: frozenset[str],
        articles: ArticleCatalog | None = None,
        tokens: TokenMatcher | None = None,
    ) -> None:
        self.embedder = embedder
        self.settings = settings
        self.corpus_words = corpus_words
        self.articles = articles
        self._cache: dict[str, list[float]] = {}
        # Shared with the retriever when the caller builds it first (its cache then holds the question).
        self.tokens = tokens or TokenMatcher(embedder)

    def rank(self, question: str, passages: list[Passage]) -> Ranking:
        parsed = self.parse(question)
        if not parsed.speaker:
            # "What did the State Department spokesman say …": whoever the retrieved passages name in
            # that role (read as written: the catalog keeps articles lowercased, which hides names).
            phrase, holder = role_holder(question, [p.chunk.text for p in passages])
            if holder:
                parsed = self.parse(with_holder(question, phrase, holder))
        if parsed.speaker and not in_vocabulary(parsed.speaker, self.corpus_words):
            # Nothing in the articles can be what this person said. Other absent names
            # only lower the score: "American" or "September" may be paraphrases.
            return Ranking(parsed, [], 0.0, f"The indexed articles do not mention {parsed.speaker}.")
        if parsed.speaker and unknown_first_name(parsed.speaker, self.corpus_words):
            others = people_of_surname(parsed.speaker, " ".join(p.chunk.text for p in passages))
            known = f" (they name {' and '.join(others)})" if others else ""
            return Ranking(parsed, [], 0.0, f"The indexed articles do not mention {parsed.speaker}{known}.")
        windows = evidence_windows(passages)
        if not windows:
            return Ranking(parsed, [], 0.0, "No usable passage was retrieved.")
        self._score(parsed, windows)
        score_clauses(self, parsed, windows)
        names, targets = self.report_targets(parsed)
        for ev in windows:
            ev.target = next((i for i, sources in enumerate(targets) if ev.source in sources), -1)
        # Of windows scoring alike, the one holding more of the quote first: "… the prime minister said."
        # then "“There is no other solution.”" is the same evidence, told to its end.
        ranked = sorted(windows, key=lambda e: (round(e.score, 3), e.end - e.start), reverse=True)
        answering = [e for e in ranked if e.slot]
        if parsed.wants_outcome and answering and anticipates(answering[0].fact_text):
            # "How was the dispute eventually resolved?" and the closest sentence only says what was
            # to happen ("agreed to refer it by the end of May"): the articles predate the outcome.
            note = "The articles only say what was expected to happen, not how it turned out."
            return Ranking(parsed, ranked, 0.0, note)
        event = asked_event(parsed)
        if event and not any(event in stems(f"{e.context} {e.text}") for e in answering[:3]):
            # "Was the astrolabe ever recovered?" and the closest sentences tell of the theft, not of a recovery.
            return Ranking(parsed, ranked, 0.0, "The articles do not say whether that happened.")
        threshold = self.settings.abstain_threshold
        if not answering:
            return Ranking(parsed, ranked, 0.0, f"No retrieved sentence gives {SLOT_NAMES[parsed.answer_type]}.")
        best = answering[0].score * self._name_factor(parsed)
        if parsed.speaker and not answering[0].speaker_ok and anonymous_source(answering[0].text):
            # What the question credits to a named person, the articles give to someone unnamed ("an
            # Egyptian official told AFP"): not that person's words, and no named speaker to point to.
            topic = f" about {parsed.topic}" if parsed.topic else ""
            note = (
                f"The articles do not report what {parsed.speaker} said{topic}; the closest statement is unattributed."
            )
            return Ranking(parsed, ranked, 0.0, note)
        silent = said_nothing_on(parsed, answering, self.tokens)
        if silent:
            return Ranking(parsed, ranked, 0.0, silent)
        if best < threshold:
            note = (
                "No sentence in the articles answers this closely enough "
                f"(best evidence score {best:.2f}, threshold {threshold:.2f})."
            )
            return Ranking(parsed, ranked, best, note)
        return Ranking(parsed, answering + [e for e in ranked if not e.slot], best, "", names)

    def _name_factor(self, question: Question) -> float:
        """Halve the evidence when none of the question's names occurs anywhere in the articles.

        Soft, not a veto: a name may be a paraphrase ("American" for "US").
        """
        if not question.names:
            return 1.0
        present = sum(in_vocabulary(name, self.corpus_words) for name in question.names)
        return 0.5 + 0.5 * present / len(question.names)

    def _score(self, question: Question, windows: list[Evidence]) -> None:
        # Articles whose person of the speaker's surname is someone else: read once per article, not per window.
        namesakes = {src for src in {w.source for w in windows} if self._namesake_only(question, src)}
        reaction = bool(question.speaker) and bool(REACTION.search(question.text))
        for ev in windows:
            ev.speaker_ok = ev.source not in namesakes and (
                any(attributed(ev.sentences, i, question.speaker) for i in range(ev.first, ev.last + 1))
                or credited_in_article(self._article_text(ev.source), ev, question.speaker)
                # "How did Hamas react …": what they did answers too ("Hamas officials have issued statements …").
                or (reaction and acts(ev, question.speaker))
            )
        matches = self.matches(question, windows, [ev.speaker_ok for ev in windows])
        # A question naming two reports ("in the Times of Israel report … and in the September
        # 2024 report") asks across articles: then no article is ruled out.
        picks = self.articles_asked_for(question)
        dated_picks = bool(picks) and self.articles is not None and any(self.articles.date(p) for p in picks)
        idf = rarity(question, [w.text for w in windows])
        places = asked_places(question, {w.passage.chunk.chunk_id: w.passage for w in windows}.values())
        moment = asked_moment(question)
        for ev, similarity in zip(windows, matches, strict=True):
            lexical = lexical_overlap(question, ev.text, idf, ev.context)
            score = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * lexical
            ev.slot = window_slot(question, ev, self.similarity) or (
                ev.source not in namesakes and self._speaker_in_article(question, ev)
            )
            if places and not all(mentions(f"{ev.passage.chunk.title} {ev.text}", place) for place in places):
                ev.slot = False  # a figure or date for somewhere else than the place asked about
            if not speaks_of_moment(moment, f"{ev.context} {ev.text}"):
                ev.slot = False  # a figure from another moment than the one asked about
            score *= 1.0 if ev.slot else SLOT_MISSING
            # Where and what the window is, whatever is asked of it: the clauses are scored with it too.
            ev.placement = 1.0 if _FINISHED.search(ev.text) and not ev.caption else HEADING  # captions too
            if picks and ev.source not in picks:
                ev.placement *= WRONG_ARTICLE if not dated_picks else WRONG_DATE
            score *= ev.placement
            if echoes(question, ev.fact_text):
                score *= ECHO
            part = part_match(question.text, ev.text, ev.context)
            ev.slot = ev.slot and part != "other"  # the first stage's terms do not answer for the second's
            score *= PART_MISSING if part in ("other", "none") else 1.0
            if question.focus_stems and not question.focus_stems & stems(ev.text):
                score *= FOCUS_MISSING
            if question.speaker and not ev.speaker_ok:
                score *= NOT_ATTRIBUTED
            named = new_name(question, ev.text, ev.passage.chunk.text)
            if question.answer_type in ("person", "entity", "place") and not named:
                score *= NO_NEW_NAME
            ev.score = score

    def matches(
        self, question: Question, windows: list[Evidence], credited: Sequence[bool] | None = None
    ) -> list[float]:
        """rag.token_match's score of each window for the question (or a clause of it). The question's
        names (not its speaker, who must be in the window) may be met in the window's context. A window
        `credited` to the speaker (rag.attribution: "…,” he said") meets the speaker's name as its context would: else
        the lead spelling out "US Ambassador Jack Lew" outranks the sentence where Lew says what is asked."""
        spoken = frozenset(w.lower() for w in question.speaker.split())
        names = frozenset(w.lower() for name in question.names for w in name.split()) - spoken
        return self.tokens.scores(
            matching_text(self.articles, question),
            [w.text for w in windows],
            [w.context_pieces for w in windows],
            names,
            credited=credited,
            speaker=spoken,
        )

    def _speaker_in_article(self, question: Question, ev: Evidence) -> bool:
        """A statement question's window counts when its article names the speaker: a "he says"
        two sentences after another name is beyond the attribution detector, not proof of absence."""
        if question.answer_type != "statement" or self.articles is None:
            return False
        facts = self.articles.get(ev.source)
        if facts is None:
            return False
        return in_vocabulary(question.speaker, facts.words)

    def _article_text(self, source: str) -> str:
        facts = self.articles.get(source) if self.articles is not None else None
        return facts.text if facts is not None else ""

    def _namesake_only(self, question: Question, source: str) -> bool:
        """The article's person of that surname is someone else ("Anneke Solberg" for "Frida Solberg")."""
        return bool(question.speaker) and someone_else(question.speaker, self._article_text(source))

    def report_targets(self, question: Question) -> tuple[tuple[str, ...], list[set[str]]]:
        return report_targets(self.articles, question)

    def articles_asked_for(self, question: str | Question) -> set[str]:
        return articles_asked_for(self.articles, self.parse(question) if isinstance(question, str) else question)

    def parse(self, question: str) -> Question:
        """The question as rag.question reads it, knowing the indexed articles' outlets."""
        return parse_question(question, self.articles.outlet_names if self.articles is not None else ())

    def similarity(self, text: str, others: list[str]) -> list[float]:
        """Cosine of `text` to each of `others` (cached embeddings)."""
        head, *rest = self.embed([text, *others])
        return [_dot(head, v) for v in rest]

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised sentence vectors (a dot product is the cosine), cached per process."""
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            self._cache.update(zip(new, self.embedder.get_text_embedding_batch(new), strict=True))
        return [self._cache[t] for t in texts]


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))
