"""Whom a question asks to have said something: "What did Miller say …", "according to Lew, …",
"How did Matthew Miller, speaking for the State Department, characterise …", "What was Kirby's
description …", "What parting message did Blinken give …".

Hand-written for the reason rag.question is (no parser ships here). Each capitalised word is
matched whole (possessive quantifiers): a word split at its capitals ("IDF" as "I" + "DF") made a
question written in capitals backtrack for minutes.
"""

from __future__ import annotations

import re

from rag.outlets import clean_outlet, same_outlet
from rag.speech import QUESTION_VERBS
from rag.words import MONTHS, ROLE_NOUNS

_SPEAKER = re.compile(
    rf"\b(?i:what|how|why)\s+(?i:did|does|do|has|have|was|is)\s+(?P<role>the\s+(?:[\w\-]+\s+){{0,4}}?|(?:[\w\-]+\s+){{0,3}}?(?i:{ROLE_NOUNS})\s+)?"
    # Not "how did Biden's claim …": a possessive is a noun phrase's, not a speaker's.
    # An adverb may stand between: "How did Netanyahu publicly react …".
    # So may an appositive: "How did Matthew Miller, speaking for the State Department, characterise …".
    # Not the place a role is of ("the US ambassador to Israel"): rag.role_speakers reads that role.
    rf"(?<!\sto\s)(?<!\sof\s)(?<!\sfor\s)(?<!\sto\sthe\s)(?<!\sof\sthe\s)(?<!\sfor\sthe\s)(?P<a>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+?)(?![’']s\b)(?:,[^,?]{{3,60}},)?\s+(?:(?:[a-z]+ly|first|later|also|then)\s+)?"
    rf"(?i:{QUESTION_VERBS})\b"
    r"|\b(?i:according to)\s+(?!the\b)(?P<b>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+)(?![’']s\b)"
    r"|\b(?i:did)\s+(?P<c>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+?)(?![’']s\b)\s+(?i:say|claim|state)\b"
    r"|\b(?i:what|which)\s+(?i:was|were|is|are)\s+(?P<d>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+?)[’']s\s+"
    r"(?i:message|assessment|view|position|response|reaction|warning|comment|remark|argument|claim|explanation|"
    r"description|account|characteri[sz]ation|verdict)"
    # "What parting message did Blinken give reporters …": the words a named person gave.
    r"|\b(?i:what|which)\s+(?:[\w\-]+\s+){0,2}?(?i:message|words|warning|remarks?|comments?|assessment|"
    r"explanation|reason|answer|reply|response|pledge|promise|description|account|verdict|prediction)\s+"
    r"(?i:did|does|had|has)\s+(?P<f>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+?)(?![’']s\b)\s+"
    r"(?i:give|offer|deliver|send|make|issue|have|share|provide)\b"
    # One side of a comparison (rag.comparison): "Blinken's reaction to the plan".
    r"|^(?P<e>(?:[A-Z][\w\-]*+(?:[’'][A-Z][\w\-]*+)?\s?)+?)[’']s\s+(?i:assessment|view|position|response|reaction|comments?|remarks?|account|description|version|explanation)\b"
)
# "Why did X say / describe / announce …" asks about X's words; other verbs, about X's acts.
_WHY_SAID = re.compile(
    r"\b(?:say|tell|describe|characteri[sz]e|claim|insist|argue|announce|deny|warn|dismiss)\s*$", re.IGNORECASE
)


def asked_speaker(text: str, outlets: tuple[str, ...] = ()) -> tuple[str, str, bool]:
    """(the speaker, the role words before the name, whether the question only cites them as its
    source: "according to X, how many …" asks a number, not X's words)."""
    for match in _SPEAKER.finditer(text):
        found = next(v for k, v in match.groupdict().items() if v and k != "role").strip()
        if match.group(0)[:3].lower() == "why" and not _WHY_SAID.search(match.group(0)):
            continue  # "Why did Biden call Netanyahu?" asks a reason for an act, not Biden's words
        # Not "according to Al Jazeera" (which report, not who is quoted in it): then whoever the rest
        # of the question has speaking ("According to the Times, how did Hamas characterise …").
        # Nor "What did the February report say …": a month names an article, not a speaker.
        if found.lower() in MONTHS:
            continue
        if not found.endswith(("'s", "’s")) and not any(same_outlet(o, clean_outlet(found)) for o in outlets):
            return found, match.group("role") or "", bool(match.group("b"))
    return "", "", False
