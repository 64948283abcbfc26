"""The words of a text as the evidence stage compares them: stems, numbers, names, months.

Shared by question analysis, ranking and verification, so "1,200" meets "1200", "U.S." meets
"US" and "houses" meets "house" the same way everywhere.
"""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*|\d[\d,.]*%?")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_EXTRA_STOP = {
    "say", "said", "says", "tell", "told", "according", "many", "much", "also", "would", "could",
    "did", "does", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
}  # fmt: skip


@cache
def _stopwords() -> frozenset[str]:
    from llama_index.core.utils import globals_helper

    return frozenset(globals_helper.stopwords) | _EXTRA_STOP


def is_stopword(word: str) -> bool:
    return word.lower() in _stopwords()


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
    """Numbers a question asks about; the day in "October 7" names an event, not a quantity, and the
    number in a name ("RENOVA-3", "Halcyon-2") is part of the name."""
    return numbers(_NAMED_NUMBER.sub(" ", _MONTH_DAY.sub(" ", text)))


_NAMED_NUMBER = re.compile(r"\b[A-Za-z]+-\d+\b")


def stems(text: str) -> set[str]:
    words = [w.lower().replace("’", "'").strip("'-") for w in _WORD.findall(text) if not w[0].isdigit()]
    content = [w.removesuffix("'s") for w in words if w not in _stopwords() and len(w) > 1]
    return set(_stemmer().stemWords(content))


# Offices a person holds, as a regex alternation (singular; callers add "s?"): one list for the
# attribution detector ("the minister said"), the question's speaker ("US ambassador Jack Lew") and
# person questions ("which official"), so the three cannot drift apart.
ROLE_NOUNS = (
    r"prime minister|minister|president|chief|spokes\w+|director|envoy|ambassador|diplomat|leader|negotiator|"
    r"secretary|commander|executive|ceo|chair\w*|mayor|governor|judge|coach|manager|founder|owner|head|"
    r"official|investigator|adviser|advisor|delegate|rapporteur|senator|skipper|captain|lawyer|spokesperson"
)

# Words before a surname that are not a first name: "President Biden" is Biden.
_TITLES = {
    "president", "secretary", "minister", "prime", "ambassador", "general", "director", "envoy", "spokesperson",
    "spokesman", "spokeswoman", "chief", "mayor", "governor", "senator", "judge", "king", "queen", "prince", "sheikh",
    "mr", "mrs", "ms", "dr", "professor", "sir", "lord", "lady", "state", "deputy", "vice", "former", "coach",
}  # fmt: skip


def _first_and_surname(name: str) -> tuple[str, str] | None:
    """("frida", "solberg") for "Frida Solberg"; None for a surname alone, a title and surname or an acronym."""
    words = [w for w in _name_words(name) if w.lower() not in _TITLES]
    if len(words) < 2 or words[0].isupper():
        return None
    return words[0], words[-1]


def unknown_first_name(name: str, vocab: frozenset[str]) -> bool:
    """ "Frida Solberg" where the articles know a Solberg but no Frida: someone else of that surname."""
    parts = _first_and_surname(name)
    return parts is not None and parts[1] in vocab and parts[0] not in vocab


def someone_else(name: str, text: str) -> bool:
    """The lowercased `text` names another person of that surname and never this one: "anneke solberg"
    but no "frida solberg". Nicknames ("Bill" for "William") read as someone else: they are rare in
    questions, and a quote credited to the wrong namesake is the worse mistake."""
    parts = _first_and_surname(name)
    if parts is None:
        return False
    first, last = parts
    if f"{first} {last}" in text:
        return False
    before = set(re.findall(rf"\b([a-z][a-z'’\-]+) {re.escape(last)}\b", text))
    return bool(before - _TITLES - _stopwords() - _NOT_FIRST_NAMES)


_NOT_FIRST_NAMES = {"said", "says", "told", "added", "asked", "when", "while", "where", "after", "before"}


def _name_words(name: str) -> list[str]:
    """Distinctive words of a name: acronyms ('US') keep their case, other words are lowercased;
    a hyphen joins two words ('IDF-Hezbollah'), as it does where the text's words are read."""
    words = []
    for word in re.split(r"[\s\-‐–]+", name.replace(".", "")):
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


# Numbers in words ("two men", "some 800"), for counts and for what is not a name ("Two officials said").
NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousands|millions|dozens?|half|several"
)
QUANTITY_WORDS = re.compile(rf"\b(?:{NUMBER_WORDS}|third|quarter|no)\b", re.IGNORECASE)


MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_DEMONYM = re.compile(r"(?:an|ian|ese|ish|i)$")


def is_demonym(word: str) -> bool:
    """ "Egyptian", "Israeli", "Qatari", "Arab": a nationality, which the articles may write as a place."""
    return bool(_DEMONYM.search(word)) or word.lower() in _OTHER_DEMONYMS


# Nationalities the suffixes above miss.
_OTHER_DEMONYMS = {
    "arab",
    "arabs",
    "thai",
    "dutch",
    "swiss",
    "french",
    "greek",
    "czech",
    "welsh",
    "scots",
    "kurd",
    "kurds",
}


def is_utf8(text: str) -> bool:
    """False for text that carries undecodable bytes (as lone surrogates, the way Python passes bad argv)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def people_of_surname(name: str, text: str) -> list[str]:
    """Who of that surname `text` names ("Anneke Solberg"), at most two: to say whom the articles mean."""
    surname = name.split()[-1]
    found = re.findall(rf"\b([A-Z][\w’'\-]+ {re.escape(surname)})\b", text)
    return sorted(set(found))[:2]
