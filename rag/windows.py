"""Evidence windows: the sentence that holds a fact plus what a reader needs to trust it.

A window is the fact sentence, plus the sentence naming the speaker when the fact is a
"…, he said" quote, plus the quote it opens or that runs on (rag.attribution decides both).
Offsets are exact: `window.text == article_text[window.start:window.end]`. Ranking them is
rag.evidence's job; building them is this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.attribution import closes_quote, continues, opens_quote, points_back, quote_unit
from rag.retrieval import Passage
from rag.sentences import sentence_spans

MIN_SENTENCE_WORDS = 5  # shorter spans are headings or page furniture ("Most Popular")
SHORT_SENTENCE_WORDS = 3  # ... unless it is a finished clause with a verb: "Israel accepted the offer."
# A short span counts as a sentence when it ends like one and has a finite verb: a past tense or
# a common auxiliary. "Tesla Q2 2020 revenue." (a heading) has neither; "Vell rejected it." has.
_FINITE = re.compile(
    r"\b(?:[a-z]+ed|is|was|are|were|has|had|have|did|does|will|would|can|could|said|says|won|lost|"
    r"left|fell|rose|came|went|made|took|gave|met|held|told|began|broke|quit|resigned|refused)\b"
)
# A photo credit closes a caption: "(AP Photo/Nathan Howard)", "(Jack Guez/AFP)", "(Getty Images)".
_CREDIT = re.compile(r"\((?:[^()]*/[^()]*|[^()]*\b(?:Photo|Getty|AFP|Reuters|EPA)\b[^()]*)\)\s*$")
_ENDS = re.compile(r"[.!?][\"”’']?\s*$")
MAX_WINDOW_WORDS = 90  # a window stops growing here, so quotes stay short
# A sentence that opens on what the one before it said: "But Cairo and Hamas oppose the stance"
# (the stance is Netanyahu's demand to keep troops in the Philadelphi Corridor, named only in the
# sentence before), "This was the first …". A reader needs that sentence to know what is meant.
_ANAPHOR = re.compile(
    r"^(?:(?:But|And|Yet|So|However,?)\s+)?(?:(?:This|That|These|Those)\b(?!\s+(?:is|was)\s+(?:why|how|what|a\s+developing)|\s+(?:article|story|report|page|content|photo|week|month|year|day|morning|afternoon|evening|night|time|same)\b)"
    r"|[^.;:,]{0,60}?\b(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose)\s+(?:stance|move|demand|remarks|comments|idea|step|request|position)\b(?!\s+(?:of|that)\b))"
)


@dataclass
class Evidence:
    """A window of sentences in one chunk, around the sentence that holds the fact."""

    passage: Passage
    start: int  # absolute offsets of the window in the article
    end: int
    fact_start: int  # absolute offsets of the fact sentence
    fact_end: int
    sentences: list[str]  # the chunk's sentences (window indices below point into it)
    first: int
    fact: int
    last: int
    score: float = 0.0
    slot: bool = True
    speaker_ok: bool = False
    target: int = -1  # which of the reports the question names this window is from (-1: none)
    placement: float = 1.0  # the heading and wrong-article penalties, which hold for any question
    clause_scores: list[float] = field(default_factory=list)  # how well it answers each of the question's clauses
    notes: list[str] = field(default_factory=list)
    caption: bool = False  # a photo caption: its credit follows it ("… in Washington. (AP Photo/Nathan Howard)")

    @property
    def text(self) -> str:
        chunk = self.passage.chunk
        return chunk.text[self.start - chunk.start : self.end - chunk.start]

    @property
    def context(self) -> str:
        """What a reader has just read: the headline and the sentence before the window. News puts
        who and what in the lead ("Quillon must compensate 1.1 million customers") and the detail
        after it ("Each affected customer is entitled to 150 thal"), which names no one."""
        before = self.sentences[self.first - 1] if self.first > 0 else ""
        return f"{self.passage.chunk.title}. {before}"

    @property
    def pieces(self) -> tuple[str, ...]:
        """The window's sentences, which rag.token_match encodes (and caches) one by one."""
        return tuple(self.sentences[self.first : self.last + 1])

    @property
    def context_pieces(self) -> tuple[str, ...]:
        """`context` as its headline and sentence, likewise."""
        return (self.passage.chunk.title, self.sentences[self.first - 1] if self.first > 0 else "")

    @property
    def fact_text(self) -> str:
        return self.sentences[self.fact]

    @property
    def source(self) -> str:
        return self.passage.chunk.source

    def overlaps(self, other: Evidence) -> bool:
        return self.source == other.source and self.start < other.end and other.start < self.end


def evidence_windows(passages: list[Passage]) -> list[Evidence]:
    """One window per usable sentence of the retrieved chunks (a sentence seen twice counts once)."""
    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for passage in passages:
        chunk = passage.chunk
        spans = sentence_spans(chunk.text)
        texts = [chunk.text[s.start : s.end] for s in spans]
        for i, span in enumerate(spans):
            key = (chunk.source, chunk.start + span.start)
            if key in seen:
                continue
            first, last = _window(texts, i)
            if not _long_enough(" ".join(texts[first : last + 1])):
                continue
            seen.add(key)
            out.append(
                Evidence(
                    passage=passage,
                    start=chunk.start + spans[first].start,
                    end=chunk.start + spans[last].end,
                    fact_start=key[1],
                    fact_end=chunk.start + span.end,
                    sentences=texts,
                    first=first,
                    fact=i,
                    last=last,
                    caption=last + 1 < len(texts) and bool(_CREDIT.match(texts[last + 1])),
                )
            )
    return out


def with_antecedent(ev: Evidence, others: list[Evidence]) -> Evidence:
    """The window with the sentence before it when it opens on that sentence ("But Cairo and Hamas
    oppose the stance": the stance is named only before). Done to a chosen window, after ranking:
    grown before, the window scored the sentence before's words too and outranked better evidence."""
    if ev.first == 0 or not _ANAPHOR.match(ev.sentences[ev.first]):
        return ev
    before = ev.sentences[ev.first - 1]
    if not _long_enough(before) or not _ENDS.search(before) or _CREDIT.match(before):
        return ev  # a heading or a photo credit says nothing the sentence could point back to
    chunk = ev.passage.chunk
    span = sentence_spans(chunk.text)[ev.first - 1]
    start = chunk.start + span.start
    if any(o is not ev and o.source == ev.source and o.start < ev.start and start < o.end for o in others):
        return ev  # the sentence before is quoted already
    return replace(ev, start=start, first=ev.first - 1)


def _long_enough(text: str) -> bool:
    words = len(text.split())
    if words >= MIN_SENTENCE_WORDS:
        return True
    return words >= SHORT_SENTENCE_WORDS and bool(_ENDS.search(text)) and bool(_FINITE.search(text))


def _window(texts: list[str], i: int) -> tuple[int, int]:
    """Grow back to the sentence that names the speaker, forward over a quote that runs on."""
    first, last = i, i
    words = len(texts[i].split())
    while first > 0 and (
        (i - first < 2 and points_back(texts[first]) and continues(quote_unit(texts, first), texts[first - 1]))
        or closes_quote(" ".join(texts[first : i + 1]))
    ):
        words += len(texts[first - 1].split())
        if words > MAX_WINDOW_WORDS:
            break
        first -= 1
    while last + 1 < len(texts) and (
        opens_quote(" ".join(texts[first : last + 1]))
        or (last == i and points_back(texts[last + 1]) and continues(quote_unit(texts, last + 1), texts[last]))
    ):
        words += len(texts[last + 1].split())
        if words > MAX_WINDOW_WORDS:
            break
        last += 1
    return first, last
