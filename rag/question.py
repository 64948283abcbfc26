"""What a question asks for: its names, numbers, key terms, the speaker it names, the answer type.

Hand-written because no library here parses questions: spaCy/NER models would need a
download, and these few patterns are what the extractive answerer and the verifier need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.asked_speaker import asked_speaker
from rag.comparison import comparison_sides
from rag.names import question_names
from rag.ordinals import ORDINALS
from rag.outlets import clean_outlet, expand_acronym, named_outlets, outlets_mentioned
from rag.speech import QUESTION_VERBS
from rag.words import MONTHS, ROLE_NOUNS, fact_numbers, is_demonym, is_stopword, numbers, stems

# Not "what was he insisting on by late August": a time is when, not what about.
_TOPIC = re.compile(
    r"\b(?:about|on|regarding)\s+(?!(?:by|in|during|before|after|until|since|at)\b)(?P<topic>[^?]+)\??\s*$",
    re.IGNORECASE,
)
# Asks how something turned out, which an article written before the outcome cannot say.
_OUTCOME_Q = re.compile(
    r"\b(?:eventually|ultimately|finally|actually|in the end|ever|end(?:ed|s)? up)\b|\b(?:result|outcome|verdict) of\b"
    # "What did the regulator decide in its final ruling?", "How did the court rule?": a decision made.
    r"|\bfinal (?:ruling|decision|verdict|judg(?:e)?ment)\b|\b(?:did|has|have|had)\b[^?]*\b(?:decide|rule)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(
    r"\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b(?!.*\bor\b)", re.IGNORECASE
)
# "Did parliament approve the funding?", "Was the astrolabe recovered?": whether something came to pass.
_HAPPENED_Q = re.compile(r"\s*(?:did|has|have|had|was|were)\b(?!.*\bor\b)", re.IGNORECASE)
# ...but "did Netanyahu see any alternative?" asks what someone said or thought, not what happened.
_ASKS_VIEW = re.compile(rf"\b(?:{QUESTION_VERBS})\b", re.IGNORECASE)
_COUNT_Q = re.compile(r"\bhow (?:many|much|long)\b|\bwhat (?:number|percentage|share|proportion)\b", re.I)
# "When the crews were seized, what did the minister say?": a clause setting the scene, then the
# question; what is asked is in the question, not in the "when".
_SETTING = re.compile(
    r"^\s*(?:when|after|before|while|once|as soon as)\b[^?]*?,\s*"
    r"(?=(?:what|who|whom|whose|how|which|where|why|did|does|do|was|were|is|are|has|have|had)\b)",
    re.IGNORECASE,
)


_MONTH = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
REPORT_NOUN = r"(?:report|article|piece|story|coverage|account|reporting|dispatch|update|item)s?"
_REPORT = REPORT_NOUN
# "the March and September reports": more than one report named with one noun.
PLURAL_REPORTS = re.compile(r"\b(?:reports|articles|stories|pieces|accounts|dispatches|updates|items)\b", re.I)
# "the Times of Israel piece", "according to the Ledger's story": the outlet picks an article.
_OUTLET = re.compile(
    rf"\b(?P<outlet>(?:[A-Z][\w’'\-]*\s)*?(?:of\s)?(?:[A-Z][\w’'\-]*)(?:\s\d{{1,3}})?)(?:[’']s)?\s+{_REPORT}\b"
)  # "the Channel 12 report": a broadcaster's number is part of its name
_PART_CUE = re.compile(
    r"\b(?:both|respectively|differ|differs|difference|differences|compare|compared|comparison|contrast|versus|vs)\b"
    # "how did A and B each respond", "each of the reports"; not "each affected customer", "each day".
    r"|\beach\b(?!\s+(?:day|night|week|month|year|time)\b)(?=\s*(?:[?,.;]|$|of\b|other\b|[a-z]+\s*(?:[?,.;]|$)|[a-z]+\s+(?:about|on|to|for|the|that|in|with)\b))"
    r"|\bbetween the (?:reports|articles|stories|accounts)\b|\b(?:reports|articles|accounts) (?:say|give|put)\b"
    # "How did the number of strikers change over the dispute?": each report's figure, in turn.
    r"|\b(?:chang|evolv|shift)\w*\s+(?:over|across|between|from|during|through(?:out)?)\b",
    re.IGNORECASE,
)
# "Do the Herald and the Courier agree …": across the two named sources (alone, "did Israel agree" is not).
_AGREE = re.compile(r"\b(?:agree|agreed|disagree|disagreed|consistent)\b", re.IGNORECASE)
_ORDINAL_PARTS = re.compile(
    r"\b(?P<noun>phase|stage|round|part)s?\s+(?P<a>\w+)\s+(?:and|&)\s+(?P<b>\w+)"
    r"|\b(?P<a2>\w+)\s+(?:and|&)\s+(?P<b2>\w+)\s+(?P<noun2>phase|stage|round|part)s\b",
    re.IGNORECASE,
)
# "each of the three phases", "in all four stages": every numbered part, one by one.
_COUNTED_PARTS = re.compile(
    r"\b(?:each of|all(?: of)?|both(?: of)?)\s+(?:the\s+)?(?P<n>two|three|four|[2-4])\s+"
    r"(?P<noun>phase|stage|round|part)s\b",
    re.IGNORECASE,
)
_FOCUS = re.compile(
    r"\bhow (?P<kind>many|much)\s+(?P<focus>[\w’'\- ]+)"
    # "the same figure for hostages", "their counts of trucks": the counted thing follows "for"/"of".
    # "the figures for the number of people killed": the counted thing is past the second "of".
    r"|\b(?P<kind2>figure|number|count|total|estimate)s? (?:for|of) (?:the\s+)?"
    r"(?:(?:number|count|total|tally) of (?:the\s+)?)?(?P<focus2>[\w’'\- ]+)",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r",?\s+(?:and|but)\s+(?=(?:what|how|when|who|whom|which|where|why|did|does|do|is|was|were|has|had)\b)"
    r"|;\s*",
    re.IGNORECASE,
)
_TYPES = (
    ("date", re.compile(r"^\s*(?:and\s+|so\s+)?when\b"
                        r"|\b(?:what|which|on which|at what)\s+(?:\w+\s+)?(?:day|date|month|year|time)\b", re.I)),
    ("number", re.compile(
        r"\bhow (?:many|much|long|large|big|old|far)\b|\bwhat (?:number|percentage|percent|share|proportion|"
        r"fraction|portion|figure|toll|amount|total|sum)\b|\bwhat (?:was|is) the (?:death )?toll\b"
        r"|\b(?:death|casualty) tolls?\b"
        # "Did the reports give the same figure for …", "their numbers on …": the figures are asked for.
        r"|\b(?:same|different|their|the)(?: [a-z]+ed)? "
        r"(?:figures?|numbers?|counts?|totals?|tolls?|estimates?) (?:for|of|on)\b",
        re.I)),
    ("person", re.compile(rf"^\s*(?:who|whom|whose)\b"
                          rf"|\bwhich (?:[\w’'\-]+\s+){{0,2}}?(?:person|member|{ROLE_NOUNS})s?\b"
                          # "What is the name of the Egyptian official …", "the names of the leaders"
                          rf"|\bnames? of (?:the )?(?:[\w’'\-]+\s+){{0,3}}?(?:person|people|member|{ROLE_NOUNS})s?\b",
                          re.I)),
    ("entity", re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?(?:firm|company|companies|organi[sz]ation|group|agency|"
                          r"outlet|newspaper|team|club|party|body|union|institution|publication|ministry|airline|carrier|bank|broadcaster|network|"
                          r"court|council|committee|faction|militia)\b", re.I)),
    ("place", re.compile(r"^\s*where\b|\b(?:which|what|in which|in what) (?:two |three |other )?"
                         r"(?:city|cities|country|countries|place|location|capital|town|region)\b", re.I)),
    ("reason", re.compile(r"^\s*why\b|\bwhat (?:reason|caused|led to)\b|\bfor what reason\b", re.I)),
)  # fmt: skip


@dataclass(frozen=True)
class Question:
    """What a question asks: the slot to fill, who it credits, its parts, and which articles it means."""

    text: str
    names: tuple[str, ...]  # proper names in the question (not sentence-initial words, months, outlets)
    numbers: frozenset[str]  # quantities the question states (not years, not the day of a date)
    stems: frozenset[str]  # key terms, without the words that only pick an article
    name_stems: frozenset[str]  # stems of `names`, weighted higher when scoring
    speaker_stems: frozenset[str]  # stems of `speaker`, left out of the overlap score
    speaker: str  # the person the question says spoke, "" if none
    topic: str  # what the speaker is asked about, for the attribution note
    answer_type: str  # statement, date, number, person, place, reason or other
    parts: tuple[str, ...]  # the things a many-part question asks about one by one
    compare: bool  # "how do the reports differ": one piece of evidence per article
    years: frozenset[str]  # years named; they pick articles when an article is dated then
    months: frozenset[str]  # month names (lowercase), likewise
    outlet: str  # an outlet or report named to pick an article ("the Times of Israel piece")
    outlets: tuple[str, ...]  # every outlet named ("the New York Times and the Times of Israel reports")
    reports_named: int  # "the Al Jazeera report and the Times of Israel report": 2, a question across articles
    focus: str  # what a "how many"/"how much" asks the number of, as written ("houses")
    focus_stems: frozenset[str]  # the same, stemmed
    clauses: tuple[str, ...]  # "what did A want, and what did B offer?": one clause per asked thing
    wants_outcome: bool  # "how was it eventually resolved?", "did parliament approve it?": asks how things turned out

    @property
    def wants_count(self) -> bool:
        return self.answer_type == "number"

    @property
    def across(self) -> bool:
        """Asks for more than one article's account: "how do the reports differ", "how did A and B
        each respond" (not "mediating between Israel and Hamas": two names, one fact)."""
        return self.compare or (len(self.parts) > 1 and bool(_PART_CUE.search(self.text) or _AGREE.search(self.text)))

    @property
    def yes_no(self) -> bool:
        """ "Did Netanyahu see any alternative…?": answered with yes or no and the reason."""
        return bool(_YES_NO.match(self.text))

    @property
    def wants_time(self) -> bool:
        return self.answer_type == "date" or bool(re.search(r"\bhow long\b", self.text, re.I))


@lru_cache(maxsize=512)
def parse_question(text: str, known_outlets: tuple[str, ...] = ()) -> Question:
    """What the question asks (cached: retrieval, ranking and composition each read it, and a
    Question is frozen). `known_outlets` are the indexed articles' outlets (their metadata):
    a question naming one of them ("the Ledger", "Northwind Radio's tally") picks its articles,
    however it is phrased, and the outlet is not a word to find in the text."""
    topic_match = _TOPIC.search(text)
    outlet_match = _OUTLET.search(text)
    outlet = clean_outlet(outlet_match.group("outlet")) if outlet_match else ""
    if outlet and is_stopword(outlet.split()[0]):
        outlet = " ".join(outlet.split()[1:])
    months = frozenset(m.lower() for m in _MONTH.findall(text))
    reports_named = len(re.findall(rf"\b{_REPORT}\b", text, re.IGNORECASE))
    mentioned = outlets_mentioned(text, known_outlets)
    outlets = tuple(dict.fromkeys(expand_acronym(o, mentioned) for o in (*named_outlets(text), *mentioned)))
    outlet = expand_acronym(outlet, mentioned)
    # "The Times of Israel's March report": the outlet is the whole name, not "Israel".
    outlet = next((o for o in outlets if outlet and outlet != o and o.endswith(f" {outlet}")), outlet)
    outlets = tuple(o for o in outlets if not any(o != other and o in other for other in outlets))
    if not outlet and len(outlets) == 1:
        outlet = outlets[0]
    speaker, role, according = asked_speaker(text, outlets)
    names = [
        n
        for n in question_names(text, exclude=outlet)
        if not any(n in o for o in outlets) and expand_acronym(n, outlets) == n  # not "NYT" either
    ]
    parts = _parts(text, names, speaker)
    drop = stems(" ".join((outlet, *outlets))) | stems(" ".join(months))
    drop |= {"report", "articl", "piec", "stori"} if outlet or outlets else set()
    return Question(
        text=text,
        names=tuple(names),
        numbers=frozenset(n for n in fact_numbers(text) - numbers(outlet) if not _YEAR.fullmatch(n)),
        stems=frozenset(stems(text) - drop),
        name_stems=frozenset(stems(" ".join(names))),
        speaker_stems=frozenset(stems(f"{role} {speaker}")),  # "the US ambassador Lew": all of it names him
        speaker=speaker,
        topic=topic_match.group("topic").strip() if topic_match else "",
        answer_type=_answer_type(text, speaker, according),
        parts=parts,
        # "…in the Al Jazeera report and the Times of Israel report": one piece of evidence per article.
        compare=(bool(_PART_CUE.search(text)) or reports_named > 1) and len(parts) < 2,
        years=frozenset(_YEAR.findall(text)),
        months=months,
        outlet=outlet,
        outlets=outlets,
        reports_named=reports_named,
        focus=_focus(text),
        focus_stems=frozenset(stems(_focus(text))),
        clauses=comparison_sides(text) or _clauses(text),
        wants_outcome=bool(_OUTCOME_Q.search(text) or (_HAPPENED_Q.match(text) and not _ASKS_VIEW.search(text))),
    )


def _clauses(text: str) -> tuple[str, ...]:
    """ "What did A want, and what did B offer?" as its two questions; () for a one-part question."""
    if not _CLAUSE.search(text):
        return ()
    return tuple(c.strip(" ,;") for c in _CLAUSE.split(text) if c.strip(" ,;?"))


def _answer_type(text: str, speaker: str, according: bool = False) -> str:
    """What kind of answer is asked for. "What did X say" asks for a statement; "What percentage …,
    according to X" still asks for a number, which X must be the source of."""
    if speaker and not according:
        return "statement"
    main = _SETTING.sub("", text)
    for kind, pattern in _TYPES:
        if pattern.search(main):
            return kind
    return "statement" if speaker else "other"


_PARTICIPLE = re.compile(r"[a-z]+ed|held|taken|kept|left|seen|killed|hurt|built|sold|lost|won", re.IGNORECASE)


def _focus(text: str) -> str:
    """The counted thing: "How many aid trucks entered Gaza?" -> "aid trucks"."""
    match = _FOCUS.search(text)
    if not match:
        return ""
    words = []
    # A name before the counted thing says whose it is: "how many Sable Air flights" counts flights.
    asked = (match.group("focus") or match.group("focus2")).split()
    kind = (match.group("kind") or "many").lower()
    while len(asked) > 1 and asked[0][:1].isupper() and asked[1][:1].isupper():
        asked.pop(0)
    named = len(asked) > 1 and asked[0][:1].isupper() and not is_demonym(asked[0].rstrip("s"))
    if named and not is_stopword(asked[1]):
        asked.pop(0)
    for word in asked[: 2 if kind == "many" else 1]:
        # "the number of men freed": a participle after the noun says what happened to them
        if is_stopword(word) or (words and _PARTICIPLE.fullmatch(word)):
            break
        words.append(word)
    return " ".join(words)


def _parts(text: str, names: list[str], speaker: str) -> tuple[str, ...]:
    """The parts of "how did A and B each respond" or "what happens in phases two and three"."""
    ordinal = _ORDINAL_PARTS.search(text)
    if ordinal:
        noun = (ordinal.group("noun") or ordinal.group("noun2")).lower()
        a, b = (ordinal.group("a") or ordinal.group("a2")), (ordinal.group("b") or ordinal.group("b2"))
        if a.lower() in ORDINALS and b.lower() in ORDINALS:
            return (f"{noun} {a.lower()}", f"{noun} {b.lower()}")
    counted = _COUNTED_PARTS.search(text)
    if counted:
        count = int(ORDINALS.get(counted.group("n").lower(), counted.group("n")))
        return tuple(f"{counted.group('noun').lower()} {n}" for n in range(1, count + 1))
    if _PART_CUE.search(text) or re.search(r"\b(?:and|or)\b", text):
        joined = re.findall(
            r"([A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*)*)\s*(?:,|and|or|versus|vs\.?)\s+(?:the\s+)?([A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*)*)",
            text,
        )
        for a, b in joined:
            if a in names and b in names and speaker not in (a, b):
                return (a, b)
    return ()
