"""Answer without an LLM: quote the evidence windows that answer, cite each one.

Each answer sentence is a verbatim evidence window (rag.evidence), so a citation can never
misstate its source. The work here is composition: cover every part of a many-part
question, give each article's figure when reports are compared, add what the asked
speaker did say when the fact belongs to someone else, and stay short.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer import ABSTAIN_TEXT, Answer, as_quoted_text, cite
from rag.attribution import opens_quote
from rag.evidence import EvidenceRanker, Ranking
from rag.ordinals import numbered_parts, ordinal_key
from rag.outlets import is_report_of
from rag.question import Question
from rag.retrieval import Passage
from rag.speaker_topic import NEAR_CHARS, acts, distance
from rag.windows import Evidence, with_antecedent
from rag.words import MONTHS, WEEKDAYS, is_stopword, mentions, stems

# Runners-up: a further window must score this close to the best one (same article or
# another). Chosen on dev (both corpora): at 0.85/0.75 answers held the gold facts for 54%
# of answerable dev questions, at 0.7 for 64%, at 0.6 for 66% but averaged 78 words.
FOLLOW_UP_RATIO = 0.65
OTHER_SOURCE_RATIO = 0.65
PART_RATIO = 0.5  # evidence for one part of a many-part question may score this much lower
CLAUSE_HIT = 0.9  # a chosen window matching a clause this nearly as well as its best window answers it
MAX_ANSWER_WORDS = 80  # a runner-up is added only while the answer stays this short
MAX_ANSWER_WORDS_ACROSS = 120  # ...or this, for another article's figure or date
NEXT_RATIO = 0.75  # ...or the sentence after the best one, this close (dev: 0.65 and 0.75 alike, 0.85 -2 seeds)
# A question across articles ("how do the reports differ", "what do A and B each say") needs each
# article's account, and the ranking finds it less surely: more windows, fewer words each.
ACROSS_RATIO = 0.0
MAX_ACROSS_WORDS = 150
GOES_ON_WORDS = 40  # the asked speaker's next sentence is added when it is this short (`_goes_on`)
_NEAR_DUPLICATE = 0.9
_QUOTE_MARK = re.compile(r"[“”\"]")
_CALENDAR_WORDS = frozenset(MONTHS) | WEEKDAYS


class ExtractiveAnswerer:
    """Composes answers from the evidence stage's ranking."""

    def __init__(self, evidence: EvidenceRanker) -> None:
        self.evidence = evidence
        self.settings = evidence.settings

    def answer(self, question: str, passages: list[Passage], ranking: Ranking | None = None) -> Answer:
        ranking = ranking or self.evidence.rank(question, passages)
        if ranking.abstain_reason:
            return _abstain(question, [ranking.abstain_reason], ranking.best)
        chosen = choose(ranking, self.settings.max_answer_sentences)
        return _compose(question, ranking.question, chosen, ranking.best, ranking.targets)


def choose(ranking: Ranking, limit: int) -> list[Evidence]:
    """The best window, then one per part / article / the speaker's own words, then close runners-up."""
    question, ranked = ranking.question, ranking.ranked
    best = ranked[0]
    chosen = [best]

    def add(ev: Evidence | None) -> None:
        if ev is not None and len(chosen) < limit and not any(_same(ev, c) for c in chosen):
            chosen.append(ev)

    floor = PART_RATIO * best.score
    kin = _names_by_source(ranked)

    def related(ev: Evidence) -> bool:  # the best window's article, or one naming what it names (one story)
        return ev.source == best.source or bool(kin[ev.source] & kin[best.source])

    if question.parts:
        for part in question.parts:
            if not any(covers(c, part) for c in chosen):
                add(next((e for e in ranked if e.score >= floor and covers(e, part)), None))
    for i, _clause in enumerate(question.clauses):
        top = max((e for e in ranked if e.score >= floor and related(e)), key=lambda e: e.clause_scores[i])
        if not any(c.clause_scores[i] >= CLAUSE_HIT * top.clause_scores[i] for c in chosen):
            add(top)
    if question.compare and question.clauses and len(chosen) > 1 and not any(chosen[0].clause_scores):
        chosen.pop(0)  # the best overall answers neither side of the comparison: the sides' windows do
    spoken = bool(question.speaker)  # then a report is covered by the asked speaker's words only
    for i, _name in enumerate(ranking.targets):  # one window from each report the question names
        if not any(c.target == i and (c.speaker_ok or not spoken) for c in chosen):
            # An outlet with several articles: its report on this story, the article whose windows
            # name most of what the best window's article names (then the best scoring window of it).
            candidates = [e for e in ranked if e.target == i and e.slot]
            # ...and in it, the asked speaker's words first ("how did Hamas react according to …").
            add(
                max(
                    candidates,
                    key=lambda e: (len(kin[e.source] & kin[best.source]), bool(question.speaker) and e.speaker_ok),
                    default=None,
                )
            )
    if (
        spoken
        and best in chosen
        and not best.speaker_ok
        and any(c.speaker_ok and c.target == best.target >= 0 for c in chosen)
    ):
        chosen.remove(best)  # "how did Hamas react, per A and B": Hamas's words in A, not A's best match
    if question.compare and not ranking.targets:  # named reports have their window each already
        for ev in ranked:
            if ev.score >= OTHER_SOURCE_RATIO * best.score and ev.slot and all(ev.source != c.source for c in chosen):
                add(ev)
    if question.speaker and not best.speaker_ok:
        add(_speakers_own_words(ranked, best, floor))
    if question.speaker and best.speaker_ok and not _QUOTE_MARK.search(best.text):
        add(_quoted_words(ranked, best, floor))
    if question.speaker and best.speaker_ok:
        add(_goes_on(ranked, best))
    if question.answer_type == "person":
        add(_introduction(ranked, best, question))
    across = question.across or bool(ranking.targets)
    budget = MAX_ACROSS_WORDS if across else MAX_ANSWER_WORDS
    for ev in (_trimmed(e, question) for e in ranked[1:]):
        if across and not related(ev):
            continue  # an article that names nothing the best one's names: another story, whatever its words
        words = sum(len(c.text.split()) for c in chosen)
        if len(chosen) >= limit or words >= budget:
            break
        new_source = all(ev.source != c.source for c in chosen)
        ratio = ACROSS_RATIO if across else OTHER_SOURCE_RATIO if new_source else FOLLOW_UP_RATIO
        # Another report's figure or date is worth more words: reports of one event often differ.
        other_report = new_source and question.answer_type in ("number", "date")
        # The sentence right after the best one, nearly as good, usually finishes its thought ("…
        # troops remaining along the border. Under the proposal they would patrol part of it …").
        next_to_best = distance(ev, best) <= 1 and ev.start >= best.end and ev.score >= NEXT_RATIO * best.score
        room = MAX_ANSWER_WORDS_ACROSS if other_report or next_to_best else 0
        fits = words + len(ev.text.split()) <= max(budget, room)
        if ev.slot and ev.score >= ratio * best.score and fits:
            add(ev)
    return [with_antecedent(c, chosen) for c in chosen]


def _names_by_source(ranked: list[Evidence]) -> dict[str, set[str]]:
    """The names (capitalised words not opening a sentence) in each article's retrieved windows: two
    reports of one story share them ("Pellridge", "Corran Ridge"); another story has its own."""
    names: dict[str, set[str]] = {}
    for ev in ranked:
        found = re.findall(r"(?<=[\w,;:’'\"”] )[A-Z][a-z]{2,}", ev.text)
        names.setdefault(ev.source, set()).update(w for w in found if w.lower() not in _CALENDAR_WORDS)
    return names


def _trimmed(ev: Evidence, question: Question) -> Evidence:
    """A runner-up without the sentence after its fact, unless the question asks what someone
    said or the fact sentence leaves a quote open: the quote's continuation is for attribution."""
    if question.answer_type == "statement" or ev.last == ev.fact or opens_quote(ev.fact_text):
        return ev
    return replace(ev, end=ev.fact_end, last=ev.fact)


def _introduction(ranked: list[Evidence], best: Evidence, question: Question) -> Evidence | None:
    """For "who …" answers that name someone by surname only ("…,” Brandt said."), the sentence of
    the same article that introduces them in full ("the mayor, Hallie Brandt, …"), if retrieved."""
    asked = {w.lower() for w in question.text.split()}
    # The first word too: "Brandt defended the plan …" opens with the surname.
    surnames = {w.strip(".,;:’'”\"“") for w in best.text.split() if w[:1].isupper() or w[:2] == "“"} - {""}
    surnames = {w for w in surnames if w.lower() not in asked and w[:1].isupper() and not is_stopword(w.lower())}
    full = [rf"\b[A-Z][\w’'\-]+ {re.escape(name)}\b" for name in surnames]
    if any(re.search(pattern, best.text) for pattern in full):
        return None  # the answer already gives the full name
    for ev in ranked:
        if ev.source == best.source and not ev.overlaps(best) and any(re.search(p, ev.fact_text) for p in full):
            return _trimmed(ev, question)
    return None


def _speakers_own_words(ranked: list[Evidence], best: Evidence, floor: float) -> Evidence | None:
    """What the asked speaker did say, when the best evidence is someone else's: in the same
    article, the nearest such window (it speaks to the same topic); otherwise the best one."""
    nearby = [e for e in ranked if e.speaker_ok and e.source == best.source and distance(e, best) <= NEAR_CHARS]
    if nearby:
        return min(nearby, key=lambda e: distance(e, best))
    return next((e for e in ranked if e.speaker_ok and e.score >= floor), None)


def _quoted_words(ranked: list[Evidence], best: Evidence, floor: float) -> Evidence | None:
    """ "Kirby claims … that progress was made": the speaker's own words, when the same article quotes
    them ("“There has been progress made …,” he says"): a reader is owed what was said, not only the gist."""
    return next(
        (
            e
            for e in ranked
            if e.speaker_ok
            and e.slot
            and e.source == best.source
            and e.score >= floor
            and _QUOTE_MARK.search(e.text)
            and not _same(e, best)
        ),
        None,
    )


def _goes_on(ranked: list[Evidence], best: Evidence) -> Evidence | None:
    """ "Hamas said the proposal was “a reversal” …" and then "Hamas accused the United States of
    bowing to “new conditions”": the speaker's next sentence finishes what they said, however few of
    the question's words it repeats (half an answer is what a reader forgives least)."""
    return next(
        (
            e
            for e in ranked
            if e.speaker_ok
            and e.source == best.source
            and e.start >= best.end
            and distance(e, best) <= 1
            and len(e.text.split()) <= GOES_ON_WORDS
        ),
        None,
    )


def _same(a: Evidence, b: Evidence) -> bool:
    """Overlapping windows, or the same words twice (a photo caption repeated in the article)."""
    if a.overlaps(b):
        return True
    sa, sb = stems(a.text), stems(b.text)
    return len(sa & sb) / max(1, min(len(sa), len(sb))) > _NEAR_DUPLICATE


def covers(ev: Evidence, part: str) -> bool:
    """Does this window speak to one part: a name it mentions, or "phase two" as "second phase"?"""
    noun, number = ordinal_key(part)
    if not noun:
        return mentions(ev.text, part)
    return (noun, number) in numbered_parts(ev.text)  # "the second phase" covers "stage two"


def _label(ev: Evidence, targets: tuple[str, ...]) -> str:
    """Which report a window is from, in words its citation shows: the outlet when the cited
    chunk or its headline names it, else the article's date or headline."""
    chunk = ev.passage.chunk
    # The label names the outlet only where the cited text or headline does: the quote must bear it out.
    text = " ".join(chunk.text.lower().split())
    if ev.target >= 0 and is_report_of(chunk.title, text, targets[ev.target]):
        return f"The {targets[ev.target]} report: "
    if chunk.stated_date:
        return f"The article dated {chunk.stated_date}: "
    title = " ".join(chunk.title.split()[:8])
    return f"“{title}…”: " if title else f"{chunk.source}: "


def _compose(
    question: str, parsed: Question, chosen: list[Evidence], best: float, targets: tuple[str, ...] = ()
) -> Answer:
    citations = [cite(i, c.passage.chunk, c.start, c.end) for i, c in enumerate(chosen, start=1)]
    labelled = (parsed.compare or bool(targets)) and len({c.source for c in chosen}) > 1
    lines = [
        f"{_label(c, targets) if labelled else ''}{as_quoted_text(c.text)} [{i}]" for i, c in enumerate(chosen, start=1)
    ]
    notices: list[str] = []
    dated = next((i for i, c in enumerate(chosen, start=1) if c.passage.chunk.stated_date), None)
    if parsed.wants_time and dated is not None:
        lines.append(f"Article [{dated}] is dated {chosen[dated - 1].passage.chunk.stated_date}. [{dated}]")
    # "Tamm rejected the offer." answers what Tamm said of it with what Tamm did: nothing to correct.
    if parsed.speaker and not chosen[0].speaker_ok and not acts(chosen[0], parsed.speaker):
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
