"""Proper names in a question or an answer sentence, read from capitalisation.

Hand-written because no NER model ships here (see OFFLINE-NOTES). Shared by question analysis
(what the question names) and verification (what an answer sentence names that its quote must too).
"""

from __future__ import annotations

import re

from rag.words import MONTHS, WEEKDAYS, is_demonym, is_stopword


def question_names(text: str, exclude: str = "") -> list[str]:
    """Proper names in a question. Its first word is capitalised by grammar ("Besides",
    "Approximately"), so it counts only as an acronym; months, weekdays and the outlet that
    picks an article are not names either, nor a nationality used as an adjective ("American
    backing", "Egyptian official"): the articles may say "US" or "Egypt's"."""
    names = []
    first = re.match(r"\s*([\w’'\-]+)", text)
    skip_first = bool(first) and not (first.group(1).isupper() and len(first.group(1)) > 1)
    excluded = {w.lower() for w in exclude.split()} | set(MONTHS) | WEEKDAYS
    for i, name in enumerate(capitalised_names(text)):
        words = name.split()
        if i == 0 and skip_first and text.lstrip().startswith(words[0]):
            words = words[1:]
        words = [w for w in words if w.lower() not in excluded]
        if len(words) == 1 and is_demonym(words[0]) and re.search(rf"\b{re.escape(words[0])}\s+[a-z]", text):
            continue
        if words:
            names.append(" ".join(words))
    return names


def capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words, minus sentence-initial question words and stopwords."""
    names: list[str] = []
    current: list[str] = []
    for word in re.findall(r"[\w’'\-]+|[^\w\s]", text):
        clean = re.sub(r"[’']s$", "", word)
        if clean[:1].isupper() and not is_stopword(clean) and clean != "I":
            current.append(clean)
            continue
        if current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return names
