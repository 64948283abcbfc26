"""Is a sum of money asked for, and does a text give one?

"How much severance pay …" is not answered by "350 jobs" or "11 seconds", though both are numbers.
Hand-written: no NER model ships here (see OFFLINE-NOTES), and a currency may be one no list
knows (an invented one in a story, a small country's), so the test is what the number is *not*.
"""

from __future__ import annotations

import re

from rag.words import is_stopword

# "How much severance pay …", "how much money has it raised", "what will it cost": a sum of money.
_WANTS_MONEY = re.compile(
    r"\bhow much (?:[\w’'\-]+\s+){0,2}?(?:money|cash|pay|compensation|revenue|profit|funding|investment|"
    r"salary|wages?|fine|damages|bribes?|budget|subsid(?:y|ies))\b"
    r"|\bhow much\b[^?]*\b(?:cost|costs|costing|pay|paid|raise[sd]?|raising|invest(?:ed|ing|s)?|spen[dt]|spending|"
    r"save[sd]?|saving|charge[sd]?|owed?|earn(?:ed|s)?|fetch(?:ed)?|sell for|sold for)\b"
    r"|\bwhat (?:price|fee|fine|salary|sum)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?P<symbol>[$€£¥₪₹]\s?)?(?<![\w\-.,])(?P<figure>\d[\d,.]*\d|\d)(?P<percent>\s?%|\s?per ?cent\b)?"
    r"(?:\s*-?(?P<unit>[A-Za-z]+))?"
)
_SCALES = frozenset({"thousand", "million", "billion", "trillion", "bn", "m", "k", "mn", "crore", "lakh"})
_CURRENCIES = frozenset({
    "dollars", "euros", "pounds", "sterling", "shekels", "yen", "yuan", "renminbi", "rupees", "francs", "crowns",
    "kroner", "kronor", "krona", "marks", "rubles", "roubles", "lira", "dinars", "dirhams", "riyals", "rand", "pesos",
    "reais", "won", "usd", "eur", "gbp",
})  # fmt: skip
# Units of time and measure (and words that follow a number in a date or a list) that are not money.
_NOT_MONEY = frozenset({
    "second", "minute", "hour", "day", "week", "month", "year", "km", "kilometre", "kilometer", "metre", "meter",
    "mile", "hectare", "acre", "tonne", "ton", "kg", "kilogram", "litre", "liter", "degree", "am", "pm", "per", "of",
    "to", "and", "or",
})  # fmt: skip


# Plurals without an s.
_IRREGULAR_PLURALS = frozenset({"people", "men", "women", "children", "police", "staff", "crew", "personnel", "cattle"})


def wants_money(question: str) -> bool:
    """ "How much money has it raised", "how much will it cost", "what price": a sum is asked for."""
    return bool(_WANTS_MONEY.search(question))


def has_amount(text: str, years: set[str]) -> bool:
    """A sum of money: "$5 million", "740 million crowns", "95,000 thal", "80,000 marks"; not "350
    jobs", "800 Palestinian prisoners", "123 people", "11 seconds" or "7%". A currency may be one no
    list knows (an invented one in a story, a small country's), so a number counts unless what it
    counts, the words after it up to the first small word, ends in a plural noun or is a unit of
    time or measure; a scale ("million") or a known currency always counts."""
    for match in _AMOUNT.finditer(text):
        figure, unit = match.group("figure"), (match.group("unit") or "").lower()
        if figure.replace(",", "").rstrip(".") in years or match.group("percent"):
            continue
        if match.group("symbol") or unit in _SCALES or unit in _CURRENCIES:
            return True
        after = text[match.end("figure") :]
        counted = _counted(after)
        if counted and (_plural(counted[-1]) or any(w in _NOT_MONEY for w in counted)):
            continue
        if re.match(r"\s+of\b", after):
            continue  # "34 of those still held": a count of something named after it
        if re.search(r"\b[A-Z][\w’'-]*\s+$", text[: match.start("figure")]):
            continue  # a number that is part of a name: "Channel 12", "Resolution 2728"
        return True
    return False


def _counted(after: str) -> list[str]:
    """The noun phrase after a number, lowercased: "800 Palestinian prisoners in exchange" ->
    ["palestinian", "prisoners"]; up to three words, ending at a small word or punctuation."""
    words: list[str] = []
    for word in re.findall(r"[A-Za-z]+|[^\sA-Za-z]", after.lstrip(" -")[:60]):
        if not word[0].isalpha() or is_stopword(word) or word.lower() in ("per", "since") or len(words) == 3:
            break
        words.append(word.lower())
    return words


def _plural(word: str) -> bool:
    return word in _IRREGULAR_PLURALS or (word.endswith("s") and not word.endswith("ss"))
