"""What a question asks for: its names, numbers, key terms, the speaker it names, the answer type.

Hand-written because no library here parses questions: spaCy/NER models would need a
download, and these few patterns are what the extractive answerer and the verifier need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*|\d[\d,.]*%?")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SPEAKER = re.compile(
    r"\b(?i:what|how)\s+(?i:did|does|do|has|have)\s+(?P<a>(?:[A-Z][\w’'\-]*\s?)+?)\s+"
    r"(?i:say|said|tell|told|claim|state|think|describe|announce)\b"
    r"|\b(?i:according to)\s+(?P<b>(?:[A-Z][\w’'\-]*\s?)+)"
    r"|\b(?i:did)\s+(?P<c>(?:[A-Z][\w’'\-]*\s?)+?)\s+(?i:say|claim|state)\b"
)
_TOPIC = re.compile(r"\b(?:about|on|regarding)\s+(?P<topic>[^?]+)\??\s*$", re.IGNORECASE)
_EXTRA_STOP = {
    "say", "said", "says", "tell", "told", "according", "many", "much", "also", "would", "could",
    "did", "does", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
}  # fmt: skip
_COUNT_Q = re.compile(r"\bhow (?:many|much|long)\b|\bwhat (?:number|percentage|share|proportion)\b", re.I)
_TIME_Q = re.compile(r"^\s*when\b|\bwhat (?:day|date|month|year)\b|\bhow long\b", re.I)


@cache
def _stopwords() -> frozenset[str]:
    from llama_index.core.utils import globals_helper

    return frozenset(globals_helper.stopwords) | _EXTRA_STOP


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """Lowercase with straight apostrophes and 'percent' as '%', for fact matching."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return re.sub(r"\s*(?:per ?cent)\b", "%", text)


_MONTH_DAY = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.IGNORECASE)


def numbers(text: str) -> set[str]:
    """Numbers with thousands separators removed: '1,200' and '1200' match."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def fact_numbers(text: str) -> set[str]:
    """Numbers a question asks about; the day in "October 7" names an event, not a quantity."""
    return numbers(_MONTH_DAY.sub(" ", text))


def stems(text: str) -> set[str]:
    words = [w.lower().strip("’'-") for w in _WORD.findall(text) if not w[0].isdigit()]
    content = [w.removesuffix("'s") for w in words if w not in _stopwords() and len(w) > 1]
    return set(_stemmer().stemWords(content))


def _name_words(name: str) -> list[str]:
    """Distinctive words of a name: acronyms ('US') keep their case, other words are lowercased."""
    words = []
    for word in name.replace(".", "").split():
        if word.isupper() and len(word) > 1:
            words.append(word)
        elif len(word) > 2 and word.lower() not in _stopwords():
            words.append(word.lower().replace("’", "'").removesuffix("'s"))
    return words


def _words(text: str) -> set[str]:
    """Lowercased words, plus acronyms as written with dots dropped ('U.S.' -> 'US')."""
    lowered = {w.removesuffix("'s").strip("'") for w in re.findall(r"[\w']+", normalise(text))}
    acronyms = {w for w in re.findall(r"\b[\w']+\b", text.replace(".", "")) if w.isupper() and len(w) > 1}
    return lowered | acronyms


def mentions(text: str, name: str) -> bool:
    """True when any distinctive word of a (possibly multi-word) name occurs in text."""
    found = _words(text)
    return any(w in found for w in _name_words(name))


def vocabulary(texts: list[str]) -> frozenset[str]:
    """Every word of a corpus, for 'is this name in the articles at all?'."""
    return frozenset(w for text in texts for w in _words(text))


def in_vocabulary(name: str, vocab: frozenset[str]) -> bool:
    words = _name_words(name)
    return not words or any(w in vocab for w in words)


@dataclass(frozen=True)
class Question:
    text: str
    names: tuple[str, ...]  # capitalised words/phrases other than question words
    numbers: frozenset[str]
    stems: frozenset[str]
    name_stems: frozenset[str]  # stems of `names`, weighted higher when scoring
    speaker_stems: frozenset[str]  # stems of `speaker`, left out of the overlap score
    speaker: str  # the person the question says spoke, "" if none
    topic: str  # what the speaker is asked about, for the attribution note
    wants_count: bool
    wants_time: bool


def parse_question(text: str) -> Question:
    speaker_match = _SPEAKER.search(text)
    speaker = ""
    if speaker_match:
        speaker = next(g for g in speaker_match.groups() if g).strip()
    topic_match = _TOPIC.search(text)
    names = capitalised_names(text)
    return Question(
        text=text,
        names=tuple(names),
        numbers=frozenset(fact_numbers(text)),
        stems=frozenset(stems(text)),
        name_stems=frozenset(stems(" ".join(names))),
        speaker_stems=frozenset(stems(speaker)),
        speaker=speaker,
        topic=topic_match.group("topic").strip() if topic_match else "",
        wants_count=bool(_COUNT_Q.search(text)),
        wants_time=bool(_TIME_Q.search(text)),
    )


def capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words, minus sentence-initial question words and stopwords."""
    names: list[str] = []
    current: list[str] = []
    for word in re.findall(r"[\w’'\-]+|[^\w\s]", text):
        clean = re.sub(r"[’']s$", "", word)
        if clean[:1].isupper() and clean.lower() not in _stopwords() and clean != "I":
            current.append(clean)
            continue
        if current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return names
