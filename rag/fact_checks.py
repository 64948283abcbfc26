"""Ways a model sentence can hold only the source's words and still misstate it.

Verification's overlap test (rag.verification) accepts a sentence whose numbers, names and
most terms occur in the cited source. That lets through "Hamas rejected the proposal" for
"Hamas has yet to formally reject it" and "130 prisoners" for "130 hostages … 800 prisoners".
Each check compares the sentence with the one source sentence it paraphrases most closely.
Hand-written: no NLI model ships offline (see OFFLINE-NOTES), and both checks are about
single words next to each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.words import normalise, stems

_NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|without|yet to)\b|n't\b", re.IGNORECASE)
_NUMBER_AT = re.compile(r"\d[\d,]*(?:\.\d+)?%?")
# Quantities written as words: "four and a half months" is a duration the source must state.
# "one" is left out: it is a pronoun as often as a number.
_SMALL = (
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
SPELLED = {word: str(value) for value, word in enumerate(_SMALL, start=2)} | {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "hundreds": "100",
    "thousand": "1000",
    "thousands": "1000",
    "million": "1000000",
    "millions": "1000000",
    "billion": "1000000000",
    "dozen": "12",
    "dozens": "12",
    "half": "0.5",
    "twice": "2",
}
_SPELLED_AT = re.compile(r"\b(?:" + "|".join(sorted(SPELLED, key=len, reverse=True)) + r")\b")
NUMBER_REACH = 6  # words either side of a number in the source that may say what it counts
COUNTED_WORDS = 3  # words after a number in the model's sentence that say what it counts


_CLAUSE_BREAK = re.compile(r"\s*(?:[;:—–]|,\s*(?:and|but|while|whereas|after|before|as|which|who)\b|\s-\s)\s*")
MIN_SHARED = 2  # key terms a model clause and a source clause share before one is read as the other's paraphrase


def negation_flipped(sentence: str, units: Sequence[str]) -> str:
    """A clause of the sentence negated where the source clause it paraphrases is not, or the reverse
    ("Hamas rejected it" / "they have yet to formally reject it"); "" if none. Clause by clause, so
    "not all of them alive" elsewhere in the source sentence does not count."""
    pieces = [c for u in units for c in _CLAUSE_BREAK.split(u) if c]
    for clause in _CLAUSE_BREAK.split(sentence):
        terms = stems(clause)
        if not terms or not pieces:
            continue
        source = max(pieces, key=lambda p: len(terms & stems(p)))
        if len(terms & stems(source)) < MIN_SHARED:
            continue
        if bool(_NEGATION.search(normalise(clause))) != bool(_NEGATION.search(normalise(source))):
            return clause
    return ""


def spelled_numbers(text: str) -> set[str]:
    """The quantities `text` writes in words, as digits: a source's "two hostages" backs "2 hostages"."""
    return {SPELLED[m.group(0)] for m in _SPELLED_AT.finditer(normalise(text))}


def unstated_quantity(sentence: str, units: Sequence[str]) -> str:
    """A quantity written in words ("four and a half months") that no source sentence states, in
    words or digits; "" if none. The number check (rag.verification) reads digits only."""
    # "two-thirds" states "two": the spelled-number pattern finds it inside the hyphenated word.
    stated = {_value(w) for u in units for w in normalise(u).split()} | {n for u in units for n in spelled_numbers(u)}
    for match in _SPELLED_AT.finditer(normalise(sentence)):
        if SPELLED[match.group(0)] not in stated:
            return match.group(0)
    return ""


def misplaced_number(sentence: str, units: Sequence[str]) -> str:
    """A number the sentence counts something with that no source sentence counts it with, "" if none.

    "130 prisoners" fails against "Some 130 hostages … 800 prisoners": 130 is in the source, but
    the words around it there are about hostages. A number followed by no content word (a bare
    "90%.") is not judged.
    """
    text = normalise(sentence)
    for match in [*_NUMBER_AT.finditer(text), *_SPELLED_AT.finditer(text)]:
        after = text[match.end() :].split()[:COUNTED_WORDS]
        counted = stems(" ".join(after))
        if not counted:
            continue
        value = _value(match.group(0))
        near = [_around(normalise(u), value) for u in units]
        if any(near) and not any(counted & stems(" ".join(words)) for words in near if words):
            return match.group(0)
    return ""


def _around(text: str, value: str) -> list[str]:
    """The words within NUMBER_REACH of each occurrence of the number `value` in `text`."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if _value(word) == value:
            out += words[max(0, i - NUMBER_REACH) : i] + words[i + 1 : i + 1 + NUMBER_REACH]
    return out


def _value(word: str) -> str:
    """A word's number as digits ("four" and "4" alike, "1,200" as "1200"); other words unchanged."""
    bare = word.strip(".,;:()“”\"'").replace(",", "").rstrip("%")
    return SPELLED.get(bare, bare)
