"""Which reports a question names, and which articles each of them is.

"How do the New York Times and the Times of Israel reports differ…", "…in the Al Jazeera
report, and after … in the Times of Israel report", "the proposal Hamas rejected (Times of
Israel)": a question comparing reports needs one piece of evidence from each named report,
not the two best windows wherever they are. The names are read from the question's words;
an article is a named report when its title names the outlet or its text has the outlet's
name as a phrase ("This article originally appeared in The New York Times").
"""

from __future__ import annotations

import calendar
import re

from rag.words import WEEKDAYS

_NAME = r"[A-Z][\w’'\-]*+(?:\s(?:of\s)?[A-Z][\w’'\-]*+)*(?:\s\d{1,3}(?!\d))?"
_REPORT = r"(?:report|article|piece|story|coverage|account|reporting|dispatch|update|item)"
_ONE = re.compile(rf"\b(?P<a>{_NAME})(?:[’']s)?\s+{_REPORT}s?\b")
_TWO = re.compile(rf"\b(?P<a>{_NAME})\s+and\s+(?:the\s+)?(?P<b>{_NAME})(?:[’']s)?\s+{_REPORT}s\b")
_ACCORDING = re.compile(rf"\baccording to (?:the\s+)?(?P<a>{_NAME})(?:[’']s)?\s+{_REPORT}\b")
_BRACKETED = re.compile(rf"\((?P<a>{_NAME})\)")
# "officials cited by Al Jazeera", "as reported by the New York Times": the outlet is the report.
_CITED = re.compile(rf"\b(?:cited|quoted|reported|interviewed|published) by (?:the\s+)?(?P<a>{_NAME})")
# Words a question may put before a name: "In the September 2024 report" names no outlet.
_NOT_OUTLETS = {m.lower() for m in calendar.month_name[1:]} | {
    "the", "a", "an", "in", "on", "of", "how", "what", "which", "do", "did", "yesterday", "today",
}  # fmt: skip
# "Rebutting reports that …", "Citing reports": a participle opening the question, not an outlet.
_PARTICIPLE = re.compile(r"[A-Z][a-z]{2,}ing")


def named_outlets(text: str) -> tuple[str, ...]:
    """Outlet names in the order the question gives them, each once ("Times of Israel")."""
    found: list[tuple[int, str]] = []
    for pattern in (_TWO, _ONE, _ACCORDING, _BRACKETED, _CITED):
        for match in pattern.finditer(text):
            for group in ("a", "b"):
                if group in match.groupdict() and match.group(group):
                    found.append((match.start(group), clean_outlet(match.group(group))))
    out: list[str] = []
    for _, name in sorted(found):
        if name and name not in out and not any(name in longer for longer in out):
            out = [o for o in out if o not in name] + [name]
    return tuple(out)


def outlets_mentioned(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """The indexed articles' outlets (`known`, from their metadata) that the question names, as it
    writes them, in its order: "the Ledger's first report, the Courier two days later, and the final
    Northwind Radio tally" names three, though only one is followed by "report". An outlet is named
    by its whole name or by its last word ("the Ledger" for the Pellridge Ledger), capitalised;
    not by a last word another outlet shares ("Times") or that follows "of" ("Israel" in the Times
    of Israel, a country first)."""
    forms: dict[str, str] = {}
    tails: dict[str, list[str]] = {}
    for outlet in known:
        words = clean_outlet(outlet).split()
        if not words:
            continue
        forms[" ".join(words)] = outlet
        for size in (1, 2):  # "the Ledger", "the Financial Review"
            tail = words[-size:]
            if len(words) > size and words[-size - 1].lower() != "of" and same_outlet(outlet, " ".join(tail)):
                tails.setdefault(" ".join(tail), []).append(outlet)
    forms.update({tail: owners[0] for tail, owners in tails.items() if len(owners) == 1 and tail not in forms})
    # "the NYT", "the WSJ": a name of three words or more by its initials, which stand for the name.
    acronyms = {_initials(name): name for name in list(forms) if len(name.split()) >= 3}
    found: list[tuple[int, int, str]] = []
    for form in sorted([*forms, *acronyms], key=len, reverse=True):
        flags = re.IGNORECASE if form in acronyms else 0  # "ToI" for the Times of Israel
        for match in re.finditer(rf"(?<![\w’'-]){re.escape(form)}(?![\w-])", text, flags):
            if form in acronyms and not match.group(0)[0].isupper():
                continue
            if not any(start <= match.start() < end for start, end, _ in found):
                found.append((match.start(), match.end(), acronyms.get(form, form)))
    return tuple(dict.fromkeys(name for _, _, name in sorted(found)))


def expand_acronym(name: str, outlets: tuple[str, ...]) -> str:
    """The outlet of `outlets` that `name` abbreviates ("NYT" -> "New York Times"), else `name`."""
    return next((o for o in outlets if len(o.split()) >= 3 and _initials(o) == name.upper()), name)


def _initials(name: str) -> str:
    """ "New York Times" -> "NYT", "Times of Israel" -> "TOI"."""
    return "".join(w[0] for w in name.split()).upper()


def clean_outlet(name: str) -> str:
    """The outlet in a name a question puts before "report": not "The", "In the …" or a month, and
    not what follows its possessive."""
    words = name.split()
    while words and words[0].lower() in _NOT_OUTLETS:
        words = words[1:]  # "The New York Times", "In the …": the outlet starts after
    # "its Wednesday update", "Rebutting reports": a weekday or a participle alone is no outlet (but
    # "The Sunday Times" and "Beijing Daily" are).
    if len(words) == 1 and (words[0].lower() in WEEKDAYS or _PARTICIPLE.fullmatch(words[0])):
        words = []
    # "Al Jazeera's February report": the outlet ends at its possessive; the month is the report's.
    owner = next((k for k, w in enumerate(words) if w.endswith(("'s", "’s"))), None)
    if owner is not None:
        words = [*words[:owner], words[owner][:-2]]
    while words and words[-1].lower() in _NOT_OUTLETS:
        words = words[:-1]
    return " ".join(words)


def is_report_of(title: str, text: str, outlet: str, article_outlet: str = "") -> bool:
    """The article's metadata names the outlet (`article_outlet`, rag.metadata); without metadata,
    its title names the outlet or its text (lowercased, one space between words) has the outlet's
    name as a phrase."""
    if article_outlet:
        return same_outlet(article_outlet, outlet)
    phrase = " ".join(outlet.lower().split())
    return phrase in title.lower() or f" {phrase}" in f" {text}"


def same_outlet(known: str, named: str) -> bool:
    """ "The New York Times" is what a question calls "New York Times", "the Times" or "NYT"; "Times of
    Israel" is not "The New York Times" (whole words, and an acronym must match all initials)."""
    full, asked = _outlet_words(known), _outlet_words(named)
    if not full or not asked:
        return False
    if len(asked) == 1 and len(full) > 1 and asked[0] == "".join(w[0] for w in full):
        return True  # "nyt", "toi"
    joined, wanted = f" {' '.join(full)} ", f" {' '.join(asked)} "
    return wanted in joined if len(asked) > 1 or asked[0] not in {"times", "news", "post"} else wanted == joined


def _outlet_words(name: str) -> list[str]:
    words = re.sub(r"[^\w\s]", " ", name.lower()).split()
    return words[1:] if words[:1] == ["the"] else words


def without_outlets(text: str, outlets: tuple[str, ...]) -> str:
    """The question without the outlets' names: "New York Times" is not what it asks about, and a
    sentence like "This article originally appeared in The New York Times." must not match it."""
    for outlet in outlets:
        text = re.sub(rf"\b{re.escape(outlet)}\b(?:[’']s)?", " ", text)
    return " ".join(text.split())
