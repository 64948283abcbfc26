"""How well a window's words match a question's: weighted term overlap, and the small tests
that tell a heading, an echo of the question or the wrong article from an answer.

Hand-written: llama-index's BM25 ranks whole chunks, but here a handful of candidate
sentences must be weighed by the question's names and numbers, with terms every candidate
shares weighted down.
"""

from __future__ import annotations

import itertools

from rag.question import Question
from rag.words import MONTHS, WEEKDAYS, is_stopword, normalise, numbers, stems


def lexical_overlap(question: Question, text: str, idf: dict[str, float] | None = None, context: str = "") -> float:
    """Weighted share of the question's facts in the text: numbers 3, names 2, other terms 1,
    each term also weighted by how rare it is among the candidate windows (`idf`), so a name
    every window shares ("Albenque" in an article about Albenque) does not decide the ranking.
    Names may also be in the `context` the text leaves them to (Evidence.context)."""
    text_stems = stems(text) | (stems(context) & question.name_stems)
    text_numbers = numbers(normalise(text))
    idf = idf or {}
    # Who spoke is judged by the attribution check, not rewarded here: otherwise any
    # sentence naming the speaker outranks the one that holds the fact.
    weights = {
        s: (2.0 if s in question.name_stems else 1.0) * idf.get(s, 1.0) for s in question.stems - question.speaker_stems
    }
    total = sum(weights.values()) + 3.0 * len(question.numbers)
    got = sum(w for s, w in weights.items() if s in text_stems)
    got += 3.0 * len(question.numbers & text_numbers)
    return got / total if total else 0.0


def rarity(question: Question, texts: list[str]) -> dict[str, float]:
    """A weight in (0.25, 1] per question term: 1 when few candidate windows hold it, less when most do."""
    window_stems = [stems(t) for t in texts]
    out = {}
    for term in question.stems:
        share = sum(term in ws for ws in window_stems) / max(1, len(window_stems))
        out[term] = max(0.25, 1.0 - share)
    return out


def echoes(question: Question, sentence: str) -> bool:
    """A short sentence whose words are nearly all the question's own: a heading, not an answer."""
    words = stems(sentence)
    if len(sentence.split()) > 12 or not words:
        return False
    new = words - question.stems - question.name_stems
    return len(new) / len(words) < 0.34 and not numbers(sentence) - question.numbers


def new_name(question: Question, text: str, context: str = "") -> bool:
    """ "Who …", "which airline …", "where …": the text names someone or something the question does
    not (one test for the answer's slot and for ranking, rag.slots and rag.evidence). A capitalised word
    counts when it stands inside a sentence, or starts one and is capitalised inside one too ("Hamas
    said …" where "Hamas" recurs, here or in the `context` before it: "Okafor, 52, made …" after
    "the financier Piers Okafor") or goes on into another capitalised word ("Saltmere Terminals,
    which runs …"); "Thick fog forced …" names nothing, nor do weekdays and months."""
    asked = {w.lower() for name in question.names for w in name.split()} | {w.lower() for w in question.text.split()}
    raw = text.split()
    words = [w.strip(".,;:’'\"“”()") for w in raw]
    inside = {  # line by line: a headline's last word ends no sentence with a full stop
        w.strip(".,;:’'\"“”()")
        for line in f"{context}\n{text}".splitlines()
        for before, w in itertools.pairwise(line.split())
        if w[:1].isupper() and not before.endswith((".", "?", "!"))
    }
    for k, word in enumerate(words):
        low = word.lower()
        if not word[:1].isupper() or low in asked or low in WEEKDAYS or low in MONTHS or is_stopword(word):
            continue
        starts = k == 0 or raw[k - 1].endswith((".", "?", "!", ":"))
        follows = k + 1 < len(words) and words[k + 1][:1].isupper()
        if not starts or word in inside or follows:
            return True
    return False


def date_matches(date: str, question: Question) -> bool:
    year, month = date[:4], date[5:7]
    months = {f"{i:02d}": m for i, m in enumerate(MONTHS, start=1)}
    year_ok = not question.years or year in question.years
    month_ok = not question.months or months.get(month, "") in question.months
    return year_ok and month_ok


def outlet_words(outlet: str) -> list[str]:
    """The words an article must have to name the outlet when its title does not ("of" and "the" aside)."""
    return [w.lower().strip("'’") for w in outlet.split() if w.lower() not in {"of", "the"}]
