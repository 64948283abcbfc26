"""Numbered parts of a plan or a contest: "phase two", "the second stage", "Phase II", "round 3".

A question about one part ("who goes free in the second stage") is not answered by a sentence
about another ("the first stage would last six weeks"), though the two share nearly every
word; and "stage" and "phase" name the same thing. Hand-written: a few patterns, no parser.
"""

from __future__ import annotations

import re

ORDINALS = {
    "one": "1", "first": "1", "two": "2", "second": "2", "three": "3", "third": "3", "four": "4",
    "fourth": "4", "i": "1", "ii": "2", "iii": "3",
}  # fmt: skip
_KIND = {"phase": "phase", "stage": "phase", "round": "round", "part": "part", "leg": "leg"}
# Before the noun only an ordinal ("second stage"; "three-part deal" says how many parts); after it
# a number too ("phase two", "Phase II", "round 3").
_BEFORE = r"(?:first|second|third|fourth|[1-4](?:st|nd|rd|th))"
_AFTER = r"(?:one|two|three|four|I{1,3}|[1-4])"
_NOUN = r"(?:phase|stage|round|part|leg)"
# "the first 45-day phase", "the second and final stage": a word or two may come between.
_MENTION = re.compile(
    rf"\b(?P<a>{_BEFORE})(?:\s+[\w\-]+){{0,2}}?[\s\-]+(?P<n1>{_NOUN})s?\b|\b(?P<n2>{_NOUN})\s+(?P<b>{_AFTER})\b", re.I
)


def ordinal_key(part: str) -> tuple[str, str]:
    """("phase", "2") for "phase two", "second phase" or "Phase II"; ("", "") if not ordinal."""
    words = part.lower().split()
    if len(words) == 2 and (words[1] in ORDINALS or words[1].isdigit()):
        return _KIND.get(words[0], words[0]), ORDINALS.get(words[1], words[1])
    return "", ""


def numbered_parts(text: str) -> set[tuple[str, str]]:
    """The numbered parts `text` names, as (kind, number): {("phase", "2")} for "the second stage"."""
    found = set()
    for m in _MENTION.finditer(text):
        word = (m.group("a") or m.group("b")).lower()
        noun = (m.group("n1") or m.group("n2")).lower()
        number = ORDINALS.get(word) or (word[0] if word[0].isdigit() else "")  # "2nd" -> "2"
        if number:
            found.add((_KIND[noun], number))
    return found


def part_match(question: str, text: str, context: str = "") -> str:
    """For a question about one numbered part: "asked" when `text` (or the `context` before it: "During
    the first phase, …" then "Israel would withdraw …") names that part, "other" when it names only
    another of that kind ("the first stage …" for the second stage), "none" when it names none, and
    "" when the question asks about no one part ("phases two and three": the parts logic handles those)."""
    asked = numbered_parts(question)
    if len(asked) != 1:
        return ""
    ((kind, number),) = asked
    named = {n for k, n in numbered_parts(text) if k == kind}
    if number in named or (not named and number in {n for k, n in numbered_parts(context) if k == kind}):
        return "asked"
    return "other" if named else "none"
