"""Did the asked speaker say anything on the asked topic? "What did Kirby say about the executions?"

When the best evidence for a "what did X say about T" question is not X's, the answer may still
be right: X's own words sit next to the fact (Miller's "sticking points" beside the 90% figure),
or the question credits X with words the articles give to someone else ("What did Kirby say about
the response creating space?": Blinken said it) and the reader is owed the correction. Otherwise
the articles hold something on T but nothing X said on it, and quoting that as X's answer would
misattribute: the question is unanswerable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.attribution import anonymous_source, credits, present_pointer, present_speaker_before, speaks
from rag.relevance import lexical_overlap
from rag.sentences import sentence_spans
from rag.speech import reports_speech
from rag.words import mentions

if TYPE_CHECKING:
    from rag.question import Question
    from rag.token_match import TokenMatcher
    from rag.windows import Evidence

_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
NEAR_CHARS = 300  # the asked speaker's words this close to the fact speak to the same topic
# A statement by someone else answers for a misattributed question when it holds this share of what
# the question asks (rag.relevance.lexical_overlap, the speaker's name left out). Dev splits of the
# six sets, against 0.6: 0.8 +2/-0 questions (someone else's words on a part of the topic, "the
# union would ballot" for "the strike ballot result", no longer answer), 1.0 +2/-3.
RESTATES = 0.8
# A name of the topic counts as said by the speaker when their windows meet it this well (rag.token_match
# `met`): a name they have scores about 0.9, "Washington" for Lew's "United States" 0.52 (narrowly:
# in other sentences it is 0.34), the Philadelphi Corridor or Rafah in windows on other things
# 0.16-0.37 (seeds dev questions).
NAME_MET = 0.5


def said_nothing_on(question: Question, ranked: Sequence[Evidence], tokens: TokenMatcher | None = None) -> str:
    """The abstention note when the best answering window is someone else's and the asked speaker
    said nothing near it, and it does not restate the question; "" when the answer may stand."""
    if not question.speaker or question.answer_type != "statement" or not ranked:
        return ""
    best = ranked[0]
    topic = f" about {question.topic}" if question.topic else " on this"
    if best.speaker_ok:
        # X's words answer best, but none of X's windows names what the topic names ("What did Albanese
        # say about the Philadelphi Corridor?" and she spoke of aid): X spoke, on something else. Only a
        # name or a number of the topic is looked for: its common words are what X says in other words
        # ("about timing before he flew home": "it needs to get done in the days ahead").
        # The name is looked for in other words too ("Washington" for the United States), by the
        # speaker's windows' token vectors (rag.token_match): met at NAME_MET or better.
        own = [piece for e in ranked if e.speaker_ok for piece in (*e.pieces, *e.context_pieces)]
        names = topic_names(question)
        said = " ".join(own)
        unsaid = [w for w in names if not _said(w, said)]
        if unsaid and tokens is not None:
            met = tokens.met(question.text, unsaid, [own])
            unsaid = [w for w in unsaid if met[w] < NAME_MET]
        if unsaid:
            return f"The articles report {question.speaker} speaking on other matters, not{topic}."
        return ""
    if acts(best, question.speaker):
        return ""
    if any(e.speaker_ok and e.source == best.source and distance(e, best) <= NEAR_CHARS for e in ranked):
        return ""
    # "According to Channel 12, …" names a source, not a speaker the question could have mixed up.
    spoken = reports_speech(_ACCORDING.sub("", best.text)) and not anonymous_source(best.text)
    if spoken and restates(question, best) >= RESTATES:
        return ""
    return f"The articles do not report {question.speaker} saying anything{topic}."


def topic_names(question: Question) -> list[str]:
    """The words of the names and the numbers the asked topic holds, not the speaker's: "the
    Philadelphi Corridor" -> ["Philadelphi", "Corridor"]; "IDF-Hezbollah" -> ["IDF", "Hezbollah"]."""
    if not question.topic:
        return []
    spoken = set(question.speaker.split())
    words = [w for name in question.names if name in question.topic for w in re.split(r"[\s\-]+", name)]
    words += [n for n in question.numbers if n in question.topic]
    return [w for w in dict.fromkeys(words) if w and w not in spoken]


def _said(word: str, text: str) -> bool:
    """The word stands in the text on its own or as part of a hyphenated one ("IDF-Hezbollah")."""
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text, re.IGNORECASE) is not None


def credited_in_article(article_text: str, ev: Evidence, speaker: str) -> bool:
    """A "…,” he says" window whose speaker was named before its chunk began ("Kirby claims …" a
    paragraph earlier): read the article (rag.article_facts keeps it, lowercased) up to the window."""
    if not article_text or not present_pointer(" ".join(ev.pieces)):
        return False
    at = article_text.find(" ".join(ev.fact_text.lower().split()))
    if at <= 0:
        return False
    before = article_text[max(0, at - 3000) : at]
    return present_speaker_before([before[s.start : s.end] for s in sentence_spans(before)], speaker)


def acts(ev: Evidence, name: str) -> bool:
    """Some sentence of the window is `name`'s doing or saying (rag.attribution.credits)."""
    return any(credits(ev.sentences[i], name) for i in range(ev.first, ev.last + 1))


def restates(question: Question, ev: Evidence) -> float:
    """How much of what the question asks the window holds: rag.relevance's overlap, which leaves the
    speaker's name out (the same test `rag.evidence.window_slot` makes of a misattributed quote).
    0 when the words are those of someone else the question names: "How did Herzog respond to
    Blinken?" is not answered, nor corrected, by what Blinken said at their meeting."""
    others = [n for n in question.names if not mentions(question.speaker, n)]
    if any(speaks(ev.sentences[i], name) for name in others for i in range(ev.first, ev.last + 1)):
        return 0.0
    return lexical_overlap(question, ev.text, context=ev.context)


def distance(a: Evidence, b: Evidence) -> int:
    """Characters between two windows of one article (0 when they touch or overlap)."""
    return max(0, a.start - b.end, b.start - a.end)
