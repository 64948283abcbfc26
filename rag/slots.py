"""Does an evidence window hold the kind of thing the question asks for?

Answerability is decided on the asked slot, not on topicality: a question can name only
things the articles mention and still ask for a fact they lack ("how many aid trucks", "who
was the defence minister", "on what calendar date"). Each test here is one such kind; a
window that fails it may still be shown as context, but it cannot be the answer.
Hand-written because no NER or QA model ships here (see OFFLINE-NOTES).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rag.money import has_amount, wants_money
from rag.question import REPORT_NOUN, Question
from rag.relevance import new_name
from rag.retrieval import Passage
from rag.roles import fills_role
from rag.speech import WHO_VERBS, reports_speech
from rag.words import MONTHS, NUMBER_WORDS, QUANTITY_WORDS, mentions, normalise, numbers, stems

# cosine (MiniLM) between the counted thing asked about and the noun after a number:
# "houses"/"homes" and "captives"/"hostages" pass, "trucks"/"hectares" do not.
FOCUS_SIMILAR = 0.5

_TIME = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|"
    r"aug|sept?|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    r"tonight|tomorrow|week|weeks|month|months|year|years|day|days|ago|earlier|later|since|until|"
    r"(?:19|20)\d\d|\d{1,2}:\d\d)\b",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_CALENDAR = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b\d{{4}}-\d\d-\d\d\b", re.IGNORECASE)
_WANTS_CALENDAR = re.compile(r"\b(?:calendar date|what date|which date|exact date|on what date)\b", re.I)
_WANTS_EXACT = re.compile(r"\bexact(?:ly)?\b|\bprecise(?:ly)?\b", re.IGNORECASE)
# The thing counted when the number comes after it: "the number of people ordered out … to 4,100".
_NUMBER_OF = re.compile(r"\b(?:number|total|tally|count)\s+of\s+(?P<noun>[A-Za-z][\w\-]*(?:\s+[A-Za-z][\w\-]*)?)", re.I)
_BARE_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?![\d,.]\d)")
_DAY_OF_MONTH = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b", re.IGNORECASE)
# The thing counted: the words after a number ("46 homes", "some 800 Palestinian prisoners").
_COUNTED = re.compile(
    rf"(?:\d[\d,.]*%?|\b(?:{NUMBER_WORDS})(?:-(?:{NUMBER_WORDS}))?)"
    rf"(?=(?P<noun>-(?!(?:{NUMBER_WORDS})\b)\w+|(?:\s+[A-Za-z][\w\-]*){{1,3}}))",
    re.IGNORECASE,
)
# A death toll, however asked ("the number of dead", "deaths", "the toll") or told ("were killed").
_DEATHS = frozenset(stems("dead death deaths died killed murdered slain fatalities casualties toll bodies"))
# ...asked for outright ("the death toll", "how many died"), not "the casualty toll" nor "how many
# were wounded in the strike that killed five".
# "the death toll of the IDF-Hezbollah fighting", "the number of Norvik flights": the figure is for
# what is named there; a toll from another front is not the asked one (however alike its words).
_OF_NAMED = re.compile(
    r"\b(?:toll|number|count|figure|total|tally|cost)s?\s+(?:of|from|for)\s+(?:the\s+)?"
    r"([A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*)*)"
)
_ASKED_DEATHS = frozenset(stems("dead death deaths died killed fatalities"))
_HARMED = re.compile(r"\b(?:wound|injur|hurt|casualt)", re.IGNORECASE)
# "How many people …" is met by "12 fishermen", "two men" or "40 detainees".
_PEOPLE = frozenset(stems("people persons individuals"))
# Who a news report relies on, which it names in several ways: sources, officials, diplomats, people.
_INFORMANTS = frozenset(stems("sources officials diplomats insiders aides"))
_ASKED_INFORMANTS = frozenset(stems("sources insiders"))  # not "how many officials": those are counted as such
_PERSONS = frozenset(["men", "women", "children", "people", "captives", "hostages", "civilians", "residents", "crew"])
_PERSON_NOUN = re.compile(r"[a-z]+(?:men|ers|ors|ists|ians|ees|ants|ents)")
_WANTS_PERCENT = re.compile(r"\bwhat (?:percentage|percent)\b|\bhow many percent\b", re.IGNORECASE)
_PERCENT_OF = re.compile(
    r"\bwhat (?:percentage|percent|share|proportion) of (?:the\s+)?(?P<what>[\w’'\- ]+)",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercent(?:age)?\b", re.IGNORECASE)
# "in Aurelia", "at Valdmora": a proper name after a preposition of place (not "in the Hamas attack").
# Or "in the Harbourside district": a name the noun after it says is a place.
_IN_PLACE = re.compile(
    r"\b(?:in|at|inside|within)\s+(?:the\s+(?=[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*)*\s+"
    r"(?:district|region|province|county|ward|constituency|area|neighbou?rhood|quarter|valley)\b))?"
    r"([A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*)*)"
)
_HAPPENED_PARTICIPLE = re.compile(r"\s*(?:was|were|has|have|had)\s+(?P<clause>[^,;?]+)", re.IGNORECASE)
# A trailing "when …" clause of a question that asks for something else ("how many …"), not a
# leading one ("When the walkout began, what …"), which sets the scene for every part.
_WHEN_CLAUSE = re.compile(r"\S\s+(?:when|by the time|at the time|during)\s+(?P<moment>[^,;?]+)\??\s*$", re.IGNORECASE)


# Only anticipates: "will take charge for Sunday's match", "agreed to refer it by the end of May".
_PROSPECTIVE = re.compile(
    r"\b(?:will|would|could|can|may|might|shall|(?:plans?|planned|expects?|expected|due|set|aims?|hopes?|intends?|"
    r"agreed|going) to|subject to|yet to|not yet|(?:is|are) due)\b",
    re.IGNORECASE,
)

# "Who told the press that…", "who vowed that…": the answer is whoever is reported saying it.
_WHO_SAID = re.compile(rf"^\s*who\s+(?:(?:first|publicly|later|also)\s+)?(?:{WHO_VERBS})\b", re.IGNORECASE)

Similarity = Callable[[str, list[str]], list[float]]

# How an abstention names what no sentence gave, by answer type.
SLOT_NAMES = {
    "entity": "an organisation for this",
    "number": "a number for this",
    "date": "a time for this",
    "person": "a person for this",
    "place": "a place for this",
    "statement": "words attributed to the person asked about",
    "reason": "a reason for this",
    "other": "an answer",
}


def anticipates(text: str) -> bool:
    """The sentence speaks of what is to happen, so it cannot say how things turned out."""
    return bool(_PROSPECTIVE.search(text))


def slot_filled(
    question: Question,
    text: str,
    similarity: Similarity | None = None,
    dated: bool = False,
    context: str = "",
    chunk: str = "",
) -> bool:
    """Whether `text` holds the kind of answer asked for (statements are judged by attribution).
    `context` (the headline and the sentence before) may say whose the role is ("Norvik"); `chunk`
    (the text around) may give in full a name `text` repeats ("Okafor, 52, made his fortune …")."""
    kind = question.answer_type
    if kind == "number":
        return _has_quantity(question, text, similarity)
    if kind == "date":
        if _WANTS_CALENDAR.search(question.text):
            # The article's date answers only for a sentence that places the event in its week
            # ("on Monday"); a sentence with no time in it says nothing of when.
            return bool(_CALENDAR.search(text)) or (dated and bool(_TIME.search(text)))
        return bool(_TIME.search(text))
    if kind == "entity":
        return new_name(question, text, chunk)
    if kind == "person":
        if _WHO_SAID.search(question.text) and not reports_speech(text):
            return False  # no one is reported saying anything here
        return fills_role(question, text, context)
    return True


def asked_places(question: Question, passages: Iterable[Passage]) -> list[str]:
    """ "How many people does Quillon employ in Aurelia?": the places a figure or a date is asked
    for, where they narrow the question: named in under half of the retrieved `passages`. A figure for
    somewhere else (the company-wide total) is not the asked one; but "in Gaza" in a corpus about
    Gaza is the story's setting, which a sentence may leave unsaid."""
    if question.answer_type not in ("number", "date"):
        return []
    places = [m.group(1) for m in _IN_PLACE.finditer(question.text) if m.group(1) in question.names]
    counted = [m.group(1) for m in _OF_NAMED.finditer(question.text) if m.group(1) in question.names]
    # "IDF-Hezbollah": both sides are named ("the IDF" alone is another front).
    counted = [part for name in counted for part in name.split("-") if part[:1].isupper()]
    if not places and not counted:
        return []
    texts = [f"{p.chunk.title} {p.chunk.text}" for p in passages]  # read only when a place is asked
    # What is counted ("the toll of the IDF-Hezbollah fighting") narrows unless every passage names
    # it: retrieval brings the passages naming it, so "under half" would wave it through.
    return [p for p in places if 2 * sum(mentions(text, p) for text in texts) < len(texts)] + [
        c for c in counted if not all(mentions(text, c) for text in texts)
    ]


def asked_event(question: Question) -> str:
    """The event a "did it happen" question asks about, as a stem: "Was the stolen astrolabe ever
    recovered?" -> "recov". Read from "was/were/has/have/had … <participle>" only (the last
    participle of the first clause: "stolen" describes, "recovered" is asked); "" otherwise."""
    if not question.wants_outcome:
        return ""
    match = _HAPPENED_PARTICIPLE.match(question.text)
    if not match:
        return ""
    participles = [w for w in re.findall(r"[a-z]+", match.group("clause")) if w.endswith(("ed", "en"))]
    return next(iter(stems(participles[-1])), "") if participles else ""


_MONTH_STEMS = frozenset(stems(" ".join(MONTHS)))


def asked_moment(question: Question) -> frozenset[str]:
    """ "How many aircraft were fighting the fire when it was finally contained?", "… during the
    weeklong truce in late November?": the moment a figure is asked for, as key stems. A figure
    from another moment (the aircraft on the first day) is not the asked one: a window must say
    at least half of what the question says of that moment (`speaks_of_moment`)."""
    if question.answer_type != "number":
        return frozenset()
    match = _WHEN_CLAUSE.search(question.text)
    if not match or re.search(rf"\b{REPORT_NOUN}\b|\b(?:published|written)\b", match.group("moment"), re.I):
        # "… at the time of the March report": which article, picked by its date (rag.asked_reports),
        # not a moment the sentence must speak of.
        return frozenset()
    # "… during Blinken's February trip": the month picks the article (rag.asked_reports), whose
    # sentences need not repeat it.
    return frozenset(stems(_unhyphenated(match.group("moment")))) - _MONTH_STEMS


def speaks_of_moment(moment: frozenset[str], text: str) -> bool:
    """`text` says at least half of what the question says of the asked moment (`asked_moment`)."""
    return not moment or 2 * len(moment & stems(_unhyphenated(text))) >= len(moment)


def _unhyphenated(text: str) -> str:
    """ "week-long" and "weeklong" are one word to a reader, so they are one here."""
    return re.sub(r"(?<=[a-z])-(?=[a-z])", "", text, flags=re.IGNORECASE)


def _has_quantity(question: Question, text: str, similarity: Similarity | None) -> bool:
    plain = _DAY_OF_MONTH.sub(" ", text)
    # A year is not a count; "1,900 passengers" is (normalised, both read "1900").
    years = set(_BARE_YEAR.findall(plain))
    digits = {n for n in numbers(normalise(plain)) if n not in years}
    if _WANTS_PERCENT.search(question.text):
        # A share is a percentage, not a count; and a share of what was asked ("of Gaza's buildings",
        # not "of the population").
        of = _PERCENT_OF.search(question.text)
        whole = stems(_head_noun(of.group("what"))) if of else set()
        return bool(_PERCENT.search(plain)) and whole <= stems(plain)
    if _WANTS_EXACT.search(question.text):
        return bool(digits)
    if not (digits or QUANTITY_WORDS.search(plain)):
        return False
    if wants_money(question.text):
        return has_amount(plain, years)
    if not question.focus_stems and stems(question.text) & _ASKED_DEATHS and not _HARMED.search(question.text):
        return bool(stems(plain) & _DEATHS)  # "What is the death toll …": a figure of the dead, not any figure
    if not question.focus_stems or re.search(r"\bhow much\b", question.text, re.IGNORECASE):
        return True  # "how much rain": the number comes with a unit ("182 millimetres"), not the noun
    counted = [m.group("noun").strip(" -") for m in _COUNTED.finditer(plain)]
    counted += [m.group("noun") for m in _NUMBER_OF.finditer(plain)]  # "the number of people … to 4,100"
    if any(_counts_the_same(question.focus_stems, question.focus, noun) for noun in counted):
        return True
    if question.focus_stems & _DEATHS and stems(plain) & _DEATHS:
        return True  # "the number of dead": "27 people were killed", "the toll rose to 31"
    if similarity is None or not counted:
        return False
    # The words as asked, not their stems: MiniLM knows "houses", not "hous".
    return max(similarity(question.focus, counted), default=0.0) >= FOCUS_SIMILAR


def _counts_the_same(asked_stems: frozenset[str], asked: str, noun: str) -> bool:
    """The counted noun is the asked one, a compound of it ("fishermen" for "men", "dockworkers"
    for "workers"; not "women"), people of some kind when people are asked for ("two men"), or
    people when people of some kind are asked for ("residents": "4,600 people had to leave")."""
    if asked_stems & stems(noun):
        return True
    if asked_stems & _ASKED_INFORMANTS and stems(noun) & _INFORMANTS:
        return True  # "how many sources": the article counts them as "four officials familiar with the talks"
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", noun)]
    if any(w.endswith(a) and len(w) - len(a) >= 4 for a in asked.lower().split() for w in words):
        return True
    if asked_stems & _PEOPLE:
        return any(w in _PERSONS or _PERSON_NOUN.fullmatch(w) for w in words)
    # "How many residents …" and "the number of people who had to leave": people, of the asked kind.
    return bool(stems(" ".join(words[:1])) & _PEOPLE) and any(
        w in _PERSONS or _PERSON_NOUN.fullmatch(w) for w in asked.lower().split()
    )


def _head_noun(phrase: str) -> str:
    """ "Gaza's buildings" -> "buildings", "voters back the union" -> "voters": the first plain word."""
    words = phrase.split()
    return next((w for w in words if not w[:1].isupper() and not w.endswith(("'s", "’s"))), words[0] if words else "")
